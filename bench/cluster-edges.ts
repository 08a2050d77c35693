// Generated observed edges of a large cluster, for the recommend benchmarks: `edges / 10`
// workloads in `workloads / 50` namespaces (10,000 workloads in 200 namespaces at 100,000 edges),
// 80% of traffic inside a namespace, 10% DNS to kube-system, 10% to external addresses with a DNS
// name, 2% dropped. Deterministic for a seed. `seedEdgeStore` writes them into a real SQLite store
// through the same batch path ingest uses.
import { edgeKey, type EdgeDelta } from '../src/flows/edge.js';
import type { ObservedEdge } from '../src/recommend/proposal.js';
import { openStore } from '../src/store/store.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface W {
  ns: string;
  name: string;
  labels: Record<string, string>;
}

export interface ClusterShape {
  readonly workloads: number;
  readonly namespaces: number;
}

/** The shape of the cluster behind `edges` edges. */
export function shapeFor(edges: number): ClusterShape {
  const workloads = Math.max(10, Math.round(edges / 10));
  return { workloads, namespaces: Math.max(1, Math.round(workloads / 50)) };
}

export function generateEdges(
  count: number,
  seed: number,
  shape: ClusterShape = shapeFor(count),
): ObservedEdge[] {
  const { workloads: WORKLOADS, namespaces: NAMESPACES } = shape;
  const rand = rng(seed);
  const workloads: W[] = Array.from({ length: WORKLOADS }, (_, i) => ({
    ns: `ns${i % NAMESPACES}`,
    name: `wl${i}`,
    labels: { 'app.kubernetes.io/name': `wl${i}`, 'pod-template-hash': `h${i}`, team: `t${i % 7}` },
  }));
  const dns: W = { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } };
  const pick = (): W => workloads[Math.floor(rand() * WORKLOADS)] as W;
  const sameNs = (w: W): W =>
    workloads[(Number(w.name.slice(2)) + NAMESPACES * (1 + Math.floor(rand() * 10))) % WORKLOADS] as W;
  const edges: ObservedEdge[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  const ports = [80, 443, 5432, 6379, 8080, 9090];
  for (let i = 0; i < count; i++) {
    const from = pick();
    const r = rand();
    let to: W | { ip: string } =
      r < 0.1
        ? dns
        : r < 0.2
          ? { ip: `203.0.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}` }
          : r < 0.8
            ? sameNs(from)
            : pick();
    const port = to === dns ? 53 : (ports[Math.floor(rand() * ports.length)] as number);
    if ('ns' in to && to === from) to = sameNs(from);
    const first = t0 + Math.floor(rand() * 86_400_000);
    edges.push({
      id: i + 1,
      source: { kind: 'pod', namespace: from.ns, workload: from.name, workloadKind: 'Deployment' },
      destination:
        'ns' in to
          ? { kind: 'pod', namespace: to.ns, workload: to.name, workloadKind: 'Deployment' }
          : { kind: 'world', ip: to.ip },
      protocol: to === dns && rand() < 0.5 ? 'UDP' : 'TCP',
      port,
      verdict: rand() < 0.02 ? 'dropped' : 'forwarded',
      count: 1 + Math.floor(rand() * 1000),
      firstSeenMs: first,
      lastSeenMs: first + Math.floor(rand() * 86_400_000),
      sourceLabels: from.labels,
      destinationLabels: 'ns' in to ? to.labels : {},
      sourcePods: [`${from.name}-abc12`],
      destinationPods: 'ns' in to ? [`${to.name}-abc12`] : [],
      sourceNames: [],
      destinationNames: 'ns' in to ? [] : ['api.example.com'],
    });
  }
  return edges;
}

function deltaOf(edge: ObservedEdge): EdgeDelta {
  return {
    key: edgeKey(edge.source, edge.destination, edge.protocol, edge.port, edge.verdict),
    source: edge.source,
    destination: edge.destination,
    protocol: edge.protocol,
    port: edge.port,
    verdict: edge.verdict,
    count: edge.count,
    firstSeenMs: edge.firstSeenMs,
    lastSeenMs: edge.lastSeenMs,
    sourceLabels: edge.sourceLabels,
    destinationLabels: edge.destinationLabels,
    sourcePods: new Set(edge.sourcePods),
    destinationPods: new Set(edge.destinationPods),
    sourceNames: new Set(edge.sourceNames),
    destinationNames: new Set(edge.destinationNames),
    dropReasons: new Map(edge.verdict === 'dropped' ? [['POLICY_DENIED', 1]] : []),
    deniedBy: new Set(),
    allowedBy: new Set(),
  };
}

/** Writes `count` generated edges into a new store at `file`; returns the distinct edges stored. */
export function seedEdgeStore(file: string, count: number, seed = 7): number {
  const store = openStore(file);
  const keys = new Set<string>();
  try {
    // Generated in slices so a 1,000,000-edge store never holds every edge object at once.
    const slice = 50_000;
    const shape = shapeFor(count);
    for (let start = 0; start < count; start += slice) {
      const deltas = generateEdges(Math.min(slice, count - start), seed + start, shape).map(deltaOf);
      for (const d of deltas) keys.add(d.key);
      for (let i = 0; i < deltas.length; i += 5000) {
        const part = deltas.slice(i, i + 5000);
        store.writeBatch({ deltas: part, accepted: part.length, rejectedByReason: {} });
      }
    }
  } finally {
    store.close();
  }
  return keys.size;
}
