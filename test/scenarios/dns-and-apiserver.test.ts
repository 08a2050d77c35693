// Issue 15, items 5 and 6, end to end on Hubble lines: NodeLocal DNSCache on its link-local
// address, a cluster DNS in another namespace, Cilium's DNS proxy rule only where toFQDNs needs
// it, and the API server admitted at every endpoint of default/kubernetes.
import { describe, expect, it } from 'vitest';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { calicoObjects } from '../../src/recommend/calico-policy.js';
import { ciliumObjects } from '../../src/recommend/cilium-policy.js';
import type { NamespaceRecommendation } from '../../src/recommend/proposal.js';
import { hubbleLines, type End, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario, type ScenarioRun } from './harness.js';
import { expectFlavourRoundTrip } from '../policy/flavor-round-trip.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const MINUTE = 60_000;
const web: PodEnd = {
  ns: 'shop',
  pod: 'web-7d4b9c8f6d-x2k9p',
  ip: '10.0.2.11',
  labels: { app: 'web' },
  workload: { name: 'web', kind: 'Deployment' },
};
const api: PodEnd = {
  ns: 'shop',
  pod: 'api-5f6b7c8d9b-qq4zt',
  ip: '10.0.2.12',
  labels: { app: 'api' },
  workload: { name: 'api', kind: 'Deployment' },
};
const operator: PodEnd = {
  ns: 'ops',
  pod: 'operator-6c9d8f7b5-k2j3h',
  ip: '10.0.3.5',
  labels: { app: 'operator' },
  workload: { name: 'operator', kind: 'Deployment' },
};
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};
const nodeLocal: End = { world: '169.254.20.10' };

function connections(
  from: End,
  to: End,
  port: number,
  count: number,
  protocol: 'TCP' | 'UDP' = 'TCP',
): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++)
    lines.push(...hubbleLines({ from, to, port, protocol, timeMs: T0 + i * MINUTE }));
  return lines;
}

function ns(run: ScenarioRun, name: string): NamespaceRecommendation {
  const found = run.recommendation.namespaces.find((n) => n.namespace === name);
  if (found === undefined) throw new Error(`no namespace ${name}`);
  return found;
}

function dnsCnp(run: ScenarioRun, namespace: string): Record<string, unknown> | undefined {
  return ciliumObjects(ns(run, namespace))
    .map((o) => o.object)
    .find((o) => (o['metadata'] as { name: string }).name === 'allow-dns-egress');
}

describe('item 5: DNS as the cluster has it', () => {
  const lines = [
    ...connections(api, web, 8080, 5),
    ...[web, api].flatMap((pod) => [
      ...connections(pod, nodeLocal, 53, 4, 'UDP'),
      ...connections(pod, nodeLocal, 53, 1),
    ]),
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('covers NodeLocal DNSCache (link-local) on UDP and TCP 53 in the namespace DNS rule', () => {
    expect(run.proof.violations).toEqual([]);
    expect(run.recommendation.unsafe).toEqual([]);
    const dnsPolicy = ns(run, 'shop').policies.find((p) => p.role === 'dns')?.policy;
    expect(dnsPolicy?.spec.egress?.[0]?.to).toContainEqual({ ipBlock: { cidr: '169.254.20.10/32' } });
    for (const pod of [web, api]) {
      expect(run.allowed(pod, '169.254.20.10', 53, 'UDP')).toBe(true);
      expect(run.allowed(pod, '169.254.20.10', 53, 'TCP')).toBe(true);
      expect(run.allowed(pod, '169.254.20.10', 80)).toBe(false);
    }
    // Not a per-workload rule: DNS is the namespace rule's job.
    expect(
      ns(run, 'shop')
        .policies.filter((p) => p.role === 'allow-egress')
        .some((p) => JSON.stringify(p.policy.spec).includes('169.254')),
    ).toBe(false);
    const cnp = dnsCnp(run, 'shop');
    expect(JSON.stringify(cnp)).toContain('"toCIDR":["169.254.20.10/32"]');
    // No toFQDNs rule in the namespace: no DNS proxy rule.
    expect(JSON.stringify(cnp)).not.toContain('"rules"');
    expect(JSON.stringify(calicoObjects(ns(run, 'shop'), false).map((o) => o.object))).toContain(
      '"nets":["169.254.20.10/32"]',
    );
    // The cilium and calico objects, as emitted, replay every observed path.
    expectFlavourRoundTrip(run.recommendation, run.edges, run.snapshot);
  });

  it('adds the DNS proxy rule only in namespaces whose egress uses toFQDNs', () => {
    const withNames = runScenario([
      {
        format: 'hubble',
        lines: [
          ...lines,
          ...connections(operator, nodeLocal, 53, 2, 'UDP'),
          ...connections(web, { world: '203.0.113.10', names: ['payments.example.com'] }, 443, 3),
          ...connections(operator, { world: '203.0.113.20' }, 443, 3),
        ],
      },
    ]);
    expect(JSON.stringify(dnsCnp(withNames, 'shop'))).toContain('"rules":{"dns":[{"matchPattern":"*"}]}');
    expect(JSON.stringify(dnsCnp(withNames, 'ops'))).not.toContain('"rules"');
    expect(withNames.proof.violations).toEqual([]);
    expectFlavourRoundTrip(withNames.recommendation, withNames.edges, withNames.snapshot);
  });

  it('uses the DNS namespace and labels that were observed', () => {
    const coredns: PodEnd = {
      ns: 'dns-system',
      pod: 'coredns-7b9f6c-abcde',
      ip: '10.0.9.53',
      labels: { 'k8s-app': 'coredns' },
      workload: { name: 'coredns', kind: 'Deployment' },
    };
    const other = runScenario([
      {
        format: 'hubble',
        lines: [
          ...connections(api, web, 8080, 5),
          ...[web, api].flatMap((pod) => connections(pod, coredns, 53, 4, 'UDP')),
        ],
      },
    ]);
    expect(other.proof.violations).toEqual([]);
    const rule = ns(other, 'shop').policies.find((p) => p.role === 'dns')?.policy.spec.egress?.[0];
    expect(rule?.to?.[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'coredns' } },
    });
    expect(other.allowed(web, coredns, 53, 'UDP')).toBe(true);
    expect(other.allowed(web, coredns, 53, 'TCP')).toBe(true);
    expect(other.allowed(web, kubeDns, 53, 'UDP')).toBe(false);
    expectFlavourRoundTrip(other.recommendation, other.edges, other.snapshot);
    expect(
      ns(other, 'shop')
        .policies.filter((p) => p.role === 'allow-egress')
        .some((p) => JSON.stringify(p.policy.spec).includes('coredns')),
    ).toBe(false);
  });
});

describe('item 6: the API server', () => {
  const apiserver: End = { reserved: 'kube-apiserver', ip: '172.18.0.3' };
  const lines = [
    ...connections(operator, apiserver, 6443, 10),
    ...connections(operator, kubeDns, 53, 3, 'UDP'),
  ];
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['172.18.0.2'] }, { addresses: ['172.18.0.3'] }, { addresses: ['172.18.0.4'] }],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  };

  it('admits every endpoint of default/kubernetes from the snapshot, not only the one observed', () => {
    const parsed = parseClusterObjects([slice]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.snapshot.apiServerAddresses).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
    const run = runScenario([{ format: 'hubble', lines }], parsed.snapshot);
    expectSoundProposal(run, ['ops'], kubeDns, []);
    for (const ip of ['172.18.0.2', '172.18.0.3', '172.18.0.4'])
      expect(run.allowed(operator, ip, 6443), ip).toBe(true);
    expect(run.allowed(operator, '172.18.0.5', 6443)).toBe(false);
    expect(run.allowed(operator, '172.18.0.2', 443)).toBe(false);
    const cnp = ciliumObjects(ns(run, 'ops'))
      .map((o) => o.object)
      .find((o) => (o['metadata'] as { name: string }).name === 'allow-egress-operator');
    expect(JSON.stringify(cnp)).toContain('"toEntities":["kube-apiserver"]');
    expect(run.recommendation.warnings.find((w) => w.code === 'kube-apiserver')?.message).toContain(
      'every endpoint of default/kubernetes',
    );
  });

  it('reads the Endpoints object too, and falls back to the observed address without either', () => {
    const endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '172.18.0.7' }, { ip: '172.18.0.3' }], ports: [{ port: 6443 }] }],
    };
    expect(parseClusterObjects([endpoints]).snapshot.apiServerAddresses).toEqual([
      '172.18.0.3',
      '172.18.0.7',
    ]);
    const bare = runScenario([{ format: 'hubble', lines }]);
    expect(bare.proof.violations).toEqual([]);
    expectFlavourRoundTrip(bare.recommendation, bare.edges, bare.snapshot);
    expect(bare.allowed(operator, '172.18.0.3', 6443)).toBe(true);
    expect(bare.allowed(operator, '172.18.0.2', 6443)).toBe(false);
  });
});
