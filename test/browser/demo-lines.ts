// The flow lines the browser suites feed the daemon, as Hubble JSON: the bundled demo flows with
// their times shifted to now, a new policy drop, a flow whose label is an HTML payload, and a
// flow between two pods of any namespace; and the demo's cluster snapshot with more objects.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './harness.js';

type HubbleLine = { flow: Record<string, unknown>; time?: string } & Record<string, unknown>;

const demoLines = (): HubbleLine[] =>
  readFileSync(path.join(repoRoot, 'demo/flows.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as HubbleLine);

/** The bundled demo flows with their times shifted so the newest is `nowMs` (as demo mode does). */
export function shiftedDemoLines(nowMs: number): string[] {
  const lines = demoLines();
  const newest = Math.max(...lines.map((l) => Date.parse(String(l.flow['time']))));
  return lines.map((l) => {
    const at = new Date(Date.parse(String(l.flow['time'])) - newest + nowMs).toISOString();
    return JSON.stringify({ ...l, time: at, flow: { ...l.flow, time: at } });
  });
}

export interface DropOptions {
  readonly timeMs: number;
  readonly destinationPort: number;
  readonly uuid: string;
}

/** A new policy drop from monitoring/prometheus-k8s to data/postgres on `destinationPort`. */
export function droppedFlowLine(options: DropOptions): string {
  const template = demoLines().find((l) => l.flow['verdict'] === 'DROPPED');
  if (template === undefined) throw new Error('demo/flows.jsonl has no DROPPED flow');
  const at = new Date(options.timeMs).toISOString();
  const l4 = {
    TCP: {
      source_port: 40000 + (options.destinationPort % 20000),
      destination_port: options.destinationPort,
      flags: { SYN: true },
    },
  };
  return JSON.stringify({
    ...template,
    time: at,
    flow: { ...template.flow, time: at, uuid: options.uuid, l4 },
  });
}

export const XSS_LABEL = '<img src=x onerror=alert(1)>';

/** A forwarded flow from a pod in namespace xss-lab whose `app` label is an HTML payload. */
export function xssFlowLine(timeMs: number): string {
  const at = new Date(timeMs).toISOString();
  return JSON.stringify({
    flow: {
      time: at,
      uuid: '0b7e1c55-0000-4000-8000-00000000a551',
      verdict: 'FORWARDED',
      IP: { source: '10.244.3.99', destination: '10.244.3.98', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 41000, destination_port: 8080, flags: { SYN: true } } },
      source: {
        ID: 901,
        identity: 90001,
        namespace: 'xss-lab',
        labels: [`k8s:app=${XSS_LABEL}`, 'k8s:io.kubernetes.pod.namespace=xss-lab'],
        pod_name: 'probe-5d8c7b9f4-q2w3e',
        workloads: [{ kind: 'Deployment', name: 'probe' }],
      },
      destination: {
        ID: 902,
        identity: 90002,
        namespace: 'xss-lab',
        labels: ['k8s:app=target', 'k8s:io.kubernetes.pod.namespace=xss-lab'],
        pod_name: 'target-6f9d8c7b5-r4t5y',
        workloads: [{ kind: 'Deployment', name: 'target' }],
      },
      Type: 'L3_L4',
      node_name: 'demo-cluster/worker-2',
      event_type: { type: 4, sub_type: 0 },
      traffic_direction: 'INGRESS',
      is_reply: false,
      Summary: 'TCP Flags: SYN',
    },
    node_name: 'demo-cluster/worker-2',
    time: at,
  });
}

/**
 * A forwarded TCP SYN between two pods of namespace `ns`, the Deployments `apps.client` →
 * `apps.server`; `i` (0-255, one a line) makes its uuid, addresses, identities and pod names.
 */
export function podPairFlowLine(
  timeMs: number,
  ns: string,
  i: number,
  apps: { readonly client: string; readonly server: string } = { client: 'client', server: 'server' },
): string {
  const line = JSON.parse(xssFlowLine(timeMs)) as { flow: Record<string, unknown> };
  const side = (app: string, id: number) => ({
    ID: id,
    identity: 100_000 + id,
    namespace: ns,
    labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=${ns}`],
    pod_name: `${app}-7d9f8c6b5-x${String(i).padStart(3, '0')}`,
    workloads: [{ kind: 'Deployment', name: app }],
  });
  line.flow = {
    ...line.flow,
    uuid: `0b7e1c55-0000-4000-8000-${String(i).padStart(12, '0')}`,
    IP: { source: `10.77.${i}.1`, destination: `10.77.${i}.2`, ipVersion: 'IPv4' },
    source: side(apps.client, 2 * i + 1),
    destination: side(apps.server, 2 * i + 2),
  };
  return JSON.stringify(line);
}

/** The demo's cluster snapshot (demo/cluster.json) with `items` added, written to dir/cluster.json. */
export function writeDemoSnapshot(dir: string, items: readonly unknown[]): string {
  const demo = JSON.parse(readFileSync(path.join(repoRoot, 'demo/cluster.json'), 'utf8')) as {
    items: unknown[];
  };
  const snapshot = path.join(dir, 'cluster.json');
  writeFileSync(snapshot, JSON.stringify({ ...demo, items: [...demo.items, ...items] }));
  return snapshot;
}
