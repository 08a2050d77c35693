import fc from 'fast-check';
import { NetworkPolicy as K8sNetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../policy/engine.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot, type PodInfo } from '../policy/model.js';
import { edge, kubeDns, type PodSide } from '../../test/recommend/edge-builder.js';
import { proposedPolicies, proveRecommendation } from './proof.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from './recommend.js';

const web: PodSide = { ns: 'shop', workload: 'web', labels: { app: 'web', 'pod-template-hash': '7f9c' } };
const api: PodSide = { ns: 'shop', workload: 'api', labels: { app: 'api', 'pod-template-hash': '1a2b' } };
const db: PodSide = {
  ns: 'data',
  workload: 'db',
  kind: 'StatefulSet',
  labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-revision-hash': 'db-5c' },
};

const edges = [
  edge(web, api, 8080),
  edge(api, db, 5432),
  edge(api, { kind: 'world', ip: '203.0.113.10', names: ['payments.example.com'] }, 443),
  edge(web, kubeDns, 53, { protocol: 'UDP' }),
  edge(api, kubeDns, 53, { protocol: 'UDP' }),
  edge(web, db, 5432, { verdict: 'dropped' }),
];

describe('recommendPolicies', () => {
  const rec = recommendPolicies(edges, undefined);
  const byName = (ns: string, name: string) =>
    rec.namespaces.find((n) => n.namespace === ns)?.policies.find((p) => p.policy.metadata.name === name)
      ?.policy;

  it('proposes per-workload allows, DNS and a default deny last, per namespace', () => {
    expect(rec.namespaces.map((n) => n.namespace)).toEqual(['data', 'shop']);
    const shop = rec.namespaces.find((n) => n.namespace === 'shop');
    expect(shop?.policies.map((p) => p.policy.metadata.name)).toEqual([
      'allow-egress-api',
      'allow-egress-web',
      'allow-ingress-api',
      'allow-dns-egress',
      'default-deny',
    ]);
    expect(byName('shop', 'default-deny')?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(byName('shop', 'allow-ingress-api')?.spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              podSelector: { matchLabels: { app: 'web' } },
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
    });
    expect(byName('shop', 'allow-dns-egress')?.spec.egress?.[0]?.to?.[0]?.podSelector).toEqual({
      matchLabels: { 'k8s-app': 'kube-dns' },
    });
  });

  it('uses exact ipBlocks for external peers and keeps their names', () => {
    const egress = byName('shop', 'allow-egress-api');
    expect(egress?.spec.egress?.map((r) => r.to?.[0])).toContainEqual({
      ipBlock: { cidr: '203.0.113.10/32' },
    });
    expect(egress?.metadata.annotations?.['netpol-advisor.io/dns-names']).toBe('payments.example.com');
  });

  it('aggregates external addresses to the configured prefix length', () => {
    const aggregated = recommendPolicies(edges, undefined, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      aggregation: { ipv4PrefixLength: 24, ipv6PrefixLength: 64 },
    });
    const policy = aggregated.namespaces
      .find((n) => n.namespace === 'shop')
      ?.policies.find((p) => p.policy.metadata.name === 'allow-egress-api')?.policy;
    expect(policy?.spec.egress?.map((r) => r.to?.[0])).toContainEqual({
      ipBlock: { cidr: '203.0.113.0/24' },
    });
  });

  it('never allows dropped traffic, and says so', () => {
    expect(byName('data', 'allow-ingress-db')?.spec.ingress?.map((r) => r.from?.[0]?.podSelector)).toEqual([
      { matchLabels: { app: 'api' } },
    ]);
    expect(rec.warnings.some((w) => w.code === 'not-forwarded')).toBe(true);
  });

  it('annotates every policy with evidence and the window, and comments every rule', () => {
    for (const ns of rec.namespaces) {
      for (const proposed of ns.policies) {
        expect(proposed.policy.metadata.annotations?.['netpol-advisor.io/generated-by']).toBe(
          'netpol-advisor recommend',
        );
        expect(proposed.policy.metadata.annotations?.['netpol-advisor.io/observed-window']).toMatch(
          /^2026-01-01T10:00:00.000Z\//,
        );
        const rules =
          (proposed.policy.spec.ingress?.length ?? 0) + (proposed.policy.spec.egress?.length ?? 0);
        expect(proposed.rules.length).toBe(rules);
      }
    }
    const rule = rec.namespaces.find((n) => n.namespace === 'data')?.policies[0]?.rules[0];
    expect(rule?.comment).toMatch(/^from shop\/api \(Deployment\) on TCP\/5432: 100 connections/);
  });

  it('produces objects valid against the Kubernetes OpenAPI schema', () => {
    for (const policy of proposedPolicies(rec))
      expect(() => new K8sNetworkPolicy(structuredClone(policy) as never).validate()).not.toThrow();
  });

  it('carries business reasons from the user mapping', () => {
    const withReasons = recommendPolicies(edges, undefined, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      reasons: [{ from: 'shop/api', to: 'data/*', port: 5432, reason: 'orders are stored in postgres' }],
    });
    const policy = withReasons.namespaces.find((n) => n.namespace === 'data')?.policies[0]?.policy;
    expect(policy?.metadata.annotations?.['netpol-advisor.io/reason']).toBe('orders are stored in postgres');
  });

  it('flags briefly observed workloads instead of leaving them out', () => {
    const brief = recommendPolicies(
      [
        edge({ ns: 'batch', workload: 'report', kind: 'CronJob', labels: { app: 'report' } }, api, 8080, {
          count: 1,
          last: Date.UTC(2026, 0, 1, 10),
        }),
      ],
      undefined,
    );
    expect(brief.warnings.some((w) => w.code === 'low-confidence' && w.subject === 'batch/report')).toBe(
      true,
    );
    expect(
      brief.namespaces.find((n) => n.namespace === 'batch')?.policies[0]?.policy.metadata.annotations?.[
        'netpol-advisor.io/confidence'
      ],
    ).toBe('low');
  });

  it('warns about unresolved in-cluster addresses and resolves them with a snapshot', () => {
    const unresolved = edge(web, { kind: 'cluster', ip: '10.0.0.9' }, 9000);
    const without = recommendPolicies([unresolved], undefined);
    expect(without.uncovered.map((u) => u.code)).toEqual(['unresolved-endpoint']);
    const pod = (
      ns: string,
      name: string,
      workload: string,
      labels: Record<string, string>,
      ip: string,
    ): PodInfo => ({
      namespace: ns,
      name,
      labels,
      ips: [ip],
      hostNetwork: false,
      ports: [],
      workload: { kind: 'Deployment', name: workload },
    });
    const snapshot: ClusterSnapshot = {
      ...EMPTY_SNAPSHOT,
      pods: [
        pod('shop', 'web-1', 'web', { app: 'web' }, '10.0.0.8'),
        pod('shop', 'metrics-1', 'metrics', { app: 'metrics' }, '10.0.0.9'),
      ],
    };
    const withSnapshot = recommendPolicies([unresolved], snapshot);
    expect(withSnapshot.uncovered).toEqual([]);
    const egress = withSnapshot.namespaces[0]?.policies.find(
      (p) => p.policy.metadata.name === 'allow-egress-web',
    )?.policy;
    expect(egress?.spec.egress?.[0]?.to?.[0]?.podSelector).toEqual({ matchLabels: { app: 'metrics' } });
  });

  it('gives the API server and nodes their own commented rule and a warning', () => {
    const special = recommendPolicies(
      [
        edge(api, { kind: 'kube-apiserver', ip: '10.96.0.1' }, 443),
        edge({ kind: 'host', ip: '192.168.1.5' }, api, 8080),
      ],
      undefined,
    );
    const rules = special.namespaces[0]?.policies.flatMap((p) => p.rules) ?? [];
    expect(rules.find((r) => r.peerClass === 'kube-apiserver')?.comment).toMatch(/Kubernetes API server/);
    expect(rules.find((r) => r.peerClass === 'node')?.cidrs).toEqual(['192.168.1.5/32']);
    expect(special.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['kube-apiserver', 'node-traffic']),
    );
  });
});

describe('recommendation properties', () => {
  const workloads: PodSide[] = ['a', 'b', 'c', 'd'].flatMap((name) =>
    ['ns1', 'ns2'].map((ns) => ({
      ns,
      workload: name,
      labels: { app: name, 'pod-template-hash': `${name}1` },
    })),
  );
  const edgeArb = fc.record({
    from: fc.constantFrom(...workloads),
    to: fc.oneof(
      fc.constantFrom(...workloads),
      fc
        .constantFrom('198.51.100.7', '203.0.113.10', '2001:db8::1')
        .map((ip) => ({ kind: 'world' as const, ip })),
    ),
    port: fc.integer({ min: 1, max: 65535 }),
    protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
    count: fc.integer({ min: 1, max: 1000 }),
  });
  const edgesArb = fc
    .uniqueArray(edgeArb, {
      selector: (e) =>
        `${e.from.ns}/${e.from.workload}>${'ns' in e.to ? `${e.to.ns}/${e.to.workload}` : e.to.ip}|${e.protocol}|${e.port}`,
      maxLength: 25,
    })
    .map((list) =>
      list.map((e, i) => edge(e.from, e.to, e.port, { protocol: e.protocol, count: e.count, id: i + 1 })),
    );

  it('allows every observed forwarded edge (replay through the engine)', () => {
    fc.assert(
      fc.property(edgesArb, (list) => {
        const rec = recommendPolicies(list, undefined);
        const proof = proveRecommendation(rec, () => list, undefined, { maxExposureEvaluations: 100_000 });
        expect(proof.violations).toEqual([]);
        expect(proof.allowed).toBe(list.length);
      }),
      { numRuns: 60 },
    );
  });

  it('is stable under reordering of the edges', () => {
    fc.assert(
      fc.property(
        edgesArb.chain((list) =>
          fc.shuffledSubarray(list, { minLength: list.length }).map((shuffled) => [list, shuffled] as const),
        ),
        ([list, shuffled]) => {
          expect(recommendPolicies(shuffled, undefined)).toEqual(recommendPolicies(list, undefined));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('denies what was not observed: a fresh pair is denied after the proposal', () => {
    const rec = recommendPolicies([edge(workloads[0] as PodSide, workloads[1] as PodSide, 80)], undefined);
    const engine = compilePolicies({ ...EMPTY_SNAPSHOT, policies: proposedPolicies(rec) });
    const endpoint = (w: PodSide) => ({ kind: 'workload' as const, namespace: w.ns, labels: w.labels });
    const [a, b] = [workloads[0] as PodSide, workloads[1] as PodSide];
    expect(engine.evaluate({ from: endpoint(a), to: endpoint(b), port: 80, protocol: 'TCP' }).verdict).toBe(
      'allow',
    );
    expect(engine.evaluate({ from: endpoint(a), to: endpoint(b), port: 81, protocol: 'TCP' }).verdict).toBe(
      'deny',
    );
    expect(engine.evaluate({ from: endpoint(b), to: endpoint(a), port: 80, protocol: 'TCP' }).verdict).toBe(
      'deny',
    );
  });
});
