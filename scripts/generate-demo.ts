// Generates demo/flows.jsonl, the bundled demo dataset `serve` replays when no source is
// configured: one hour of a small shop application in the exact line shape of
// `hubble observe -o json` (formats.md §1). Deterministic (seeded), so the committed file only
// changes when this script does. Run: `npx tsx scripts/generate-demo.ts [OUT]`.
//
// The application: world → ingress-nginx controller → shop/web → shop/api → data/postgres
// (StatefulSet) and shop/redis; every pod → kube-system/coredns (UDP 53, with L7 DNS records);
// api → payments.example.com (203.0.113.10/11:443); a CronJob → postgres; prometheus in
// `monitoring` scraping web, api and the exporters; policy drops (ingress_denied_by /
// egress_denied_by) and one datapath drop. Each TCP connection is SYN, SYN-ACK (reply),
// ACK and PSH-ACK packets, so replies and mid-stream packets exercise the dedup.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE_MS = Date.parse('2026-01-05T09:00:00.000Z');
const SPAN_MS = 60 * 60 * 1000;
const NODES = ['demo-cluster/worker-1', 'demo-cluster/worker-2'];

/** mulberry32: small, seeded, good enough to vary times and ports. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20260105);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly identity: number;
  readonly serviceAccount: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly workload: { readonly kind: string; readonly name: string };
  readonly node: string;
}

let nextEndpointId = 100;
function pod(namespace: string, name: string, ip: string, identity: number, workload: Pod['workload'], labels: Record<string, string>, node: string): Pod & { id: number } {
  return { namespace, name, ip, identity, serviceAccount: workload.name, labels, workload, node, id: nextEndpointId++ };
}

const w1 = NODES[0] as string;
const w2 = NODES[1] as string;
const nginxLabels = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'ingress-nginx' };
const controller = pod('ingress-nginx', 'ingress-nginx-controller-7c9d5b8f4-x2k4p', '10.244.1.12', 21044, { kind: 'Deployment', name: 'ingress-nginx-controller' }, { ...nginxLabels, 'pod-template-hash': '7c9d5b8f4' }, w1);
const web = [
  pod('shop', 'web-6b8d7f9c5d-h4zrt', '10.244.1.31', 31877, { kind: 'Deployment', name: 'web' }, { app: 'web', 'app.kubernetes.io/name': 'web', 'pod-template-hash': '6b8d7f9c5d' }, w1),
  pod('shop', 'web-6b8d7f9c5d-q9vwm', '10.244.2.17', 31877, { kind: 'Deployment', name: 'web' }, { app: 'web', 'app.kubernetes.io/name': 'web', 'pod-template-hash': '6b8d7f9c5d' }, w2),
];
const api = [
  pod('shop', 'api-5f6c8d9b7-kx7tn', '10.244.1.44', 40211, { kind: 'Deployment', name: 'api' }, { app: 'api', 'app.kubernetes.io/name': 'api', 'pod-template-hash': '5f6c8d9b7' }, w1),
  pod('shop', 'api-5f6c8d9b7-p2mzs', '10.244.2.29', 40211, { kind: 'Deployment', name: 'api' }, { app: 'api', 'app.kubernetes.io/name': 'api', 'pod-template-hash': '5f6c8d9b7' }, w2),
];
const redis = pod('shop', 'redis-7d4b9c6f8-vt5wl', '10.244.2.40', 44102, { kind: 'Deployment', name: 'redis' }, { 'app.kubernetes.io/name': 'redis', 'pod-template-hash': '7d4b9c6f8' }, w2);
const postgres = pod('data', 'postgres-0', '10.244.2.51', 50977, { kind: 'StatefulSet', name: 'postgres' }, { 'app.kubernetes.io/name': 'postgres', 'statefulset.kubernetes.io/pod-name': 'postgres-0', 'controller-revision-hash': 'postgres-6c7f9d8b5' }, w2);
const report = pod('shop', 'nightly-report-29462340-bq7xk', '10.244.1.63', 47730, { kind: 'CronJob', name: 'nightly-report' }, { 'app.kubernetes.io/name': 'nightly-report', 'batch.kubernetes.io/job-name': 'nightly-report-29462340', 'job-name': 'nightly-report-29462340' }, w1);
const prometheus = pod('monitoring', 'prometheus-k8s-0', '10.244.1.77', 60213, { kind: 'StatefulSet', name: 'prometheus-k8s' }, { 'app.kubernetes.io/name': 'prometheus', 'statefulset.kubernetes.io/pod-name': 'prometheus-k8s-0' }, w1);
const coredns = [
  pod('kube-system', 'coredns-5d78c9869d-7fjbx', '10.244.0.5', 1210, { kind: 'Deployment', name: 'coredns' }, { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, w1),
  pod('kube-system', 'coredns-5d78c9869d-wl8nv', '10.244.0.6', 1210, { kind: 'Deployment', name: 'coredns' }, { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, w2),
];
const allPods = [controller, ...web, ...api, redis, postgres, report, prometheus];

interface External {
  readonly ip: string;
  readonly names: readonly string[];
}
const payments: External[] = [{ ip: '203.0.113.10', names: ['payments.example.com'] }, { ip: '203.0.113.11', names: ['payments.example.com'] }];
const clients: External[] = ['198.51.100.23', '198.51.100.71', '192.0.2.45', '192.0.2.130'].map((ip) => ({ ip, names: [] }));
const smtp: External = { ip: '198.51.100.200', names: ['mail.example.org'] };

type Peer = (Pod & { id: number }) | External;
const isPod = (peer: Peer): peer is Pod & { id: number } => 'namespace' in peer;

function endpointJson(peer: Peer): Record<string, unknown> {
  if (!isPod(peer)) return { identity: 2, labels: ['reserved:world'] };
  return {
    ID: peer.id,
    identity: peer.identity,
    namespace: peer.namespace,
    labels: [
      ...Object.entries(peer.labels).map(([k, v]) => `k8s:${k}=${v}`),
      `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${peer.namespace}`,
      'k8s:io.cilium.k8s.policy.cluster=demo-cluster',
      `k8s:io.cilium.k8s.policy.serviceaccount=${peer.serviceAccount}`,
      `k8s:io.kubernetes.pod.namespace=${peer.namespace}`,
    ],
    pod_name: peer.name,
    workloads: [peer.workload],
  };
}

interface PolicyRef {
  readonly name: string;
  readonly namespace: string;
}

interface Packet {
  readonly timeMs: number;
  readonly from: Peer;
  readonly to: Peer;
  readonly protocol: 'TCP' | 'UDP';
  readonly sport: number;
  readonly dport: number;
  readonly flags?: Readonly<Record<string, boolean>>;
  readonly reply: boolean;
  readonly verdict: 'FORWARDED' | 'DROPPED';
  readonly dropReason?: { readonly code: number; readonly name: string };
  readonly ingressDeniedBy?: readonly PolicyRef[];
  readonly egressDeniedBy?: readonly PolicyRef[];
  readonly l7?: Record<string, unknown>;
}

const lines: { timeMs: number; line: string }[] = [];

function timestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  // Hubble prints nanoseconds; make the sub-millisecond digits deterministic but non-zero.
  return `${iso.slice(0, 23)}${String(Math.floor(random() * 1e6)).padStart(6, '0')}Z`;
}

function policyJson(refs: readonly PolicyRef[]): Record<string, unknown>[] {
  return refs.map((ref) => ({ name: ref.name, namespace: ref.namespace, labels: [`k8s:io.cilium.k8s.policy.derived-from=NetworkPolicy`, `k8s:io.cilium.k8s.policy.name=${ref.name}`, `k8s:io.cilium.k8s.policy.namespace=${ref.namespace}`], revision: '42', kind: 'NetworkPolicy' }));
}

function emit(packet: Packet): void {
  // Observed where the sender's traffic leaves (egress) unless only the receiver is a pod.
  const observer = isPod(packet.from) ? packet.from : isPod(packet.to) ? packet.to : undefined;
  const node = observer?.node ?? w1;
  const egress = observer === packet.from;
  const time = timestamp(packet.timeMs);
  const flagNames = Object.keys(packet.flags ?? {}).filter((k) => packet.flags?.[k] === true);
  const summary = packet.l7 !== undefined ? (packet.reply ? 'DNS Answer' : 'DNS Query') : packet.protocol === 'TCP' ? `TCP Flags: ${flagNames.join(', ')}` : 'UDP';
  const l4 = packet.protocol === 'TCP'
    ? { TCP: { source_port: packet.sport, destination_port: packet.dport, flags: packet.flags ?? {} } }
    : { UDP: { source_port: packet.sport, destination_port: packet.dport } };
  const flow: Record<string, unknown> = {
    time,
    uuid: uuid(),
    verdict: packet.verdict,
    ...(packet.dropReason !== undefined ? { drop_reason: packet.dropReason.code, drop_reason_desc: packet.dropReason.name } : {}),
    IP: { source: isPod(packet.from) ? packet.from.ip : packet.from.ip, destination: packet.to.ip, ipVersion: 'IPv4' },
    l4,
    source: endpointJson(packet.from),
    destination: endpointJson(packet.to),
    Type: packet.l7 !== undefined ? 'L7' : 'L3_L4',
    node_name: node,
    ...(!isPod(packet.from) && packet.from.names.length > 0 ? { source_names: packet.from.names } : {}),
    ...(!isPod(packet.to) && packet.to.names.length > 0 ? { destination_names: packet.to.names } : {}),
    ...(packet.l7 !== undefined ? { l7: packet.l7 } : {}),
    ...(packet.reply ? { reply: true } : {}),
    event_type: packet.l7 !== undefined ? { type: 129 } : packet.verdict === 'DROPPED' ? { type: 1, sub_type: packet.dropReason?.code ?? 0 } : { type: 4, sub_type: egress ? 3 : 0 },
    traffic_direction: egress ? 'EGRESS' : 'INGRESS',
    ...(packet.l7 === undefined && packet.verdict === 'FORWARDED' ? { trace_observation_point: egress ? 'TO_STACK' : 'TO_ENDPOINT' } : {}),
    ...(packet.l7 === undefined && packet.verdict === 'FORWARDED' ? { trace_reason: packet.reply ? 'REPLY' : flagNames.includes('SYN') || packet.protocol === 'UDP' ? 'NEW' : 'ESTABLISHED' } : {}),
    is_reply: packet.reply,
    ...(packet.ingressDeniedBy !== undefined ? { ingress_denied_by: policyJson(packet.ingressDeniedBy) } : {}),
    ...(packet.egressDeniedBy !== undefined ? { egress_denied_by: policyJson(packet.egressDeniedBy) } : {}),
    Summary: summary,
  };
  lines.push({ timeMs: packet.timeMs, line: JSON.stringify({ flow, node_name: node, time }) });
}

function uuid(): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

const ephemeral = () => 32768 + Math.floor(random() * 28000);

/** A TCP connection: SYN, SYN-ACK (reply), ACK, PSH-ACK; or a dropped SYN and its retransmit. */
function tcp(timeMs: number, from: Peer, to: Peer, dport: number, drop?: Pick<Packet, 'dropReason' | 'ingressDeniedBy' | 'egressDeniedBy'>): void {
  const sport = ephemeral();
  const base = { from, to, protocol: 'TCP' as const, sport, dport };
  if (drop !== undefined) {
    emit({ ...base, timeMs, flags: { SYN: true }, reply: false, verdict: 'DROPPED', ...drop });
    emit({ ...base, timeMs: timeMs + 1000, flags: { SYN: true }, reply: false, verdict: 'DROPPED', ...drop });
    return;
  }
  emit({ ...base, timeMs, flags: { SYN: true }, reply: false, verdict: 'FORWARDED' });
  emit({ from: to, to: from, protocol: 'TCP', sport: dport, dport: sport, timeMs: timeMs + 1, flags: { SYN: true, ACK: true }, reply: true, verdict: 'FORWARDED' });
  emit({ ...base, timeMs: timeMs + 2, flags: { ACK: true }, reply: false, verdict: 'FORWARDED' });
  if (random() < 0.3) emit({ ...base, timeMs: timeMs + 3, flags: { PSH: true, ACK: true }, reply: false, verdict: 'FORWARDED' });
}

/** A DNS lookup: the UDP query, its L7 record, the L7 answer and the UDP reply. */
function dns(timeMs: number, from: Pod & { id: number }, query: string, answers: readonly string[]): void {
  const server = pick(coredns);
  const sport = ephemeral();
  emit({ timeMs, from, to: server, protocol: 'UDP', sport, dport: 53, reply: false, verdict: 'FORWARDED' });
  emit({ timeMs: timeMs + 1, from, to: server, protocol: 'UDP', sport, dport: 53, reply: false, verdict: 'FORWARDED', l7: { type: 'REQUEST', dns: { query, observation_source: 'proxy', qtypes: ['A'] } } });
  emit({ timeMs: timeMs + 2, from: server, to: from, protocol: 'UDP', sport: 53, dport: sport, reply: true, verdict: 'FORWARDED', l7: { type: 'RESPONSE', latency_ns: '412000', dns: { query, ips: answers, ttl: 30, observation_source: 'proxy', rcode: 0, qtypes: ['A'], rrtypes: ['A'] } } });
  emit({ timeMs: timeMs + 3, from: server, to: from, protocol: 'UDP', sport: 53, dport: sport, reply: true, verdict: 'FORWARDED' });
}

const at = (fraction: number) => BASE_MS + Math.floor(fraction * SPAN_MS);
const jitter = () => Math.floor(random() * 20_000);
const CLUSTER_NAMES: Record<string, string> = {
  api: 'api.shop.svc.cluster.local.',
  postgres: 'postgres.data.svc.cluster.local.',
  redis: 'redis.shop.svc.cluster.local.',
  web: 'web.shop.svc.cluster.local.',
};

for (let i = 0; i < 18; i++) {
  const t = at(i / 18) + jitter();
  tcp(t, pick(clients), controller, 443);
  tcp(t + 40, controller, pick(web), 8080);
  if (i % 4 === 0) dns(t + 60, pick(web), CLUSTER_NAMES['api'] as string, ['10.96.14.20']);
  tcp(t + 80, pick(web), pick(api), 8000);
  if (i % 3 === 0) {
    const from = pick(api);
    dns(t + 100, from, random() < 0.5 ? (CLUSTER_NAMES['postgres'] as string) : (CLUSTER_NAMES['redis'] as string), ['10.96.30.5']);
  }
  tcp(t + 120, pick(api), postgres, 5432);
  tcp(t + 130, pick(api), redis, 6379);
  if (i % 4 === 1) {
    const from = pick(api);
    dns(t + 150, from, 'payments.example.com.', payments.map((p) => p.ip));
    tcp(t + 160, from, pick(payments), 443);
  }
}

// Prometheus scrapes every 5 minutes (sampled): web, api, and the exporters.
for (let i = 0; i < 12; i++) {
  const t = at(i / 12) + jitter();
  for (const target of web) tcp(t, prometheus, target, 8080);
  for (const target of api) tcp(t + 5, prometheus, target, 9090);
  tcp(t + 10, prometheus, redis, 9121);
  tcp(t + 15, prometheus, controller, 10254);
}

// The CronJob runs at minute 30: DNS, then a few connections to postgres.
dns(at(0.5), report, CLUSTER_NAMES['postgres'] as string, ['10.96.30.5']);
for (let i = 0; i < 3; i++) tcp(at(0.5) + 200 + i * 500, report, postgres, 5432);

// Drops. Policy drops name the policy that isolates the dropping side.
const postgresPolicy = { name: 'postgres-ingress', namespace: 'data' };
const apiEgressPolicy = { name: 'api-egress', namespace: 'shop' };
const policyDenied = { code: 133, name: 'POLICY_DENIED' };
// prometheus → postgres exporter: legitimate traffic the data namespace's policy forgot.
for (let i = 0; i < 4; i++) tcp(at(0.1 + i * 0.2) + jitter(), prometheus, postgres, 9187, { dropReason: policyDenied, ingressDeniedBy: [postgresPolicy] });
// web → postgres directly: not part of the design, denied by postgres's ingress policy.
tcp(at(0.42), web[0] as Pod & { id: number }, postgres, 5432, { dropReason: policyDenied, ingressDeniedBy: [postgresPolicy] });
// api → an SMTP server on the internet: denied by the api's egress policy.
for (let i = 0; i < 2; i++) tcp(at(0.7 + i * 0.05), api[1] as Pod & { id: number }, smtp, 25, { dropReason: policyDenied, egressDeniedBy: [apiEgressPolicy] });
// A datapath drop that no policy change would fix.
tcp(at(0.83), api[0] as Pod & { id: number }, redis, 6379, { dropReason: { code: 155, name: 'CT_MAP_INSERTION_FAILED' } });

// Every pod resolves names through the cluster DNS at least once.
for (const p of allPods) dns(at(0.9) + jitter(), p, 'kubernetes.default.svc.cluster.local.', ['10.96.0.1']);

lines.sort((a, b) => a.timeMs - b.timeMs);
const out = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../demo/flows.jsonl');
mkdirSync(path.dirname(out), { recursive: true });
const text = lines.map((l) => l.line).join('\n') + '\n';
writeFileSync(out, text);
process.stderr.write(`wrote ${lines.length} lines (${text.length} bytes) to ${out}\n`);
