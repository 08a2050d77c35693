// Named cases for cluster-scoped policy on the houses cluster: Pass chains, equal priorities, each
// peer type, both API versions, fail-closed peers, what the decision names, and what the parser
// refuses.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import type { PolicyProtocol } from '../../src/policy/model.js';
import { housesObjects, ns, podOf, poke } from './houses.js';

const GRYFFINDOR = { namespaces: { matchLabels: { 'conformance-house': 'gryffindor' } } };
const fromHouse = (house: string) => ({ namespaces: { matchLabels: { 'conformance-house': house } } });

function cnp(
  name: string,
  tier: 'Admin' | 'Baseline',
  priority: number,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier, priority, subject: GRYFFINDOR, ...spec },
  };
}
function anp(name: string, priority: number, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: { priority, subject: GRYFFINDOR, ...spec },
  };
}
function decide(
  objects: readonly unknown[],
  from: string,
  to: string,
  protocol: PolicyProtocol = 'TCP',
  port = 80,
) {
  const parsed = parseClusterObjects([...housesObjects(), ...objects]);
  expect(parsed.problems).toEqual([]);
  return compilePolicies(parsed.snapshot).evaluate({
    from: { kind: 'pod', ...podOf(from) },
    to: { kind: 'pod', ...podOf(to) },
    port,
    protocol,
  });
}
const SLYTHERIN_IN = 'slytherin/draco-malfoy-0';
const HARRY = 'gryffindor/harry-potter-0';

describe('Pass chains', () => {
  it('Admin Pass skips the rest of the Admin tier, then NetworkPolicy, then Baseline decide', () => {
    const pass = anp('pass', 10, { ingress: [{ action: 'Pass', from: [fromHouse('slytherin')] }] });
    const deny = anp('deny-later', 20, { ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }] });
    const baselineDeny = cnp('b', 'Baseline', 5, {
      ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }],
    });
    expect(poke([deny], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(false);
    expect(poke([pass, deny], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(true);
    expect(poke([pass, deny, baselineDeny], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(false);
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: ns('gryffindor'), name: 'allow-slytherin' },
      spec: {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'slytherin' } } }] }],
      },
    };
    expect(poke([pass, deny, baselineDeny, np], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(true);
    const decision = decide([pass, deny, baselineDeny], SLYTHERIN_IN, HARRY);
    expect(decision.ingress.decidedBy?.cluster).toMatchObject({
      kind: 'ClusterNetworkPolicy',
      name: 'b',
      tier: 'Baseline',
      priority: 5,
      ruleIndex: 0,
      action: 'Deny',
    });
    expect(decision.ingress.reason).toContain('passed on by AdminNetworkPolicy pass');
  });

  it('a Baseline-tier Pass hands the connection to the default allow', () => {
    const pass = cnp('b-pass', 'Baseline', 1, {
      ingress: [{ action: 'Pass', from: [fromHouse('slytherin')] }],
    });
    const deny = cnp('b-deny', 'Baseline', 2, {
      ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }],
    });
    expect(poke([deny], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(false);
    expect(poke([pass, deny], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(true);
  });

  it('an Admin Accept is final even over a NetworkPolicy default deny', () => {
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: ns('gryffindor'), name: 'deny-all' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    };
    expect(poke([np], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(false);
    const accept = cnp('a', 'Admin', 3, { ingress: [{ action: 'Accept', from: [fromHouse('slytherin')] }] });
    const decision = decide([np, accept], SLYTHERIN_IN, HARRY);
    expect(decision.verdict).toBe('allow');
    expect(decision.ingress.reason).toBe(
      `${ns('gryffindor')}/harry-potter-0: TCP/80 from ${ns('slytherin')}/draco-malfoy-0 is allowed by ClusterNetworkPolicy a ingress[0] (Admin tier, priority 3, Accept)`,
    );
  });
});

describe('equal priorities', () => {
  it('decides by kind then name, and says a tied policy would have decided otherwise', () => {
    const allow = cnp('a-allow', 'Admin', 7, {
      ingress: [{ name: 'let-in', action: 'Accept', from: [fromHouse('slytherin')] }],
    });
    const deny = cnp('b-deny', 'Admin', 7, { ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }] });
    const decision = decide([deny, allow], SLYTHERIN_IN, HARRY);
    expect(decision.verdict).toBe('allow');
    expect(decision.ingress.decidedBy?.rule).toBe('ingress[0] "let-in" (Admin tier, priority 7, Accept)');
    expect(decision.ingress.notes?.join(' ')).toContain(
      'ClusterNetworkPolicy b-deny has the same priority (7) and would Deny this',
    );
  });

  it('adds no note when the tied policy agrees or does not match', () => {
    const a = cnp('a', 'Admin', 7, { ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }] });
    const b = cnp('b', 'Admin', 7, {
      ingress: [
        { action: 'Deny', from: [fromHouse('slytherin')] },
        { action: 'Accept', from: [fromHouse('ravenclaw')] },
      ],
    });
    expect(decide([a, b], SLYTHERIN_IN, HARRY).ingress.notes).toBeUndefined();
  });
});

describe('peer types', () => {
  const egress = (to: unknown[], extra: Record<string, unknown> = {}) =>
    cnp('e', 'Admin', 1, { egress: [{ action: 'Deny', to, ...extra }] });
  it('namespaces', () => {
    expect(poke([egress([fromHouse('slytherin')])], HARRY, 'slytherin/draco-malfoy-1', 'TCP', 80)).toBe(
      false,
    );
    expect(poke([egress([fromHouse('slytherin')])], HARRY, 'ravenclaw/luna-lovegood-1', 'TCP', 80)).toBe(
      true,
    );
  });
  it('pods (namespace AND pod selector)', () => {
    const pods = {
      pods: { namespaceSelector: {}, podSelector: { matchLabels: { 'conformance-house': 'ravenclaw' } } },
    };
    expect(poke([egress([pods])], HARRY, 'ravenclaw/luna-lovegood-0', 'TCP', 80)).toBe(false);
    expect(poke([egress([pods])], HARRY, 'slytherin/draco-malfoy-0', 'TCP', 80)).toBe(true);
  });
  it('pods and namespaces never select host-network pods; nodes do', () => {
    expect(
      poke([egress([fromHouse('forbidden-forrest')])], HARRY, 'forbidden-forrest/centaur-0', 'TCP', 34345),
    ).toBe(true);
    expect(
      poke(
        [egress([{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }])],
        HARRY,
        'forbidden-forrest/centaur-0',
        'TCP',
        34345,
      ),
    ).toBe(false);
    expect(
      poke(
        [egress([{ nodes: { matchLabels: { 'kubernetes.io/os': 'windows' } } }])],
        HARRY,
        'forbidden-forrest/centaur-0',
        'TCP',
        34345,
      ),
    ).toBe(true);
  });
  it('networks select pod addresses too, and outside addresses', () => {
    const parsed = parseClusterObjects([...housesObjects(), egress([{ networks: ['203.0.113.0/24'] }])]);
    const engine = compilePolicies(parsed.snapshot);
    const from = { kind: 'pod' as const, ...podOf(HARRY) };
    expect(
      engine.isAllowed({ from, to: { kind: 'ip', ip: '203.0.113.9' }, port: 443, protocol: 'TCP' }),
    ).toBe(false);
    expect(
      engine.isAllowed({ from, to: { kind: 'ip', ip: '198.51.100.9' }, port: 443, protocol: 'TCP' }),
    ).toBe(true);
    expect(
      poke([egress([{ networks: ['10.244.2.0/24'] }])], HARRY, 'slytherin/draco-malfoy-0', 'TCP', 80),
    ).toBe(false);
    const v6 = compilePolicies(
      parseClusterObjects([...housesObjects(), egress([{ networks: ['2001:db8::/32', '0.0.0.0/32'] }])])
        .snapshot,
    );
    expect(v6.isAllowed({ from, to: { kind: 'ip', ip: '2001:db8::1' }, port: 443, protocol: 'TCP' })).toBe(
      false,
    );
    expect(v6.isAllowed({ from, to: { kind: 'ip', ip: '2001:db9::1' }, port: 443, protocol: 'TCP' })).toBe(
      true,
    );
    expect(v6.isAllowed({ from, to: { kind: 'ip', ip: '203.0.113.9' }, port: 443, protocol: 'TCP' })).toBe(
      true,
    );
  });
  it('domainNames match the names the address was reached by (* is one or more labels)', () => {
    const policies = [
      cnp('d', 'Admin', 1, {
        egress: [
          { action: 'Accept', to: [{ domainNames: ['*.example.com'] }] },
          { action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
        ],
      }),
    ];
    const engine = compilePolicies(parseClusterObjects([...housesObjects(), ...policies]).snapshot);
    const from = { kind: 'pod' as const, ...podOf(HARRY) };
    const to = (names: string[]) => ({ kind: 'ip' as const, ip: '203.0.113.9', names });
    expect(engine.isAllowed({ from, to: to(['a.b.example.com']), port: 443, protocol: 'TCP' })).toBe(true);
    expect(engine.isAllowed({ from, to: to(['example.com']), port: 443, protocol: 'TCP' })).toBe(false);
    expect(engine.isAllowed({ from, to: to([]), port: 443, protocol: 'TCP' })).toBe(false);
  });
  it('port ranges and protocols', () => {
    const ranged = egress([fromHouse('slytherin')], {
      protocols: [{ udp: { destinationPort: { range: { start: 50, end: 60 } } } }],
    });
    expect(poke([ranged], HARRY, 'slytherin/draco-malfoy-0', 'UDP', 53)).toBe(false);
    expect(poke([ranged], HARRY, 'slytherin/draco-malfoy-0', 'TCP', 53)).toBe(true);
    expect(poke([ranged], HARRY, 'slytherin/draco-malfoy-0', 'UDP', 61)).toBe(true);
  });
});

describe('v1alpha1 objects and fail-closed peers', () => {
  it('reads AdminNetworkPolicy ports (portNumber, portRange, namedPort) and the default BaselineAdminNetworkPolicy', () => {
    const a = anp('a', 1, {
      ingress: [
        { action: 'Allow', from: [fromHouse('slytherin')], ports: [{ namedPort: 'web' }] },
        {
          action: 'Deny',
          from: [fromHouse('slytherin')],
          ports: [{ portRange: { protocol: 'UDP', start: 50, end: 60 } }],
        },
      ],
    });
    const banp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: GRYFFINDOR, ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }] },
    };
    expect(poke([a, banp], SLYTHERIN_IN, HARRY, 'TCP', 80)).toBe(true);
    expect(poke([a, banp], SLYTHERIN_IN, HARRY, 'UDP', 53)).toBe(false);
    expect(poke([a, banp], SLYTHERIN_IN, HARRY, 'TCP', 8080)).toBe(false);
    expect(poke([a], SLYTHERIN_IN, HARRY, 'TCP', 8080)).toBe(true);
  });
  it('treats a Deny rule with an unknown peer as deny-all and an Accept one as matching nothing', () => {
    const deny = cnp('future', 'Admin', 1, {
      ingress: [{ action: 'Deny', from: [{ serviceAccounts: { name: 'x' } }] }],
    });
    const decision = decide([deny], 'ravenclaw/luna-lovegood-0', HARRY);
    expect(decision.verdict).toBe('deny');
    expect(decision.ingress.notes?.[0]).toContain('fail closed');
    const accept = cnp('future', 'Admin', 1, {
      ingress: [{ action: 'Accept', from: [{ serviceAccounts: { name: 'x' } }] }],
    });
    const baseline = cnp('b', 'Baseline', 1, {
      ingress: [{ action: 'Deny', from: [fromHouse('ravenclaw')] }],
    });
    expect(poke([accept, baseline], 'ravenclaw/luna-lovegood-0', HARRY, 'TCP', 80)).toBe(false);
  });
  it('refuses what the API server would refuse, naming the field', () => {
    const bad = [
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'BaselineAdminNetworkPolicy',
        metadata: { name: 'other' },
        spec: { subject: GRYFFINDOR },
      },
      cnp('p', 'Admin', 1001, {}),
      cnp('q', 'Admin', 1, { egress: [{ action: 'Deny', to: [{ domainNames: ['example.com'] }] }] }),
      cnp('r', 'Admin', 1, {
        egress: [
          {
            action: 'Accept',
            to: [{ networks: ['10.0.0.0/8'] }],
            protocols: [{ destinationNamedPort: 'web' }],
          },
        ],
      }),
      cnp('s', 'Admin', 1, { ingress: [{ action: 'Allow', from: [fromHouse('x')] }] }),
      cnp('t', 'Admin', 1, { subject: { namespaces: {}, pods: { podSelector: {} } } }),
      anp('u', 1, { ingress: [{ action: 'Accept', from: [fromHouse('x')] }] }),
    ];
    const parsed = parseClusterObjects(bad);
    expect(parsed.problems.map((p) => `${p.object}: ${p.path}`)).toEqual([
      'BaselineAdminNetworkPolicy other: metadata.name',
      'ClusterNetworkPolicy p: spec.priority',
      'ClusterNetworkPolicy q: spec.egress[0].to[0].domainNames',
      'ClusterNetworkPolicy r: spec.egress[0]',
      'ClusterNetworkPolicy s: spec.ingress[0].action',
      'ClusterNetworkPolicy t: spec.subject',
      'AdminNetworkPolicy u: spec.ingress[0].action',
    ]);
    expect(parsed.snapshot.cni?.clusterPolicies).toBeUndefined();
  });
  it('no longer lists cluster policies as objects it could not evaluate', () => {
    const parsed = parseClusterObjects([
      ...housesObjects(),
      anp('a', 1, { ingress: [{ action: 'Deny', from: [fromHouse('slytherin')] }] }),
    ]);
    expect(compilePolicies(parsed.snapshot).ignored).toEqual([]);
  });
});
