// The JSON shapes of shadow mode, shared by the API and `staged … --json` so both say the same:
// a set with its readiness and traffic, a would-drop path with its evidence. Peers follow the
// flows contract (a pod side {namespace, workload, kind}, anything else {kind, ip}).
import type { EdgePeer } from '../flows/edge.js';
import { readinessOf, type ReadinessOptions, type ReadinessVerdict } from './readiness.js';
import type { StagedSet, StagedTraffic, WouldDropPath } from './staged-set.js';

export interface StagedSetJson {
  readonly id: number;
  readonly namespace: string;
  readonly flavor: string;
  readonly origin: string;
  readonly status: string;
  readonly stagedAt: string;
  readonly stagedBy: string;
  readonly endedAt: string | null;
  readonly endedBy: string | null;
  readonly supersededBy: number | null;
  readonly policyNames: readonly string[];
  readonly readiness: {
    readonly verdict: ReadinessVerdict;
    readonly cleanSince: string;
    readonly cleanForSeconds: number;
    readonly remainingSeconds: number;
    readonly reason: string;
  };
  readonly traffic: {
    readonly paths: number;
    readonly connections: number;
    readonly unevaluated: number;
    readonly wouldDropPaths: number;
    readonly wouldDropConnections: number;
    readonly lastWouldDrop: string | null;
  };
}

export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

/** Readiness is judged at `nowMs` while the set is active, at its end time after. */
export function stagedSetJson(
  set: StagedSet,
  traffic: StagedTraffic,
  options: ReadinessOptions,
  nowMs: number,
): StagedSetJson {
  const at = set.status === 'active' ? nowMs : (set.endedAtMs ?? nowMs);
  const readiness = readinessOf(set, traffic, options, at);
  return {
    id: set.id,
    namespace: set.namespace,
    flavor: set.flavor,
    origin: set.origin,
    status: set.status,
    stagedAt: isoTime(set.stagedAtMs),
    stagedBy: set.stagedBy,
    endedAt: set.endedAtMs !== undefined ? isoTime(set.endedAtMs) : null,
    endedBy: set.endedBy ?? null,
    supersededBy: set.supersededBy ?? null,
    policyNames: set.policies.map((p) => p.metadata.name),
    readiness: {
      verdict: readiness.verdict,
      cleanSince: isoTime(readiness.cleanSinceMs),
      cleanForSeconds: Math.floor(readiness.cleanForMs / 1000),
      remainingSeconds: Math.ceil(readiness.remainingMs / 1000),
      reason: readiness.reason,
    },
    traffic: {
      paths: traffic.paths,
      connections: traffic.connections,
      unevaluated: traffic.unevaluated,
      wouldDropPaths: traffic.wouldDropPaths,
      wouldDropConnections: traffic.wouldDropConnections,
      lastWouldDrop: traffic.lastWouldDropAtMs !== undefined ? isoTime(traffic.lastWouldDropAtMs) : null,
    },
  };
}

export type PeerJson =
  | { readonly namespace: string; readonly workload: string | null; readonly kind: string }
  | { readonly kind: string; readonly ip: string | null };

export function peerJson(peer: EdgePeer): PeerJson {
  if (peer.kind === 'pod')
    return {
      namespace: peer.namespace ?? '',
      workload: peer.workload ?? null,
      kind: peer.workloadKind ?? 'Pod',
    };
  return { kind: peer.kind, ip: peer.ip ?? null };
}

export interface WouldDropJson {
  readonly source: PeerJson;
  readonly destination: PeerJson;
  readonly port: number | null;
  readonly protocol: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly sourcePods: readonly string[];
  readonly destinationPods: readonly string[];
  readonly decidedBy: {
    readonly direction: string;
    readonly policies: readonly string[];
    readonly rule: number | null;
    readonly ruleName: string;
    readonly reason: string;
  };
}

export function wouldDropJson(path: WouldDropPath): WouldDropJson {
  return {
    source: peerJson(path.source),
    destination: peerJson(path.destination),
    port: path.port,
    protocol: path.protocol,
    count: path.connections,
    firstSeen: isoTime(path.firstSeenMs),
    lastSeen: isoTime(path.lastSeenMs),
    sourcePods: path.sourcePods,
    destinationPods: path.destinationPods,
    decidedBy: {
      direction: path.decider.direction,
      policies: path.decider.policies,
      rule: path.decider.rule,
      // Rows recorded before rule names were kept are NetworkPolicy default denies.
      ruleName: path.decider.ruleName ?? 'default deny',
      reason: path.decider.reason,
    },
  };
}

/** One line per would-drop for text output (control characters from the cluster made visible). */
export function wouldDropLine(path: WouldDropPath): string {
  const end = (p: EdgePeer) =>
    p.kind === 'pod' ? `${p.namespace ?? '?'}/${p.workload ?? '?'}` : `${p.kind}:${p.ip ?? '?'}`;
  const by = `${path.decider.policies.join(', ') || '?'} ${path.decider.ruleName ?? 'default deny'}`;
  const text = `WOULD-DROP ${end(path.source)} -> ${end(path.destination)} ${path.protocol}/${path.port ?? '-'} (${path.connections} connections, ${isoTime(path.firstSeenMs)} .. ${isoTime(path.lastSeenMs)}), ${path.decider.direction} decided by ${by}: ${path.decider.reason}`;
  return text.replace(/\p{Cc}/gu, '?');
}
