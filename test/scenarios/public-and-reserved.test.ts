// Issue 15, items 1 and 2, end to end on Hubble lines shaped like the real ones: ingest → store →
// recommend → replay proof → the proposal evaluated by the engine, and the cilium and calico
// flavours of the same proposal checked for what they must name.
import { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { describe, expect, it } from 'vitest';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { calicoObjects } from '../../src/recommend/calico-policy.js';
import { ciliumObjects } from '../../src/recommend/cilium-policy.js';
import { k8sObjects } from '../../src/recommend/flavor.js';
import type { NamespaceRecommendation } from '../../src/recommend/proposal.js';
import { DEFAULT_RECOMMEND_OPTIONS } from '../../src/recommend/recommend.js';
import { hubbleLines, type End, type PodEnd } from './flow-lines.js';
import { expectSoundProposal, runScenario, type ScenarioRun } from './harness.js';
import { expectFlavourRoundTrip } from '../policy/flavor-round-trip.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const MINUTE = 60_000;
const kubeDns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};
const web: PodEnd = {
  ns: 'prod',
  pod: 'web-7d4b9c8f6d-x2k9p',
  ip: '10.0.2.11',
  labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' },
  workload: { name: 'web', kind: 'Deployment' },
};
const api: PodEnd = {
  ns: 'prod',
  pod: 'api-5f6b7c8d9b-qq4zt',
  ip: '10.0.2.12',
  labels: { app: 'api', 'pod-template-hash': '5f6b7c8d9b' },
  workload: { name: 'api', kind: 'Deployment' },
};

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

const dns = [web, api].flatMap((pod) => connections(pod, kubeDns, 53, 3, 'UDP'));
const base = [...connections(api, web, 8080, 10), ...dns];

function ns(run: ScenarioRun, name: string): NamespaceRecommendation {
  const found = run.recommendation.namespaces.find((n) => n.namespace === name);
  if (found === undefined) throw new Error(`no namespace ${name}`);
  return found;
}

function podObject(p: PodEnd, hash: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.pod,
      namespace: p.ns,
      labels: p.labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${p.workload?.name ?? ''}-${hash}`,
          controller: true,
          uid: 'u',
        },
      ],
    },
    spec: { containers: [{ name: 'c' }] },
    status: { podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}

function snapshotWith(extra: Record<string, unknown>[]) {
  const parsed = parseClusterObjects([
    ...['prod', 'kube-system'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    podObject(web, '7d4b9c8f6d'),
    podObject(api, '5f6b7c8d9b'),
    podObject(kubeDns, '5d78c9869d'),
    ...extra,
  ]);
  expect(parsed.problems).toEqual([]);
  return parsed.snapshot;
}

describe('item 1: public ingress', () => {
  const clients = Array.from({ length: 12 }, (_, i) => ({ world: `203.0.113.${10 + i}` }));
  const lines = [...base, ...clients.flatMap((client) => connections(client, web, 443, 2))];

  it('admits a port reached by many public clients from any address, with the client count as evidence', () => {
    const run = runScenario([{ format: 'hubble', lines }]);
    expectSoundProposal(run, ['prod'], kubeDns, [web, api]);
    expect(run.allowed('203.0.113.10', web, 443)).toBe(true);
    // Tomorrow's client, never sampled: admitted on the public port, not on another one.
    expect(run.allowed('8.8.4.4', web, 443)).toBe(true);
    expect(run.allowed('8.8.4.4', web, 8080)).toBe(false);
    expect(run.allowed('8.8.4.4', api, 443)).toBe(false);
    const ingress = ns(run, 'prod').policies.find((p) => p.policy.metadata.name === 'allow-ingress-web');
    expect(ingress?.policy.spec.ingress).toContainEqual({
      from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    // No per-client /32 rule is left beside the public one.
    expect(JSON.stringify(ingress?.policy.spec)).not.toContain('/32');
    const rule = ingress?.rules.find((r) => r.peerClass === 'public');
    expect(rule?.comment).toContain('12 distinct public clients');
    expect(rule?.connections).toBe(24);
    expect(
      run.recommendation.warnings.some(
        (w) => w.code === 'public-ingress' && w.subject === 'prod/web TCP/443',
      ),
    ).toBe(true);

    const cnp = ciliumObjects(ns(run, 'prod'))
      .map((o) => o.object)
      .find((o) => (o['metadata'] as { name: string }).name === 'allow-ingress-web');
    expect(() => new CiliumNetworkPolicy(structuredClone(cnp) as never).validate()).not.toThrow();
    expect(JSON.stringify(cnp)).toContain('"fromEntities":["world"]');
    const calico = calicoObjects(ns(run, 'prod'), false)
      .map((o) => o.object)
      .find((o) => (o['metadata'] as { name: string }).name === 'allow-ingress-web');
    expect(JSON.stringify(calico)).toContain('"nets":["0.0.0.0/0"]');
    expect(JSON.stringify(calico)).toContain('"nets":["::/0"]');
  });

  it('keeps exact client addresses below the threshold, and --ipv4-prefix does not widen ingress', () => {
    const few = [...base, ...clients.slice(0, 3).flatMap((client) => connections(client, web, 443, 2))];
    const run = runScenario([{ format: 'hubble', lines: few }], undefined, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      aggregation: { ipv4PrefixLength: 16, ipv6PrefixLength: 64 },
    });
    expectSoundProposal(run, ['prod'], kubeDns, [web, api]);
    expect(run.allowed('203.0.113.10', web, 443)).toBe(true);
    expect(run.allowed('203.0.113.99', web, 443)).toBe(false);
    const aggregated = runScenario([{ format: 'hubble', lines: few }], undefined, {
      ...DEFAULT_RECOMMEND_OPTIONS,
      ingressAggregation: { ipv4PrefixLength: 24, ipv6PrefixLength: 64 },
    });
    expect(aggregated.allowed('203.0.113.99', web, 443)).toBe(true);
    expect(aggregated.allowed('198.51.100.1', web, 443)).toBe(false);
  });

  it('treats the target of a LoadBalancer Service as public after one client', () => {
    const snapshot = snapshotWith([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'prod' },
        spec: {
          type: 'LoadBalancer',
          selector: { app: 'web' },
          clusterIP: '10.96.0.20',
          ports: [{ port: 443, targetPort: 443 }],
        },
      },
    ]);
    const run = runScenario(
      [{ format: 'hubble', lines: [...base, ...connections(clients[0] as End, web, 443, 2)] }],
      snapshot,
    );
    expectSoundProposal(run, ['prod'], kubeDns, [web, api]);
    expect(run.allowed('8.8.4.4', web, 443)).toBe(true);
    expect(run.recommendation.warnings.find((w) => w.code === 'public-ingress')?.message).toContain(
      'LoadBalancer Service prod/web',
    );
  });

  it('admits NodePort traffic from every node address of the snapshot, not the one node seen', () => {
    const nodes = ['192.168.1.10', '192.168.1.11', '192.168.1.12'].map((ip, i) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${i}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: `node-${i}` },
        ],
      },
    }));
    const snapshot = snapshotWith(nodes);
    const run = runScenario(
      [
        {
          format: 'hubble',
          lines: [...base, ...connections({ reserved: 'remote-node', ip: '192.168.1.11' }, web, 30443, 5)],
        },
      ],
      snapshot,
    );
    expectSoundProposal(run, ['prod'], kubeDns, [web, api]);
    for (const ip of ['192.168.1.10', '192.168.1.11', '192.168.1.12'])
      expect(run.allowed(ip, web, 30443), ip).toBe(true);
    expect(run.allowed('192.168.1.13', web, 30443)).toBe(false);
    const cnp = ciliumObjects(ns(run, 'prod'))
      .map((o) => o.object)
      .find((o) => (o['metadata'] as { name: string }).name === 'allow-ingress-web');
    expect(JSON.stringify(cnp)).toContain('"fromEntities":["host","remote-node"]');
  });
});

describe('item 2: Cilium reserved identities', () => {
  const ingressProxy: End = { reserved: 'ingress', ip: '10.0.9.9' };
  const lines = [...base, ...connections(ingressProxy, web, 8080, 6)];
  const run = runScenario([{ format: 'hubble', lines }]);

  it('stores the reserved identity as its own endpoint kind', () => {
    expect(run.edges.some((e) => e.source.kind === 'ingress' && e.source.ip === '10.0.9.9')).toBe(true);
  });

  it('k8s and calico: no exact peer, so no ingress isolation for the namespace, and a warning says why', () => {
    expect(run.proof.violations).toEqual([]);
    expect(run.recommendation.unsafe).toEqual([]);
    // The path is not cut: web is not isolated for ingress.
    expect(run.allowed('10.0.9.9', web, 8080)).toBe(true);
    const names = k8sObjects(ns(run, 'prod')).map((o) => (o.object['metadata'] as { name: string }).name);
    expect(names).not.toContain('allow-ingress-web');
    const deny = k8sObjects(ns(run, 'prod')).find(
      (o) => (o.object['metadata'] as { name: string }).name === 'default-deny',
    )?.object;
    expect((deny?.['spec'] as { policyTypes: string[] }).policyTypes).toEqual(['Egress']);
    expect(
      calicoObjects(ns(run, 'prod'), false)
        .filter((o) => (o.object['metadata'] as { name: string }).name === 'default-deny')
        .map((o) => (o.object['spec'] as { types: string[] }).types),
    ).toEqual([['Egress']]);
    const warning = run.recommendation.warnings.find((w) => w.code === 'reserved-identity');
    expect(warning?.message).toContain('"ingress"');
    expect(warning?.subject).toBe('ingress:10.0.9.9 -> prod/web TCP/8080');
    // Egress stays isolated: api's observed egress is allowed, anything else is not.
    expect(run.allowed(api, web, 8080)).toBe(true);
    expect(run.allowed(web, api, 8080)).toBe(false);
  });

  it('every flavour replays the observed paths, the reserved-identity one included, as emitted', () => {
    // cilium as `fromEntities: [ingress]`, calico and k8s without ingress isolation.
    expectFlavourRoundTrip(run.recommendation, run.edges, run.snapshot);
  });

  it('cilium: the workload policy names the entity and the default deny is complete', () => {
    const objects = ciliumObjects(ns(run, 'prod')).map((o) => o.object);
    const cnp = objects.find((o) => (o['metadata'] as { name: string }).name === 'allow-ingress-web');
    expect(() => new CiliumNetworkPolicy(structuredClone(cnp) as never).validate()).not.toThrow();
    const rules = (cnp?.['spec'] as { ingress: Record<string, unknown>[] }).ingress;
    expect(rules).toContainEqual({
      fromEntities: ['ingress'],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    });
    expect(rules).toContainEqual(
      expect.objectContaining({
        fromEndpoints: [{ matchLabels: { app: 'api', 'k8s:io.kubernetes.pod.namespace': 'prod' } }],
      }),
    );
    const denies = objects.filter((o) => (o['metadata'] as { name: string }).name === 'default-deny');
    expect(denies.map((o) => (o['spec'] as { policyTypes: string[] }).policyTypes)).toEqual([
      ['Ingress', 'Egress'],
    ]);
  });

  it('marks a namespace whose proposal would deny an observed path it cannot express as not safe', () => {
    const icmp = JSON.stringify({
      time: new Date(T0).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: api.ip, destination: web.ip },
      l4: { ICMPv4: { type: 8 } },
      source: { identity: 40001, namespace: 'prod', pod_name: api.pod, labels: ['k8s:app=api'] },
      destination: { identity: 40002, namespace: 'prod', pod_name: web.pod, labels: ['k8s:app=web'] },
      Type: 'L3_L4',
      is_reply: false,
    });
    const unsafeRun = runScenario([{ format: 'hubble', lines: [...base, icmp] }]);
    const prod = ns(unsafeRun, 'prod');
    expect(prod.unsafe).toEqual([
      {
        namespace: 'prod',
        path: 'prod/api -> prod/web ICMP/-',
        code: 'icmp',
        reason: expect.stringContaining('ICMP') as string,
      },
    ]);
    expect(unsafeRun.recommendation.unsafe).toHaveLength(1);
  });
});
