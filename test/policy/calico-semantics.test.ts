// Named tests, one per Calico semantic rule the engine models (docs.tigera.io: policy tiers,
// rules and actions, selectors; libcalico-go api/pkg/apis/projectcalico/v3 and lib/selector).
import { describe, expect, it } from 'vitest';
import { parseCalicoSelector } from '../../src/policy/calico/selector.js';
import { compilePolicies } from '../../src/policy/engine.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { BASE_OBJECTS, calicoNp, decide, gnp, IP, knp, P, snapshotWith, tier } from './cni-fixture.js';

describe('Calico selectors', () => {
  const labels = { app: 'web', tier: 'fe', 'a.b/c': 'x' };
  const cases: [string, boolean][] = [
    ["app == 'web'", true],
    ["app != 'web'", false],
    ["missing != 'web'", true],
    ["app in {'api','web'}", true],
    ["app not in {'api','web'}", false],
    ["missing not in {'x'}", true],
    ['has(tier)', true],
    ['!has(tier)', false],
    ['all()', true],
    ['', true],
    ['global()', false],
    ["app == 'web' && tier == 'be'", false],
    ["app == 'web' || tier == 'be'", true],
    ["!(app == 'web' && has(tier))", false],
    ['a.b/c == "x"', true],
    ["app contains 'e'", true],
    ["app starts with 'w'", true],
    ["app ends with 'x'", false],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} → ${want}`, () => {
      const parsed = parseCalicoSelector(text);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.matches(labels)).toBe(want);
    });
  }
  it('rejects malformed selectors with a message', () => {
    for (const bad of [
      'app == web',
      'app ==',
      'has(app',
      "app in {'a'",
      "(app == 'a'",
      "app = 'x'",
      'x'.repeat(5000),
    ]) {
      const parsed = parseCalicoSelector(bad);
      expect(parsed.ok, bad).toBe(false);
    }
  });
});

const WEB_IN = (rules: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  calicoNp('a', 'web-in', { selector: "app == 'web'", types: ['Ingress'], ingress: rules, ...extra });

describe('Calico: rules and actions', () => {
  it("a policy that applies and matches nothing ends in the default tier's Deny", () => {
    const d = decide(
      [WEB_IN([{ action: 'Allow', source: { selector: "app == 'api'" } }])],
      P('b', 'client'),
      P('a', 'web'),
    );
    expect(d.verdict).toBe('deny');
    expect(d.ingress.decidedBy).toEqual({
      object: 'tier default',
      rule: 'end of tier (default action Deny)',
      action: 'Deny',
    });
    expect(
      decide(
        [WEB_IN([{ action: 'Allow', source: { selector: "app == 'api'" } }])],
        P('a', 'api'),
        P('a', 'web'),
      ).verdict,
    ).toBe('allow');
  });
  it('rules are ordered: the first matching Allow or Deny decides; Log goes on', () => {
    const rules = [
      { action: 'Log' },
      { action: 'Deny', source: { selector: "app == 'api'" } },
      { action: 'Allow' },
    ];
    const d = decide([WEB_IN(rules)], P('a', 'api'), P('a', 'web'));
    expect(d.verdict).toBe('deny');
    expect(d.ingress.decidedBy).toEqual({
      object: 'NetworkPolicy a/web-in',
      rule: 'ingress[1]',
      action: 'Deny',
    });
    expect(decide([WEB_IN(rules)], P('b', 'client'), P('a', 'web')).ingress.decidedBy?.rule).toBe(
      'ingress[2]',
    );
  });
  it('policies are ordered by `order` (unset last), ties by name', () => {
    const allow = calicoNp('a', 'z-allow', {
      order: 10,
      selector: "app == 'web'",
      ingress: [{ action: 'Allow' }],
    });
    const deny = calicoNp('a', 'a-deny', {
      order: 20,
      selector: "app == 'web'",
      ingress: [{ action: 'Deny' }],
    });
    expect(decide([allow, deny], P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    const unordered = calicoNp('a', 'a-deny', { selector: "app == 'web'", ingress: [{ action: 'Deny' }] });
    expect(decide([allow, unordered], P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    const tie = calicoNp('a', 'a-deny', {
      order: 10,
      selector: "app == 'web'",
      ingress: [{ action: 'Deny' }],
    });
    expect(decide([allow, tie], P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
  });
  it('types default: Ingress, or Egress alone when only egress rules are present', () => {
    const egressOnly = calicoNp('a', 'e', { selector: "app == 'web'", egress: [{ action: 'Deny' }] });
    expect(decide([egressOnly], P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(decide([egressOnly], P('a', 'web'), P('b', 'client')).verdict).toBe('deny');
    const none = calicoNp('a', 'n', { selector: "app == 'web'" });
    expect(decide([none], P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
    expect(decide([none], P('a', 'web'), P('b', 'client')).verdict).toBe('allow');
  });
  it('protocol, notProtocol, ports (numbers, ranges, names) and notPorts on the destination', () => {
    const rule = (r: Record<string, unknown>) => [WEB_IN([{ action: 'Allow', ...r }])];
    expect(decide(rule({ protocol: 'UDP' }), P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
    expect(decide(rule({ notProtocol: 'UDP' }), P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    expect(
      decide(
        rule({ protocol: 'TCP', destination: { ports: ['8000:8100'] } }),
        P('a', 'api'),
        P('a', 'web'),
        8080,
      ).verdict,
    ).toBe('allow');
    expect(
      decide(rule({ protocol: 'TCP', destination: { ports: ['http'] } }), P('a', 'api'), P('a', 'web'), 8080)
        .verdict,
    ).toBe('allow');
    expect(
      decide(rule({ protocol: 'TCP', destination: { ports: [80] } }), P('a', 'api'), P('a', 'web'), 8080)
        .verdict,
    ).toBe('deny');
    expect(
      decide(rule({ protocol: 'TCP', destination: { notPorts: [8080] } }), P('a', 'api'), P('a', 'web'), 8080)
        .verdict,
    ).toBe('deny');
  });
  it('nets and notNets match any address, pods included', () => {
    const rule = (r: Record<string, unknown>) => [WEB_IN([{ action: 'Allow', source: r }])];
    expect(decide(rule({ nets: ['10.0.1.0/24'] }), P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(decide(rule({ nets: ['10.0.1.0/24'] }), P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
    expect(decide(rule({ notNets: ['10.0.1.0/24'] }), P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    expect(decide(rule({ nets: ['203.0.113.0/24'] }), IP('203.0.113.5'), P('a', 'web')).verdict).toBe(
      'allow',
    );
  });
  it('selector in a namespaced policy means its namespace; namespaceSelector widens it; outside addresses never match a selector but do match notSelector', () => {
    const rule = (r: Record<string, unknown>) => [WEB_IN([{ action: 'Allow', source: r }])];
    expect(decide(rule({ selector: "app == 'client'" }), P('b', 'client'), P('a', 'web')).verdict).toBe(
      'deny',
    );
    expect(
      decide(
        rule({ selector: "app == 'client'", namespaceSelector: "env == 'dev'" }),
        P('b', 'client'),
        P('a', 'web'),
      ).verdict,
    ).toBe('allow');
    expect(
      decide(rule({ namespaceSelector: "projectcalico.org/name == 'b'" }), P('b', 'other'), P('a', 'web'))
        .verdict,
    ).toBe('allow');
    expect(decide(rule({ selector: 'all()' }), IP('203.0.113.5'), P('a', 'web')).verdict).toBe('deny');
    expect(decide(rule({ notSelector: "app == 'api'" }), IP('203.0.113.5'), P('a', 'web')).verdict).toBe(
      'allow',
    );
    expect(decide(rule({ notSelector: "app == 'api'" }), P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
  });
  it('a GlobalNetworkPolicy selector spans namespaces; its namespaceSelector narrows the endpoints it applies to', () => {
    const g = gnp('g', {
      selector: 'has(app)',
      namespaceSelector: "env == 'prod'",
      ingress: [{ action: 'Allow', source: { selector: "app == 'client'" } }],
    });
    expect(decide([g], P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(decide([g], P('b', 'other'), P('a', 'web')).verdict).toBe('deny');
    expect(decide([g], P('a', 'web'), P('b', 'client')).verdict).toBe('allow');
  });
  it("source entity constrains the policy's own pod on egress (both entities always apply)", () => {
    const e = calicoNp('a', 'e', {
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Allow', source: { selector: "app == 'api'" } }],
    });
    expect(decide([e], P('a', 'api'), P('b', 'client')).verdict).toBe('allow');
    expect(decide([e], P('a', 'web'), P('b', 'client')).verdict).toBe('deny');
  });
  it('serviceAccounts.names and services', () => {
    const sa = [WEB_IN([{ action: 'Allow', source: { serviceAccounts: { names: ['api-sa'] } } }])];
    expect(decide(sa, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    const svc = [
      calicoNp('b', 'to-api', {
        selector: "app == 'client'",
        types: ['Egress'],
        egress: [{ action: 'Allow', destination: { services: { name: 'api', namespace: 'a' } } }],
      }),
    ];
    expect(decide(svc, P('b', 'client'), P('a', 'api'), 8080).verdict).toBe('allow');
    expect(decide(svc, P('b', 'client'), P('a', 'api'), 9999).verdict).toBe('deny');
    expect(decide(svc, P('b', 'client'), P('a', 'web'), 8080).verdict).toBe('deny');
  });
  it('an http match is L3/L4-evaluated and reported as L7 not evaluated', () => {
    const d = decide(
      [WEB_IN([{ action: 'Allow', http: { methods: ['GET'] } }])],
      P('a', 'api'),
      P('a', 'web'),
    );
    expect(d.verdict).toBe('allow');
    expect(d.ingress.notes?.[0]).toMatch(/L7 not evaluated/);
  });
});

describe('Calico: tiers', () => {
  const security = tier('security', 100);
  it('a tier with a lower order is evaluated first; its Deny beats a later Allow', () => {
    const deny = gnp('security.block', {
      tier: 'security',
      selector: "app == 'web'",
      ingress: [{ action: 'Deny', source: { selector: "app == 'client'" } }, { action: 'Pass' }],
    });
    const allow = WEB_IN([{ action: 'Allow' }]);
    expect(decide([security, deny, allow], P('b', 'client'), P('a', 'web')).ingress.decidedBy?.object).toBe(
      'GlobalNetworkPolicy security.block',
    );
    expect(decide([security, deny, allow], P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
  });
  it('Pass skips the rest of the tier; with no later tier applying, the profile allows', () => {
    const pass = gnp('security.pass', {
      tier: 'security',
      selector: "app == 'web'",
      ingress: [{ action: 'Pass' }],
    });
    const d = decide([security, pass], P('b', 'client'), P('a', 'web'));
    expect(d.verdict).toBe('allow');
    expect(d.ingress.isolated).toBe(true);
  });
  it('a tier whose policies apply but match nothing denies, unless its defaultAction is Pass', () => {
    const nomatch = gnp('security.nomatch', {
      tier: 'security',
      selector: "app == 'web'",
      ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }],
    });
    expect(decide([security, nomatch], P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
    expect(decide([tier('security', 100, 'Pass'), nomatch], P('b', 'client'), P('a', 'web')).verdict).toBe(
      'allow',
    );
  });
  it('Kubernetes NetworkPolicies sit in the default tier at order 1000', () => {
    const np = knp('a', 'allow-api', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    });
    const earlyDeny = calicoNp('a', 'deny-api', {
      order: 500,
      selector: "app == 'web'",
      ingress: [{ action: 'Deny', source: { selector: "app == 'api'" } }],
    });
    const lateDeny = calicoNp('a', 'deny-api', {
      order: 2000,
      selector: "app == 'web'",
      ingress: [{ action: 'Deny', source: { selector: "app == 'api'" } }],
    });
    expect(decide([np, earlyDeny], P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
    const d = decide([np, lateDeny], P('a', 'api'), P('a', 'web'));
    expect(d.verdict).toBe('allow');
    expect(d.ingress.decidedBy).toEqual({ object: 'a/allow-api', rule: 'ingress[0]', action: 'Allow' });
    // Under Calico a NetworkPolicy's ipBlock selects pods by address
    const cidr = knp('a', 'cidr', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }],
    });
    expect(decide([cidr, lateDeny], P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
  });
  it('a policy in a tier the snapshot does not define is ignored with the reason', () => {
    const engine = compilePolicies(
      snapshotWith([
        gnp('ops.x', { tier: 'ops', selector: 'all()', ingress: [{ action: 'Deny' }] }),
        WEB_IN([{ action: 'Allow' }]),
      ]),
    );
    expect(engine.ignored.map((o) => o.reason)).toEqual([
      'tier "ops" is not in the snapshot (add its Tier object)',
    ]);
  });
});

describe('Calico: staged policies', () => {
  const staged = calicoNp(
    'a',
    'web-in',
    {
      selector: "app == 'web'",
      ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }],
      stagedAction: 'Set',
    },
    'StagedNetworkPolicy',
  );
  it('are never enforced', () => {
    expect(decide([staged], P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
  });
  it('are enforced as promoted when asked (Set adds or replaces, Delete removes)', () => {
    expect(
      decide([staged], P('b', 'client'), P('a', 'web'), 80, 'TCP', { promoteStaged: true }).verdict,
    ).toBe('deny');
    expect(decide([staged], P('a', 'api'), P('a', 'web'), 80, 'TCP', { promoteStaged: true }).verdict).toBe(
      'allow',
    );
    const enforced = WEB_IN([{ action: 'Deny' }]);
    const del = calicoNp(
      'a',
      'web-in',
      { selector: "app == 'web'", stagedAction: 'Delete' },
      'StagedNetworkPolicy',
    );
    expect(decide([enforced, del], P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
    expect(
      decide([enforced, del], P('a', 'api'), P('a', 'web'), 80, 'TCP', { promoteStaged: true }).verdict,
    ).toBe('allow');
  });
  it('StagedKubernetesNetworkPolicy promotes to a NetworkPolicy', () => {
    const skp = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'StagedKubernetesNetworkPolicy',
      metadata: { namespace: 'a', name: 'deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], stagedAction: 'Set' },
    };
    expect(decide([skp], P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(decide([skp], P('b', 'client'), P('a', 'web'), 80, 'TCP', { promoteStaged: true }).verdict).toBe(
      'deny',
    );
  });
});

describe('Calico: what is not modelled is reported', () => {
  it('host-endpoint flags, service-account label selectors and ICMP matches make the object ignored', () => {
    const engine = compilePolicies(
      snapshotWith([
        gnp('pre', { selector: 'all()', preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny' }] }),
        calicoNp('a', 'sa', {
          selector: 'all()',
          serviceAccountSelector: "team == 'x'",
          ingress: [{ action: 'Allow' }],
        }),
        calicoNp('a', 'icmp', {
          selector: 'all()',
          ingress: [{ action: 'Allow', protocol: 'ICMP', icmp: { type: 8 } }],
        }),
        {
          apiVersion: 'projectcalico.org/v3',
          kind: 'GlobalNetworkSet',
          metadata: { name: 'bad-ips' },
          spec: { nets: ['1.2.3.4/32'] },
        },
      ]),
    );
    expect(engine.ignored.map((o) => `${o.kind} ${o.name} (${o.appliesTo.kind})`)).toEqual([
      'GlobalNetworkPolicy pre (none)',
      'NetworkPolicy sa (calico)',
      'NetworkPolicy icmp (calico)',
      'GlobalNetworkSet bad-ips (none)',
    ]);
  });
  it('a malformed selector is a problem naming the field', () => {
    const parsed = parseClusterObjects([...BASE_OBJECTS, calicoNp('a', 'bad', { selector: 'app == web' })]);
    expect(parsed.problems.map((p) => `${p.object}: ${p.path}`)).toEqual([
      'NetworkPolicy a/bad: spec.selector',
    ]);
  });
});
