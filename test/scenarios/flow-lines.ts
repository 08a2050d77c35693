// Writers of observed traffic in the real source formats, for the scenario tests: Hubble
// (`hubble observe -o json` lines) and Calico flow logs. Each connection is written the way the
// sources report it: a SYN (the connection start) and a SYN-ACK reply, so aggregation must not
// create reversed edges.
export interface PodEnd {
  ns: string;
  pod: string;
  labels: Record<string, string>;
  ip: string;
  workload?: { name: string; kind: string };
}
/** A Cilium reserved identity as Hubble reports it (numeric identity and `reserved:` label). */
export interface ReservedEnd {
  reserved: 'host' | 'world' | 'unmanaged' | 'health' | 'init' | 'remote-node' | 'kube-apiserver' | 'ingress';
  ip: string;
}
export type End = PodEnd | { world: string; names?: string[] } | ReservedEnd;

const RESERVED_IDENTITY: Record<ReservedEnd['reserved'], number> = {
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  'remote-node': 6,
  'kube-apiserver': 7,
  ingress: 8,
};

function isPod(end: End): end is PodEnd {
  return 'pod' in end;
}

export function hubbleEndpoint(end: End): Record<string, unknown> {
  if ('reserved' in end) {
    // The API server on a control-plane node carries both labels, as Cilium reports it.
    const labels =
      end.reserved === 'kube-apiserver'
        ? ['reserved:kube-apiserver', 'reserved:host']
        : [`reserved:${end.reserved}`];
    return { identity: RESERVED_IDENTITY[end.reserved], labels };
  }
  if (!isPod(end)) return { identity: 2, labels: ['reserved:world'] };
  return {
    ID: 100,
    identity: 40000,
    namespace: end.ns,
    pod_name: end.pod,
    labels: [
      ...Object.entries(end.labels).map(([k, v]) => `k8s:${k}=${v}`),
      `k8s:io.kubernetes.pod.namespace=${end.ns}`,
    ],
    ...(end.workload !== undefined ? { workloads: [end.workload] } : {}),
  };
}

export function ipOf(end: End): string {
  return isPod(end) || 'reserved' in end ? end.ip : end.world;
}

export interface HubbleConnection {
  from: End;
  to: End;
  port: number;
  protocol?: 'TCP' | 'UDP';
  verdict?: 'FORWARDED' | 'DROPPED';
  timeMs: number;
}

/** One connection as Hubble reports it: the start, and (for forwarded TCP) the reply. */
export function hubbleLines(c: HubbleConnection): string[] {
  const protocol = c.protocol ?? 'TCP';
  const verdict = c.verdict ?? 'FORWARDED';
  const time = new Date(c.timeMs).toISOString();
  const names = (end: End) => ('world' in end && end.names !== undefined ? end.names : undefined);
  const flow = (reply: boolean): Record<string, unknown> => {
    const [a, b] = reply ? [c.to, c.from] : [c.from, c.to];
    const l4 =
      protocol === 'TCP'
        ? {
            TCP: {
              source_port: reply ? c.port : 40000,
              destination_port: reply ? 40000 : c.port,
              flags: reply ? { SYN: true, ACK: true } : { SYN: true },
            },
          }
        : { UDP: { source_port: reply ? c.port : 40000, destination_port: reply ? 40000 : c.port } };
    return {
      time,
      verdict,
      IP: { source: ipOf(a), destination: ipOf(b), ipVersion: 'IPv4' },
      l4,
      source: hubbleEndpoint(a),
      destination: hubbleEndpoint(b),
      Type: 'L3_L4',
      node_name: 'kind/worker',
      traffic_direction: 'EGRESS',
      is_reply: reply,
      event_type: { type: 4 },
      ...(names(b) !== undefined ? { destination_names: names(b) } : {}),
      ...(names(a) !== undefined ? { source_names: names(a) } : {}),
      ...(verdict === 'DROPPED' ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      Summary: protocol,
    };
  };
  const lines = [JSON.stringify({ flow: flow(false), node_name: 'kind/worker', time })];
  if (verdict === 'FORWARDED')
    lines.push(JSON.stringify({ flow: flow(true), node_name: 'kind/worker', time }));
  return lines;
}

/** A mid-stream TCP packet (ACK/PSH) as `hubble observe -o json` prints it; `isReply` undefined: the field absent. */
export function hubbleMidStreamLine(
  from: PodEnd,
  to: PodEnd,
  sport: number,
  dport: number,
  isReply: boolean | undefined,
  ms: number,
): string {
  const time = new Date(ms).toISOString();
  return JSON.stringify({
    flow: {
      time,
      verdict: 'FORWARDED',
      IP: { source: ipOf(from), destination: ipOf(to), ipVersion: 'IPv4' },
      l4: { TCP: { source_port: sport, destination_port: dport, flags: { ACK: true, PSH: true } } },
      source: hubbleEndpoint(from),
      destination: hubbleEndpoint(to),
      Type: 'L3_L4',
      node_name: 'kind/worker',
      traffic_direction: 'EGRESS',
      event_type: { type: 4 },
      ...(isReply !== undefined ? { is_reply: isReply } : {}),
    },
    node_name: 'kind/worker',
    time,
  });
}

export interface CalicoRecord {
  from: PodEnd;
  to: PodEnd;
  port: number;
  protocol?: 'tcp' | 'udp';
  action?: 'allow' | 'deny';
  startSec: number;
  started: number;
}

/** One Calico flow log record per reporter (src and dst), as Felix writes them. */
export function calicoLines(r: CalicoRecord): string[] {
  const labels = (end: PodEnd) => ({ labels: Object.entries(end.labels).map(([k, v]) => `${k}=${v}`) });
  const aggr = (end: PodEnd) =>
    end.workload?.kind === 'StatefulSet' ? end.pod : `${end.pod.replace(/-[^-]+$/, '')}-*`;
  return (['src', 'dst'] as const).map((reporter) =>
    JSON.stringify({
      start_time: r.startSec,
      end_time: r.startSec + 300,
      source_ip: r.from.ip,
      source_name: r.from.pod,
      source_name_aggr: aggr(r.from),
      source_namespace: r.from.ns,
      source_port: null,
      source_type: 'wep',
      source_labels: labels(r.from),
      dest_ip: r.to.ip,
      dest_name: r.to.pod,
      dest_name_aggr: aggr(r.to),
      dest_namespace: r.to.ns,
      dest_port: r.port,
      dest_type: 'wep',
      dest_labels: labels(r.to),
      dest_service_namespace: '-',
      dest_service_name: '-',
      dest_service_port: '-',
      dest_service_port_num: null,
      dest_domains: null,
      proto: r.protocol ?? 'tcp',
      action: r.action ?? 'allow',
      reporter,
      policies: { enforced_policies: [], pending_policies: [] },
      bytes_in: 1000,
      bytes_out: 1000,
      num_flows: r.started,
      num_flows_started: r.started,
      num_flows_completed: r.started,
      packets_in: 10,
      packets_out: 10,
      host: 'node-a',
    }),
  );
}
