// The exposure count by classes of workloads the engine cannot tell apart equals the workload-by-
// workload count (one evaluation per pair of workloads and port, as it was computed before) on
// random small clusters and policies: selectors on pod and namespace labels, ipBlocks with
// excepts (which select pods by IP), named and numbered ports, both directions. And at the scale
// of issue 22 (one namespace's proposal among 5,000 workloads) it fits the default bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicies, type PolicyEngine } from '../policy/engine.js';
import type {
  ClusterSnapshot,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PodInfo,
} from '../policy/model.js';
import { countExposure, exposureClasses, type ExposureCount, type ExposureSubject } from './exposure.js';
import type { PortEvidence } from './proposal.js';

/** The computation before classes: every ordered pair of different workloads, every port. */
function workloadByWorkload(
  engine: PolicyEngine,
  subjects: readonly ExposureSubject[],
  ports: readonly PortEvidence[],
): ExposureCount {
  let reachable = 0;
  let total = 0;
  for (const from of subjects)
    for (const to of subjects) {
      if (from === to) continue;
      const pairs = from.pods * to.pods;
      for (const port of ports) {
        total += pairs;
        const query = { from: from.endpoint, to: to.endpoint, port: port.port, protocol: port.protocol };
        if (engine.evaluate(query as Parameters<PolicyEngine['evaluate']>[0]).verdict === 'allow')
          reachable += pairs;
      }
    }
  return { reachable, total };
}

const NAMESPACES = ['a', 'b', 'c'];
const APPS = ['web', 'api', 'db'];

/** As the proof builds them from a snapshot: one representative pod per workload, weighted by its pods. */
function subjectsOf(snapshot: ClusterSnapshot): ExposureSubject[] {
  const byWorkload = new Map<string, { pod: PodInfo; pods: number }>();
  for (const pod of snapshot.pods) {
    const key = `${pod.namespace}/${pod.workload.name}`;
    const known = byWorkload.get(key);
    if (known === undefined) byWorkload.set(key, { pod, pods: 1 });
    else known.pods++;
  }
  return [...byWorkload].map(([key, { pod, pods }]) => ({
    key,
    pods,
    endpoint: { kind: 'pod', namespace: pod.namespace, name: pod.name },
  }));
}

const selector: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...APPS).map((app) => ({ matchLabels: { app } })),
  fc.constantFrom('x', 'y').map((tier) => ({ matchLabels: { tier } })),
  fc
    .constantFrom(...APPS)
    .map((app) => ({ matchExpressions: [{ key: 'app', operator: 'NotIn' as const, values: [app] }] })),
);
const peer: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  selector.map((podSelector) => ({ podSelector })),
  selector.map((namespaceSelector) => ({ namespaceSelector })),
  fc
    .tuple(selector, selector)
    .map(([podSelector, namespaceSelector]) => ({ podSelector, namespaceSelector })),
  fc.constantFrom(
    { ipBlock: { cidr: '10.0.0.0/16' } },
    { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } },
    { ipBlock: { cidr: '10.0.2.0/23' } },
  ),
);
const port: fc.Arbitrary<NetworkPolicyPort> = fc.constantFrom(
  { protocol: 'TCP' as const, port: 8080 },
  { protocol: 'TCP' as const, port: 'http' },
  { protocol: 'UDP' as const, port: 53 },
  { protocol: 'TCP' as const, port: 9000, endPort: 9100 },
);
const rule = fc.record({
  peers: fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined }),
  ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }),
});
const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  podSelector: selector,
  types: fc.subarray(['Ingress', 'Egress'] as const, { minLength: 1 }),
  ingress: fc.array(rule, { maxLength: 2 }),
  egress: fc.array(rule, { maxLength: 2 }),
});
const workload = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.constantFrom(...APPS),
  tier: fc.constantFrom('x', 'y'),
  pods: fc.integer({ min: 1, max: 3 }),
  httpPort: fc.constantFrom(8080, 9050, undefined),
});

const cluster = fc
  .record({
    workloads: fc.array(workload, { minLength: 1, maxLength: 9 }),
    policies: fc.array(policy, { maxLength: 4 }),
    namespaceTier: fc.array(fc.constantFrom('x', 'y'), { minLength: 3, maxLength: 3 }),
  })
  .map(({ workloads, policies, namespaceTier }): ClusterSnapshot => {
    const pods: PodInfo[] = workloads.flatMap((w, i) =>
      Array.from({ length: w.pods }, (_, j) => ({
        namespace: w.namespace,
        name: `w${i}-${j}`,
        labels: { app: w.app, tier: w.tier },
        ips: [`10.0.${i % 4}.${10 + j}`],
        hostNetwork: false,
        ports: w.httpPort === undefined ? [] : [{ name: 'http', containerPort: w.httpPort, protocol: 'TCP' }],
        workload: { kind: 'Deployment', name: `w${i}` },
      })),
    );
    const objects: NetworkPolicy[] = policies.map((p, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `p${i}`, namespace: p.namespace },
      spec: {
        podSelector: p.podSelector,
        policyTypes: p.types,
        ingress: p.ingress.map((r) => ({
          ...(r.peers !== undefined ? { from: r.peers } : {}),
          ...(r.ports !== undefined ? { ports: r.ports } : {}),
        })),
        egress: p.egress.map((r) => ({
          ...(r.peers !== undefined ? { to: r.peers } : {}),
          ...(r.ports !== undefined ? { ports: r.ports } : {}),
        })),
      },
    }));
    return {
      namespaces: NAMESPACES.map((name, i) => ({
        name,
        labels: { 'kubernetes.io/metadata.name': name, tier: namespaceTier[i] ?? 'x' },
      })),
      pods,
      services: [],
      policies: objects,
      nodes: [],
    };
  });

const PORTS: PortEvidence[] = [
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 9050 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 9090 },
];

describe('countExposure by classes', () => {
  it('equals the workload-by-workload count on random clusters', () => {
    fc.assert(
      fc.property(cluster, fc.subarray(PORTS, { minLength: 1 }), (snapshot, ports) => {
        const engine = compilePolicies(snapshot);
        const subjects = subjectsOf(snapshot);
        // The smallest bound the workload-by-workload computation ran under: computed, and the same.
        const bound = subjects.length * subjects.length * ports.length;
        expect(countExposure(engine, subjects, ports, bound)).toEqual(
          workloadByWorkload(engine, subjects, ports),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('at the scale of one namespace of a 5,000-workload cluster, fits the default bound', () => {
    // 200 namespaces × 25 workloads × 3 pods; a default deny in every fourth namespace; in ns-0
    // a proposal-like allow per workload from the next one.
    const namespaces = Array.from({ length: 200 }, (_, n) => `ns-${n}`);
    const pods: PodInfo[] = namespaces.flatMap((namespace, n) =>
      Array.from({ length: 25 * 3 }, (_, i) => ({
        namespace,
        name: `w${Math.floor(i / 3)}-${i % 3}`,
        labels: { app: `w${Math.floor(i / 3)}` },
        ips: [`10.${Math.floor(n / 2)}.${(n % 2) * 100 + Math.floor(i / 3)}.${i % 3}`],
        hostNetwork: false,
        ports: [],
        workload: { kind: 'Deployment', name: `w${Math.floor(i / 3)}` },
      })),
    );
    const deny = (namespace: string): NetworkPolicy => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const allows: NetworkPolicy[] = Array.from({ length: 25 }, (_, w) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `allow-w${w}`, namespace: 'ns-0' },
      spec: {
        podSelector: { matchLabels: { app: `w${w}` } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: `w${(w + 1) % 25}` } } }], ports: [{ port: 8080 }] },
        ],
      },
    }));
    const snapshot: ClusterSnapshot = {
      namespaces: namespaces.map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
      pods,
      services: [],
      policies: [...namespaces.filter((_, n) => n % 4 === 0).map(deny), ...allows],
      nodes: [],
    };
    const engine = compilePolicies(snapshot);
    const subjects = subjectsOf(snapshot);
    const ports = PORTS.slice(0, 3);
    expect(subjects.length).toBe(5000);
    expect(subjects.length ** 2 * ports.length).toBeGreaterThan(2_000_000);
    const classes = exposureClasses(engine, subjects) ?? [];
    expect(classes.length ** 2 * ports.length).toBeLessThan(2_000_000);
    const count = countExposure(engine, subjects, ports, 2_000_000);
    expect(count).toBeDefined();
    // Every pair of pods of two different workloads, per port.
    const podsTotal = 15_000;
    expect(count?.total).toBe((podsTotal * podsTotal - 5000 * 9) * ports.length);
    // Above the bound it still says so: every workload its own class (a policy each) cannot fit.
    const own = compilePolicies({
      ...snapshot,
      policies: subjects.map((s, i) => ({
        apiVersion: 'networking.k8s.io/v1' as const,
        kind: 'NetworkPolicy' as const,
        metadata: { name: `own-${i}`, namespace: s.key.split('/')[0] ?? '' },
        spec: {
          podSelector: { matchLabels: { app: s.key.split('/')[1] ?? '' } },
          policyTypes: ['Ingress' as const],
        },
      })),
    });
    expect(countExposure(own, subjects, ports, 2_000_000)).toBeUndefined();
  });
});
