// The staged-set model of shadow mode: a namespace's proposed policies frozen at staging time, its
// lifecycle (one active set per namespace; staging again supersedes it, promoting or retiring ends
// it; every ended set stays as history), and what live traffic taught us about it since staging.
// Plain data: the store persists it, the evaluator and readiness read it.
import type { EdgePeer } from '../flows/edge.js';
import type { NetworkPolicy } from '../policy/model.js';

export type StagedStatus = 'active' | 'superseded' | 'promoted' | 'retired';
export const STAGED_STATUSES: readonly StagedStatus[] = ['active', 'superseded', 'promoted', 'retired'];

/** Flavours the engine evaluates today: only networking.k8s.io/v1 NetworkPolicy. */
export type StagedFlavor = 'k8s';
export const STAGED_FLAVORS: readonly StagedFlavor[] = ['k8s'];

/** Where the policies came from: the recommender at staging time, or given by the user. */
export type StagedOrigin = 'recommendation' | 'given';

export interface StagedSet {
  readonly id: number;
  readonly namespace: string;
  readonly flavor: StagedFlavor;
  readonly origin: StagedOrigin;
  readonly policies: readonly NetworkPolicy[];
  readonly status: StagedStatus;
  readonly stagedAtMs: number;
  /** The identity that staged it (token mode: `write-token`; kubernetes: the username). */
  readonly stagedBy: string;
  /** When and by whom it stopped being active (superseded, promoted or retired). */
  readonly endedAtMs?: number;
  readonly endedBy?: string;
  /** The set that superseded this one. */
  readonly supersededBy?: number;
}

/** Traffic judged against a set since it was staged. */
export interface StagedTraffic {
  /** Distinct paths (source workload, destination workload, port, protocol) evaluated. */
  readonly paths: number;
  /** Connection starts evaluated. */
  readonly connections: number;
  /** Connection starts that could not be evaluated (ICMP, unnamed endpoints): not counted as clean. */
  readonly unevaluated: number;
  readonly wouldDropPaths: number;
  readonly wouldDropConnections: number;
  /** Daemon time at which the most recent would-drop was evaluated. */
  readonly lastWouldDropAtMs?: number;
}

export const NO_TRAFFIC: StagedTraffic = Object.freeze({
  paths: 0,
  connections: 0,
  unevaluated: 0,
  wouldDropPaths: 0,
  wouldDropConnections: 0,
});

/** The staged policy and rule that would have dropped a path. */
export interface WouldDropDecider {
  /** The side whose (staged) policies refuse the connection. */
  readonly direction: 'egress' | 'ingress';
  /** `namespace/name` of the staged policies isolating that side. */
  readonly policies: readonly string[];
  /**
   * The rule that decided, when a rule did (deny rules of other flavours); null for
   * NetworkPolicy, where isolation without an admitting rule decides.
   */
  readonly rule: number | null;
  /** The engine's explanation. */
  readonly reason: string;
}

/** One path a staged set would drop, aggregated since staging. */
export interface WouldDropPath {
  readonly setId: number;
  readonly pathKey: string;
  readonly source: EdgePeer;
  readonly destination: EdgePeer;
  readonly protocol: string;
  readonly port: number | null;
  readonly connections: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly sourcePods: readonly string[];
  readonly destinationPods: readonly string[];
  readonly decider: WouldDropDecider;
}

/** `namespace/name` of a policy. */
export function policyId(policy: NetworkPolicy): string {
  return `${policy.metadata.namespace}/${policy.metadata.name}`;
}
