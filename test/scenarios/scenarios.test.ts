// The three scenarios of ../shared/docs/scenarios.md, end to end: flows in a real source format
// (with replies, a dropped flow and a malformed line as noise) → parser → aggregation → SQLite →
// recommend → replay proof → the proposal evaluated by the engine for allowed and denied paths.
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { describe, expect, it } from 'vitest';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { ciliumObjects } from '../../src/recommend/cilium-policy.js';
import { calicoLines, hubbleLines, type End, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const MINUTE = 60_000;
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' },
  workload: { name: 'coredns', kind: 'Deployment' },
};

/** `count` connections spread over an hour, each with its reply. */
function hourOf(from: End, to: End, port: number, count: number, protocol: 'TCP' | 'UDP' = 'TCP'): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++)
    lines.push(
      ...hubbleLines({
        from,
        to,
        port,
        protocol,
        timeMs: T0 + Math.floor((i * 60 * MINUTE) / Math.max(1, count - 1)),
      }),
    );
  return lines;
}

function dnsOf(pods: readonly PodEnd[]): string[] {
  return pods.flatMap((pod) => [
    ...hourOf(pod, kubeDns, 53, 10, 'UDP'),
    ...hourOf(pod, kubeDns, 53, 2, 'TCP'),
  ]);
}

describe('scenario 1: only the ingress controller reaches the web tier', () => {
  const controller: PodEnd = {
    ns: 'ingress-nginx',
    pod: 'ingress-nginx-controller-6b7f8c9d5-abcde',
    ip: '10.0.1.5',
    labels: {
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/component': 'controller',
      'app.kubernetes.io/instance': 'ingress-nginx',
      'pod-template-hash': '6b7f8c9d5',
    },
    workload: { name: 'ingress-nginx-controller', kind: 'Deployment' },
  };
  const web1: PodEnd = {
    ns: 'production',
    pod: 'web-7d4b9c8f6d-x2k9p',
    ip: '10.0.2.11',
    labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' },
    workload: { name: 'web', kind: 'Deployment' },
  };
  const web2: PodEnd = { ...web1, pod: 'web-7d4b9c8f6d-q8w4z', ip: '10.0.2.12' };
  const prometheus: PodEnd = {
    ns: 'monitoring',
    pod: 'prometheus-0',
    ip: '10.0.3.7',
    labels: { 'app.kubernetes.io/name': 'prometheus', 'statefulset.kubernetes.io/pod-name': 'prometheus-0' },
    workload: { name: 'prometheus', kind: 'StatefulSet' },
  };
  const lines = [
    ...hourOf(controller, web1, 443, 60),
    ...hourOf(controller, web2, 443, 60),
    ...hourOf({ world: '198.51.100.20' }, controller, 443, 20),
    ...dnsOf([controller, web1, web2, prometheus]),
    // noise: a blocked scrape that must not become an allow, and a line that is not a flow
    ...hubbleLines({ from: prometheus, to: web1, port: 443, verdict: 'DROPPED', timeMs: T0 + 5 * MINUTE }),
    '{"flow": {"verdict": 42',
  ];

  function checkPaths(run: ReturnType<typeof runScenario>): void {
    expectSoundProposal(run, ['ingress-nginx', 'monitoring', 'production'], kubeDns, [
      controller,
      web1,
      prometheus,
    ]);
    expect(run.allowed(controller, web1, 443)).toBe(true);
    expect(run.allowed(controller, web2, 443)).toBe(true);
    expect(run.allowed(prometheus, web1, 443)).toBe(false);
    expect(run.allowed(controller, web1, 80)).toBe(false);
    expect(run.allowed(web1, controller, 443)).toBe(false);
    expect(run.allowed(web1, controller, 80)).toBe(false);
    expect(run.allowed(web1, prometheus, 9090)).toBe(false);
    expect(run.allowed(web1, '8.8.8.8', 443)).toBe(false);
    expect(run.allowed(web1, web2, 443)).toBe(false);
  }

  it('allows exactly the controller → web:443 path and DNS (Hubble, no snapshot)', () => {
    const run = runScenario([{ format: 'hubble', lines }]);
    checkPaths(run);
    const production = run.recommendation.namespaces.find((n) => n.namespace === 'production');
    const ingress = production?.policies.find((p) => p.role === 'allow-ingress')?.policy;
    expect(ingress?.spec.podSelector).toEqual({ matchLabels: { app: 'web' } });
    expect(ingress?.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'ingress-nginx',
                'app.kubernetes.io/instance': 'ingress-nginx',
                'app.kubernetes.io/component': 'controller',
              },
            },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
    expect(ingress?.metadata.annotations?.['netpol-advisor.io/connections']).toBe('120');
    expect(
      run.recommendation.warnings.some((w) => w.code === 'not-forwarded' && w.namespace === 'production'),
    ).toBe(true);
    expect(run.proof.exposureAfter?.reachable).toBeLessThan(run.proof.exposureBefore?.reachable ?? 0);
  });

  it('gives the same answer with a cluster snapshot, verifying the selectors', () => {
    const pod = (p: PodEnd, owner: { kind: string; name: string }) => ({
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
      spec: {
        containers: [
          {
            name: 'c',
            ports: p === web1 || p === web2 ? [{ name: 'https', containerPort: 443, protocol: 'TCP' }] : [],
          },
        ],
      },
      status: { podIP: p.ip, podIPs: [{ ip: p.ip }] },
    });
    const objects = [
      ...['ingress-nginx', 'production', 'monitoring', 'kube-system'].map((name) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      })),
      pod(controller, { kind: 'ReplicaSet', name: 'ingress-nginx-controller-6b7f8c9d5' }),
      pod(web1, { kind: 'ReplicaSet', name: 'web-7d4b9c8f6d' }),
      pod(web2, { kind: 'ReplicaSet', name: 'web-7d4b9c8f6d' }),
      pod(prometheus, { kind: 'StatefulSet', name: 'prometheus' }),
      pod(kubeDns, { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' }),
    ];
    const parsed = parseClusterObjects(objects);
    expect(parsed.problems).toEqual([]);
    const run = runScenario([{ format: 'hubble', lines }], parsed.snapshot);
    checkPaths(run);
    expect(run.recommendation.workloads.find((w) => w.name === 'web')?.selectorExact).toBe(true);
  });
});

describe('scenario 2: the API talks only to its data stores and external HTTPS APIs', () => {
  const api: PodEnd = {
    ns: 'shop',
    pod: 'api-5f6b7c8d9b-qq4zt',
    ip: '10.0.4.2',
    labels: { 'app.kubernetes.io/name': 'api', 'pod-template-hash': '5f6b7c8d9b' },
    workload: { name: 'api', kind: 'Deployment' },
  };
  const redis: PodEnd = {
    ns: 'shop',
    pod: 'redis-6c9d8f7b5-k2j3h',
    ip: '10.0.4.3',
    labels: { 'app.kubernetes.io/name': 'redis', 'pod-template-hash': '6c9d8f7b5' },
    workload: { name: 'redis', kind: 'Deployment' },
  };
  const postgres: PodEnd = {
    ns: 'data',
    pod: 'postgres-0',
    ip: '10.0.5.2',
    labels: {
      'app.kubernetes.io/name': 'postgres',
      'statefulset.kubernetes.io/pod-name': 'postgres-0',
      'controller-revision-hash': 'postgres-7b9f6c',
    },
    workload: { name: 'postgres', kind: 'StatefulSet' },
  };
  const payments1 = { world: '203.0.113.10', names: ['payments.example.com'] };
  const payments2 = { world: '203.0.113.11', names: ['payments.example.com'] };
  const geo = { world: '198.51.100.7', names: ['geo.example.net'] };
  const lines = [
    ...hourOf(api, postgres, 5432, 40),
    ...hourOf(api, redis, 6379, 80),
    ...hourOf(api, payments1, 443, 15),
    ...hourOf(api, payments2, 443, 15),
    ...hourOf(api, geo, 443, 10),
    ...dnsOf([api, redis, postgres]),
    ...hubbleLines({ from: redis, to: postgres, port: 5432, verdict: 'DROPPED', timeMs: T0 + MINUTE }),
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('allows exactly the observed paths and DNS', () => {
    expectSoundProposal(run, ['data', 'shop'], kubeDns, [api, redis, postgres]);
    expect(run.allowed(api, postgres, 5432)).toBe(true);
    expect(run.allowed(api, redis, 6379)).toBe(true);
    expect(run.allowed(api, '203.0.113.10', 443)).toBe(true);
    expect(run.allowed(api, '203.0.113.11', 443)).toBe(true);
    expect(run.allowed(api, '198.51.100.7', 443)).toBe(true);
    expect(run.allowed(api, postgres, 6379)).toBe(false);
    expect(run.allowed(api, redis, 5432)).toBe(false);
    expect(run.allowed(api, '203.0.113.10', 80)).toBe(false);
    expect(run.allowed(api, '198.51.100.8', 443)).toBe(false);
    expect(run.allowed(redis, postgres, 5432)).toBe(false);
  });

  it('selects the StatefulSet by its stable label and keeps external names', () => {
    const data = run.recommendation.namespaces.find((n) => n.namespace === 'data');
    expect(data?.policies.find((p) => p.role === 'allow-ingress')?.policy.spec.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'postgres' },
    });
    const egress = run.recommendation.namespaces
      .find((n) => n.namespace === 'shop')
      ?.policies.find((p) => p.policy.metadata.name === 'allow-egress-api')?.policy;
    expect(egress?.metadata.annotations?.['netpol-advisor.io/dns-names']).toBe(
      'geo.example.net, payments.example.com',
    );
  });

  it('emits valid CiliumNetworkPolicies with toFQDNs and the DNS proxy rule', () => {
    const shop = run.recommendation.namespaces.find((n) => n.namespace === 'shop');
    expect(shop).toBeDefined();
    const objects = ciliumObjects(
      shop ?? { namespace: '', policies: [], tests: [], warnings: [], unsafe: [] },
    );
    const cnps = objects.map((o) => o.object).filter((o) => o['kind'] === 'CiliumNetworkPolicy');
    for (const cnp of cnps)
      expect(() => new CiliumNetworkPolicy(structuredClone(cnp) as never).validate()).not.toThrow();
    const text = JSON.stringify(cnps);
    expect(text).toContain('{"toFQDNs":[{"matchName":"payments.example.com"}]');
    expect(text).toContain('{"toFQDNs":[{"matchName":"geo.example.net"}]');
    expect(text).toContain('"rules":{"dns":[{"matchPattern":"*"}]}');
  });
});

describe('scenario 3: a complete three-tier application (Calico flow logs)', () => {
  const ns = 'three-tier';
  const mk = (name: string, pod: string, ip: string, kind = 'Deployment'): PodEnd => ({
    ns,
    pod,
    ip,
    labels: {
      app: name,
      ...(kind === 'Deployment'
        ? { 'pod-template-hash': '7d4b9c8f6d' }
        : { 'statefulset.kubernetes.io/pod-name': pod }),
    },
    workload: { name, kind },
  });
  const frontend = mk('frontend', 'frontend-7d4b9c8f6d-x2k9p', '10.0.6.2');
  const api = mk('api', 'api-7d4b9c8f6d-qq4zt', '10.0.6.3');
  const database = mk('database', 'database-0', '10.0.6.4', 'StatefulSet');
  const cache = mk('cache', 'cache-7d4b9c8f6d-k2j3h', '10.0.6.5');
  const outsider: PodEnd = {
    ns: 'other',
    pod: 'tool-7d4b9c8f6d-zzzzz',
    ip: '10.0.7.2',
    labels: { app: 'tool' },
  };
  const start = Math.floor(T0 / 1000);
  const records = (from: PodEnd, to: PodEnd, port: number, protocol: 'tcp' | 'udp' = 'tcp') =>
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].flatMap((i) =>
      calicoLines({ from, to, port, protocol, startSec: start + i * 300, started: 7 }),
    );
  const lines = [
    ...records(frontend, api, 8080),
    ...records(api, database, 5432),
    ...records(api, cache, 6379),
    ...[frontend, api, database, cache].flatMap((pod) => [
      ...records(pod, kubeDns, 53, 'udp'),
      ...records(pod, kubeDns, 53),
    ]),
    ...calicoLines({ from: outsider, to: api, port: 8080, action: 'deny', startSec: start, started: 1 }),
    'not json at all',
  ];
  const run = runScenario([{ format: 'calico-flowlog', lines }]);

  it('allows the tiers to talk as observed, and nothing else', () => {
    expectSoundProposal(run, [ns], kubeDns, [frontend, api, database, cache]);
    expect(run.allowed(frontend, api, 8080)).toBe(true);
    expect(run.allowed(api, database, 5432)).toBe(true);
    expect(run.allowed(api, cache, 6379)).toBe(true);
    expect(run.allowed(frontend, database, 5432)).toBe(false);
    expect(run.allowed(frontend, cache, 6379)).toBe(false);
    expect(run.allowed(database, api, 8080)).toBe(false);
    expect(run.allowed(cache, database, 5432)).toBe(false);
    for (const port of [80, 443, 3000, 8080]) expect(run.allowed(api, frontend, port)).toBe(false);
    expect(run.allowed(outsider, api, 8080)).toBe(false);
    expect(run.allowed(outsider, frontend, 80)).toBe(false);
  });

  it('writes deny checks for unobserved paths into the connectivity tests', () => {
    const tests = run.recommendation.namespaces[0]?.tests ?? [];
    expect(tests.filter((t) => t.expect === 'deny').length).toBeGreaterThan(0);
    for (const test of tests.filter((t) => t.to.kind === 'pod')) {
      const to = test.to as { namespace: string; selector: Record<string, string> };
      const from = [frontend, api, database, cache].find((p) =>
        Object.entries(test.from.selector).every(([k, v]) => p.labels[k] === v),
      );
      const target = [frontend, api, database, cache].find((p) =>
        Object.entries(to.selector).every(([k, v]) => p.labels[k] === v),
      );
      expect(from && target ? run.allowed(from, target, test.port) : undefined, test.description).toBe(
        test.expect === 'allow',
      );
    }
  });
});
