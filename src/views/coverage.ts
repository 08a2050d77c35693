// Per-namespace policy coverage for GET /api/v1/namespaces: default-deny ingress/egress present,
// the share of (non-hostNetwork) pods some policy selects — from the snapshot/inventory, null
// without one — plus observed edges and recent drops from the store's edges.
import { isEmptySelector, matchesSelector } from '../policy/selectors.js';
import type { ObservedEdgeSummary } from '../flows/edge.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { policyDirections } from '../policy/compile.js';

export interface NamespaceCoverage {
  readonly defaultDenyIngress: boolean;
  readonly defaultDenyEgress: boolean;
  readonly policies: number;
  readonly pods: number;
  readonly podsSelected: number;
  /** podsSelected / pods, 0..1; null when the namespace has no pods. */
  readonly selectedShare: number | null;
}

/** What the edges say per namespace; `drops` keeps (lastSeenMs, count) of each dropped edge. */
export interface NamespaceTraffic {
  edges: number;
  connections: number;
  readonly drops: { lastSeenMs: number; count: number }[];
  lastSeenMs: number;
}

/** A policy that selects every pod and allows nothing in that direction. */
function isDefaultDeny(policy: NetworkPolicy, direction: 'ingress' | 'egress'): boolean {
  if (!isEmptySelector(policy.spec.podSelector)) return false;
  const directions = policyDirections(policy);
  const rules = direction === 'ingress' ? policy.spec.ingress : policy.spec.egress;
  return directions[direction] && (rules === undefined || rules.length === 0);
}

export function coverageOf(snapshot: ClusterSnapshot, namespace: string): NamespaceCoverage {
  const policies = snapshot.policies.filter((p) => p.metadata.namespace === namespace);
  const pods = snapshot.pods.filter((p) => p.namespace === namespace && !p.hostNetwork);
  const podsSelected = pods.filter((pod) =>
    policies.some((p) => matchesSelector(p.spec.podSelector, pod.labels)),
  ).length;
  return {
    defaultDenyIngress: policies.some((p) => isDefaultDeny(p, 'ingress')),
    defaultDenyEgress: policies.some((p) => isDefaultDeny(p, 'egress')),
    policies: policies.length,
    pods: pods.length,
    podsSelected,
    selectedShare: pods.length === 0 ? null : podsSelected / pods.length,
  };
}

/**
 * The key of the whole-store totals in trafficByNamespace's map: each edge counted once (a
 * namespace name is never empty). Summing the namespaces instead counts a cross-namespace edge
 * twice.
 */
export const ALL_NAMESPACES = '';

/**
 * One pass over the edges: traffic per namespace (an edge counts for both of its namespaces),
 * and under ALL_NAMESPACES every edge once.
 */
export function trafficByNamespace(edges: Iterable<ObservedEdgeSummary>): Map<string, NamespaceTraffic> {
  const out = new Map<string, NamespaceTraffic>();
  for (const edge of edges) {
    const namespaces = new Set<string>([ALL_NAMESPACES]);
    if (edge.source.kind === 'pod' && edge.source.namespace !== undefined)
      namespaces.add(edge.source.namespace);
    if (edge.destination.kind === 'pod' && edge.destination.namespace !== undefined)
      namespaces.add(edge.destination.namespace);
    for (const ns of namespaces) {
      let t = out.get(ns);
      if (t === undefined) {
        t = { edges: 0, connections: 0, drops: [], lastSeenMs: 0 };
        out.set(ns, t);
      }
      t.edges++;
      t.connections += edge.count;
      t.lastSeenMs = Math.max(t.lastSeenMs, edge.lastSeenMs);
      if (edge.verdict === 'dropped') t.drops.push({ lastSeenMs: edge.lastSeenMs, count: edge.count });
    }
  }
  return out;
}
