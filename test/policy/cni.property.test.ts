// Property: on random pods, namespaces, Cilium or Calico policies (plus NetworkPolicies), the
// engine's verdict equals the naive reference evaluator's (cni-reference.ts) for every pod pair
// and pod/outside-address pair, on a few ports and both protocols. The objects go through
// parseClusterObjects as a snapshot file does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicies, type QueryEndpoint } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import {
  CALICO_SELECTORS,
  calicoReference,
  ciliumReference,
  type RefEndpoint,
  type RefPod,
} from './cni-reference.js';

const NS = ['ns0', 'ns1', 'ns2'];
const KEYS = ['app', 'tier', 'team'];
const VALUES = ['a', 'b', 'c'];
const EXTERNAL = [
  { ip: '203.0.113.1', names: ['api.example.com'] },
  { ip: '203.0.113.6', names: ['x.cdn.example.com'] },
  { ip: '198.51.100.9', names: [] },
];
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });
const nsLabelsArb = fc.tuple(
  fc.constantFrom('prod', 'dev'),
  fc.constantFrom('prod', 'dev'),
  fc.constantFrom('prod', 'dev'),
);
const podsArb = fc
  .array(fc.record({ namespace: fc.constantFrom(...NS), labels: labelsArb }), { minLength: 2, maxLength: 6 })
  .map((list) => list.map((p, i): RefPod => ({ ...p, name: `p${i}`, ip: `10.0.0.${i + 1}` })));

const k8sSelectorArb = fc
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
              operator: fc.constantFrom('In', 'NotIn'),
              values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
            }),
            fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
          ),
          { maxLength: 1 },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: [] },
  )
  .map((s) => JSON.parse(JSON.stringify(s)) as Record<string, unknown>);

const npArb = fc.record({
  namespace: fc.constantFrom(...NS),
  podSelector: k8sSelectorArb,
  types: fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
  ingress: fc.array(
    fc.record(
      {
        from: fc.option(
          fc.array(
            fc.oneof(
              fc.record({ podSelector: k8sSelectorArb }),
              fc.record({
                namespaceSelector: fc.record({
                  matchLabels: fc.record({ env: fc.constantFrom('prod', 'dev') }),
                }),
              }),
              fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom('10.0.0.0/29', '203.0.113.0/29') }) }),
            ),
            { maxLength: 2 },
          ),
          { nil: undefined },
        ),
        ports: fc.option(
          fc.array(fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443) }), {
            maxLength: 1,
          }),
          { nil: undefined },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 2 },
  ),
  egress: fc.array(
    fc.record(
      {
        to: fc.option(
          fc.array(
            fc.oneof(
              fc.record({ podSelector: k8sSelectorArb }),
              fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom('10.0.0.0/29', '203.0.113.0/29') }) }),
            ),
            { maxLength: 2 },
          ),
          { nil: undefined },
        ),
        ports: fc.option(
          fc.array(fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(80, 443) }), {
            maxLength: 1,
          }),
          { nil: undefined },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 2 },
  ),
});

function npObjects(
  nps: readonly {
    namespace: string;
    podSelector: unknown;
    types: readonly string[];
    ingress: readonly unknown[];
    egress: readonly unknown[];
  }[],
): Record<string, unknown>[] {
  return nps.map(
    (p, i) =>
      JSON.parse(
        JSON.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { namespace: p.namespace, name: `np${i}` },
          spec: { podSelector: p.podSelector, policyTypes: p.types, ingress: p.ingress, egress: p.egress },
        }),
      ) as Record<string, unknown>,
  );
}

const ciliumPortsArb = fc.option(
  fc.array(
    fc.record({
      ports: fc.array(
        fc.record(
          {
            port: fc.constantFrom('80', '443', '0'),
            protocol: fc.option(fc.constantFrom('TCP', 'UDP', 'ANY'), { nil: undefined }),
            endPort: fc.option(fc.constant(443), { nil: undefined }),
          },
          { requiredKeys: ['port'] },
        ),
        { maxLength: 2 },
      ),
    }),
    { minLength: 1, maxLength: 1 },
  ),
  { nil: undefined },
);
const ciliumEndpointArb = fc.oneof(
  k8sSelectorArb,
  fc.record({ matchLabels: fc.record({ 'k8s:io.kubernetes.pod.namespace': fc.constantFrom(...NS) }) }),
  fc.record({
    matchLabels: fc.record({ 'io.cilium.k8s.namespace.labels.env': fc.constantFrom('prod', 'dev') }),
  }),
);
const ciliumRuleArb = (dir: 'from' | 'to', deny: boolean) =>
  fc
    .record(
      {
        [`${dir}Endpoints`]: fc.option(fc.array(ciliumEndpointArb, { maxLength: 2 }), { nil: undefined }),
        [`${dir}Entities`]: fc.option(
          fc.uniqueArray(fc.constantFrom('world', 'cluster', 'all'), { maxLength: 2 }),
          { nil: undefined },
        ),
        [`${dir}CIDR`]: fc.option(
          fc.array(fc.constantFrom('203.0.113.0/30', '198.51.100.0/24', '10.0.0.0/8'), { maxLength: 1 }),
          { nil: undefined },
        ),
        [`${dir}CIDRSet`]: fc.option(
          fc.array(
            fc.record({ cidr: fc.constant('203.0.113.0/29'), except: fc.constant(['203.0.113.4/30']) }),
            { maxLength: 1 },
          ),
          { nil: undefined },
        ),
        ...(dir === 'to' && !deny
          ? {
              toFQDNs: fc.option(
                fc.array(
                  fc.oneof(
                    fc.record({ matchName: fc.constantFrom('api.example.com', 'other.example.com') }),
                    fc.record({ matchPattern: fc.constantFrom('*.example.com', '*.cdn.example.com', '*') }),
                  ),
                  { maxLength: 1 },
                ),
                { nil: undefined },
              ),
            }
          : {}),
        toPorts: ciliumPortsArb,
      },
      { requiredKeys: [] },
    )
    .map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);

const cnpArb = fc.record({
  clusterwide: fc.boolean(),
  namespace: fc.constantFrom(...NS),
  endpointSelector: k8sSelectorArb,
  ingress: fc.option(fc.array(ciliumRuleArb('from', false), { maxLength: 2 }), { nil: undefined }),
  ingressDeny: fc.option(fc.array(ciliumRuleArb('from', true), { maxLength: 1 }), { nil: undefined }),
  egress: fc.option(fc.array(ciliumRuleArb('to', false), { maxLength: 2 }), { nil: undefined }),
  egressDeny: fc.option(fc.array(ciliumRuleArb('to', true), { maxLength: 1 }), { nil: undefined }),
  enableDefaultDeny: fc.option(
    fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [] }),
    { nil: undefined },
  ),
});

const selectorText = fc.constantFrom(...Object.keys(CALICO_SELECTORS));
const calicoEntityArb = fc.record(
  {
    selector: fc.option(selectorText, { nil: undefined }),
    notSelector: fc.option(selectorText, { nil: undefined }),
    namespaceSelector: fc.option(fc.constantFrom("env == 'prod'", "env == 'dev'", 'all()'), {
      nil: undefined,
    }),
    nets: fc.option(
      fc.array(fc.constantFrom('10.0.0.0/30', '203.0.113.0/24'), { minLength: 1, maxLength: 1 }),
      { nil: undefined },
    ),
    notNets: fc.option(fc.array(fc.constant('10.0.0.4/30'), { minLength: 1, maxLength: 1 }), {
      nil: undefined,
    }),
  },
  { requiredKeys: [] },
);
const calicoRuleArb = fc
  .record(
    {
      action: fc.constantFrom('Allow', 'Allow', 'Deny', 'Pass', 'Log'),
      protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
      notProtocol: fc.option(fc.constant('UDP'), { nil: undefined }),
      source: fc.option(calicoEntityArb, { nil: undefined }),
      destination: fc.option(calicoEntityArb, { nil: undefined }),
      ports: fc.option(
        fc.array(fc.constantFrom<number | string>(80, 443, '80:443'), { minLength: 1, maxLength: 2 }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['action'] },
  )
  .map((r) => {
    const { ports, ...rest } = r;
    // destination ports need a port protocol (Calico validation): only with protocol set
    if (ports === undefined || rest.protocol === undefined)
      return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
    return JSON.parse(
      JSON.stringify({ ...rest, destination: { ...(rest.destination ?? {}), ports } }),
    ) as Record<string, unknown>;
  });
const calicoPolicyArb = fc.record({
  global: fc.boolean(),
  namespace: fc.constantFrom(...NS),
  tier: fc.constantFrom('default', 'default', 'security', 'platform'),
  order: fc.option(fc.constantFrom(100, 1000, 1500), { nil: undefined }),
  selector: selectorText,
  types: fc.option(fc.constantFrom(['Ingress'], ['Egress'], ['Ingress', 'Egress']), { nil: undefined }),
  ingress: fc.array(calicoRuleArb, { maxLength: 3 }),
  egress: fc.array(calicoRuleArb, { maxLength: 3 }),
});

function namespacesOf(envs: readonly string[]): Record<string, unknown>[] {
  return NS.map((name, i) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { env: envs[i] } },
  }));
}
function podObjects(pods: readonly RefPod[]): Record<string, unknown>[] {
  return pods.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: p.namespace, name: p.name, labels: p.labels },
    spec: {},
    status: { phase: 'Running', podIP: p.ip },
  }));
}

function checkAll(
  objects: Record<string, unknown>[],
  pods: readonly RefPod[],
  envs: readonly string[],
  reference: (q: { from: RefEndpoint; to: RefEndpoint; port: number; protocol: 'TCP' | 'UDP' }) => boolean,
): void {
  const parsed = parseClusterObjects([...namespacesOf(envs), ...podObjects(pods), ...objects]);
  expect(parsed.problems).toEqual([]);
  const engine = compilePolicies(parsed.snapshot);
  expect(engine.ignored).toEqual([]);
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
      for (const port of [80, 443, 8080]) {
        for (const protocol of ['TCP', 'UDP'] as const) {
          const query = { from: from.query, to: to.query, port, protocol };
          const want = reference({ from: from.ref, to: to.ref, port, protocol });
          const decision = engine.evaluate(query);
          expect(
            decision.verdict === 'allow',
            `${JSON.stringify(query)}: ${decision.egress.reason} | ${decision.ingress.reason}`,
          ).toBe(want);
          expect(engine.isAllowed(query)).toBe(want);
        }
      }
    }
  }
}

describe('engine agrees with naive reference evaluators', () => {
  it('Cilium policies with NetworkPolicies', () => {
    fc.assert(
      fc.property(
        podsArb,
        nsLabelsArb,
        fc.array(cnpArb, { minLength: 1, maxLength: 4 }),
        fc.array(npArb, { maxLength: 2 }),
        (pods, envs, cnps, nps) => {
          const cnpObjects = cnps.map(
            (c, i) =>
              JSON.parse(
                JSON.stringify({
                  apiVersion: 'cilium.io/v2',
                  kind: c.clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy',
                  metadata: { name: `c${i}`, ...(c.clusterwide ? {} : { namespace: c.namespace }) },
                  spec: {
                    endpointSelector: c.endpointSelector,
                    ingress: c.ingress,
                    ingressDeny: c.ingressDeny,
                    egress: c.egress,
                    egressDeny: c.egressDeny,
                    enableDefaultDeny: c.enableDefaultDeny,
                  },
                }),
              ) as Record<string, unknown>,
          );
          const npObjs = npObjects(nps);
          const nsLabels = (ns: string) => ({
            'kubernetes.io/metadata.name': ns,
            env: envs[NS.indexOf(ns)] as string,
          });
          checkAll([...cnpObjects, ...npObjs], pods, envs, (q) =>
            ciliumReference(cnpObjects, npObjs, nsLabels, q),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('Calico policies and tiers with NetworkPolicies', () => {
    fc.assert(
      fc.property(
        podsArb,
        nsLabelsArb,
        fc.array(calicoPolicyArb, { minLength: 1, maxLength: 4 }),
        fc.array(npArb, { maxLength: 2 }),
        fc.record({
          security: fc.constantFrom('Deny', 'Pass'),
          platform: fc.constantFrom('Deny', 'Pass'),
          securityOrder: fc.constantFrom(10, 2_000_000),
        }),
        (pods, envs, policies, nps, tiers) => {
          const objects = policies.map(
            (p, i) =>
              JSON.parse(
                JSON.stringify({
                  apiVersion: 'projectcalico.org/v3',
                  kind: p.global ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
                  metadata: { name: `${p.tier}.c${i}`, ...(p.global ? {} : { namespace: p.namespace }) },
                  spec: {
                    tier: p.tier,
                    order: p.order,
                    selector: p.selector,
                    types: p.types,
                    ingress: p.ingress,
                    egress: p.egress,
                  },
                }),
              ) as Record<string, unknown>,
          );
          const tierObjects = [
            {
              apiVersion: 'projectcalico.org/v3',
              kind: 'Tier',
              metadata: { name: 'security' },
              spec: { order: tiers.securityOrder, defaultAction: tiers.security },
            },
            {
              apiVersion: 'projectcalico.org/v3',
              kind: 'Tier',
              metadata: { name: 'platform' },
              spec: { order: 500, defaultAction: tiers.platform },
            },
          ];
          const npObjs = npObjects(nps);
          const nsLabels = (ns: string) => ({
            'kubernetes.io/metadata.name': ns,
            env: envs[NS.indexOf(ns)] as string,
          });
          checkAll([...tierObjects, ...objects, ...npObjs], pods, envs, (q) =>
            calicoReference([...tierObjects, ...objects], npObjs, nsLabels, q),
          );
        },
      ),
      { numRuns: 400 },
    );
  });
});
