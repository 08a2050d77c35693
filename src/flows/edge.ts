// Aggregation of flows into edges: one edge per distinct communication path
// (source workload or address → destination workload or address, protocol, port, verdict).
// Pure: the store persists the deltas this module computes, batch by batch.
import type { EndpointKind, Flow, Endpoint, Protocol, Verdict } from './flow.js';

/** One side of an edge: a workload (pods) or an address (everything else). */
export interface EdgePeer {
  readonly kind: EndpointKind;
  readonly namespace?: string;
  /** Owning workload name (Deployment, StatefulSet …) or the pod name when it has no owner. */
  readonly workload?: string;
  readonly workloadKind?: string;
  /** For non-pod peers: the address. */
  readonly ip?: string;
}

/** Bounds on the detail kept per edge; everything here is attacker-controlled. */
export const EDGE_SAMPLE_PODS_MAX = 5;
export const EDGE_NAMES_MAX = 20;

/** What one batch of flows contributes to an edge. */
export interface EdgeDelta {
  readonly key: string;
  readonly source: EdgePeer;
  readonly destination: EdgePeer;
  readonly protocol: Protocol;
  /** Destination port; null for ICMP. */
  readonly port: number | null;
  readonly verdict: Verdict;
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Labels of the most recent pod seen on each side (pods only). */
  sourceLabels: Readonly<Record<string, string>>;
  destinationLabels: Readonly<Record<string, string>>;
  readonly sourcePods: Set<string>;
  readonly destinationPods: Set<string>;
  /** DNS names seen for the destination (or source, for ingress from outside). */
  readonly sourceNames: Set<string>;
  readonly destinationNames: Set<string>;
  /** Drop reason → count, for dropped edges. */
  readonly dropReasons: Map<string, number>;
  readonly deniedBy: Set<string>;
  readonly allowedBy: Set<string>;
}

export function peerOf(endpoint: Endpoint): EdgePeer {
  if (endpoint.kind === 'pod' && endpoint.namespace !== undefined) {
    const workload = endpoint.workload?.name ?? endpoint.pod;
    const workloadKind = endpoint.workload?.kind ?? (endpoint.pod !== undefined ? 'Pod' : undefined);
    return {
      kind: 'pod',
      namespace: endpoint.namespace,
      ...(workload !== undefined ? { workload } : {}),
      ...(workloadKind !== undefined ? { workloadKind } : {}),
    };
  }
  return { kind: endpoint.kind, ...(endpoint.ip !== undefined ? { ip: endpoint.ip } : {}) };
}

export function peerKey(peer: EdgePeer): string {
  if (peer.kind === 'pod') {
    return `pod/${peer.namespace ?? ''}/${peer.workloadKind ?? ''}/${peer.workload ?? ''}`;
  }
  return `${peer.kind}/${peer.ip ?? ''}`;
}

export function edgeKey(source: EdgePeer, destination: EdgePeer, protocol: Protocol, port: number | null, verdict: Verdict): string {
  return `${peerKey(source)}>${peerKey(destination)}|${protocol}|${port ?? '-'}|${verdict}`;
}

function addBounded(set: Set<string>, values: Iterable<string>, max: number): void {
  for (const value of values) {
    if (set.size >= max) return;
    set.add(value);
  }
}

function portOf(flow: Flow): number | null {
  if (flow.protocol === 'ICMP' || flow.protocol === 'ICMPv6') return null;
  return flow.destinationPort ?? null;
}

/**
 * Folds connection-starting flows into per-edge deltas. Flows that are replies or mid-stream
 * packets are ignored here: they must never create (reversed) edges.
 */
export function aggregateFlows(flows: Iterable<Flow>, into: Map<string, EdgeDelta> = new Map()): Map<string, EdgeDelta> {
  for (const flow of flows) {
    if (!flow.isConnectionStart) continue;
    const source = peerOf(flow.source);
    const destination = peerOf(flow.destination);
    const port = portOf(flow);
    const key = edgeKey(source, destination, flow.protocol, port, flow.verdict);
    let delta = into.get(key);
    if (delta === undefined) {
      delta = {
        key,
        source,
        destination,
        protocol: flow.protocol,
        port,
        verdict: flow.verdict,
        count: 0,
        firstSeenMs: flow.timeMs,
        lastSeenMs: flow.timeMs,
        sourceLabels: flow.source.labels,
        destinationLabels: flow.destination.labels,
        sourcePods: new Set(),
        destinationPods: new Set(),
        sourceNames: new Set(),
        destinationNames: new Set(),
        dropReasons: new Map(),
        deniedBy: new Set(),
        allowedBy: new Set(),
      };
      into.set(key, delta);
    }
    delta.count += flow.connectionCount ?? 1;
    if (flow.timeMs < delta.firstSeenMs) delta.firstSeenMs = flow.timeMs;
    if (flow.timeMs >= delta.lastSeenMs) {
      delta.lastSeenMs = flow.timeMs;
      delta.sourceLabels = flow.source.labels;
      delta.destinationLabels = flow.destination.labels;
    }
    if (flow.source.pod !== undefined) addBounded(delta.sourcePods, [flow.source.pod], EDGE_SAMPLE_PODS_MAX);
    if (flow.destination.pod !== undefined) addBounded(delta.destinationPods, [flow.destination.pod], EDGE_SAMPLE_PODS_MAX);
    addBounded(delta.sourceNames, flow.source.names, EDGE_NAMES_MAX);
    addBounded(delta.destinationNames, flow.destination.names, EDGE_NAMES_MAX);
    if (flow.dropReason !== undefined) delta.dropReasons.set(flow.dropReason, (delta.dropReasons.get(flow.dropReason) ?? 0) + 1);
    addBounded(delta.deniedBy, [...flow.policies.ingressDeniedBy, ...flow.policies.egressDeniedBy], EDGE_NAMES_MAX);
    addBounded(delta.allowedBy, [...flow.policies.ingressAllowedBy, ...flow.policies.egressAllowedBy], EDGE_NAMES_MAX);
  }
  return into;
}
