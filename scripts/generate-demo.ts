// Generates the bundled demo: demo/flows.jsonl, the flows `serve` replays when no source is
// configured (two hours of a small shop application in the exact line shape of
// `hubble observe -o json`, formats.md §1), and demo/cluster.json, the same application's cluster
// snapshot (scripts/demo-cluster.ts), which demo mode loads as its inventory. Deterministic
// (seeded), so the committed files only change when these scripts do.
// Run: `npx tsx scripts/generate-demo.ts [OUT_DIR]`.
//
// The application: world → ingress-nginx controller → shop/web → shop/api → data/postgres
// (StatefulSet) and shop/redis; a shop/worker → postgres; every pod → kube-system/coredns (UDP 53,
// with L7 DNS records); api → payments.example.com (203.0.113.10/11:443); a CronJob → postgres;
// prometheus in `monitoring` scraping web, api and the exporters. Drops, one of each class the
// drops report knows: a regression (redis's policy tightened mid-window), DNS blocked (the CronJob's
// egress policy), expected by the baseline (the worker's rollout lost a label), likely legitimate
// (Prometheus retrying the api's second metrics port), a scan (tools/debug-shell probing
// postgres), unknown (api → an SMTP server) and a datapath (non-policy) drop. Each TCP connection
// is SYN, SYN-ACK (reply), ACK and PSH-ACK packets, so replies and mid-stream packets exercise the
// dedup.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  api,
  clients,
  CLUSTER,
  controller,
  coredns,
  debugShell,
  payments,
  pick,
  postgres,
  prometheus,
  random,
  redis,
  report,
  smtp,
  web,
  worker,
  allPods,
  type External,
  type Pod,
} from './demo-app.js';
import { demoClusterList } from './demo-cluster.js';

const BASE_MS = Date.parse('2026-01-05T08:00:00.000Z');
const SPAN_MS = 2 * 60 * 60 * 1000;

type Peer = Pod | External;
const isPod = (peer: Peer): peer is Pod => 'namespace' in peer;

function endpointJson(peer: Peer): Record<string, unknown> {
  if (!isPod(peer)) return { identity: 2, labels: ['reserved:world'] };
  return {
    ID: peer.id,
    identity: peer.identity,
    namespace: peer.namespace,
    labels: [
      ...Object.entries(peer.labels).map(([k, v]) => `k8s:${k}=${v}`),
      `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${peer.namespace}`,
      `k8s:io.cilium.k8s.policy.cluster=${CLUSTER}`,
      `k8s:io.cilium.k8s.policy.serviceaccount=${peer.serviceAccount}`,
      `k8s:io.kubernetes.pod.namespace=${peer.namespace}`,
    ],
    pod_name: peer.name,
    ...(peer.workload !== undefined ? { workloads: [peer.workload] } : {}),
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
  return refs.map((ref) => ({
    name: ref.name,
    namespace: ref.namespace,
    labels: [
      `k8s:io.cilium.k8s.policy.derived-from=NetworkPolicy`,
      `k8s:io.cilium.k8s.policy.name=${ref.name}`,
      `k8s:io.cilium.k8s.policy.namespace=${ref.namespace}`,
    ],
    revision: '42',
    kind: 'NetworkPolicy',
  }));
}

function emit(packet: Packet): void {
  // Observed where the sender's traffic leaves (egress) unless only the receiver is a pod.
  const observer = isPod(packet.from) ? packet.from : isPod(packet.to) ? packet.to : undefined;
  const node = `${CLUSTER}/${observer?.node ?? 'worker-1'}`;
  const egress = observer === packet.from;
  const time = timestamp(packet.timeMs);
  const flagNames = Object.keys(packet.flags ?? {}).filter((k) => packet.flags?.[k] === true);
  const summary =
    packet.l7 !== undefined
      ? packet.reply
        ? 'DNS Answer'
        : 'DNS Query'
      : packet.protocol === 'TCP'
        ? `TCP Flags: ${flagNames.join(', ')}`
        : 'UDP';
  const l4 =
    packet.protocol === 'TCP'
      ? { TCP: { source_port: packet.sport, destination_port: packet.dport, flags: packet.flags ?? {} } }
      : { UDP: { source_port: packet.sport, destination_port: packet.dport } };
  const flow: Record<string, unknown> = {
    time,
    uuid: uuid(),
    verdict: packet.verdict,
    ...(packet.dropReason !== undefined
      ? { drop_reason: packet.dropReason.code, drop_reason_desc: packet.dropReason.name }
      : {}),
    IP: {
      source: isPod(packet.from) ? packet.from.ip : packet.from.ip,
      destination: packet.to.ip,
      ipVersion: 'IPv4',
    },
    l4,
    source: endpointJson(packet.from),
    destination: endpointJson(packet.to),
    Type: packet.l7 !== undefined ? 'L7' : 'L3_L4',
    node_name: node,
    ...(!isPod(packet.from) && packet.from.names.length > 0 ? { source_names: packet.from.names } : {}),
    ...(!isPod(packet.to) && packet.to.names.length > 0 ? { destination_names: packet.to.names } : {}),
    ...(packet.l7 !== undefined ? { l7: packet.l7 } : {}),
    ...(packet.reply ? { reply: true } : {}),
    event_type:
      packet.l7 !== undefined
        ? { type: 129 }
        : packet.verdict === 'DROPPED'
          ? { type: 1, sub_type: packet.dropReason?.code ?? 0 }
          : { type: 4, sub_type: egress ? 3 : 0 },
    traffic_direction: egress ? 'EGRESS' : 'INGRESS',
    ...(packet.l7 === undefined && packet.verdict === 'FORWARDED'
      ? { trace_observation_point: egress ? 'TO_STACK' : 'TO_ENDPOINT' }
      : {}),
    ...(packet.l7 === undefined && packet.verdict === 'FORWARDED'
      ? {
          trace_reason: packet.reply
            ? 'REPLY'
            : flagNames.includes('SYN') || packet.protocol === 'UDP'
              ? 'NEW'
              : 'ESTABLISHED',
        }
      : {}),
    is_reply: packet.reply,
    ...(packet.ingressDeniedBy !== undefined
      ? { ingress_denied_by: policyJson(packet.ingressDeniedBy) }
      : {}),
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
function tcp(
  timeMs: number,
  from: Peer,
  to: Peer,
  dport: number,
  drop?: Pick<Packet, 'dropReason' | 'ingressDeniedBy' | 'egressDeniedBy'>,
): void {
  const sport = ephemeral();
  const base = { from, to, protocol: 'TCP' as const, sport, dport };
  if (drop !== undefined) {
    emit({ ...base, timeMs, flags: { SYN: true }, reply: false, verdict: 'DROPPED', ...drop });
    emit({ ...base, timeMs: timeMs + 1000, flags: { SYN: true }, reply: false, verdict: 'DROPPED', ...drop });
    return;
  }
  emit({ ...base, timeMs, flags: { SYN: true }, reply: false, verdict: 'FORWARDED' });
  emit({
    from: to,
    to: from,
    protocol: 'TCP',
    sport: dport,
    dport: sport,
    timeMs: timeMs + 1,
    flags: { SYN: true, ACK: true },
    reply: true,
    verdict: 'FORWARDED',
  });
  emit({ ...base, timeMs: timeMs + 2, flags: { ACK: true }, reply: false, verdict: 'FORWARDED' });
  if (random() < 0.3)
    emit({
      ...base,
      timeMs: timeMs + 3,
      flags: { PSH: true, ACK: true },
      reply: false,
      verdict: 'FORWARDED',
    });
}

/** A DNS lookup: the UDP query, its L7 record, the L7 answer and the UDP reply. */
function dns(
  timeMs: number,
  from: Pod,
  query: string,
  answers: readonly string[],
  drop?: Pick<Packet, 'dropReason' | 'egressDeniedBy'>,
): void {
  const server = pick(coredns);
  const sport = ephemeral();
  if (drop !== undefined) {
    // Denied on the way out: the query never reaches the DNS proxy, so no L7 record; the resolver retries.
    for (const delay of [0, 5000])
      emit({
        timeMs: timeMs + delay,
        from,
        to: server,
        protocol: 'UDP',
        sport,
        dport: 53,
        reply: false,
        verdict: 'DROPPED',
        ...drop,
      });
    return;
  }
  emit({ timeMs, from, to: server, protocol: 'UDP', sport, dport: 53, reply: false, verdict: 'FORWARDED' });
  emit({
    timeMs: timeMs + 1,
    from,
    to: server,
    protocol: 'UDP',
    sport,
    dport: 53,
    reply: false,
    verdict: 'FORWARDED',
    l7: { type: 'REQUEST', dns: { query, observation_source: 'proxy', qtypes: ['A'] } },
  });
  emit({
    timeMs: timeMs + 2,
    from: server,
    to: from,
    protocol: 'UDP',
    sport: 53,
    dport: sport,
    reply: true,
    verdict: 'FORWARDED',
    l7: {
      type: 'RESPONSE',
      latency_ns: '412000',
      dns: {
        query,
        ips: answers,
        ttl: 30,
        observation_source: 'proxy',
        rcode: 0,
        qtypes: ['A'],
        rrtypes: ['A'],
      },
    },
  });
  emit({
    timeMs: timeMs + 3,
    from: server,
    to: from,
    protocol: 'UDP',
    sport: 53,
    dport: sport,
    reply: true,
    verdict: 'FORWARDED',
  });
}

const at = (fraction: number) => BASE_MS + Math.floor(fraction * SPAN_MS);
const jitter = () => Math.floor(random() * 20_000);
const CLUSTER_NAMES: Record<string, string> = {
  api: 'api.shop.svc.cluster.local.',
  postgres: 'postgres.data.svc.cluster.local.',
  redis: 'redis.shop.svc.cluster.local.',
  web: 'web.shop.svc.cluster.local.',
};
const REQUEST_ROUNDS = 36;
for (let i = 0; i < REQUEST_ROUNDS; i++) {
  const t = at(i / REQUEST_ROUNDS) + jitter();
  tcp(t, pick(clients), controller, 443);
  tcp(t + 40, controller, pick(web), 8080);
  if (i % 4 === 0) dns(t + 60, pick(web), CLUSTER_NAMES['api'] as string, ['10.96.14.20']);
  tcp(t + 80, pick(web), pick(api), 8000);
  if (i % 3 === 0) {
    const from = pick(api);
    const redisLookup = random() < 0.5;
    dns(t + 100, from, (redisLookup ? CLUSTER_NAMES['redis'] : CLUSTER_NAMES['postgres']) as string, [
      redisLookup ? '10.96.30.6' : '10.96.30.5',
    ]);
  }
  tcp(t + 120, pick(api), postgres, 5432);
  tcp(t + 130, pick(api), redis, 6379);
  if (i % 4 === 1) {
    const from = pick(api);
    dns(
      t + 150,
      from,
      'payments.example.com.',
      payments.map((p) => p.ip),
    );
    tcp(t + 160, from, pick(payments), 443);
  }
}

// Drops. Policy drops name the policy that isolates the dropping side.
const policyDenied = { code: 133, name: 'POLICY_DENIED' };
const denied = (ref: PolicyRef, direction: 'ingress' | 'egress') =>
  direction === 'ingress'
    ? { dropReason: policyDenied, ingressDeniedBy: [ref] }
    : { dropReason: policyDenied, egressDeniedBy: [ref] };
const postgresPolicy = { name: 'postgres-ingress', namespace: 'data' };
const redisPolicy = { name: 'redis-ingress', namespace: 'shop' };
const apiPolicy = { name: 'allow-api', namespace: 'shop' };
const apiEgressPolicy = { name: 'api-egress', namespace: 'shop' };
const reportEgressPolicy = { name: 'nightly-report-egress', namespace: 'shop' };

// Prometheus scrapes every 5 minutes (sampled): web, api, and the exporters. Redis's policy was
// tightened 70 minutes in: from then on its exporter scrape (9121) is dropped, a regression.
const SCRAPES = 24;
const TIGHTENED = at(70 / 120);
for (let i = 0; i < SCRAPES; i++) {
  const t = at(i / SCRAPES) + jitter();
  for (const target of web) tcp(t, prometheus, target, 8080);
  for (const target of api) tcp(t + 5, prometheus, target, 9090);
  tcp(t + 10, prometheus, redis, 9121, t + 10 >= TIGHTENED ? denied(redisPolicy, 'ingress') : undefined);
  tcp(t + 15, prometheus, controller, 10254);
}
// Likely legitimate: Prometheus retries the api's second metrics port, which allow-api forgot;
// it already scrapes the api on 9090.
for (let i = 0; i < 5; i++)
  tcp(at(0.62 + i * 0.07) + jitter(), prometheus, pick(api), 9102, denied(apiPolicy, 'ingress'));
// The last scrape of redis, just before the end, so the regression is dropping "now".
tcp(at(0.995), prometheus, redis, 9121, denied(redisPolicy, 'ingress'));

// The CronJob runs at minute 60: its DNS lookups are denied by its own egress policy (it forgot
// DNS), then it connects to postgres by the address it had cached.
dns(at(0.5), report, CLUSTER_NAMES['postgres'] as string, [], denied(reportEgressPolicy, 'egress'));
dns(at(0.5) + 10_000, report, CLUSTER_NAMES['postgres'] as string, [], denied(reportEgressPolicy, 'egress'));
for (let i = 0; i < 3; i++) tcp(at(0.5) + 20_000 + i * 500, report, postgres, 5432);

// The worker rolled out at minute 80: the old pod (label postgres-access=true) still reaches
// postgres, the new one is denied. The path was never forwarded before the drops began, so the
// drops are expected by the baseline rather than a regression.
const ROLLOUT = at(80 / 120);
for (let i = 0; i < 8; i++) {
  const t = ROLLOUT + i * 4 * 60_000 + jitter();
  dns(t, worker[0] as Pod, CLUSTER_NAMES['postgres'] as string, ['10.96.30.5']);
  tcp(t + 50, worker[0] as Pod, postgres, 5432);
  tcp(t + 60, worker[1] as Pod, postgres, 5432, denied(postgresPolicy, 'ingress'));
}

// prometheus → postgres exporter: an exporter the data namespace's policy does not admit.
for (let i = 0; i < 4; i++)
  tcp(at(0.1 + i * 0.2) + jitter(), prometheus, postgres, 9187, denied(postgresPolicy, 'ingress'));
// web → postgres directly: not part of the design, denied by postgres's ingress policy.
tcp(at(0.42), web[0] as Pod, postgres, 5432, denied(postgresPolicy, 'ingress'));
// api → an SMTP server on the internet: denied by the api's egress policy.
for (let i = 0; i < 2; i++)
  tcp(at(0.7 + i * 0.05), api[1] as Pod, smtp, 25, denied(apiEgressPolicy, 'egress'));
// A scan: tools/debug-shell probes a dozen of postgres's ports within a minute.
const SCAN_PORTS = [21, 22, 23, 25, 80, 443, 1433, 3306, 5432, 6379, 8080, 9200, 27017];
SCAN_PORTS.forEach((port, i) =>
  tcp(at(0.75) + i * 3000, debugShell, postgres, port, denied(postgresPolicy, 'ingress')),
);
// Datapath drops that no policy change would fix (conntrack table full).
for (let i = 0; i < 3; i++)
  tcp(at(0.83) + i * 2000, api[0] as Pod, redis, 6379, {
    dropReason: { code: 155, name: 'CT_MAP_INSERTION_FAILED' },
  });

// Every pod resolves names through the cluster DNS at least once (the CronJob cannot).
for (const p of allPods)
  if (p !== report && p.namespace !== 'kube-system')
    dns(at(0.9) + jitter(), p, 'kubernetes.default.svc.cluster.local.', ['10.96.0.1']);

lines.sort((a, b) => a.timeMs - b.timeMs);
const outDir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../demo');
mkdirSync(outDir, { recursive: true });
const text = lines.map((l) => l.line).join('\n') + '\n';
writeFileSync(path.join(outDir, 'flows.jsonl'), text);
const cluster = JSON.stringify(demoClusterList(), null, 1) + '\n';
writeFileSync(path.join(outDir, 'cluster.json'), cluster);
process.stderr.write(
  `wrote ${lines.length} lines (${text.length} bytes) to ${path.join(outDir, 'flows.jsonl')} and ${cluster.length} bytes to ${path.join(outDir, 'cluster.json')}\n`,
);
