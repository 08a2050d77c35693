// The cluster shape of issue 24, for the dashboard benchmark (bench/dashboard.ts) and by hand:
// 200 namespaces of 25 workloads (5,000 workloads, ~14,600 pods, labelled as the recommender
// reads them), 100,000 distinct edges in a real SQLite store (80% within a namespace, 20% to
// another, a share to world addresses) of which 1,800 are dropped paths, and a snapshot file
// (Namespaces, Pods, one existing NetworkPolicy in every fourth namespace) for `serve`.
// Deterministic: the same options give the same store and snapshot.
//   npx tsx bench/cluster-scale.ts DIR   (writes DIR/advisor.db and DIR/cluster.json)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { edgeKey, type EdgeDelta, type EdgePeer } from '../src/flows/edge.js';
import { openStore } from '../src/store/store.js';

export interface ClusterShape {
  readonly namespaces: number;
  readonly workloadsPerNamespace: number;
  readonly edges: number;
  readonly dropped: number;
}

export const ISSUE_24_SHAPE: ClusterShape = {
  namespaces: 200,
  workloadsPerNamespace: 25,
  edges: 100_000,
  dropped: 1_800,
};

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
  'mailer',
  'ledger',
];
const WORLD = ['203.0.113.10', '203.0.113.11', '198.51.100.7', '192.0.2.44'];

export const namespaceName = (ns: number): string => `team-${String(ns).padStart(3, '0')}`;
const workloadName = (w: number): string => `${ROLES[w % ROLES.length] ?? 'app'}-${w}`;
const podsOf = (ns: number, w: number): number => 2 + ((ns * 7 + w * 3) % 3);

function pod(ns: number, w: number): EdgePeer {
  return { kind: 'pod', namespace: namespaceName(ns), workload: workloadName(w), workloadKind: 'Deployment' };
}

const labelsOf = (ns: number, w: number): Record<string, string> => ({
  app: workloadName(w),
  team: namespaceName(ns),
});

/** Edge i: deterministic, distinct by (source, destination, port). */
function edgeDelta(i: number, shape: ClusterShape, nowMs: number, dropEvery: number): EdgeDelta {
  const W = shape.workloadsPerNamespace;
  const ns = i % shape.namespaces;
  const srcW = Math.floor(i / shape.namespaces) % W;
  const k = Math.floor(i / (shape.namespaces * W));
  const source = pod(ns, srcW);
  const world = k % 23 === 11;
  const dstNs = k % 5 === 0 ? (ns + 1 + (k % 7)) % shape.namespaces : ns;
  const dstW = (srcW + 1 + (k % (W - 1))) % W;
  const destination: EdgePeer = world
    ? { kind: 'world', ip: WORLD[k % WORLD.length] ?? '203.0.113.10' }
    : pod(dstNs, dstW);
  const port = world ? 443 + k : 8000 + k;
  const dropped = i % dropEvery === 0 && Math.floor(i / dropEvery) < shape.dropped;
  const verdict = dropped ? 'dropped' : 'forwarded';
  return {
    key: edgeKey(source, destination, 'TCP', port, verdict),
    source,
    destination,
    protocol: 'TCP',
    port,
    verdict,
    count: 1 + (i % 17),
    firstSeenMs: nowMs - 7_200_000,
    lastSeenMs: nowMs - (i % 3000) * 1000,
    sourceLabels: labelsOf(ns, srcW),
    destinationLabels: world ? {} : labelsOf(dstNs, dstW),
    sourcePods: new Set([`${workloadName(srcW)}-7c9d5-a${ns}`]),
    destinationPods: new Set(world ? [] : [`${workloadName(dstW)}-7c9d5-b${dstNs}`]),
    sourceNames: new Set(),
    destinationNames: new Set(world ? ['partner.example.com'] : []),
    dropReasons: new Map(dropped ? [['POLICY_DENIED', 1 + (i % 5)]] : []),
    deniedBy: new Set(),
    allowedBy: new Set(),
  };
}

/** Writes the edges into a new store at `dbFile`. */
export function writeStore(dbFile: string, shape: ClusterShape, nowMs: number): void {
  const store = openStore(dbFile);
  const dropEvery = Math.max(1, Math.floor(shape.edges / Math.max(1, shape.dropped)));
  let deltas: EdgeDelta[] = [];
  for (let i = 0; i < shape.edges; i++) {
    deltas.push(edgeDelta(i, shape, nowMs, dropEvery));
    if (deltas.length === 5000) {
      store.writeBatch({ deltas, accepted: deltas.length, rejectedByReason: {} });
      deltas = [];
    }
  }
  if (deltas.length > 0) store.writeBatch({ deltas, accepted: deltas.length, rejectedByReason: {} });
  store.close();
}

/** The snapshot as `kubectl get namespaces,pods,networkpolicies -A -o json` would print it. */
export function clusterSnapshot(shape: ClusterShape): { pods: number; json: string } {
  const items: unknown[] = [];
  let pods = 0;
  for (let ns = 0; ns < shape.namespaces; ns++) {
    const namespace = namespaceName(ns);
    items.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { 'kubernetes.io/metadata.name': namespace } },
    });
    for (let w = 0; w < shape.workloadsPerNamespace; w++) {
      for (let p = 0; p < podsOf(ns, w); p++) {
        pods++;
        items.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${workloadName(w)}-7c9d5-${p}x${ns}`,
            namespace,
            labels: labelsOf(ns, w),
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${workloadName(w)}-7c9d5`,
                uid: `rs-${ns}-${w}`,
                controller: true,
              },
            ],
          },
          spec: {
            nodeName: `worker-${(ns + w) % 20}`,
            containers: [{ name: 'main', image: 'registry.example.com/app:1' }],
          },
          status: {
            phase: 'Running',
            podIP: `10.${(ns >> 4) + 64}.${((ns & 15) << 4) + (w >> 2)}.${((w & 3) << 6) + p + 1}`,
          },
        });
      }
    }
    if (ns % 4 === 0) {
      items.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'default-deny-ingress', namespace },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    }
  }
  return { pods, json: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) };
}

function main(): void {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: npx tsx bench/cluster-scale.ts DIR');
  const started = Date.now();
  writeStore(path.join(dir, 'advisor.db'), ISSUE_24_SHAPE, Date.now());
  const snapshot = clusterSnapshot(ISSUE_24_SHAPE);
  writeFileSync(path.join(dir, 'cluster.json'), snapshot.json);
  console.log(
    `wrote ${ISSUE_24_SHAPE.edges} edges (${ISSUE_24_SHAPE.dropped} dropped) and ${snapshot.pods} pods in ${ISSUE_24_SHAPE.namespaces} namespaces to ${dir} in ${Date.now() - started} ms`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
