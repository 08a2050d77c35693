// The staged-set model of shadow mode: a namespace's proposed policies frozen at staging time, its
// lifecycle (one active set per namespace; staging again supersedes it, promoting or retiring ends
// it; every ended set stays as history), and what live traffic taught us about it since staging.
// Plain data: the store persists it, the evaluator and readiness read it.
import type { EdgePeer } from '../flows/edge.js';
import type { ObjectMeta } from '../policy/model.js';

export type StagedStatus = 'active' | 'superseded' | 'promoted' | 'retired';
export const STAGED_STATUSES: readonly StagedStatus[] = ['active', 'superseded', 'promoted', 'retired'];

/**
 * The flavours a set can be written in, each evaluated by the engine against the cluster's
 * existing policies of every kind: `k8s` (networking.k8s.io/v1 NetworkPolicy), `cilium`
 * (cilium.io/v2 CiliumNetworkPolicy), `calico` (projectcalico.org/v3 NetworkPolicy); the latter
 * two may hold NetworkPolicies too (their CNIs enforce them). Only namespaced kinds: a set
 * belongs to one namespace.
 */
export type StagedFlavor = 'k8s' | 'cilium' | 'calico';
export const STAGED_FLAVORS: readonly StagedFlavor[] = ['k8s', 'cilium', 'calico'];

export function isStagedFlavor(value: unknown): value is StagedFlavor {
  return (STAGED_FLAVORS as readonly unknown[]).includes(value);
}

/**
 * One staged policy object as validated at staging time, kept as the API object it is (a
 * NetworkPolicy is one; Cilium and Calico objects are kept as given, re-read by the same parser
 * that reads a cluster's objects).
 */
export interface StagedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec?: unknown;
  /** CiliumNetworkPolicy may list several rules instead of one spec. */
  readonly specs?: unknown;
}

/** Where the policies came from: the recommender at staging time, or given by the user. */
export type StagedOrigin = 'recommendation' | 'given';

export interface StagedSet {
  readonly id: number;
  readonly namespace: string;
  readonly flavor: StagedFlavor;
  readonly origin: StagedOrigin;
  readonly policies: readonly StagedObject[];
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
  /**
   * The staged objects that decided, as the engine names them: `namespace/name` for a
   * NetworkPolicy, `Kind namespace/name` for the other flavours (a deny rule's object, else the
   * staged objects isolating that side).
   */
  readonly policies: readonly string[];
  /**
   * The index of the staged rule that decided, when a rule did (a CiliumNetworkPolicy's
   * egressDeny/ingressDeny rule, a Calico Deny rule); null when isolation without an admitting
   * rule decided (NetworkPolicy's default deny, Cilium's default deny, a Calico tier's end).
   */
  readonly rule: number | null;
  /** The rule as the engine names it: `egressDeny[0]`, `ingress[2]`, `default deny`, `end of tier …`. */
  readonly ruleName?: string;
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

/** The engine's name of a staged object: `namespace/name` for a NetworkPolicy, else `Kind namespace/name`. */
export function policyId(policy: StagedObject): string {
  const at = `${policy.metadata.namespace}/${policy.metadata.name}`;
  return policy.apiVersion === 'networking.k8s.io/v1' && policy.kind === 'NetworkPolicy'
    ? at
    : `${policy.kind} ${at}`;
}

/** The flavour a staged object is written in, or undefined for a kind no flavour stages. */
export function flavorOfObject(apiVersion: unknown, kind: unknown): StagedFlavor | undefined {
  if (apiVersion === 'networking.k8s.io/v1' && kind === 'NetworkPolicy') return 'k8s';
  if (apiVersion === 'cilium.io/v2' && kind === 'CiliumNetworkPolicy') return 'cilium';
  if (apiVersion === 'projectcalico.org/v3' && kind === 'NetworkPolicy') return 'calico';
  return undefined;
}
