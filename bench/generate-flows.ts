// Generates realistic Hubble exporter lines (`{"flow":{…},"node_name":…,"time":…}`) for the
// ingest benchmark and the ingestion tests: ≥ 2,000 workloads over 40 namespaces, each talking
// to a few fixed peers; TCP handshakes (SYN, SYN-ACK reply, ACK mid-stream), DNS over UDP with
// replies and L7 DNS records, policy drops, and egress to world addresses with DNS names.
// Deterministic for a given seed.
//   node --import tsx bench/generate-flows.ts OUT.jsonl [--flows N] [--seed S]
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface GenerateOptions {
  /** Lines to produce. */
  readonly flows: number;
  readonly seed?: number;
  readonly namespaces?: number;
  readonly workloadsPerNamespace?: number;
  readonly startMs?: number;
}

/** A small seeded PRNG (uniform in [0, 1)); the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';
const ROLES = [
  'web',
  'api',
  'worker',
  'cache',
  'db',
  'auth',
  'search',
  'billing',
  'queue',
  'gateway',
  'reports',
];
const WORLD = [
  { ip: '203.0.113.10', name: 'payments.example.com' },
  { ip: '203.0.113.11', name: 'payments.example.com' },
  { ip: '198.51.100.7', name: 'geo.example.net' },
  { ip: '192.0.2.44', name: 'api.github.com' },
];

interface Pod {
  readonly namespace: string;
  readonly workload: string;
  readonly pod: string;
  readonly ip: string;
  readonly identity: number;
  readonly port: number;
  readonly labels: readonly string[];
}

function suffix(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SUFFIX.charAt(Math.floor(random() * SUFFIX.length));
  return out;
}

function buildPods(random: () => number, namespaces: number, perNamespace: number): Pod[] {
  const pods: Pod[] = [];
  for (let n = 0; n < namespaces; n++) {
    const namespace = `team-${String(n).padStart(2, '0')}`;
    for (let w = 0; w < perNamespace; w++) {
      const role = ROLES[w % ROLES.length] ?? 'app';
      const workload = `${role}-${w}`;
      const hash = suffix(random, 10);
      const index = pods.length;
      pods.push({
        namespace,
        workload,
        pod: `${workload}-${hash}-${suffix(random, 5)}`,
        ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
        identity: 10000 + index,
        port: [8080, 5432, 6379, 443, 9090][w % 5] ?? 8080,
        labels: [
          `k8s:app=${workload}`,
          `k8s:app.kubernetes.io/part-of=${namespace}`,
          `k8s:pod-template-hash=${hash}`,
          `k8s:io.cilium.k8s.policy.serviceaccount=${workload}`,
          `k8s:io.kubernetes.pod.namespace=${namespace}`,
          'k8s:io.cilium.k8s.policy.cluster=default',
        ],
      });
    }
  }
  return pods;
}

function endpoint(pod: Pod): Record<string, unknown> {
  return {
    ID: pod.identity % 4000,
    identity: pod.identity,
    namespace: pod.namespace,
    labels: pod.labels,
    pod_name: pod.pod,
    workloads: [{ name: pod.workload, kind: 'Deployment' }],
  };
}

export function* generateHubbleLines(options: GenerateOptions): Generator<string> {
  const random = mulberry32(options.seed ?? 42);
  const namespaces = options.namespaces ?? 40;
  const perNamespace = options.workloadsPerNamespace ?? 55;
  const pods = buildPods(random, namespaces, perNamespace);
  const dns: Pod = {
    namespace: 'kube-system',
    workload: 'coredns',
    pod: 'coredns-5d78c9869d-6xw7n',
    ip: '10.96.0.10',
    identity: 102,
    port: 53,
    labels: [
      'k8s:k8s-app=kube-dns',
      'k8s:io.kubernetes.pod.namespace=kube-system',
      'k8s:pod-template-hash=5d78c9869d',
    ],
  };
  let timeMs = options.startMs ?? Date.UTC(2026, 0, 15, 9, 0, 0);
  let produced = 0;
  const emit = (flow: Record<string, unknown>, node: string): string => {
    timeMs += random() < 0.5 ? 0 : 1;
    const time = `${new Date(timeMs).toISOString().slice(0, -1)}${String(Math.floor(random() * 1e6)).padStart(6, '0')}Z`;
    produced++;
    return JSON.stringify({ flow: { time, ...flow, node_name: node }, node_name: node, time });
  };
  while (produced < options.flows) {
    const source = pods[Math.floor(random() * pods.length)] as Pod;
    const sourceIndex = pods.indexOf(source);
    const node = `kind-worker${(sourceIndex % 8) + 1}`;
    const sport = 32768 + Math.floor(random() * 28000);
    const roll = random();
    if (roll < 0.62) {
      // An in-cluster TCP connection to one of the source's few peers (same namespace mostly).
      const peerIndex =
        (sourceIndex + 1 + Math.floor(random() * 3) * 7 + (random() < 0.1 ? perNamespace : 0)) % pods.length;
      const dest = pods[peerIndex] as Pod;
      const base = {
        verdict: 'FORWARDED',
        ethernet: { source: '0a:58:0a:f4:01:0b', destination: '0a:58:0a:f4:01:01' },
        IP: { source: source.ip, destination: dest.ip, ipVersion: 'IPv4' },
        source: endpoint(source),
        destination: endpoint(dest),
        Type: 'L3_L4',
        event_type: { type: 4 },
        traffic_direction: 'EGRESS',
        trace_observation_point: 'TO_ENDPOINT',
      };
      const l4 = (flags: Record<string, boolean>, reply: boolean) =>
        reply
          ? { TCP: { source_port: dest.port, destination_port: sport, flags } }
          : { TCP: { source_port: sport, destination_port: dest.port, flags } };
      yield emit({ ...base, l4: l4({ SYN: true }, false), is_reply: false, Summary: 'TCP Flags: SYN' }, node);
      if (produced >= options.flows) break;
      yield emit(
        {
          ...base,
          IP: { source: dest.ip, destination: source.ip, ipVersion: 'IPv4' },
          source: endpoint(dest),
          destination: endpoint(source),
          l4: l4({ SYN: true, ACK: true }, true),
          is_reply: true,
          Summary: 'TCP Flags: SYN, ACK',
        },
        node,
      );
      if (produced >= options.flows) break;
      yield emit(
        { ...base, l4: l4({ ACK: true, PSH: true }, false), is_reply: false, Summary: 'TCP Flags: ACK, PSH' },
        node,
      );
    } else if (roll < 0.82) {
      // DNS: query, answer (reply), sometimes the L7 record of the query.
      const base = {
        verdict: 'FORWARDED',
        Type: 'L3_L4',
        event_type: { type: 4 },
        traffic_direction: 'EGRESS',
      };
      yield emit(
        {
          ...base,
          IP: { source: source.ip, destination: dns.ip, ipVersion: 'IPv4' },
          l4: { UDP: { source_port: sport, destination_port: 53 } },
          source: endpoint(source),
          destination: endpoint(dns),
          is_reply: false,
          Summary: 'UDP',
        },
        node,
      );
      if (produced >= options.flows) break;
      yield emit(
        {
          ...base,
          IP: { source: dns.ip, destination: source.ip, ipVersion: 'IPv4' },
          l4: { UDP: { source_port: 53, destination_port: sport } },
          source: endpoint(dns),
          destination: endpoint(source),
          is_reply: true,
          Summary: 'UDP',
        },
        node,
      );
      if (random() < 0.3 && produced < options.flows) {
        const target = WORLD[Math.floor(random() * WORLD.length)] ?? WORLD[0];
        yield emit(
          {
            verdict: 'FORWARDED',
            Type: 'L7',
            event_type: { type: 129 },
            traffic_direction: 'EGRESS',
            is_reply: false,
            IP: { source: source.ip, destination: dns.ip, ipVersion: 'IPv4' },
            l4: { UDP: { source_port: sport, destination_port: 53 } },
            source: endpoint(source),
            destination: endpoint(dns),
            l7: {
              type: 'REQUEST',
              dns: { query: `${target?.name ?? 'example.com'}.`, observation_source: 'proxy', qtypes: ['A'] },
            },
            Summary: `DNS Query ${target?.name ?? ''}. A`,
          },
          node,
        );
      }
    } else if (roll < 0.92) {
      // Egress to the world over HTTPS, with the names Cilium's FQDN cache knows.
      const target = WORLD[Math.floor(random() * WORLD.length)] ?? {
        ip: '203.0.113.10',
        name: 'payments.example.com',
      };
      yield emit(
        {
          verdict: 'FORWARDED',
          Type: 'L3_L4',
          event_type: { type: 4 },
          traffic_direction: 'EGRESS',
          is_reply: false,
          IP: { source: source.ip, destination: target.ip, ipVersion: 'IPv4' },
          l4: { TCP: { source_port: sport, destination_port: 443, flags: { SYN: true } } },
          source: endpoint(source),
          destination: { ID: 0, identity: 2, labels: ['reserved:world'] },
          destination_names: [target.name],
          trace_observation_point: 'TO_STACK',
          Summary: 'TCP Flags: SYN',
        },
        node,
      );
    } else {
      // A connection attempt dropped by policy (into another namespace).
      const dest = pods[(sourceIndex + perNamespace * 3 + 5) % pods.length] as Pod;
      yield emit(
        {
          verdict: 'DROPPED',
          drop_reason: 133,
          drop_reason_desc: 'POLICY_DENIED',
          Type: 'L3_L4',
          event_type: { type: 1, sub_type: 133 },
          traffic_direction: 'INGRESS',
          is_reply: false,
          IP: { source: source.ip, destination: dest.ip, ipVersion: 'IPv4' },
          l4: { TCP: { source_port: sport, destination_port: dest.port, flags: { SYN: true } } },
          source: endpoint(source),
          destination: endpoint(dest),
          Summary: 'TCP Flags: SYN',
        },
        node,
      );
    }
  }
}

/** Writes `options.flows` lines to `file`; returns the byte size written. */
export function writeFlowsFile(file: string, options: GenerateOptions): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    let chunk: string[] = [];
    const flush = (): void => {
      const text = chunk.join('');
      bytes += writeSync(fd, text);
      chunk = [];
    };
    for (const line of generateHubbleLines(options)) {
      chunk.push(line, '\n');
      if (chunk.length >= 8192) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** A positive number given as `name VALUE` in a benchmark's arguments, else `fallback`. */
export function numberOption(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The benchmarks' shared input: `flows` generated lines (seed 42) in `outDir`, written once. */
export function benchFlowsFile(outDir: string, flows: number): string {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `hubble-${flows}.jsonl`);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${flows} flows into ${file} …\n`);
    writeFlowsFile(file, { flows, seed: 42 });
  }
  return file;
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && import.meta.url === pathToFileURL(path.resolve(invokedAs)).href) {
  const [out, ...rest] = process.argv.slice(2);
  if (out === undefined) {
    process.stderr.write(
      'usage: node --import tsx bench/generate-flows.ts OUT.jsonl [--flows N] [--seed S]\n',
    );
    process.exit(2);
  }
  const option = (name: string, fallback: number): number => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : fallback;
  };
  const bytes = writeFlowsFile(out, { flows: option('--flows', 1_000_000), seed: option('--seed', 42) });
  process.stdout.write(`wrote ${out} (${(bytes / 1048576).toFixed(1)} MiB)\n`);
}
