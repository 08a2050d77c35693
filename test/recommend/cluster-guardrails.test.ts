// `recommend --cluster-policies`: the guardrails admit every observed cross-namespace path, deny
// the unobserved ones at the Baseline tier (cnp) or by an Admin Deny after Pass rules (anp), leave
// same-namespace traffic and NetworkPolicy tightening alone, give shared services Admin Accepts,
// and split objects at the API's limits. Verdicts by the engine over the emitted objects.
import { describe, expect, it } from 'vitest';
import { compilePolicies } from '../../src/policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../../src/policy/model.js';
import { parseClusterObjects } from '../../src/policy/parse-objects.js';
import { recommendGuardrails, type GuardrailFlavor } from '../../src/recommend/cluster-guardrails.js';
import { proveGuardrails } from '../../src/recommend/cluster-guardrails-proof.js';
import { MIN, T0, ingest, pod, repeat } from '../drops/flow-builder.js';

const NAMESPACES = ['shop', 'jobs', 'web', 'monitoring', 'kube-system', 'a', 'b'];
function podInfo(
  namespace: string,
  workload: string,
  labels: Record<string, string> = { app: workload },
): PodInfo {
  return {
    namespace,
    name: `${workload}-abc12-1`,
    labels,
    ips: [],
    hostNetwork: false,
    ports: [],
    workload: { kind: 'Deployment', name: workload },
  };
}
const pods = [
  podInfo('shop', 'cart'),
  podInfo('shop', 'frontend'),
  podInfo('jobs', 'batch'),
  podInfo('web', 'gateway'),
  podInfo('a', 'x'),
  podInfo('b', 'y'),
  podInfo('monitoring', 'prometheus'),
  podInfo('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
];
const snapshot: ClusterSnapshot = {
  namespaces: NAMESPACES.map((name) => ({ name, labels: { 'kubernetes.io/metadata.name': name } })),
  pods,
  services: [],
  policies: [],
  nodes: [],
};
const p = (ns: string, wl: string) =>
  pod(ns, wl, pods.find((x) => x.namespace === ns && x.workload.name === wl)?.labels ?? { app: wl });
const flows = [
  ...repeat(3, T0, MIN, {
    from: p('jobs', 'batch'),
    to: p('shop', 'cart'),
    port: 8080,
    verdict: 'forwarded',
  }),
  ...repeat(3, T0, MIN, {
    from: p('web', 'gateway'),
    to: p('shop', 'frontend'),
    port: 80,
    verdict: 'forwarded',
  }),
  ...repeat(2, T0, MIN, {
    from: p('shop', 'frontend'),
    to: p('shop', 'cart'),
    port: 8080,
    verdict: 'forwarded',
  }),
  ...repeat(2, T0, MIN, {
    from: p('jobs', 'batch'),
    to: p('kube-system', 'coredns'),
    port: 53,
    protocol: 'UDP',
    verdict: 'forwarded',
  }),
  ...['shop', 'jobs', 'web'].flatMap((ns) =>
    repeat(1, T0, MIN, {
      from: p('monitoring', 'prometheus'),
      to: p(ns, ns === 'shop' ? 'cart' : ns === 'jobs' ? 'batch' : 'gateway'),
      port: 9090,
      verdict: 'forwarded',
    }),
  ),
];
const edges = ingest(flows);

function engineWith(flavor: GuardrailFlavor, policies: NetworkPolicy[] = []) {
  const guardrails = recommendGuardrails(edges, snapshot, flavor);
  const parsed = parseClusterObjects(guardrails.objects);
  expect(parsed.problems).toEqual([]);
  return {
    guardrails,
    engine: compilePolicies({
      ...snapshot,
      policies,
      ...(parsed.snapshot.cni !== undefined ? { cni: parsed.snapshot.cni } : {}),
    }),
  };
}
const allowed = (
  engine: ReturnType<typeof compilePolicies>,
  from: string,
  to: string,
  port: number,
  protocol: 'TCP' | 'UDP' = 'TCP',
) => {
  const [fns, fwl] = from.split('/') as [string, string];
  const [tns, twl] = to.split('/') as [string, string];
  return engine.isAllowed({
    from: { kind: 'pod', namespace: fns, name: `${fwl}-abc12-1` },
    to: { kind: 'pod', namespace: tns, name: `${twl}-abc12-1` },
    port,
    protocol,
  });
};

describe.each(['cnp', 'anp'] as const)('cluster guardrails (%s)', (flavor) => {
  it('admit what was observed, deny unobserved cross-namespace ingress, leave same-namespace traffic alone', () => {
    const { engine, guardrails } = engineWith(flavor);
    expect(
      guardrails.objects.every(
        (o) => o['kind'] === (flavor === 'cnp' ? 'ClusterNetworkPolicy' : 'AdminNetworkPolicy'),
      ),
    ).toBe(true);
    expect(allowed(engine, 'jobs/batch', 'shop/cart', 8080)).toBe(true);
    expect(allowed(engine, 'web/gateway', 'shop/frontend', 80)).toBe(true);
    expect(allowed(engine, 'jobs/batch', 'kube-system/coredns', 53, 'UDP')).toBe(true);
    expect(allowed(engine, 'monitoring/prometheus', 'web/gateway', 9090)).toBe(true);
    expect(allowed(engine, 'jobs/batch', 'shop/frontend', 80)).toBe(false);
    expect(allowed(engine, 'jobs/batch', 'shop/cart', 9999)).toBe(false);
    expect(allowed(engine, 'a/x', 'b/y', 80)).toBe(false);
    expect(allowed(engine, 'shop/frontend', 'shop/cart', 1234)).toBe(true);
    const proof = proveGuardrails(guardrails, () => edges, snapshot, [], new Set());
    expect(proof.problems).toEqual([]);
    expect(proof.violations).toEqual([]);
    expect(proof.allowed).toBe(proof.replayed);
  });

  it('namespace owners can still tighten an observed path with a NetworkPolicy', () => {
    const denyAll: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: 'shop', name: 'deny' },
      spec: { podSelector: { matchLabels: { app: 'cart' } }, policyTypes: ['Ingress'] },
    };
    expect(allowed(engineWith(flavor, [denyAll]).engine, 'jobs/batch', 'shop/cart', 8080)).toBe(false);
  });

  it('give DNS and a many-namespace scraper Admin-tier accepts', () => {
    const { guardrails } = engineWith(flavor);
    const names = guardrails.objects.map((o) => (o['metadata'] as { name: string }).name);
    expect(names).toContain('netpol-advisor-service-kube-system-coredns-egress');
    expect(names).toContain('netpol-advisor-agent-monitoring-prometheus-ingress');
  });
});

describe('API limits', () => {
  it('splits a destination with 30 observed source workloads into objects of at most 25 rules (cnp)', () => {
    const many = Array.from({ length: 30 }, (_, i) => pod('jobs', `w${i}`));
    const flood = ingest(
      many.flatMap((from) =>
        repeat(1, T0, MIN, { from, to: pod('shop', 'cart'), port: 8080, verdict: 'forwarded' }),
      ),
    );
    const guardrails = recommendGuardrails(flood, undefined, 'cnp');
    const cart = guardrails.objects.filter((o) =>
      (o['metadata'] as { name: string }).name.startsWith('netpol-advisor-cross-namespace-shop-cart'),
    );
    expect(cart.map((o) => (o['spec'] as { ingress: unknown[] }).ingress.length)).toEqual([25, 5]);
    expect(parseClusterObjects(guardrails.objects).problems).toEqual([]);
  });
});
