// Builds ObservedEdge values for recommender tests (the shape the store returns).
import type { EdgePeer } from '../../src/flows/edge.js';
import type { Protocol, Verdict } from '../../src/flows/flow.js';
import type { ObservedEdge } from '../../src/recommend/proposal.js';

let nextId = 1;

export interface PodSide {
  ns: string;
  workload: string;
  kind?: string;
  labels: Record<string, string>;
  pods?: string[];
}
export type Side = PodSide | { kind: Exclude<EdgePeer['kind'], 'pod'>; ip?: string; names?: string[] };

function isPod(side: Side): side is PodSide {
  return 'ns' in side;
}

function peerOf(side: Side): EdgePeer {
  if (isPod(side))
    return {
      kind: 'pod',
      namespace: side.ns,
      workload: side.workload,
      workloadKind: side.kind ?? 'Deployment',
    };
  return { kind: side.kind, ...(side.ip !== undefined ? { ip: side.ip } : {}) };
}

export function edge(
  from: Side,
  to: Side,
  port: number | null,
  options: {
    protocol?: Protocol;
    verdict?: Verdict;
    count?: number;
    first?: number;
    last?: number;
    id?: number;
  } = {},
): ObservedEdge {
  const first = options.first ?? Date.UTC(2026, 0, 1, 10);
  return {
    id: options.id ?? nextId++,
    source: peerOf(from),
    destination: peerOf(to),
    protocol: options.protocol ?? 'TCP',
    port,
    verdict: options.verdict ?? 'forwarded',
    count: options.count ?? 100,
    firstSeenMs: first,
    lastSeenMs: options.last ?? first + 2 * 3600_000,
    sourceLabels: isPod(from) ? from.labels : {},
    destinationLabels: isPod(to) ? to.labels : {},
    sourcePods: isPod(from) ? (from.pods ?? [`${from.workload}-0`]) : [],
    destinationPods: isPod(to) ? (to.pods ?? [`${to.workload}-0`]) : [],
    sourceNames: !isPod(from) ? (from.names ?? []) : [],
    destinationNames: !isPod(to) ? (to.names ?? []) : [],
  };
}

export const kubeDns: PodSide = {
  ns: 'kube-system',
  workload: 'coredns',
  labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': 'abc12' },
};
