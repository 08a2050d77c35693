// Named edge cases, one per item of networking.k8s.io/v1 semantics (issue 3, point 2).
import { describe, expect, it } from 'vitest';
import { compilePolicies, type QueryEndpoint } from '../../src/policy/engine.js';
import type {
  ClusterSnapshot,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicySpec,
  PodInfo,
} from '../../src/policy/model.js';

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ips: string[],
  extra: Partial<PodInfo> = {},
): PodInfo {
  return {
    namespace,
    name,
    labels,
    ips,
    hostNetwork: false,
    ports: [],
    workload: { kind: 'Pod', name },
    ...extra,
  };
}
function np(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}
const PODS: PodInfo[] = [
  pod('a', 'web', { app: 'web' }, ['10.0.0.1', 'fd00::1'], {
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
  }),
  pod('a', 'api', { app: 'api', tier: 'be' }, ['10.0.0.2'], {
    ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }],
  }),
  pod('b', 'client', { app: 'client' }, ['10.0.1.1', 'fd00::11']),
  pod('b', 'other', {}, ['10.0.1.2']),
  pod('b', 'pending', { app: 'client' }, []),
  pod('kube-system', 'agent', { app: 'agent' }, ['192.168.0.5'], { hostNetwork: true }),
];
function snap(policies: NetworkPolicy[]): ClusterSnapshot {
  return {
    namespaces: [
      { name: 'a', labels: { 'kubernetes.io/metadata.name': 'a', env: 'prod' } },
      { name: 'b', labels: { 'kubernetes.io/metadata.name': 'b', env: 'dev' } },
    ],
    pods: PODS,
    services: [],
    policies,
    nodes: [{ name: 'n1', ips: ['192.168.0.9'] }],
  };
}
const P = (ns: string, name: string): QueryEndpoint => ({ kind: 'pod', namespace: ns, name });
const IP = (ip: string): QueryEndpoint => ({ kind: 'ip', ip });
function verdict(
  policies: NetworkPolicy[],
  from: QueryEndpoint,
  to: QueryEndpoint,
  port = 80,
  protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP',
  ipBlockMatchesPods = true,
) {
  const engine = compilePolicies(snap(policies), { ipBlockMatchesPods });
  const decision = engine.evaluate({ from, to, port, protocol });
  // every edge case also checks that the verdict-only fast path agrees
  expect(engine.isAllowed({ from, to, port, protocol })).toBe(decision.verdict === 'allow');
  return decision;
}
const ingressTo = (
  spec: Omit<NetworkPolicySpec, 'podSelector'>,
  podSelector: LabelSelector = { matchLabels: { app: 'web' } },
) => [np('a', 'p', { podSelector, ...spec })];

describe('selectors', () => {
  it('matchLabels selects pods with all the labels', () => {
    const policies = ingressTo({
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api', tier: 'be' } } }] }],
    });
    expect(verdict(policies, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('a', 'web'), P('a', 'web')).verdict).toBe('deny');
  });
  it('matchExpressions In, NotIn (absent key matches), Exists, DoesNotExist', () => {
    const e = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values?: string[]) =>
      ingressTo({
        ingress: [
          {
            from: [
              {
                namespaceSelector: {},
                podSelector: { matchExpressions: [{ key: 'app', operator, ...(values ? { values } : {}) }] },
              },
            ],
          },
        ],
      });
    expect(verdict(e('In', ['client']), P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(e('In', ['client']), P('b', 'other'), P('a', 'web')).verdict).toBe('deny');
    expect(verdict(e('NotIn', ['client']), P('b', 'other'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(e('NotIn', ['client']), P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
    expect(verdict(e('Exists'), P('b', 'other'), P('a', 'web')).verdict).toBe('deny');
    expect(verdict(e('Exists'), P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(e('DoesNotExist'), P('b', 'other'), P('a', 'web')).verdict).toBe('allow');
  });
  it('podSelector and namespaceSelector in one peer are ANDed', () => {
    const policies = ingressTo({
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { env: 'dev' } },
              podSelector: { matchLabels: { app: 'client' } },
            },
          ],
        },
      ],
    });
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'other'), P('a', 'web')).verdict).toBe('deny');
  });
  it('separate peers are ORed', () => {
    const policies = ingressTo({
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { env: 'dev' } } },
            { podSelector: { matchLabels: { app: 'api' } } },
          ],
        },
      ],
    });
    expect(verdict(policies, P('b', 'other'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('a', 'web'), P('a', 'web')).verdict).toBe('deny');
  });
  it('empty podSelector {} in a peer means all pods of the policy namespace; absent namespaceSelector keeps it there', () => {
    const policies = ingressTo({ ingress: [{ from: [{ podSelector: {} }] }] });
    expect(verdict(policies, P('a', 'api'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
  });
  it('empty namespaceSelector {} means every namespace (pods only, not external IPs)', () => {
    const policies = ingressTo({ ingress: [{ from: [{ namespaceSelector: {} }] }] });
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, IP('203.0.113.1'), P('a', 'web')).verdict).toBe('deny');
  });
  it('empty policy podSelector selects every pod of the namespace', () => {
    const policies = ingressTo({ ingress: [] }, {});
    expect(verdict(policies, P('b', 'client'), P('a', 'api')).verdict).toBe('deny');
    expect(verdict(policies, P('a', 'web'), P('b', 'client')).verdict).toBe('allow');
  });
});

describe('empty versus absent', () => {
  it('absent `from` admits every source, including external IPs', () => {
    const policies = ingressTo({ ingress: [{ ports: [{ port: 80 }] }] });
    expect(verdict(policies, IP('203.0.113.1'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'other'), P('a', 'web'), 81).verdict).toBe('deny');
  });
  it('empty `from: []` admits every source too', () => {
    expect(verdict(ingressTo({ ingress: [{ from: [] }] }), IP('203.0.113.1'), P('a', 'web')).verdict).toBe(
      'allow',
    );
  });
  it('empty `ports: []` admits every port and protocol', () => {
    const policies = ingressTo({ ingress: [{ ports: [], from: [{ podSelector: {} }] }] });
    expect(verdict(policies, P('a', 'api'), P('a', 'web'), 12345, 'UDP').verdict).toBe('allow');
  });
  it('`ingress: []` (no rules) denies all ingress; `egress: []` without policyTypes does not affect egress', () => {
    const policies = ingressTo({ ingress: [], egress: [] });
    expect(verdict(policies, P('a', 'api'), P('a', 'web')).verdict).toBe('deny');
    const d = verdict(policies, P('a', 'web'), P('a', 'api'));
    expect(d.egress).toMatchObject({ isolated: false, allowed: true });
  });
});

describe('policyTypes', () => {
  it('defaults to Ingress only when there are no egress rules', () => {
    const d = verdict(ingressTo({}), P('a', 'web'), P('b', 'client'));
    expect(d.verdict).toBe('allow');
    expect(verdict(ingressTo({}), P('b', 'client'), P('a', 'web')).ingress.isolatedBy).toEqual(['a/p']);
  });
  it('defaults to Ingress and Egress when egress rules exist', () => {
    const policies = ingressTo({ egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] });
    expect(verdict(policies, P('a', 'web'), P('a', 'api')).verdict).toBe('allow');
    expect(verdict(policies, P('a', 'web'), P('b', 'client')).verdict).toBe('deny');
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).verdict).toBe('deny');
  });
  it('explicit policyTypes [Egress] with no rules denies all egress and leaves ingress alone', () => {
    const policies = ingressTo({ policyTypes: ['Egress'] });
    const d = verdict(policies, P('a', 'web'), IP('203.0.113.1'));
    expect(d.verdict).toBe('deny');
    expect(d.egress.isolatedBy).toEqual(['a/p']);
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
  });
  it('explicit policyTypes [Egress] ignores ingress rules that are present', () => {
    const policies = ingressTo({ policyTypes: ['Egress'], ingress: [] });
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).ingress.isolated).toBe(false);
  });
});

describe('ports', () => {
  it('protocol defaults to TCP; UDP and SCTP must match exactly', () => {
    const policies = ingressTo({
      ingress: [{ ports: [{ port: 53 }, { port: 53, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }] }],
    });
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 53, 'TCP').verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 53, 'UDP').verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 9, 'SCTP').verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 9, 'TCP').verdict).toBe('deny');
  });
  it('endPort admits the inclusive range', () => {
    const policies = ingressTo({ ingress: [{ ports: [{ port: 32000, endPort: 32768 }] }] });
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 32000).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 32768).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 32769).verdict).toBe('deny');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 31999).verdict).toBe('deny');
  });
  it('a named port resolves per destination pod', () => {
    const policies = ingressTo({ ingress: [{ ports: [{ port: 'http' }] }] }, {});
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 8080).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 9090).verdict).toBe('deny');
    expect(verdict(policies, P('b', 'client'), P('a', 'api'), 9090).verdict).toBe('allow');
  });
  it('a named port in an egress rule resolves against the destination pod, and never matches an external IP', () => {
    const policies = [np('b', 'e', { podSelector: {}, egress: [{ ports: [{ port: 'http' }] }] })];
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 8080).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'api'), 8080).verdict).toBe('deny');
    expect(verdict(policies, P('b', 'client'), IP('203.0.113.1'), 8080).verdict).toBe('deny');
  });
});

describe('ipBlock', () => {
  it('matches an external IPv4 inside cidr and outside except', () => {
    const policies = ingressTo({
      ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }],
    });
    expect(verdict(policies, IP('203.0.113.5'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, IP('203.0.113.200'), P('a', 'web')).verdict).toBe('deny');
    expect(verdict(policies, IP('198.51.100.1'), P('a', 'web')).verdict).toBe('deny');
  });
  it('matches IPv6 addresses and never crosses families', () => {
    const policies = ingressTo({
      ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:dead::/48'] } }] }],
    });
    expect(verdict(policies, IP('2001:db8::1'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, IP('2001:db8:dead::1'), P('a', 'web')).verdict).toBe('deny');
    expect(
      verdict(
        ingressTo({ ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
        IP('2001:db8::1'),
        P('a', 'web'),
      ).verdict,
    ).toBe('deny');
  });
  it('matches a pod whose IP falls inside it by default (e2e conformance), not with ipBlockMatchesPods=false (Cilium)', () => {
    const policies = ingressTo({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }] });
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).verdict).toBe('allow');
    expect(verdict(policies, P('b', 'client'), P('a', 'web'), 80, 'TCP', false).verdict).toBe('deny');
  });
  it('an IP query that belongs to a pod is judged as that pod (its policies apply)', () => {
    const policies = [np('b', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] })];
    const d = verdict(policies, IP('10.0.1.1'), P('a', 'web'));
    expect(d.verdict).toBe('deny');
    expect(d.egress.isolatedBy).toEqual(['b/deny-egress']);
    expect(verdict(policies, IP('fd00::11'), P('a', 'web')).verdict).toBe('deny');
  });
  it('a pod without an IP can be queried by name and matches no ipBlock', () => {
    const policies = ingressTo({ ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    expect(verdict(policies, P('b', 'pending'), P('a', 'web')).verdict).toBe('deny');
    expect(verdict([], P('b', 'pending'), P('a', 'web')).verdict).toBe('allow');
  });
});

describe('isolation, union and both sides', () => {
  it('isolation is per direction', () => {
    const policies = ingressTo({ ingress: [] });
    const d = verdict(policies, P('a', 'web'), P('b', 'client'));
    expect(d.egress.isolated).toBe(false);
    expect(verdict(policies, P('b', 'client'), P('a', 'web')).ingress.isolated).toBe(true);
  });
  it('several policies are a union, and every admitting rule is reported', () => {
    const policies = [
      np('a', 'deny', { podSelector: {}, ingress: [] }),
      np('a', 'allow1', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ ports: [{ port: 81 }] }, { from: [{ namespaceSelector: {} }] }],
      }),
      np('a', 'allow2', {
        podSelector: {},
        ingress: [{ from: [{ podSelector: {}, namespaceSelector: { matchLabels: { env: 'dev' } } }] }],
      }),
    ];
    const d = verdict(policies, P('b', 'client'), P('a', 'web'));
    expect(d.verdict).toBe('allow');
    expect(d.ingress.isolatedBy).toEqual(['a/deny', 'a/allow1', 'a/allow2']);
    expect(d.ingress.allowedBy).toEqual([
      { policy: 'a/allow1', rule: 1 },
      { policy: 'a/allow2', rule: 0 },
    ]);
    expect(d.ingress.reason).toContain('a/allow1 ingress[1]');
  });
  it('a connection needs egress at the source and ingress at the destination', () => {
    const policies = [
      np('b', 'egress-ok', { podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] }),
      np('a', 'ingress-deny', { podSelector: {}, ingress: [] }),
    ];
    const d = verdict(policies, P('b', 'client'), P('a', 'web'));
    expect(d).toMatchObject({
      verdict: 'deny',
      egress: { allowed: true },
      ingress: { allowed: false, allowedBy: [] },
    });
    expect(d.ingress.reason).toMatch(/no ingress rule/);
  });
  it('an external IP endpoint imposes no policy of its own', () => {
    const d = verdict(ingressTo({ ingress: [] }), P('a', 'web'), IP('203.0.113.1'));
    expect(d.ingress).toMatchObject({ allowed: true, isolated: false, isolatedBy: [] });
    expect(d.ingress.reason).toMatch(/outside the cluster/);
  });
  it('a hostNetwork pod is a node IP: not selected by pod selectors, imposes no policy, matched by ipBlock', () => {
    const podsOnly = ingressTo({ ingress: [{ from: [{ namespaceSelector: {} }] }] });
    const d = verdict(podsOnly, P('kube-system', 'agent'), P('a', 'web'));
    expect(d.verdict).toBe('deny');
    expect(d.egress.reason).toMatch(/hostNetwork/);
    expect(
      verdict(
        ingressTo({ ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/24' } }] }] }),
        P('kube-system', 'agent'),
        P('a', 'web'),
        80,
        'TCP',
        false,
      ).verdict,
    ).toBe('allow');
    const byIp = verdict(podsOnly, IP('192.168.0.9'), P('a', 'web'));
    expect(byIp.egress.reason).toMatch(/node IP \(node n1\)/);
  });
  it('a workload endpoint not in the snapshot is judged by its labels and namespace', () => {
    const policies = ingressTo({
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { env: 'dev' } },
              podSelector: { matchLabels: { app: 'new' } },
            },
          ],
        },
      ],
    });
    const from: QueryEndpoint = { kind: 'workload', namespace: 'b', labels: { app: 'new' } };
    expect(verdict(policies, from, P('a', 'web')).verdict).toBe('allow');
    expect(
      verdict(policies, { kind: 'workload', namespace: 'a', labels: { app: 'new' } }, P('a', 'web')).verdict,
    ).toBe('deny');
    expect(
      verdict(policies, P('b', 'client'), { kind: 'workload', namespace: 'a', labels: { app: 'web' } })
        .verdict,
    ).toBe('deny');
  });
  it('unknown pods and bad IPs are errors', () => {
    expect(() => verdict([], P('a', 'nope'), P('a', 'web'))).toThrow(/no pod a\/nope/);
    expect(() => verdict([], IP('10.0.0.300'), P('a', 'web'))).toThrow(/not an IP/);
    const engine = compilePolicies(snap([]));
    expect(() =>
      engine.isAllowed({ from: P('a', 'web'), to: P('a', 'nope'), port: 80, protocol: 'TCP' }),
    ).toThrow(/no pod a\/nope/);
    expect(() =>
      engine.isAllowed({ from: IP('10.0.0.300'), to: P('a', 'web'), port: 80, protocol: 'TCP' }),
    ).toThrow(/not an IP/);
  });
});
