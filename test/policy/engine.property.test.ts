// Property: for random pods, namespaces, labels and policies, the compiled engine's verdict
// equals the naive reference evaluator's (reference-evaluator.ts) for every pod pair, on a few
// ports and protocols, with ipBlock matching pods on and off, and for external IPs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import type {
  ClusterSnapshot,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PodInfo,
  PolicyType,
} from '../../src/policy/model.js';
import { referenceAllows } from './reference-evaluator.js';

const NS = ['ns0', 'ns1', 'ns2'];
const KEYS = ['app', 'tier', 'team'];
const VALUES = ['a', 'b', 'c'];
const protocolArb = fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const);
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });

const selectorArb: fc.Arbitrary<LabelSelector> = fc
  .record(
    {
      matchLabels: fc.option(
        fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }),
        { nil: undefined },
      ),
      matchExpressions: fc.option(
        fc.array(
          fc.oneof(
            fc.record({
              key: fc.constantFrom(...KEYS),
              operator: fc.constantFrom('In' as const, 'NotIn' as const),
              values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
            }),
            fc.record({
              key: fc.constantFrom(...KEYS),
              operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const),
            }),
          ),
          { maxLength: 2 },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: [] },
  )
  .map((s) => JSON.parse(JSON.stringify(s)) as LabelSelector);

const cidrArb = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 7 }), fc.constantFrom(8, 16, 24, 30, 32))
  .map(([b, c, len]) => ({ base: `10.${b}.0.${c}`, len }));

const peerArb: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  fc.record({ podSelector: selectorArb }),
  fc.record({ namespaceSelector: selectorArb }),
  fc.record({ podSelector: selectorArb, namespaceSelector: selectorArb }),
  cidrArb.chain(({ base, len }) =>
    fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }).map((ex): NetworkPolicyPeer => {
      const cidr = `${base}/${len}`;
      // an except must be a strict subset: /32 of an address inside the block, only when len < 32
      const exceptIp = ex === undefined || len >= 32 ? undefined : base.replace(/\.\d+$/, `.${ex}`);
      return {
        ipBlock: exceptIp === undefined || len < 24 ? { cidr } : { cidr, except: [`${exceptIp}/32`] },
      };
    }),
  ),
);

const portArb: fc.Arbitrary<NetworkPolicyPort> = fc
  .oneof(
    fc.record({ protocol: fc.option(protocolArb, { nil: undefined }) }, { requiredKeys: [] }),
    fc.record(
      { protocol: fc.option(protocolArb, { nil: undefined }), port: fc.constantFrom(80, 81, 443) },
      { requiredKeys: ['port'] },
    ),
    fc.record(
      {
        protocol: fc.option(protocolArb, { nil: undefined }),
        port: fc.constant(80),
        endPort: fc.constantFrom(80, 81, 443),
      },
      { requiredKeys: ['port', 'endPort'] },
    ),
    fc.record(
      {
        protocol: fc.option(protocolArb, { nil: undefined }),
        port: fc.constantFrom('http', 'metrics', 'dns'),
      },
      { requiredKeys: ['port'] },
    ),
  )
  .map((p) => JSON.parse(JSON.stringify(p)) as NetworkPolicyPort);

const ruleArb = fc.record({
  ports: fc.option(fc.array(portArb, { maxLength: 2 }), { nil: undefined }),
  peers: fc.option(fc.array(peerArb, { maxLength: 3 }), { nil: undefined }),
});

const policyArb = (index: number): fc.Arbitrary<NetworkPolicy> =>
  fc
    .record({
      namespace: fc.constantFrom(...NS),
      podSelector: selectorArb,
      policyTypes: fc.option(fc.subarray(['Ingress', 'Egress'] as PolicyType[]), { nil: undefined }),
      ingress: fc.option(fc.array(ruleArb, { maxLength: 3 }), { nil: undefined }),
      egress: fc.option(fc.array(ruleArb, { maxLength: 3 }), { nil: undefined }),
    })
    .map((p): NetworkPolicy => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: p.namespace, name: `p${index}` },
      spec: {
        podSelector: p.podSelector,
        ...(p.policyTypes !== undefined ? { policyTypes: p.policyTypes } : {}),
        ...(p.ingress !== undefined
          ? {
              ingress: p.ingress.map((r) => ({
                ...(r.ports ? { ports: r.ports } : {}),
                ...(r.peers ? { from: r.peers } : {}),
              })),
            }
          : {}),
        ...(p.egress !== undefined
          ? {
              egress: p.egress.map((r) => ({
                ...(r.ports ? { ports: r.ports } : {}),
                ...(r.peers ? { to: r.peers } : {}),
              })),
            }
          : {}),
      },
    }));

const podArb = (index: number): fc.Arbitrary<PodInfo> =>
  fc
    .record({
      namespace: fc.constantFrom(...NS),
      labels: labelsArb,
      hostNetwork: fc.boolean().map((b) => b && index % 5 === 4),
      namedPorts: fc
        .subarray([
          { name: 'http', containerPort: 80, protocol: 'TCP' as const },
          { name: 'http', containerPort: 81, protocol: 'TCP' as const },
          { name: 'metrics', containerPort: 443, protocol: 'TCP' as const },
          { name: 'dns', containerPort: 80, protocol: 'UDP' as const },
        ])
        .map((ports) => ports.filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i)),
    })
    .map((p): PodInfo => ({
      namespace: p.namespace,
      name: `pod${index}`,
      labels: p.labels,
      ips: [`10.${index % 4}.0.${index % 8}`],
      hostNetwork: p.hostNetwork,
      ports: p.namedPorts,
      workload: { kind: 'Pod', name: `pod${index}` },
    }));

const snapshotArb: fc.Arbitrary<ClusterSnapshot> = fc
  .tuple(
    fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => podArb(i)))),
    fc
      .integer({ min: 0, max: 5 })
      .chain((n): fc.Arbitrary<NetworkPolicy[]> =>
        n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(i))),
      ),
    fc.array(fc.tuple(fc.constantFrom(...NS), labelsArb), { maxLength: 3 }),
  )
  .map(([pods, policies, nsLabels]) => {
    // unique IPs: the engine maps an IP to one pod, and so must the scenario
    const seen = new Set<string>();
    const uniquePods = pods.filter((p) => {
      const ip = p.ips[0] as string;
      if (seen.has(ip)) return false;
      seen.add(ip);
      return true;
    });
    const namespaces = NS.map((name) => ({
      name,
      labels: {
        ...Object.fromEntries(nsLabels.filter(([ns]) => ns === name).flatMap(([, l]) => Object.entries(l))),
        'kubernetes.io/metadata.name': name,
      },
    }));
    return { namespaces, pods: uniquePods, services: [], policies, nodes: [] };
  });

describe('compiled engine agrees with the reference evaluator', () => {
  it('for every pod pair, port and protocol, and both ipBlock modes', () => {
    fc.assert(
      fc.property(snapshotArb, fc.boolean(), (snapshot, ipBlockMatchesPods) => {
        const engine = compilePolicies(snapshot, { ipBlockMatchesPods });
        for (const from of snapshot.pods) {
          for (const to of snapshot.pods) {
            for (const [port, protocol] of [
              [80, 'TCP'],
              [81, 'TCP'],
              [443, 'TCP'],
              [80, 'UDP'],
              [80, 'SCTP'],
            ] as const) {
              const query = {
                from: { kind: 'pod', namespace: from.namespace, name: from.name },
                to: { kind: 'pod', namespace: to.namespace, name: to.name },
                port,
                protocol,
              } as const;
              const decision = engine.evaluate(query);
              const expected = referenceAllows(
                snapshot,
                { pod: from },
                { pod: to },
                port,
                protocol,
                ipBlockMatchesPods,
              );
              const label = `${from.namespace}/${from.name} -> ${to.namespace}/${to.name} ${protocol}/${port}`;
              expect(decision.verdict === 'allow', label).toBe(expected);
              // the verdict-only fast path agrees with the full decision
              expect(engine.isAllowed(query), label).toBe(decision.verdict === 'allow');
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('for workload endpoints (pods described by namespace, labels, ports and IP rather than by name)', () => {
    fc.assert(
      fc.property(snapshotArb, fc.boolean(), (snapshot, ipBlockMatchesPods) => {
        const engine = compilePolicies(snapshot, { ipBlockMatchesPods });
        const asWorkload = (pod: PodInfo) =>
          ({
            kind: 'workload',
            namespace: pod.namespace,
            labels: pod.labels,
            ports: pod.ports,
            ip: pod.ips[0] as string,
          }) as const;
        const pods = snapshot.pods.filter((pod) => !pod.hostNetwork);
        for (const from of pods) {
          for (const to of pods) {
            for (const [port, protocol] of [
              [80, 'TCP'],
              [443, 'TCP'],
              [80, 'UDP'],
            ] as const) {
              const query = { from: asWorkload(from), to: asWorkload(to), port, protocol };
              const label = `${from.namespace}/${from.name} -> ${to.namespace}/${to.name} ${protocol}/${port}`;
              const decision = engine.evaluate(query);
              const verdict = decision.verdict === 'allow';
              expect(verdict, label).toBe(
                referenceAllows(snapshot, { pod: from }, { pod: to }, port, protocol, ipBlockMatchesPods),
              );
              expect(engine.isAllowed(query), label).toBe(verdict);
              // the per-pod precomputed rule lists (pods queried by name) and the generic path for
              // workload endpoints must give the same explanation: isolating policies and admitting rules, in order
              const byName = engine.evaluate({
                from: { kind: 'pod', namespace: from.namespace, name: from.name },
                to: { kind: 'pod', namespace: to.namespace, name: to.name },
                port,
                protocol,
              });
              for (const direction of ['egress', 'ingress'] as const) {
                const { allowed, isolated, isolatedBy, allowedBy } = decision[direction];
                expect({ allowed, isolated, isolatedBy, allowedBy }, `${label} ${direction}`).toEqual({
                  allowed: byName[direction].allowed,
                  isolated: byName[direction].isolated,
                  isolatedBy: byName[direction].isolatedBy,
                  allowedBy: byName[direction].allowedBy,
                });
              }
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('for external IPs in both directions', () => {
    fc.assert(
      fc.property(snapshotArb, fc.integer({ min: 0, max: 7 }), (snapshot, octet) => {
        const engine = compilePolicies(snapshot);
        const ip = `10.9.0.${octet}`;
        for (const pod of snapshot.pods) {
          const podEndpoint = { kind: 'pod', namespace: pod.namespace, name: pod.name } as const;
          const outQuery = { from: podEndpoint, to: { kind: 'ip', ip }, port: 80, protocol: 'TCP' } as const;
          const out = engine.evaluate(outQuery);
          expect(out.verdict === 'allow').toBe(referenceAllows(snapshot, { pod }, { ip }, 80, 'TCP'));
          expect(engine.isAllowed(outQuery)).toBe(out.verdict === 'allow');
          const intoQuery = { from: { kind: 'ip', ip }, to: podEndpoint, port: 80, protocol: 'TCP' } as const;
          const into = engine.evaluate(intoQuery);
          expect(into.verdict === 'allow').toBe(referenceAllows(snapshot, { ip }, { pod }, 80, 'TCP'));
          expect(engine.isAllowed(intoQuery)).toBe(into.verdict === 'allow');
        }
      }),
      { numRuns: 200 },
    );
  });
});
