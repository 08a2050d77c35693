// Hubble JSON lines (`hubble observe -o json`) for the alerting integration tests: a connection
// start between two pods, forwarded or dropped by policy, at a given time.
export interface PodRef {
  readonly namespace: string;
  readonly workload: string;
  readonly ip: string;
}

function endpoint(p: PodRef, id: number): Record<string, unknown> {
  return {
    ID: id,
    identity: 10_000 + id,
    namespace: p.namespace,
    pod_name: `${p.workload}-7d9f8c6b5-x${id}`,
    labels: [`k8s:app=${p.workload}`, `k8s:io.kubernetes.pod.namespace=${p.namespace}`],
    workloads: [{ kind: 'Deployment', name: p.workload }],
  };
}

let sourcePort = 40_000;

export function hubbleLine(
  from: PodRef,
  to: PodRef,
  port: number,
  verdict: 'FORWARDED' | 'DROPPED',
  timeMs: number,
): string {
  const time = new Date(timeMs).toISOString();
  sourcePort = sourcePort >= 60_000 ? 40_000 : sourcePort + 1;
  const flow: Record<string, unknown> = {
    time,
    verdict,
    IP: { source: from.ip, destination: to.ip, ipVersion: 'IPv4' },
    l4: { TCP: { source_port: sourcePort, destination_port: port, flags: { SYN: true } } },
    source: endpoint(from, 1),
    destination: endpoint(to, 2),
    Type: 'L3_L4',
    node_name: 'test/worker-1',
    traffic_direction: 'EGRESS',
    is_reply: false,
    event_type: verdict === 'DROPPED' ? { type: 1, sub_type: 133 } : { type: 4, sub_type: 0 },
    ...(verdict === 'DROPPED'
      ? { drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' }
      : { trace_observation_point: 'TO_ENDPOINT' }),
  };
  return `${JSON.stringify({ flow, node_name: 'test/worker-1', time })}\n`;
}
