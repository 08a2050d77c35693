// Property: on random pods and namespaces, random AdminNetworkPolicies, BaselineAdminNetworkPolicies
// and ClusterNetworkPolicies of both tiers (plus NetworkPolicies), the engine's verdict equals the
// naive tier-order reference's (cluster-reference.ts) for every pod pair and pod/outside-address
// pair, on ports and protocols that named ports, numbers and ranges tell apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicies, type QueryEndpoint } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { clusterReference } from './cluster-reference.js';
import type { RefEndpoint, RefPod } from './cni-reference.js';

const NS = ['ns0', 'ns1', 'ns2'];
const KEYS = ['app', 'tier'];
const VALUES = ['a', 'b'];
const EXTERNAL = [
  { ip: '203.0.113.1', names: ['api.example.com'] },
  { ip: '198.51.100.9', names: ['x.cdn.example.com'] },
];
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const podsArb = fc
  .array(fc.record({ namespace: fc.constantFrom(...NS), labels: labelsArb }), { minLength: 2, maxLength: 5 })
  .map((list) => list.map((p, i): RefPod => ({ ...p, name: `p${i}`, ip: `10.0.0.${i + 1}` })));
const envsArb = fc.tuple(
  fc.constantFrom('prod', 'dev'),
  fc.constantFrom('prod', 'dev'),
  fc.constantFrom('prod', 'dev'),
);

const selectorArb = fc.oneof(
  fc.constant({}),
  fc.record({
    matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), {
      minKeys: 1,
      maxKeys: 1,
    }),
  }),
  fc.record({
    matchExpressions: fc.tuple(
      fc.record({
        key: fc.constantFrom(...KEYS),
        operator: fc.constantFrom('NotIn', 'In'),
        values: fc.constant(['a']),
      }),
    ),
  }),
);
const nsSelectorArb = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ env: fc.constantFrom('prod', 'dev') }) }),
  fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NS) }) }),
);
const podsPeerArb = fc.record({ namespaceSelector: nsSelectorArb, podSelector: selectorArb });
const subjectArb = fc.oneof(fc.record({ namespaces: nsSelectorArb }), fc.record({ pods: podsPeerArb }));
const ingressPeerArb = fc.oneof(fc.record({ namespaces: nsSelectorArb }), fc.record({ pods: podsPeerArb }));
const egressPeerArb = (allow: boolean) =>
  fc.oneof(
    ingressPeerArb,
    fc.record({
      networks: fc.uniqueArray(fc.constantFrom('10.0.0.0/30', '203.0.113.0/24', '0.0.0.0/0'), {
        minLength: 1,
        maxLength: 2,
      }),
    }),
    ...(allow
      ? [
          fc.record({
            domainNames: fc.uniqueArray(
              fc.constantFrom('api.example.com', '*.example.com', '*.cdn.example.com'),
              { minLength: 1, maxLength: 2 },
            ),
          }),
        ]
      : []),
  );
const v2PortArb = fc.oneof(
  fc.record({
    tcp: fc.record({
      destinationPort: fc.oneof(
        fc.record({ number: fc.constantFrom(80, 443) }),
        fc.record({ range: fc.constant({ start: 50, end: 90 }) }),
      ),
    }),
  }),
  fc.record({
    udp: fc.record({
      destinationPort: fc.oneof(
        fc.record({ number: fc.constantFrom(53, 80) }),
        fc.record({ range: fc.constant({ start: 50, end: 90 }) }),
      ),
    }),
  }),
  fc.record({ destinationNamedPort: fc.constantFrom('web', 'dns') }),
);
const v1PortArb = fc.oneof(
  fc.record({
    portNumber: fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 53, 443) }),
  }),
  fc.record({
    portRange: fc.record({
      protocol: fc.constantFrom('TCP', 'UDP'),
      start: fc.constant(50),
      end: fc.constant(90),
    }),
  }),
  fc.record({ namedPort: fc.constantFrom('web', 'dns') }),
);

type Version = 'anp' | 'banp' | 'cnp';
const ruleArb = (version: Version, dir: 'ingress' | 'egress') => {
  const actions =
    version === 'cnp'
      ? ['Accept', 'Deny', 'Pass']
      : version === 'anp'
        ? ['Allow', 'Deny', 'Pass']
        : ['Allow', 'Deny'];
  return fc.constantFrom(...actions).chain((action) => {
    const allow = action === 'Accept' || action === 'Allow';
    const peer = dir === 'ingress' ? ingressPeerArb : egressPeerArb(allow && version !== 'banp');
    return fc
      .record({
        action: fc.constant(action),
        peers: fc.array(peer, { minLength: 1, maxLength: 2 }),
        ports: fc.option(
          fc.array((version === 'cnp' ? v2PortArb : v1PortArb) as fc.Arbitrary<Record<string, unknown>>, {
            minLength: 1,
            maxLength: 2,
          }),
          { nil: undefined },
        ),
      })
      .map(({ peers, ports }) => {
        const ipPeer = peers.some((p) => 'networks' in p || 'domainNames' in p);
        const kept = ports?.filter((p) => !ipPeer || !('namedPort' in p || 'destinationNamedPort' in p));
        return {
          action,
          [dir === 'ingress' ? 'from' : 'to']: peers,
          ...(kept !== undefined && kept.length > 0
            ? { [version === 'cnp' ? 'protocols' : 'ports']: kept }
            : {}),
        };
      });
  });
};
const policyArb = (version: Version) =>
  fc.record({
    tier: fc.constantFrom('Admin', 'Baseline'),
    subject: subjectArb,
    ingress: fc.array(ruleArb(version, 'ingress'), { maxLength: 3 }),
    egress: fc.array(ruleArb(version, 'egress'), { maxLength: 3 }),
  });

function clusterObjects(
  anps: readonly ReturnType<typeof Object>[],
  banp: unknown,
  cnps: readonly ReturnType<typeof Object>[],
  priorities: readonly number[],
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let next = 0;
  const prio = (): number => priorities[next++] ?? 999;
  for (const [i, p] of anps.entries()) {
    const { tier: _t, ...spec } = p as Record<string, unknown>;
    out.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: `anp${i}` },
      spec: { ...spec, priority: prio() },
    });
  }
  if (banp !== undefined) {
    const { tier: _t, ...spec } = banp as Record<string, unknown>;
    out.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec,
    });
  }
  for (const [i, p] of cnps.entries())
    out.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: `cnp${i}` },
      spec: { ...(p as object), priority: prio() },
    });
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>[];
}

const npArb = fc.record({
  namespace: fc.constantFrom(...NS),
  podSelector: selectorArb,
  types: fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: fc.array(
    fc.record({ from: fc.array(fc.record({ namespaceSelector: nsSelectorArb }), { maxLength: 1 }) }),
    { maxLength: 1 },
  ),
  egress: fc.array(
    fc.record({
      ports: fc.array(fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 53) }), {
        maxLength: 1,
      }),
    }),
    { maxLength: 1 },
  ),
});

describe('cluster policies: engine agrees with the naive tier-order reference', () => {
  it('AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy and NetworkPolicies', () => {
    fc.assert(
      fc.property(
        podsArb,
        envsArb,
        fc.array(policyArb('anp'), { maxLength: 2 }),
        fc.option(policyArb('banp'), { nil: undefined }),
        fc.array(policyArb('cnp'), { maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
        fc.array(npArb, { maxLength: 2 }),
        (pods, envs, anps, banp, cnps, priorities, nps) => {
          const cluster = clusterObjects(anps, banp, cnps, priorities);
          const npObjects = nps.map(
            (p, i) =>
              JSON.parse(
                JSON.stringify({
                  apiVersion: 'networking.k8s.io/v1',
                  kind: 'NetworkPolicy',
                  metadata: { namespace: p.namespace, name: `np${i}` },
                  spec: {
                    podSelector: p.podSelector,
                    policyTypes: p.types,
                    ingress: p.ingress,
                    egress: p.egress,
                  },
                }),
              ) as Record<string, unknown>,
          );
          const namespaces = NS.map((name, i) => ({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name, labels: { env: envs[i] } },
          }));
          const podObjects = pods.map((p) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { namespace: p.namespace, name: p.name, labels: p.labels },
            spec: {
              containers: [
                {
                  name: 'c',
                  ports: [
                    { name: 'web', containerPort: 80, protocol: 'TCP' },
                    { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  ],
                },
              ],
            },
            status: { phase: 'Running', podIP: p.ip },
          }));
          const parsed = parseClusterObjects([...namespaces, ...podObjects, ...cluster, ...npObjects]);
          expect(parsed.problems).toEqual([]);
          const engine = compilePolicies(parsed.snapshot);
          const nsLabels = (ns: string) => ({
            'kubernetes.io/metadata.name': ns,
            env: envs[NS.indexOf(ns)] as string,
          });
          const ends: { ref: RefEndpoint; query: QueryEndpoint }[] = [
            ...pods.map((pod) => ({
              ref: { pod },
              query: { kind: 'pod' as const, namespace: pod.namespace, name: pod.name },
            })),
            ...EXTERNAL.map((e) => ({ ref: e, query: { kind: 'ip' as const, ip: e.ip, names: e.names } })),
          ];
          for (const from of ends) {
            for (const to of ends) {
              if (!('pod' in from.ref) && !('pod' in to.ref)) continue;
              for (const [port, protocol] of [
                [80, 'TCP'],
                [443, 'TCP'],
                [53, 'UDP'],
                [80, 'UDP'],
              ] as const) {
                const query = { from: from.query, to: to.query, port, protocol };
                const want = clusterReference(cluster, npObjects, nsLabels, {
                  from: from.ref,
                  to: to.ref,
                  port,
                  protocol: protocol,
                });
                const decision = engine.evaluate(query);
                expect(
                  decision.verdict === 'allow',
                  `${JSON.stringify(query)}: ${decision.egress.reason} | ${decision.ingress.reason}`,
                ).toBe(want);
                expect(engine.isAllowed(query)).toBe(want);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
