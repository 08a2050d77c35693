// Issue 15, item 8, on Hubble lines through the store: contiguous ports become one range in every
// flavour (NetworkPolicy endPort, Cilium endPort, Calico "start:end"), no Cilium rule appears
// twice (one toFQDNs rule for a name behind several addresses), and Calico rules carry their own
// evidence in metadata.annotations.
import { describe, expect, it } from 'vitest';
import { calicoObjects } from '../../src/recommend/calico-policy.js';
import { ciliumObjects } from '../../src/recommend/cilium-policy.js';
import type { NamespaceRecommendation } from '../../src/recommend/proposal.js';
import { hubbleLines, type End, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario, type ScenarioRun } from './harness.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};
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

function connections(from: End, to: End, port: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    hubbleLines({ from, to, port, timeMs: T0 + i * 60_000 }),
  ).flat();
}

function ns(run: ScenarioRun, name: string): NamespaceRecommendation {
  const found = run.recommendation.namespaces.find((n) => n.namespace === name);
  if (found === undefined) throw new Error(`no namespace ${name}`);
  return found;
}

describe('item 8: reviewable output', () => {
  const lines = [
    ...[8080, 8081, 8082, 9090].flatMap((port) => connections(api, web, port, 3)),
    ...connections(api, { world: '203.0.113.10', names: ['payments.example.com'] }, 443, 2),
    ...connections(api, { world: '203.0.113.11', names: ['payments.example.com'] }, 443, 2),
    ...[web, api].flatMap((pod) =>
      hubbleLines({ from: pod, to: kubeDns, port: 53, protocol: 'UDP', timeMs: T0 }),
    ),
  ];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('writes contiguous ports as one range, proven by the replay', () => {
    expectSoundProposal(run, ['shop'], kubeDns, [web, api]);
    const ingress = ns(run, 'shop').policies.find((p) => p.policy.metadata.name === 'allow-ingress-web');
    expect(ingress?.policy.spec.ingress?.[0]?.ports).toEqual([
      { protocol: 'TCP', port: 8080, endPort: 8082 },
      { protocol: 'TCP', port: 9090 },
    ]);
    expect(ingress?.rules[0]?.ports.map((p) => p.port)).toEqual([8080, 8081, 8082, 9090]);
    for (const port of [8080, 8081, 8082, 9090]) expect(run.allowed(api, web, port), String(port)).toBe(true);
    expect(run.allowed(api, web, 8083)).toBe(false);
    const cnp = ciliumObjects(ns(run, 'shop')).find(
      (o) => (o.object['metadata'] as { name: string }).name === 'allow-ingress-web',
    )?.object;
    expect(JSON.stringify(cnp)).toContain(
      '{"port":"8080","endPort":8082,"protocol":"TCP"},{"port":"9090","protocol":"TCP"}',
    );
    const calico = calicoObjects(ns(run, 'shop'), false).find(
      (o) => (o.object['metadata'] as { name: string }).name === 'allow-ingress-web',
    )?.object;
    expect(JSON.stringify(calico)).toContain('"ports":["8080:8082",9090]');
  });

  it('never writes a Cilium rule twice: one toFQDNs rule for a name behind two addresses', () => {
    const cnp = ciliumObjects(ns(run, 'shop')).find(
      (o) => (o.object['metadata'] as { name: string }).name === 'allow-egress-api',
    )?.object;
    const egress = (cnp?.['spec'] as { egress: Record<string, unknown>[] }).egress;
    const fqdn = egress.filter((r) => r['toFQDNs'] !== undefined);
    expect(fqdn).toEqual([
      {
        toFQDNs: [{ matchName: 'payments.example.com' }],
        toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
      },
    ]);
    expect(new Set(egress.map((r) => JSON.stringify(r))).size).toBe(egress.length);
  });

  it('puts each Calico rule’s evidence in its own metadata.annotations', () => {
    const calico = calicoObjects(ns(run, 'shop'), false).find(
      (o) => (o.object['metadata'] as { name: string }).name === 'allow-egress-api',
    )?.object;
    const rules = (calico?.['spec'] as { egress: { metadata?: { annotations?: Record<string, string> } }[] })
      .egress;
    expect(rules.length).toBeGreaterThan(1);
    for (const rule of rules)
      expect(rule.metadata?.annotations?.['netpol-advisor.io/evidence']).toMatch(/^to .+ connections/);
  });
});
