// Aggregation of flows into edges: one edge per distinct communication path
// (source workload or address → destination workload or address, protocol, port, verdict).
// Pure: the store persists the deltas this module computes, batch by batch.
import {
  NO_POLICIES,
  type EndpointKind,
  type Flow,
  type Endpoint,
  type Protocol,
  type Verdict,
} from './flow.js';

/** One side of an edge: a workload (pods) or an address (everything else). */
export interface EdgePeer {
  readonly kind: EndpointKind;
  readonly namespace?: string;
  /** Owning workload name (Deployment, StatefulSet …) or the pod name when it has no owner. */
  readonly workload?: string;
  readonly workloadKind?: string;
  /** For non-pod peers: the address. */
  readonly ip?: string;
  // A non-pod peer may also carry a name instead of (or besides) an address: Calico's NetworkSets,
  // `pub`/`pvt` networks and host endpoints (flows/calico-entity.ts) in namespace, workload
  // (the entity's name) and workloadKind (its kind). They are part of the key: distinct peers.
}

/**
 * An aggregated edge as stored and read back: the EdgeDelta fields merged over all batches. The
 * store's EdgeRecord is this type; the core modules (recommend, drops) read the subsets they need.
 */
export interface ObservedEdge {
  readonly id: number;
  readonly source: EdgePeer;
  readonly destination: EdgePeer;
  readonly protocol: Protocol;
  readonly port: number | null;
  readonly verdict: Verdict;
  /** Connections started (seen from their first packet). */
  readonly count: number;
  /**
   * Mid-stream events of connections established before observation (no start seen): evidence
   * that the path is used, never counted as connections. Absent means 0.
   */
  readonly established?: number;
  /**
   * Of `established`, the events whose direction the source reported (Hubble `is_reply` false,
   * Calico and Goldmane records, reported by the initiator); the rest were oriented from ports and
   * flags. Absent means 0: all inferred.
   */
  readonly establishedObserved?: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly sourceLabels: Readonly<Record<string, string>>;
  readonly destinationLabels: Readonly<Record<string, string>>;
  readonly sourcePods: readonly string[];
  readonly destinationPods: readonly string[];
  readonly sourceNames: readonly string[];
  readonly destinationNames: readonly string[];
  readonly dropReasons: Readonly<Record<string, number>>;
  readonly deniedBy: readonly string[];
  readonly allowedBy: readonly string[];
}

/**
 * An edge without its sampled detail (labels, pods, drop reasons, policy names): what the
 * aggregate views (src/views: namespace traffic, the service map) read.
 */
export type ObservedEdgeSummary = Pick<
  ObservedEdge,
  | 'id'
  | 'source'
  | 'destination'
  | 'protocol'
  | 'port'
  | 'verdict'
  | 'count'
  | 'firstSeenMs'
  | 'lastSeenMs'
  | 'sourceNames'
  | 'destinationNames'
>;

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
  /** Mid-stream events of connections established before observation (see ObservedEdge); absent means 0. */
  established?: number;
  /** Of `established`, the events whose direction the source reported (see ObservedEdge); absent means 0. */
  establishedObserved?: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Labels of the most recent pod seen on each side (pods only). */
  sourceLabels: Readonly<Record<string, string>>;
  destinationLabels: Readonly<Record<string, string>>;
  // The collections start as shared empty sentinels and are replaced by their own Set/Map on
  // the first value (most edges never see a name, a drop reason or a policy): read them, never
  // mutate them from outside this module.
  sourcePods: ReadonlySet<string>;
  destinationPods: ReadonlySet<string>;
  /** DNS names seen for the destination (or source, for ingress from outside). */
  sourceNames: ReadonlySet<string>;
  destinationNames: ReadonlySet<string>;
  /** Drop reason → count, for dropped edges. */
  dropReasons: ReadonlyMap<string, number>;
  deniedBy: ReadonlySet<string>;
  allowedBy: ReadonlySet<string>;
}

/** The empty sentinels a new delta starts with; never mutated (see withValue). */
const NO_VALUES: ReadonlySet<string> = new Set<string>();
const NO_COUNTS: ReadonlyMap<string, number> = new Map<string, number>();

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
  const named = endpoint.kind === 'pod' ? undefined : endpoint.workload;
  if (named === undefined)
    return { kind: endpoint.kind, ...(endpoint.ip !== undefined ? { ip: endpoint.ip } : {}) };
  return {
    kind: endpoint.kind,
    ...(endpoint.namespace !== undefined ? { namespace: endpoint.namespace } : {}),
    workload: named.name,
    workloadKind: named.kind,
    ...(endpoint.ip !== undefined ? { ip: endpoint.ip } : {}),
  };
}

export function peerKey(peer: EdgePeer): string {
  if (peer.kind === 'pod') {
    return `pod/${peer.namespace ?? ''}/${peer.workloadKind ?? ''}/${peer.workload ?? ''}`;
  }
  // Unnamed address peers keep the key they always had (stored edge_key values stay valid).
  if (peer.workload === undefined) return `${peer.kind}/${peer.ip ?? ''}`;
  return `${peer.kind}/${peer.ip ?? ''}/${peer.namespace ?? ''}/${peer.workloadKind ?? ''}/${peer.workload}`;
}

export function edgeKey(
  source: EdgePeer,
  destination: EdgePeer,
  protocol: Protocol,
  port: number | null,
  verdict: Verdict,
): string {
  return `${peerKey(source)}>${peerKey(destination)}|${protocol}|${port ?? '-'}|${verdict}`;
}

/** `set` with `value` added (at most `max` values): a new Set when `set` is the empty sentinel. */
function withValue(set: ReadonlySet<string>, value: string, max: number): ReadonlySet<string> {
  if (set === NO_VALUES) return new Set([value]);
  if (set.size < max) (set as Set<string>).add(value);
  return set;
}

function withValues(set: ReadonlySet<string>, values: readonly string[], max: number): ReadonlySet<string> {
  let out = set;
  for (let i = 0; i < values.length && out.size < max; i++) out = withValue(out, values[i] as string, max);
  return out;
}

function withCount(counts: ReadonlyMap<string, number>, key: string): ReadonlyMap<string, number> {
  if (counts === NO_COUNTS) return new Map([[key, 1]]);
  (counts as Map<string, number>).set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function portOf(flow: Flow): number | null {
  if (flow.protocol === 'ICMP' || flow.protocol === 'ICMPv6') return null;
  return flow.destinationPort ?? null;
}

/** peerKey(peerOf(endpoint)) without building the peer: this runs once per flow. */
function endpointKey(endpoint: Endpoint): string {
  if (endpoint.kind === 'pod') {
    if (endpoint.namespace === undefined) return 'pod///';
    const workload = endpoint.workload;
    if (workload !== undefined) return `pod/${endpoint.namespace}/${workload.kind}/${workload.name}`;
    return endpoint.pod !== undefined
      ? `pod/${endpoint.namespace}/Pod/${endpoint.pod}`
      : `pod/${endpoint.namespace}//`;
  }
  const named = endpoint.workload;
  if (named === undefined) return `${endpoint.kind}/${endpoint.ip ?? ''}`;
  return `${endpoint.kind}/${endpoint.ip ?? ''}/${endpoint.namespace ?? ''}/${named.kind}/${named.name}`;
}

/**
 * Folds one flow into the per-edge deltas. A connection start counts; a mid-stream packet of a
 * connection established before observation (`flow.established`) adds evidence to that
 * connection's edge, oriented client → server; replies are ignored: they must never create
 * reversed edges. This is the ingest hot path: no allocation beyond the key string unless the
 * edge is new.
 */
export function aggregateFlow(flow: Flow, into: Map<string, EdgeDelta>): void {
  if (!flow.isConnectionStart) {
    if (flow.established !== undefined) aggregateEstablished(flow, flow.established, into);
    return;
  }
  const port = portOf(flow);
  // join builds one flat string; a template literal builds a rope that the Map lookup then
  // hashes and compares piece by piece (measured: ~4% of ingest).
  const key = [
    endpointKey(flow.source),
    '>',
    endpointKey(flow.destination),
    '|',
    flow.protocol,
    '|',
    port ?? '-',
    '|',
    flow.verdict,
  ].join('');
  const delta = deltaOf(
    into,
    key,
    flow.source,
    flow.destination,
    flow.protocol,
    port,
    flow.verdict,
    flow.timeMs,
  );
  delta.count += flow.connectionCount ?? 1;
  foldDetail(delta, flow, flow.source, flow.destination);
}

/**
 * A mid-stream event of a connection established before observation, folded into the edge of
 * that connection (client → server port): `reverse` swaps the two ends and takes the source port.
 */
function aggregateEstablished(
  flow: Flow,
  orientation: 'forward' | 'reverse',
  into: Map<string, EdgeDelta>,
): void {
  const reverse = orientation === 'reverse';
  const client = reverse ? flow.destination : flow.source;
  const server = reverse ? flow.source : flow.destination;
  const isIcmp = flow.protocol === 'ICMP' || flow.protocol === 'ICMPv6';
  // ICMP has no port and no reverse (only Calico records, oriented by the initiator, get here);
  // anything else keys on the server's port, which the parsers guarantee (`missing-port` otherwise).
  if (isIcmp && reverse) return;
  const port = isIcmp ? null : ((reverse ? flow.sourcePort : flow.destinationPort) ?? 0);
  if (port !== null && port <= 0) return;
  const key = [
    endpointKey(client),
    '>',
    endpointKey(server),
    '|',
    flow.protocol,
    '|',
    port ?? '-',
    '|',
    flow.verdict,
  ].join('');
  const delta = deltaOf(into, key, client, server, flow.protocol, port, flow.verdict, flow.timeMs);
  delta.established = (delta.established ?? 0) + 1;
  // `isReply` false: the source said this packet runs the connection's way (Hubble's explicit
  // is_reply false; Calico records are oriented by their initiator). Unset: ports and flags decided.
  if (flow.isReply === false) delta.establishedObserved = (delta.establishedObserved ?? 0) + 1;
  foldDetail(delta, flow, client, server);
}

function deltaOf(
  into: Map<string, EdgeDelta>,
  key: string,
  source: Endpoint,
  destination: Endpoint,
  protocol: Protocol,
  port: number | null,
  verdict: Verdict,
  timeMs: number,
): EdgeDelta {
  let delta = into.get(key);
  if (delta === undefined) {
    delta = {
      key,
      source: peerOf(source),
      destination: peerOf(destination),
      protocol,
      port,
      verdict,
      count: 0,
      established: 0, // present from the start: one object shape for every delta
      establishedObserved: 0,
      firstSeenMs: timeMs,
      lastSeenMs: timeMs,
      sourceLabels: source.labels,
      destinationLabels: destination.labels,
      sourcePods: NO_VALUES,
      destinationPods: NO_VALUES,
      sourceNames: NO_VALUES,
      destinationNames: NO_VALUES,
      dropReasons: NO_COUNTS,
      deniedBy: NO_VALUES,
      allowedBy: NO_VALUES,
    };
    into.set(key, delta);
  }
  return delta;
}

/** Times, labels, sample pods, names, drop reasons and policy names of one flow into its delta. */
function foldDetail(delta: EdgeDelta, flow: Flow, source: Endpoint, destination: Endpoint): void {
  if (flow.timeMs < delta.firstSeenMs) delta.firstSeenMs = flow.timeMs;
  if (flow.timeMs >= delta.lastSeenMs) {
    delta.lastSeenMs = flow.timeMs;
    delta.sourceLabels = source.labels;
    delta.destinationLabels = destination.labels;
  }
  const sourcePod = source.pod;
  if (sourcePod !== undefined && delta.sourcePods.size < EDGE_SAMPLE_PODS_MAX)
    delta.sourcePods = withValue(delta.sourcePods, sourcePod, EDGE_SAMPLE_PODS_MAX);
  const destinationPod = destination.pod;
  if (destinationPod !== undefined && delta.destinationPods.size < EDGE_SAMPLE_PODS_MAX) {
    delta.destinationPods = withValue(delta.destinationPods, destinationPod, EDGE_SAMPLE_PODS_MAX);
  }
  if (source.names.length > 0)
    delta.sourceNames = withValues(delta.sourceNames, source.names, EDGE_NAMES_MAX);
  if (destination.names.length > 0)
    delta.destinationNames = withValues(delta.destinationNames, destination.names, EDGE_NAMES_MAX);
  if (flow.dropReason !== undefined) delta.dropReasons = withCount(delta.dropReasons, flow.dropReason);
  const policies = flow.policies;
  if (policies !== NO_POLICIES) {
    delta.deniedBy = withValues(
      withValues(delta.deniedBy, policies.ingressDeniedBy, EDGE_NAMES_MAX),
      policies.egressDeniedBy,
      EDGE_NAMES_MAX,
    );
    delta.allowedBy = withValues(
      withValues(delta.allowedBy, policies.ingressAllowedBy, EDGE_NAMES_MAX),
      policies.egressAllowedBy,
      EDGE_NAMES_MAX,
    );
  }
}

/** Folds flows into per-edge deltas (see aggregateFlow). */
export function aggregateFlows(
  flows: Iterable<Flow>,
  into: Map<string, EdgeDelta> = new Map(),
): Map<string, EdgeDelta> {
  for (const flow of flows) aggregateFlow(flow, into);
  return into;
}
