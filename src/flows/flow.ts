// The one normalized flow event every source is translated into. Hubble's and Calico's vocabulary
// stays in their parsers; everything downstream (store, recommender, drops, doctor) speaks this.

/** What an endpoint is. Pods are the only endpoints NetworkPolicy selects by label. */
export type EndpointKind =
  | 'pod' // a pod on the pod network (namespace + pod name known, or at least namespace + labels)
  | 'world' // an address outside the cluster
  | 'host' // the local node itself (or a hostNetwork pod seen as the node)
  | 'remote-node' // another node of the cluster
  | 'kube-apiserver' // the Kubernetes API server
  // Cilium reserved identities that NetworkPolicy has no peer for (Cilium names them as entities):
  | 'ingress' // Cilium's Envoy ingress/Gateway API proxy (reserved:ingress, identity 8)
  | 'health' // cilium-health endpoints (reserved:health, identity 4)
  | 'init' // an endpoint whose identity is not resolved yet (reserved:init, identity 5)
  | 'unmanaged' // a pod Cilium does not manage (reserved:unmanaged, identity 3)
  | 'cluster' // inside the cluster but not resolved to a pod (e.g. a Calico line with only an IP)
  | 'unknown';

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];

export type Verdict = 'forwarded' | 'dropped' | 'audit' | 'error';
export const VERDICTS: readonly Verdict[] = ['forwarded', 'dropped', 'audit', 'error'];

/** Where the observation point saw the packet relative to the endpoint that reported it. */
export type TrafficDirection = 'ingress' | 'egress' | 'unknown';

export interface Workload {
  /** Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Pod … */
  readonly kind: string;
  readonly name: string;
}

export interface Endpoint {
  readonly kind: EndpointKind;
  readonly ip?: string;
  readonly namespace?: string;
  readonly pod?: string;
  readonly workload?: Workload;
  /** Kubernetes labels, without source prefixes such as Cilium's `k8s:`. */
  readonly labels: Readonly<Record<string, string>>;
  /** DNS names this address was seen as (Hubble `source_names`/`destination_names`, DNS answers). */
  readonly names: readonly string[];
}

export interface PolicyRefs {
  /** `namespace/name` of policies that allowed the flow in each direction, when the source says. */
  readonly ingressAllowedBy: readonly string[];
  readonly egressAllowedBy: readonly string[];
  /** `namespace/name` of policies that denied the flow, when the source says. */
  readonly ingressDeniedBy: readonly string[];
  readonly egressDeniedBy: readonly string[];
}

export interface Flow {
  /** Event time, milliseconds since the Unix epoch. */
  readonly timeMs: number;
  readonly node?: string;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly protocol: Protocol;
  readonly sourcePort?: number;
  /** Destination port; for ICMP, absent (the ICMP type is not a port). */
  readonly destinationPort?: number;
  readonly direction: TrafficDirection;
  readonly verdict: Verdict;
  /** Normalized drop reason name (Hubble's `drop_reason_desc`, e.g. `POLICY_DENIED`), when dropped. */
  readonly dropReason?: string;
  /** True when the drop was caused by network policy (as opposed to conntrack, routing …). */
  readonly isPolicyDrop: boolean;
  readonly policies: PolicyRefs;
  /** True for reply-direction packets; undefined when the source cannot tell. */
  readonly isReply: boolean | undefined;
  /**
   * True when this event starts a connection: a TCP SYN without ACK, or a non-reply
   * UDP/SCTP/ICMP event. Only these create or count edges; replies and mid-stream packets
   * must never create a reversed edge.
   */
  readonly isConnectionStart: boolean;
  /**
   * Set on a non-start event that proves a connection established before observation (a
   * mid-stream TCP packet, a UDP answer whose reply flag is unset): `forward` when the connection
   * runs source → destination port, `reverse` when it runs destination → source port. Such
   * events add `established` evidence to that edge, never a connection count.
   */
  readonly established?: 'forward' | 'reverse';
  /** On an event that neither starts a connection nor is evidence of one: why (the ingest summary). */
  readonly noEdge?: NoEdgeReason;
  /**
   * How many connection starts this one event stands for: 1 for a packet-level event (Hubble,
   * kernel log), `num_flows_started` for an aggregated Calico flow log record. Absent means 1.
   */
  readonly connectionCount?: number;
  /**
   * How many attacker-controlled values (labels, names, policy refs) the parser dropped to keep
   * within bounds (src/flows/bounds.ts). Absent means none.
   */
  readonly droppedValues?: number;
}

export const NO_POLICIES: PolicyRefs = Object.freeze({
  ingressAllowedBy: [],
  egressAllowedBy: [],
  ingressDeniedBy: [],
  egressDeniedBy: [],
});

/** Reasons a line is rejected. Also the `reason` label of the rejected-events metric. */
export type RejectReason =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'oversized_line'
  | 'missing_field'
  | 'invalid_field'
  | 'unknown_enum'
  | 'unsupported_event' // a well-formed event that is not a flow (e.g. Hubble node status, lost events)
  | 'unparseable_line';

export type ParseResult =
  | { readonly ok: true; readonly flow: Flow }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/** A parser turns one line (without its newline) into a flow or a counted rejection. Never throws. */
export type LineParser = (line: string) => ParseResult;

/**
 * A valid event that starts no connection, as an ingest parser reports it: such events only count
 * as accepted in the store (edges are built from connection starts), so an ingest parser may
 * validate them without building their Flow. Valid means exactly what the full parser accepts.
 */
export interface ValidNonStart {
  readonly ok: true;
  readonly flow: null;
  /** Why the event makes no edge (absent: not said). */
  readonly noEdge?: NoEdgeReason;
}
export const VALID_NON_START: ValidNonStart = Object.freeze({ ok: true, flow: null });

/**
 * Why an accepted event makes no edge, for the ingest summary (a user who sees fewer edges than
 * lines should not have to guess). docs/cli.md explains each.
 */
export const NO_EDGE_REASONS = [
  'reply', // the answer of a connection (is_reply, a SYN-ACK, an L7 response): its request counts
  'tcp-reset', // a TCP RST: not evidence that a connection existed
  'blocked-mid-connection', // a dropped/audited/errored packet that starts nothing: attempts count from their starts
  'icmp-reply', // an ICMP echo reply or error message
  'socket-event', // a Hubble socket (SOCK) trace event: no packet crossed the network
  'other-end-report', // a Calico report of a connection the other end's report counts
  'mid-connection', // a kernel-log line of a TCP packet that is not a SYN
  'missing-port', // a TCP/UDP/SCTP event without its server's port (absent or 0): never a port-0 edge
  'not-a-connection-start', // anything else that starts no connection
] as const;
/** The type is the list's: a reason cannot be added without being listed (metrics start each at 0). */
export type NoEdgeReason = (typeof NO_EDGE_REASONS)[number];

const VALID_NON_START_BY_REASON: ReadonlyMap<NoEdgeReason, ValidNonStart> = new Map(
  NO_EDGE_REASONS.map((reason) => [reason, Object.freeze({ ok: true as const, flow: null, noEdge: reason })]),
);

/** The shared (frozen) ValidNonStart carrying `reason`; the plain one without. */
export function validNonStart(reason: NoEdgeReason | undefined): ValidNonStart {
  return reason === undefined ? VALID_NON_START : (VALID_NON_START_BY_REASON.get(reason) ?? VALID_NON_START);
}

/** What an ingest parser returns: a ParseResult, or VALID_NON_START where it skipped building. */
export type IngestResult = ParseResult | ValidNonStart;
export type IngestParser = (line: string) => IngestResult;

export const MAX_LINE_BYTES_DEFAULT = 1024 * 1024;

export function reject(reason: RejectReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}
