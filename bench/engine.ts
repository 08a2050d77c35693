// Benchmark of the policy engine: a generated snapshot of 5,000 pods in 200 namespaces with 1,000
// NetworkPolicies, alone (`k8s`) and mixed with 500 Cilium (`cilium`) or 500 Calico (`calico`)
// policies or 50 AdminNetworkPolicy/ClusterNetworkPolicy objects (`cluster`) (bench/engine-cni-policies.ts); compile time and batch query throughput, medians of
// several runs, one JSON line per mix.
// Rates are given per wall-clock second and per CPU-second of the process (process.cpuUsage),
// the comparable figure on a shared machine.
// Run: npx tsx bench/engine.ts [k8s|cilium|calico|cluster …]   (default: all four; figures go to docs/benchmarks.md)
import { loadavg } from 'node:os';
import { compilePolicies, type ConnectionQuery } from '../src/policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../src/policy/model.js';
import { calicoObjects, ciliumObjects, clusterPolicyObjects, cniOf } from './engine-cni-policies.js';

const NAMESPACES = 200;
const PODS = 5_000;
const POLICIES = 1_000;
const QUERIES = 200_000;
const RUNS = 5;
const CNI_POLICIES = 500;
const CLUSTER_POLICIES = 50;
const MIXES = ['k8s', 'cilium', 'calico', 'cluster'] as const;
type Mix = (typeof MIXES)[number];

// Deterministic PRNG so every run measures the same snapshot.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function generate(mix: Mix): { snapshot: ClusterSnapshot; queries: ConnectionQuery[] } {
  const rand = rng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const apps = Array.from({ length: 10 }, (_, i) => `app${i}`);
  const tiers = ['web', 'api', 'db', 'cache'];
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({
    name: `ns${i}`,
    labels: {
      'kubernetes.io/metadata.name': `ns${i}`,
      team: `team${i % 20}`,
      env: i % 3 === 0 ? 'prod' : 'dev',
    },
  }));
  const pods: PodInfo[] = Array.from({ length: PODS }, (_, i) => {
    const ns = `ns${i % NAMESPACES}`;
    return {
      namespace: ns,
      name: `pod${i}`,
      labels: { app: pick(apps), tier: pick(tiers), version: `v${i % 3}` },
      ips: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
      hostNetwork: false,
      ports: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
      ],
      workload: { kind: 'Deployment', name: `pod${i}` },
    };
  });
  const policies: NetworkPolicy[] = Array.from({ length: POLICIES }, (_, i) => {
    const ns = `ns${i % NAMESPACES}`;
    const kind = i % 5;
    const meta = { namespace: ns, name: `p${i}` };
    const base = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta } as const;
    if (kind === 0) return { ...base, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    if (kind === 1) {
      return {
        ...base,
        spec: {
          podSelector: { matchLabels: { tier: pick(tiers) } },
          ingress: [
            {
              from: [
                { podSelector: { matchLabels: { app: pick(apps) } } },
                {
                  namespaceSelector: { matchLabels: { team: `team${i % 20}` } },
                  podSelector: {
                    matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }],
                  },
                },
              ],
              ports: [{ port: 'http' }, { port: 9090 }],
            },
          ],
        },
      };
    }
    if (kind === 2) {
      return {
        ...base,
        spec: {
          podSelector: { matchLabels: { app: pick(apps) } },
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns0' } } }],
              ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }],
            },
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { env: 'prod' } },
                  podSelector: { matchLabels: { tier: 'db' } },
                },
              ],
              ports: [{ port: 5432 }],
            },
            {
              to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.0.0/16'] } }],
              ports: [{ port: 443 }],
            },
          ],
        },
      };
    }
    if (kind === 3) {
      return {
        ...base,
        spec: {
          podSelector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v0'] }] },
          ingress: [
            {
              from: [{ namespaceSelector: {} }],
              ports: [{ port: 8000, endPort: 8100 }],
            },
            { from: [{ ipBlock: { cidr: '10.0.0.0/16' } }] },
          ],
        },
      };
    }
    return {
      ...base,
      spec: { podSelector: { matchLabels: { app: pick(apps), tier: pick(tiers) } }, ingress: [{}] },
    };
  });
  const cni =
    mix === 'cilium'
      ? cniOf(ciliumObjects(CNI_POLICIES, NAMESPACES, pick, apps, tiers))
      : mix === 'calico'
        ? cniOf(calicoObjects(CNI_POLICIES, NAMESPACES, pick, apps, tiers))
        : mix === 'cluster'
          ? cniOf(clusterPolicyObjects(CLUSTER_POLICIES, pick, apps))
          : undefined;
  const queries: ConnectionQuery[] = Array.from({ length: QUERIES }, (_, i) => {
    const a = pods[Math.floor(rand() * PODS)] as PodInfo;
    const b = pods[Math.floor(rand() * PODS)] as PodInfo;
    const port = pick([8080, 9090, 5432, 443, 53, 8050]);
    const to =
      i % 10 === 9
        ? { kind: 'ip' as const, ip: `203.0.113.${i % 250}`, names: [`s${i % 7}.example.com`] }
        : { kind: 'pod' as const, namespace: b.namespace, name: b.name };
    return {
      from: { kind: 'pod', namespace: a.namespace, name: a.name },
      to,
      port,
      protocol: port === 53 && i % 2 === 0 ? 'UDP' : 'TCP',
    };
  });
  return {
    snapshot: { namespaces, pods, services: [], policies, nodes: [], ...(cni !== undefined ? { cni } : {}) },
    queries,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** CPU time of this process (user + system), in ms. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

interface Timed {
  wallMs: number;
  cpuMs: number;
  allowed: number;
}

function timeLoop(queries: readonly ConnectionQuery[], count: (query: ConnectionQuery) => boolean): Timed {
  const w0 = performance.now();
  const c0 = cpuMs();
  let allowed = 0;
  for (const query of queries) if (count(query)) allowed++;
  return { wallMs: performance.now() - w0, cpuMs: cpuMs() - c0, allowed };
}

function benchMix(mix: Mix): void {
  const { snapshot, queries } = generate(mix);
  const compileMs: number[] = [];
  const compileCpuMs: number[] = [];
  const evaluateWall: number[] = [];
  const evaluateCpu: number[] = [];
  const isAllowedWall: number[] = [];
  const isAllowedCpu: number[] = [];
  let allowed = 0;
  for (let run = 0; run < RUNS; run++) {
    const w0 = performance.now();
    const c0 = cpuMs();
    const engine = compilePolicies(snapshot);
    compileMs.push(performance.now() - w0);
    compileCpuMs.push(cpuMs() - c0);
    // Alternate the order so neither loop always runs on a warmer heap.
    const loops: [string, () => Timed][] = [
      ['evaluate', () => timeLoop(queries, (q) => engine.evaluate(q).verdict === 'allow')],
      ['isAllowed', () => timeLoop(queries, (q) => engine.isAllowed(q))],
    ];
    if (run % 2 === 1) loops.reverse();
    const counts = new Map<string, number>();
    for (const [name, loop] of loops) {
      const t = loop();
      counts.set(name, t.allowed);
      (name === 'evaluate' ? evaluateWall : isAllowedWall).push(QUERIES / (t.wallMs / 1000));
      (name === 'evaluate' ? evaluateCpu : isAllowedCpu).push(QUERIES / (t.cpuMs / 1000));
    }
    allowed = counts.get('evaluate') ?? 0;
    if (counts.get('isAllowed') !== allowed)
      throw new Error(`isAllowed and evaluate disagree: ${counts.get('isAllowed')} vs ${allowed} allowed`);
  }
  const result = {
    mix,
    cniPolicies: mix === 'k8s' ? 0 : mix === 'cluster' ? CLUSTER_POLICIES : CNI_POLICIES,
    pods: PODS,
    namespaces: NAMESPACES,
    policies: POLICIES,
    queries: QUERIES,
    runs: RUNS,
    compileMsMedian: Math.round(median(compileMs)),
    compileCpuMsMedian: Math.round(median(compileCpuMs)),
    evaluatePerSecMedian: Math.round(median(evaluateWall)),
    evaluatePerCpuSecMedian: Math.round(median(evaluateCpu)),
    isAllowedPerSecMedian: Math.round(median(isAllowedWall)),
    isAllowedPerCpuSecMedian: Math.round(median(isAllowedCpu)),
    allowedShare: Number((allowed / QUERIES).toFixed(3)),
    loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
    targets: { compileMs: 2000, queriesPerSec: 200_000 },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const asked = process.argv.slice(2).filter((a): a is Mix => (MIXES as readonly string[]).includes(a));
for (const mix of asked.length > 0 ? asked : MIXES) benchMix(mix);
