// The replay proof after a rollout that changed labels (the bundled demo's worker): the flows were
// made by the old pods, another namespace's policy admits them by a label the new template lost.
// The proof replays a workload as the pods that made its flows when the snapshot still has them;
// a path the policies in force already deny for the current pods is reported apart
// (`alreadyDenied`), not as a proposal bug, and a drop the proposal itself causes still is one.
import { describe, expect, it } from 'vitest';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { proveRecommendation } from '../../src/recommend/proof.js';
import type { Recommendation } from '../../src/recommend/proposal.js';
import { DEFAULT_RECOMMEND_OPTIONS } from '../../src/recommend/recommend.js';
import { hubbleLines, type PodEnd } from './flow-lines.js';
import { runScenario } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const MINUTE = 60_000;
const workload = { name: 'worker', kind: 'Deployment' };
const oldWorker: PodEnd = {
  ns: 'shop',
  pod: 'worker-84f7c6d9b-m3x8r',
  ip: '10.0.4.7',
  labels: { app: 'worker', 'postgres-access': 'true', 'pod-template-hash': '84f7c6d9b' },
  workload,
};
const newWorker: PodEnd = {
  ns: 'shop',
  pod: 'worker-6d5c9b8f7-z7k2w',
  ip: '10.0.4.8',
  labels: { app: 'worker', 'pod-template-hash': '6d5c9b8f7' },
  workload,
};
const postgres: PodEnd = {
  ns: 'data',
  pod: 'postgres-0',
  ip: '10.0.5.2',
  labels: { app: 'postgres' },
  workload: { name: 'postgres', kind: 'StatefulSet' },
};
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};

function podObject(p: PodEnd, owner: { kind: string; name: string }): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.pod,
      namespace: p.ns,
      labels: p.labels,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true, uid: 'u' },
      ],
    },
    spec: { containers: [{ name: 'c' }] },
    status: { podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}

const postgresIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'postgres-ingress', namespace: 'data' },
  spec: {
    podSelector: { matchLabels: { app: 'postgres' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'postgres-access': 'true' } } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ],
  },
};

function snapshotWith(workers: readonly PodEnd[]) {
  const parsed = parseClusterObjects([
    ...['shop', 'data', 'kube-system'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    })),
    ...workers.map((w) =>
      podObject(w, { kind: 'ReplicaSet', name: `worker-${w.labels['pod-template-hash'] ?? ''}` }),
    ),
    podObject(postgres, { kind: 'StatefulSet', name: 'postgres' }),
    podObject(kubeDns, { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' }),
    postgresIngress,
  ]);
  expect(parsed.problems).toEqual([]);
  return parsed.snapshot;
}

// The old pod's flows (forwarded: its label is admitted), and DNS.
const lines = [0, 1, 2].flatMap((i) => [
  ...hubbleLines({ from: oldWorker, to: postgres, port: 5432, timeMs: T0 + i * MINUTE }),
  ...hubbleLines({ from: oldWorker, to: kubeDns, port: 53, protocol: 'UDP', timeMs: T0 + i * MINUTE }),
]);
const shopOnly = { ...DEFAULT_RECOMMEND_OPTIONS, namespace: 'shop' };

describe('the replay proof after a rollout that changed labels', () => {
  it('replays the workload as the pod that made the flows while the snapshot has it', () => {
    const run = runScenario([{ format: 'hubble', lines }], snapshotWith([newWorker, oldWorker]), shopOnly);
    expect(run.proof.violations).toEqual([]);
    expect(run.proof.alreadyDenied).toEqual([]);
    expect(run.proof.allowed).toBe(run.proof.replayed);
  });

  it('reports a path the policies in force already deny for the current pods apart, not as a bug', () => {
    const run = runScenario([{ format: 'hubble', lines }], snapshotWith([newWorker]), shopOnly);
    expect(run.proof.violations).toEqual([]);
    expect(
      run.proof.alreadyDenied.map(
        (d) => `${d.edge.source.workload} -> ${d.edge.destination.workload}/${d.edge.port}`,
      ),
    ).toEqual(['worker -> postgres/5432']);
    expect(run.proof.alreadyDenied[0]?.decision.ingress.reason).toContain('data/postgres-ingress');
    expect(run.proof.knownGaps).toBe(0);
    // The proposal still allows the worker's egress to postgres: it is not what drops the path.
    expect(run.proof.alreadyDenied[0]?.decision.egress.allowed).toBe(true);
  });

  it('still calls a drop the proposal causes a violation, also on a path already denied elsewhere', () => {
    const snapshot = snapshotWith([newWorker]);
    const run = runScenario([{ format: 'hubble', lines }], snapshot, shopOnly);
    // Take away the worker's egress allow: now the proposal denies the path too (egress).
    const broken: Recommendation = {
      ...run.recommendation,
      namespaces: run.recommendation.namespaces.map((ns) => ({
        ...ns,
        policies: ns.policies.filter((p) => !(p.role === 'allow-egress' && p.workload === 'shop/worker')),
      })),
    };
    const proof = proveRecommendation(broken, () => run.edges, snapshot, { maxExposureEvaluations: 0 });
    expect(
      proof.violations.map(
        (d) => `${d.edge.source.workload} -> ${d.edge.destination.workload}/${d.edge.port}`,
      ),
    ).toContain('worker -> postgres/5432');
    expect(proof.alreadyDenied).toEqual([]);
  });
});
