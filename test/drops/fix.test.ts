import { describe, expect, it } from 'vitest';
import { buildDropReports } from '../../src/drops/report.js';
import { compilePolicies } from '../../src/policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo, PolicyProtocol } from '../../src/policy/model.js';
import { MIN, T0, ingest, pod, repeat } from './flow-builder.js';

function podInfo(
  namespace: string,
  workload: string,
  index: number,
  labels: Record<string, string>,
  ports: number[] = [],
): PodInfo {
  return {
    namespace,
    name: `${workload}-abc12-${index}`,
    labels: { ...labels, 'pod-template-hash': 'abc12' },
    ips: [`10.1.${workload.length}.${index}`],
    hostNetwork: false,
    ports: ports.map((p) => ({ containerPort: p, protocol: 'TCP' as const })),
    workload: { kind: 'Deployment', name: workload },
  };
}

const policies: NetworkPolicy[] = [
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'shop', name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'shop', name: 'cart-from-admin' },
    spec: {
      podSelector: { matchLabels: { app: 'cart' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'admin' } } }], ports: [{ port: 8080 }] }],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace: 'jobs', name: 'deny-egress' },
    spec: { podSelector: {}, policyTypes: ['Egress'] },
  },
];

const snapshot: ClusterSnapshot = {
  namespaces: ['shop', 'jobs', 'kube-system'].map((name) => ({
    name,
    labels: { 'kubernetes.io/metadata.name': name },
  })),
  pods: [
    podInfo('shop', 'frontend', 1, { app: 'frontend', tier: 'web' }, [80]),
    podInfo('shop', 'frontend', 2, { app: 'frontend', tier: 'web' }, [80]),
    podInfo('shop', 'cart', 1, { app: 'cart', tier: 'api' }, [8080, 9000]),
    podInfo('shop', 'cart', 2, { app: 'cart', tier: 'api' }, [8080, 9000]),
    podInfo('shop', 'catalog', 1, { app: 'catalog', tier: 'api' }, [8080]),
    podInfo('shop', 'admin', 1, { app: 'admin' }, []),
    podInfo('jobs', 'batch', 1, { app: 'batch' }, []),
    podInfo('jobs', 'report', 1, { app: 'report' }, []),
    podInfo('kube-system', 'coredns', 1, { 'k8s-app': 'kube-dns' }, [53]),
  ],
  services: [],
  policies,
  nodes: [],
};

type Pair = `${string}>${string}:${string}/${number}`;

/** Every pod pair on the fix's port and every container port, independently of the code under test. */
function allowedPairs(policySet: readonly NetworkPolicy[], extraPorts: number[]): Set<Pair> {
  const engine = compilePolicies({ ...snapshot, policies: policySet });
  const out = new Set<Pair>();
  for (const from of snapshot.pods) {
    for (const to of snapshot.pods) {
      if (from === to) continue;
      const ports = new Set([...extraPorts, ...to.ports.map((p) => p.containerPort)]);
      for (const port of ports) {
        const protocol: PolicyProtocol = 'TCP';
        const d = engine.evaluate({
          from: { kind: 'pod', namespace: from.namespace, name: from.name },
          to: { kind: 'pod', namespace: to.namespace, name: to.name },
          port,
          protocol,
        });
        if (d.verdict === 'allow')
          out.add(`${from.namespace}/${from.name}>${to.namespace}/${to.name}:${protocol}/${port}`);
      }
    }
  }
  return out;
}

function newlyAllowed(fix: readonly NetworkPolicy[], port: number): Pair[] {
  const before = allowedPairs(policies, [port]);
  return [...allowedPairs([...policies, ...fix], [port])].filter((p) => !before.has(p)).sort();
}

describe('explanation and fix, verified by the engine', () => {
  const frontend = pod('shop', 'frontend', { app: 'frontend', tier: 'web', 'pod-template-hash': 'abc12' });
  const cart = pod('shop', 'cart', { app: 'cart', tier: 'api', 'pod-template-hash': 'abc12' });
  const batch = pod('jobs', 'batch', { app: 'batch', 'pod-template-hash': 'abc12' });
  const edges = ingest([
    ...repeat(3, T0, MIN, {
      from: frontend,
      to: cart,
      port: 8080,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
    ...repeat(3, T0, MIN, {
      from: batch,
      to: cart,
      port: 8080,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
  ]);
  const { items } = buildDropReports(edges, { snapshot });
  const byPath = (src: string) => {
    const item = items.find((i) => 'workload' in i.source && i.source.workload === src);
    if (item === undefined) throw new Error(src);
    return item;
  };

  it('names the policies isolating the destination and says no rule admits the path', () => {
    const r = byPath('frontend');
    expect(r.explanation?.evaluated).toBe(true);
    if (r.explanation?.evaluated !== true) return;
    expect(r.explanation.verdict).toBe('deny');
    expect(r.explanation.denyingSides).toEqual(['ingress']);
    expect(r.deniedBy).toEqual(['shop/default-deny', 'shop/cart-from-admin']);
    expect(r.explanation.summary).toContain('no ingress rule');
  });

  it('proposes one ingress policy with the exact selectors and the single port, opening nothing unrelated', () => {
    const r = byPath('frontend');
    expect(r.fix).toHaveLength(1);
    const policy = r.fix[0];
    expect(policy?.metadata.namespace).toBe('shop');
    expect(policy?.spec).toEqual({
      podSelector: { matchLabels: { app: 'cart' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'frontend' } } }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
    });
    expect(newlyAllowed(r.fix, 8080)).toEqual([
      'shop/frontend-abc12-1>shop/cart-abc12-1:TCP/8080',
      'shop/frontend-abc12-1>shop/cart-abc12-2:TCP/8080',
      'shop/frontend-abc12-2>shop/cart-abc12-1:TCP/8080',
      'shop/frontend-abc12-2>shop/cart-abc12-2:TCP/8080',
    ]);
    expect(r.fixImpact?.pathAllowed).toBe(true);
    expect(r.fixImpact?.unrelatedOpened).toEqual([]);
    expect(r.fixImpact?.closed).toEqual([]);
    expect(r.fixImpact?.opened).toHaveLength(4);
  });

  it('fixes both sides across namespaces, with a namespaceSelector, and only the path opens', () => {
    const r = byPath('batch');
    if (r.explanation?.evaluated !== true) throw new Error('not evaluated');
    expect(r.explanation.denyingSides).toEqual(['egress', 'ingress']);
    expect(r.deniedBy).toContain('jobs/deny-egress');
    expect(r.fix.map((p) => `${p.metadata.namespace}:${p.spec.policyTypes?.join(',') ?? ''}`)).toEqual([
      'jobs:Egress',
      'shop:Ingress',
    ]);
    expect(r.fix[0]?.spec.egress?.[0]?.to).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
        podSelector: { matchLabels: { app: 'cart' } },
      },
    ]);
    expect(newlyAllowed(r.fix, 8080)).toEqual([
      'jobs/batch-abc12-1>shop/cart-abc12-1:TCP/8080',
      'jobs/batch-abc12-1>shop/cart-abc12-2:TCP/8080',
    ]);
    expect(r.fixImpact?.unrelatedOpened).toEqual([]);
  });

  it('computes the impact of at most maxImpactPaths fixes, in report order, and the same impact as unbounded', () => {
    const bounded = buildDropReports(edges, { snapshot, maxImpactPaths: 1 }).items;
    const withImpact = items.filter((i) => i.fixImpact !== undefined);
    expect(withImpact.length).toBeGreaterThan(1);
    const first = items.indexOf(withImpact[0] as (typeof items)[number]);
    expect(bounded.map((i, n) => (i.fixImpact !== undefined) === (n === first))).toEqual(
      bounded.map(() => true),
    );
    expect(bounded[first]?.fixImpact).toEqual(items[first]?.fixImpact);
    expect(bounded.map((i) => i.fix)).toEqual(items.map((i) => i.fix));
    expect(
      buildDropReports(edges, { snapshot, maxImpactPaths: 0 }).items.every((i) => i.fixImpact === undefined),
    ).toBe(true);
  });

  it('offers a patch to the policy at fault only when it selects exactly the workload', () => {
    // cart is isolated by two policies, so no single policy is at fault
    expect(byPath('frontend').fixPatches).toEqual([]);
    const only = buildDropReports(edges, {
      snapshot: { ...snapshot, policies: [policies[1] as NetworkPolicy] },
    });
    const r = only.items.find((i) => 'workload' in i.source && i.source.workload === 'frontend');
    expect(r?.fixPatches).toEqual([
      {
        policy: 'shop/cart-from-admin',
        ops: [
          {
            op: 'add',
            path: '/spec/ingress/-',
            value: {
              from: [{ podSelector: { matchLabels: { app: 'frontend' } } }],
              ports: [{ protocol: 'TCP', port: 8080 }],
            },
          },
        ],
      },
    ]);
  });

  it('says so when the snapshot already allows the path, and proposes nothing', () => {
    const open = buildDropReports(edges, { snapshot: { ...snapshot, policies: [] } });
    for (const item of open.items) {
      expect(item.fix).toEqual([]);
      expect(item.explanation?.summary).toContain('allow this path');
    }
  });
});
