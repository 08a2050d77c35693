// What Felix and Goldmane make of connections, for the fake Goldmane: each node's Felix reports
// its own endpoints' side of a connection (felix/collector), Goldmane aggregates the reports of
// every node per FlowKey and 15 s window (goldmane/pkg/aggregator) and streams one FlowResult per
// key and window, with an id stable per FlowKey. Written from upstream's documented behaviour:
//  - Felix reports a side only for endpoints it hosts: workload and host endpoints. A NetworkSet
//    or network side reports nothing;
//  - the source side reports with reporter Src, its egress verdict and trace; the destination
//    side reports with reporter Dst only when the packet got there (the source did not deny);
//  - an endpoint is named by its pods' GenerateName + `*` (or the pod name without one), a host
//    endpoint by its host, a NetworkSet by its name, a network as `pub`/`pvt`; `-` where there is
//    no namespace; labels are the intersection over the aggregated pods;
//  - connections of pods on different nodes with the same FlowKey merge into one record;
//  - a connection opened before the window it is reported in (`openSinceS` earlier than the
//    window) is live in it, not started: num_connections_started counts only the window's starts.
export type ActionName = 'Allow' | 'Deny';

export interface PolicyHitSpec {
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly tier: string;
  readonly action: 'Allow' | 'Deny' | 'Pass';
  readonly policy_index: number;
  readonly rule_index: number;
  readonly trigger?: PolicyHitSpec;
}

export interface SideVerdict {
  readonly action: ActionName;
  readonly enforced: readonly PolicyHitSpec[];
  readonly pending?: readonly PolicyHitSpec[];
}

export type EndpointSpec =
  | {
      readonly type: 'WorkloadEndpoint';
      readonly namespace: string;
      readonly pod: string;
      readonly generateName?: string;
      readonly node: string;
      readonly labels: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'HostEndpoint';
      readonly host: string;
      readonly labels: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'NetworkSet';
      readonly namespace?: string;
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
    }
  | { readonly type: 'Network'; readonly name: 'pub' | 'pvt' };

export interface ServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly portName: string;
  readonly port: number;
}

/** One connection attempt: who, to what, and each side's verdict. */
export interface Connection {
  readonly timeS: number;
  readonly src: EndpointSpec;
  readonly dst: EndpointSpec;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port: number;
  readonly service?: ServiceSpec;
  /** The source's egress verdict; required when the source is a workload or host endpoint. */
  readonly egress?: SideVerdict;
  /** The destination's ingress verdict; required when the destination reports and egress allowed. */
  readonly ingress?: SideVerdict;
  /** When the connection was opened, if before `timeS` (a long-lived connection still open then). */
  readonly openSinceS?: number;
}

export interface FlowResultMessage {
  id: number;
  flow: Record<string, unknown>;
}

export const WINDOW_S = 15;

function reports(ep: EndpointSpec): boolean {
  return ep.type === 'WorkloadEndpoint' || ep.type === 'HostEndpoint';
}

function nameOf(ep: EndpointSpec): string {
  switch (ep.type) {
    case 'WorkloadEndpoint':
      return ep.generateName !== undefined ? `${ep.generateName}*` : ep.pod;
    case 'HostEndpoint':
      return ep.host;
    case 'NetworkSet':
    case 'Network':
      return ep.name;
  }
}

function namespaceOf(ep: EndpointSpec): string {
  return (ep.type === 'WorkloadEndpoint' || ep.type === 'NetworkSet') && ep.namespace !== undefined
    ? ep.namespace
    : '-';
}

function labelsOf(ep: EndpointSpec): Readonly<Record<string, string>> {
  return ep.type === 'Network' ? {} : ep.labels;
}

interface Bucket {
  key: Record<string, unknown>;
  startS: number;
  started: number;
  live: number;
  srcLabels: Record<string, string> | undefined;
  dstLabels: Record<string, string> | undefined;
}

function intersect(
  into: Record<string, string> | undefined,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  if (into === undefined) return { ...labels };
  for (const k of Object.keys(into)) if (into[k] !== labels[k]) delete into[k];
  return into;
}

function keyOf(c: Connection, reporter: 'Src' | 'Dst', verdict: SideVerdict): Record<string, unknown> {
  return {
    source_name: nameOf(c.src),
    source_namespace: namespaceOf(c.src),
    source_type: c.src.type,
    dest_name: nameOf(c.dst),
    dest_namespace: namespaceOf(c.dst),
    dest_type: c.dst.type,
    dest_port: c.proto === 'icmp' ? 0 : c.port,
    dest_service_name: c.service?.name ?? '',
    dest_service_namespace: c.service?.namespace ?? '',
    dest_service_port_name: c.service?.portName ?? '',
    dest_service_port: c.service?.port ?? 0,
    proto: c.proto,
    reporter,
    action: verdict.action,
    policies: { enforced_policies: verdict.enforced, pending_policies: verdict.pending ?? [] },
  };
}

/** The Felix reports of one connection: Src from a reporting source, Dst when it arrived. */
export function felixReports(c: Connection): { reporter: 'Src' | 'Dst'; verdict: SideVerdict }[] {
  const out: { reporter: 'Src' | 'Dst'; verdict: SideVerdict }[] = [];
  if (reports(c.src)) {
    if (c.egress === undefined) throw new Error('scenario: a reporting source needs an egress verdict');
    out.push({ reporter: 'Src', verdict: c.egress });
    if (c.egress.action === 'Deny') return out;
  }
  if (reports(c.dst)) {
    if (c.ingress === undefined)
      throw new Error('scenario: a reporting destination needs an ingress verdict');
    out.push({ reporter: 'Dst', verdict: c.ingress });
  }
  return out;
}

/** Goldmane's FlowResults for the connections, window by window, ids stable per FlowKey. */
export function aggregateConnections(connections: readonly Connection[]): FlowResultMessage[] {
  const buckets = new Map<string, Bucket>();
  for (const c of connections) {
    const startS = Math.floor(c.timeS / WINDOW_S) * WINDOW_S;
    for (const { reporter, verdict } of felixReports(c)) {
      const key = keyOf(c, reporter, verdict);
      const id = `${startS}|${JSON.stringify(key)}`;
      let bucket = buckets.get(id);
      if (bucket === undefined) {
        bucket = { key, startS, started: 0, live: 0, srcLabels: undefined, dstLabels: undefined };
        buckets.set(id, bucket);
      }
      if (c.openSinceS !== undefined && c.openSinceS < startS) bucket.live += 1;
      else bucket.started += 1;
      bucket.srcLabels = intersect(bucket.srcLabels, labelsOf(c.src));
      bucket.dstLabels = intersect(bucket.dstLabels, labelsOf(c.dst));
    }
  }
  const ids = new Map<string, number>();
  const out: FlowResultMessage[] = [];
  for (const b of [...buckets.values()].sort((x, y) => x.startS - y.startS)) {
    const keyText = JSON.stringify(b.key);
    let id = ids.get(keyText);
    if (id === undefined) ids.set(keyText, (id = ids.size + 1));
    const labels = (l: Record<string, string> | undefined): string[] =>
      Object.entries(l ?? {}).map(([k, v]) => `${k}=${v}`);
    out.push({
      id,
      flow: {
        Key: b.key,
        start_time: b.startS,
        end_time: b.startS + WINDOW_S,
        source_labels: labels(b.srcLabels),
        dest_labels: labels(b.dstLabels),
        packets_in: 4 * (b.started + b.live),
        packets_out: 5 * (b.started + b.live),
        bytes_in: 400 * (b.started + b.live),
        bytes_out: 500 * (b.started + b.live),
        num_connections_started: b.started,
        num_connections_completed: b.key['action'] === 'Allow' ? b.started : 0,
        num_connections_live: b.live,
      },
    });
  }
  return out;
}
