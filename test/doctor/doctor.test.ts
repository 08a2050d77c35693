// One scenario per finding: flows (real aggregation, real SQLite store) plus a snapshot fixture
// (real loader). Each asserts the finding and the objects it names, then applies the fix to the
// snapshot's policies and checks with the engine that it resolves the problem and that, over every
// pod pair of the snapshot, only the intended paths change.
import { describe, expect, it } from 'vitest';
import { applyPolicies } from '../../src/doctor/context.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import type { Finding, FindingKind } from '../../src/doctor/types.js';
import { compilePolicies } from '../../src/policy/engine.js';
import { MIN, T0, pod, repeat } from '../drops/flow-builder.js';
import { changesOf, fixObjects, scenario, summarize } from './scenario.js';

const frontend = pod('shop', 'frontend');
const cart = pod('shop', 'cart');
const catalog = pod('shop', 'catalog');
const batch = pod('jobs', 'batch');
const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });

function only(findings: readonly Finding[], kind: FindingKind): Finding[] {
  return findings.filter((f) => f.kind === kind);
}

describe('default-deny-blocks', () => {
  it('names the deny and the blocked workload, and the recommender allow (before the deny) opens exactly that path', async () => {
    const { snapshot, findings } = await scenario('default-deny.yaml', [
      ...repeat(5, T0, MIN, {
        from: frontend,
        to: cart,
        port: 8080,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
      ...repeat(3, T0, MIN, {
        from: frontend,
        to: catalog,
        port: 80,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
    ]);
    const [finding, ...rest] = only(findings, 'default-deny-blocks');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'high', namespace: 'shop' });
    expect(finding?.objects).toEqual(['shop/default-deny', 'shop/cart', 'shop/catalog']);
    const fix = fixObjects(finding as Finding);
    expect(fix.map((p) => p.metadata.name).at(-1)).toBe('default-deny');
    expect(
      fix
        .slice(0, -1)
        .every((p) => p.spec.policyTypes?.join() === 'Ingress' && (p.spec.ingress?.length ?? 0) > 0),
    ).toBe(true);

    expect(summarize(changesOf(snapshot, fix))).toEqual([
      'shop/frontend-abc12-1 -> shop/cart-abc12-1 TCP/8080: deny -> allow',
      'shop/frontend-abc12-1 -> shop/catalog-abc12-1 TCP/80: deny -> allow',
    ]);
    const fixed = runDoctor({
      edges: (await scenario('default-deny.yaml', [])).edges,
      snapshot: { ...snapshot, policies: applyPolicies(snapshot.policies, fix) },
    });
    expect(only(fixed, 'default-deny-blocks')).toEqual([]);
  });
});

describe('dns-blocked', () => {
  it('finds egress isolation without DNS and the DNS policy admits UDP and TCP 53 to the DNS pods only', async () => {
    const { snapshot, edges, findings } = await scenario('dns.yaml', [
      ...repeat(4, T0, MIN, {
        from: batch,
        to: coredns,
        port: 53,
        protocol: 'UDP',
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
    ]);
    const dns = only(findings, 'dns-blocked');
    expect(dns).toHaveLength(1);
    expect(dns[0]).toMatchObject({ severity: 'critical', namespace: 'jobs' });
    expect(dns[0]?.objects).toEqual(['jobs/deny-egress', 'jobs/batch-abc12-1']);
    expect(dns[0]?.evidence.join('\n')).toContain('dropped DNS: jobs/batch → kube-system/coredns UDP/53');
    // DNS drops are not reported again as a generic default-deny block.
    expect(only(findings, 'default-deny-blocks')).toEqual([]);
    const fix = fixObjects(dns[0] as Finding);
    expect(fix).toHaveLength(1);
    expect(fix[0]?.spec.podSelector).toEqual({});
    // Issue 15 item 9: never recommend's allow-dns-egress (whose DNS servers may differ).
    expect(fix[0]?.metadata.name).toBe('fix-dns-egress');
    expect(summarize(changesOf(snapshot, fix))).toEqual([
      'jobs/batch-abc12-1 -> kube-system/coredns-abc12-1 TCP/53: deny -> allow',
      'jobs/batch-abc12-1 -> kube-system/coredns-abc12-1 UDP/53: deny -> allow',
    ]);
    expect(
      only(
        runDoctor({
          edges: edges.filter((e) => e.verdict !== 'dropped'),
          snapshot: { ...snapshot, policies: applyPolicies(snapshot.policies, fix) },
        }),
        'dns-blocked',
      ),
    ).toEqual([]);
  });
});

describe('selector-matches-nothing', () => {
  it('names the pods a one-edit typo meant and the corrected podSelector', async () => {
    const { snapshot, findings } = await scenario('selectors.yaml', []);
    const typo = only(findings, 'selector-matches-nothing').find((f) => f.objects[0] === 'shop/cart-ingress');
    expect(typo?.objects).toEqual(['shop/cart-ingress', 'shop/cart-abc12-1']);
    expect(typo?.evidence.join('\n')).toContain('"crat" is one edit away from "cart"');
    const fix = fixObjects(typo as Finding);
    expect(fix[0]?.spec.podSelector).toEqual({ matchLabels: { app: 'cart' } });
    // Only cart's ingress changes: isolated, and still open to frontend on 8080.
    const changes = changesOf(snapshot, fix);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.to === 'shop/cart-abc12-1' && c.after.verdict === 'deny')).toBe(true);
    expect(
      compilePolicies({ ...snapshot, policies: applyPolicies(snapshot.policies, fix) }).evaluate({
        from: { kind: 'pod', namespace: 'shop', name: 'frontend-abc12-1' },
        to: { kind: 'pod', namespace: 'shop', name: 'cart-abc12-1' },
        port: 8080,
        protocol: 'TCP',
      }).verdict,
    ).toBe('allow');
  });

  it('suggests app.kubernetes.io/name for a peer written with app, and the fix opens exactly that peer', async () => {
    const { snapshot, findings } = await scenario('selectors.yaml', []);
    const peer = only(findings, 'selector-matches-nothing').find(
      (f) => f.objects[0] === 'shop/catalog-from-prometheus',
    );
    expect(peer?.objects).toEqual(['shop/catalog-from-prometheus', 'monitoring/prometheus-abc12-1']);
    const fix = fixObjects(peer as Finding);
    expect(fix[0]?.spec.ingress?.[0]?.from?.[0]?.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'prometheus' },
    });
    expect(summarize(changesOf(snapshot, fix))).toEqual([
      'monitoring/prometheus-abc12-1 -> shop/catalog-abc12-1 TCP/80: deny -> allow',
    ]);
    const after = runDoctor({
      edges: [],
      snapshot: { ...snapshot, policies: applyPolicies(snapshot.policies, fix) },
    });
    expect(only(after, 'selector-matches-nothing').map((f) => f.objects[0])).toEqual(['shop/cart-ingress']);
  });
});

describe('allowed-despite-deny', () => {
  it('explains forwarded traffic the policies deny: no enforcement, a Cilium policy, the observation predating the policy', async () => {
    const { findings } = await scenario('not-enforced.yaml', [
      ...repeat(6, T0, MIN, { from: frontend, to: catalog, port: 80, verdict: 'forwarded' }),
    ]);
    const found = only(findings, 'allowed-despite-deny');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ namespace: 'shop', severity: 'high' });
    expect(found[0]?.objects).toEqual(['shop/default-deny', 'shop/catalog-abc12-1']);
    const causes = found[0]?.evidence.filter((e) => e.startsWith('likely cause')) ?? [];
    expect(causes[0]).toMatch(/^likely cause 1: the network plugin does not appear to enforce NetworkPolicy/);
    expect(causes[1]).toMatch(
      /^likely cause 2: a CNI-specific policy .*CiliumNetworkPolicy shop\/allow-frontend/,
    );
    expect(causes[2]).toMatch(
      /^likely cause 3: the observation predates the policy: .*before shop\/default-deny was created \(2026-03-01T12:00:00.000Z\)/,
    );
    expect(found[0]?.fix).toMatch(/enable NetworkPolicy enforcement/);
  });

  it('does not name a Cilium policy the engine evaluated as a possible cause', async () => {
    const { findings } = await scenario('not-enforced-evaluated.yaml', [
      ...repeat(6, T0, MIN, { from: frontend, to: catalog, port: 80, verdict: 'forwarded' }),
    ]);
    const causes =
      only(findings, 'allowed-despite-deny')[0]?.evidence.filter((e) => e.startsWith('likely cause')) ?? [];
    expect(causes[0]).toMatch(/the network plugin does not appear to enforce NetworkPolicy/);
    expect(causes.join('\n')).not.toMatch(/CNI-specific/);
  });

  it('does not blame enforcement once policy drops are seen', async () => {
    const { findings } = await scenario('not-enforced.yaml', [
      ...repeat(2, T0, MIN, { from: frontend, to: catalog, port: 80, verdict: 'forwarded' }),
      ...repeat(2, T0 + 3 * 60 * MIN, MIN, {
        from: frontend,
        to: cart,
        port: 8080,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
    ]);
    const causes =
      only(findings, 'allowed-despite-deny')[0]?.evidence.filter((e) => e.startsWith('likely cause')) ?? [];
    expect(causes[0]).toMatch(/CNI-specific/);
  });

  it('moves a policy written in the wrong namespace; the copy denies the observed traffic and changes nothing else', async () => {
    const { snapshot, edges, findings } = await scenario('misplaced.yaml', [
      ...repeat(3, T0, MIN, { from: frontend, to: batch, port: 9000, verdict: 'forwarded' }),
    ]);
    const found = only(findings, 'allowed-despite-deny');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ namespace: 'jobs' });
    expect(found[0]?.objects).toEqual(['shop/deny-batch-ingress', 'jobs/batch-abc12-1']);
    const fix = fixObjects(found[0] as Finding);
    expect(fix[0]?.metadata).toMatchObject({ namespace: 'jobs', name: 'deny-batch-ingress' });
    const changes = changesOf(snapshot, fix, ['shop/deny-batch-ingress']);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.to === 'jobs/batch-abc12-1' && c.after.verdict === 'deny')).toBe(true);
    expect(
      only(
        runDoctor({
          edges,
          snapshot: {
            ...snapshot,
            policies: applyPolicies(snapshot.policies, fix).filter((p) => p.metadata.namespace !== 'shop'),
          },
        }),
        'allowed-despite-deny',
      ).filter((f) => f.objects.includes('shop/deny-batch-ingress')),
    ).toEqual([]);
  });
});

describe('non-policy-drops', () => {
  it('groups datapath drops by reason with counts and examples, and says the policies allow those paths', async () => {
    const { snapshot, findings } = await scenario('dns.yaml', [
      ...repeat(7, T0, MIN, {
        from: frontend,
        to: catalog,
        port: 80,
        verdict: 'dropped',
        dropReason: 'CT_MAP_INSERTION_FAILED',
      }),
      ...repeat(2, T0, MIN, {
        from: frontend,
        to: cart,
        port: 8080,
        verdict: 'dropped',
        dropReason: 'CT_MAP_INSERTION_FAILED',
      }),
      ...repeat(3, T0, MIN, {
        from: frontend,
        to: cart,
        port: 8080,
        verdict: 'dropped',
        dropReason: 'NO_ROUTE',
      }),
    ]);
    const found = only(findings, 'non-policy-drops');
    expect(found.map((f) => [f.namespace, f.summary])).toEqual([
      ['shop', '9 drop(s) with reason CT_MAP_INSERTION_FAILED on 2 path(s): not a policy decision'],
      ['shop', '3 drop(s) with reason NO_ROUTE on 1 path(s): not a policy decision'],
    ]);
    expect(found[0]?.objects).toEqual(['shop/cart', 'shop/catalog', 'shop/frontend']);
    expect(found[0]?.evidence[0]).toMatch(/connection tracking/);
    expect(found[0]?.evidence).toContain('e.g. shop/frontend → shop/catalog TCP/80: 7 of 7 connection(s)');
    expect(found[0]?.evidence).toContain(
      'the NetworkPolicies allow these paths: changing policy will not help',
    );
    expect(found[1]?.evidence[0]).toMatch(/routing/);
    // Not policy: nothing else is reported for these drops.
    expect(only(findings, 'default-deny-blocks')).toEqual([]);
    expect(snapshot.policies.some((p) => p.metadata.namespace === 'shop')).toBe(false);
  });
});

describe('hygiene', () => {
  const observed = [
    ...repeat(6, T0, MIN, { from: frontend, to: cart, port: 8080, verdict: 'forwarded' as const }),
    ...repeat(6, T0, MIN, { from: frontend, to: catalog, port: 80, verdict: 'forwarded' as const }),
  ];

  it('unprotected pods: protects their ingress, keeps every observed connection, opens nothing', async () => {
    const { snapshot, edges, findings } = await scenario('hygiene.yaml', observed);
    const found = only(findings, 'unprotected-pods');
    expect(found).toHaveLength(1);
    expect(found[0]?.objects).toEqual(['shop/frontend-abc12-1', 'shop/catalog-abc12-1']);
    const fix = fixObjects(found[0] as Finding);
    const changes = changesOf(snapshot, fix);
    expect(changes.length).toBeGreaterThan(0);
    expect(
      changes.every(
        (c) => c.after.verdict === 'deny' && ['shop/frontend-abc12-1', 'shop/catalog-abc12-1'].includes(c.to),
      ),
    ).toBe(true);
    const after = runDoctor({
      edges,
      snapshot: { ...snapshot, policies: applyPolicies(snapshot.policies, fix) },
    });
    expect(only(after, 'unprotected-pods')).toEqual([]);
    expect(only(after, 'allowed-despite-deny')).toEqual([]);
  });

  it('overly broad: the tightened policy keeps what was observed and only closes', async () => {
    const { snapshot, edges, findings } = await scenario('hygiene.yaml', observed);
    const found = only(findings, 'overly-broad');
    expect(found.map((f) => f.objects)).toEqual([['shop/cart-any']]);
    expect(found[0]?.evidence[0]).toMatch(
      /ingress rule 0 admits every peer, inside and outside the cluster, every port; observed only 1 path\(s\): shop\/frontend → shop\/cart TCP\/8080/,
    );
    const fix = fixObjects(found[0] as Finding);
    expect(fix[0]?.metadata.name).toBe('cart-any');
    expect(fix[0]?.spec.ingress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    const changes = changesOf(snapshot, fix);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.to === 'shop/cart-abc12-1' && c.after.verdict === 'deny')).toBe(true);
    const after = runDoctor({
      edges,
      snapshot: { ...snapshot, policies: applyPolicies(snapshot.policies, fix) },
    });
    expect(only(after, 'overly-broad')).toEqual([]);
    expect(only(after, 'allowed-despite-deny')).toEqual([]);
  });

  it('redundant: reports one of two identical policies; deleting it changes no verdict', async () => {
    const { snapshot, findings } = await scenario('redundant.yaml', observed);
    const found = only(findings, 'redundant');
    expect(found).toHaveLength(1);
    expect(found[0]?.objects).toEqual(['shop/cart-from-frontend', 'shop/cart-from-frontend-old']);
    expect(found[0]?.fix).toBe('kubectl delete networkpolicy -n shop cart-from-frontend');
    expect(changesOf(snapshot, [], ['shop/cart-from-frontend'])).toEqual([]);
    expect(
      changesOf(snapshot, [], ['shop/cart-from-frontend', 'shop/cart-from-frontend-old']).length,
    ).toBeGreaterThan(0);
  });

  it('--namespace scopes the findings', async () => {
    const { findings } = await scenario('hygiene.yaml', observed, 'jobs');
    expect(findings).toEqual([]);
  });
});
