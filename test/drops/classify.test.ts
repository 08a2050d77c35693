import { describe, expect, it } from 'vitest';
import { buildDropReports } from '../../src/drops/report.js';
import { detectBlockedPaths, isPolicyDropReason } from '../../src/drops/detect.js';
import type { DropReport } from '../../src/drops/report.js';
import { MIN, T0, flow, ingest, pod, repeat, world } from './flow-builder.js';
import type { Flow } from '../../src/flows/flow.js';

const frontend = pod('shop', 'frontend');
const cart = pod('shop', 'cart');
const catalog = pod('shop', 'catalog');
const checkout = pod('shop', 'checkout');
const payments = pod('shop', 'payments');
const coredns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });
const rogue = pod('shop', 'rogue');
const batch = pod('jobs', 'batch');
const db = pod('data', 'db');

function stream(): Flow[] {
  const flows: Flow[] = [
    // regression: forwarded for 10 minutes, dropped from minute 20
    ...repeat(10, T0, MIN, { from: frontend, to: cart, port: 8080, verdict: 'forwarded' }),
    ...repeat(4, T0 + 20 * MIN, MIN, {
      from: frontend,
      to: cart,
      port: 8080,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
      deniedBy: ['shop/default-deny'],
    }),
    // dns
    ...repeat(3, T0 + 20 * MIN, 1000, {
      from: frontend,
      to: coredns,
      port: 53,
      protocol: 'UDP',
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
    // expected-by-baseline: some pods get through after the drops began
    ...repeat(2, T0 + 5 * MIN, MIN, {
      from: checkout,
      to: payments,
      port: 443,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
    ...repeat(2, T0 + 6 * MIN, MIN, { from: checkout, to: payments, port: 443, verdict: 'forwarded' }),
    // Hubble's two records of connections denied at the destination's ingress: the sending node
    // logs each SYN FORWARDED (egress), the receiving node logs it DROPPED, milliseconds apart.
    ...repeat(4, T0 + 20 * MIN, MIN, { from: checkout, to: cart, port: 8080, verdict: 'forwarded' }),
    ...repeat(4, T0 + 20 * MIN + 2, MIN, {
      from: checkout,
      to: cart,
      port: 8080,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
    // likely-legitimate: frontend already talks to namespace shop, retries catalog 5 times
    ...repeat(5, T0 + 30 * MIN, 2000, {
      from: frontend,
      to: catalog,
      port: 9090,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
    // unknown: a single attempt to a namespace never reached
    flow({
      from: batch,
      to: db,
      port: 5432,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
      timeMs: T0 + 40 * MIN,
    }),
    // not a policy drop: counted, not classified
    ...repeat(2, T0 + 40 * MIN, 1000, {
      from: batch,
      to: world('203.0.113.9'),
      port: 443,
      verdict: 'dropped',
      dropReason: 'CT_MAP_INSERTION_FAILED',
    }),
    // a Calico deny (no datapath reason, policy named)
    flow({
      from: batch,
      to: world('198.51.100.7'),
      port: 25,
      verdict: 'dropped',
      deniedBy: ['jobs/knp.default.deny-smtp'],
      timeMs: T0 + 41 * MIN,
    }),
  ];
  // suspicious: rogue hits 12 destinations in two minutes
  for (let i = 0; i < 12; i++) {
    flows.push(
      flow({
        from: rogue,
        to: pod('shop', `svc${i}`),
        port: 8000 + i,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
        timeMs: T0 + 50 * MIN + i * 10_000,
      }),
    );
  }
  return flows;
}

function find(items: readonly DropReport[], src: string, dst: string, port: number): DropReport {
  const item = items.find(
    (i) =>
      'workload' in i.source &&
      i.source.workload === src &&
      port === i.port &&
      (('workload' in i.destination && i.destination.workload === dst) ||
        ('ip' in i.destination && i.destination.ip === dst)),
  );
  if (item === undefined) throw new Error(`no blocked path ${src} -> ${dst}:${port}`);
  return item;
}

describe('classification of blocked paths from a stream of flows', () => {
  const edges = ingest(stream());
  const { items, nonPolicy } = buildDropReports(edges);

  it('classifies a path forwarded before its drops as a regression, with the times as evidence', () => {
    const r = find(items, 'frontend', 'cart', 8080);
    expect(r.classification).toBe('regression');
    expect(r.evidence[0]).toContain('forwarded 10 connection(s)');
    expect(r.evidence[0]).toContain('before the drops began');
    expect(r.count).toBe(4);
    expect(r.deniedBy).toEqual(['shop/default-deny']);
    expect(r.alerting).toBe(true);
  });

  it('does not call a path a regression when its forwarded records only began with the drops', () => {
    const r = find(items, 'checkout', 'cart', 8080);
    expect(r.classification).toBe('expected-by-baseline');
    expect(r.evidence.join(' ')).toContain('sending side');
  });

  it('classifies DNS to CoreDNS as dns', () => {
    const r = find(items, 'frontend', 'coredns', 53);
    expect(r.classification).toBe('dns');
    expect(r.evidence[0]).toContain('k8s-app=kube-dns');
  });

  it('classifies a path forwarded only after its drops began as expected-by-baseline', () => {
    expect(find(items, 'checkout', 'payments', 443).classification).toBe('expected-by-baseline');
  });

  it('classifies retries to a namespace the workload already talks to as likely-legitimate', () => {
    const r = find(items, 'frontend', 'catalog', 9090);
    expect(r.classification).toBe('likely-legitimate');
    expect(r.evidence.join(' ')).toContain('already talks to namespace shop');
  });

  it('classifies one source touching many new destinations as suspicious, and does not alert on it by default', () => {
    const scans = items.filter((i) => 'workload' in i.source && i.source.workload === 'rogue');
    expect(scans).toHaveLength(12);
    for (const s of scans) {
      expect(s.classification).toBe('suspicious');
      expect(s.alerting).toBe(false);
    }
    expect(scans[0]?.evidence[0]).toContain('12 destinations');
  });

  it('leaves a single attempt to an unrelated namespace as unknown', () => {
    expect(find(items, 'batch', 'db', 5432).classification).toBe('unknown');
  });

  it('counts non-policy drops without classifying them, and treats a Calico deny as a policy drop', () => {
    expect(
      items.some((i) => i.port === 443 && 'ip' in i.destination && i.destination.ip === '203.0.113.9'),
    ).toBe(false);
    expect(nonPolicy).toEqual({ edges: 1, connections: 2, byReason: { CT_MAP_INSERTION_FAILED: 2 } });
    const calico = find(items, 'batch', '198.51.100.7', 25);
    expect(calico.deniedBy).toEqual(['jobs/knp.default.deny-smtp']);
  });

  it('does not call a gateway broken by a new default-deny a scanner', () => {
    const gateway = pod('edge', 'gateway');
    const flows: Flow[] = [];
    for (let i = 0; i < 15; i++) {
      const target = pod('shop', `api${i}`);
      flows.push(flow({ from: gateway, to: target, port: 8080, verdict: 'forwarded', timeMs: T0 + i }));
      flows.push(
        flow({
          from: gateway,
          to: target,
          port: 8080,
          verdict: 'dropped',
          dropReason: 'POLICY_DENIED',
          timeMs: T0 + 10 * MIN + i,
        }),
      );
    }
    const result = buildDropReports(ingest(flows));
    expect(result.items).toHaveLength(15);
    expect(new Set(result.items.map((i) => i.classification))).toEqual(new Set(['regression']));
  });

  it('filters by namespace and since, while judging scans on all drops', () => {
    const scoped = buildDropReports(edges, { namespace: 'jobs', sinceMs: T0 + 40 * MIN });
    expect(scoped.items.map((i) => i.port).sort()).toEqual([25, 5432]);
  });

  it('recognizes the policy drop reasons of Hubble, numeric codes included', () => {
    for (const reason of ['POLICY_DENIED', 'POLICY_DENY', 'AUTH_REQUIRED', '133'])
      expect(isPolicyDropReason(reason)).toBe(true);
    for (const reason of [
      'CT_MAP_INSERTION_FAILED',
      'NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION',
      'STALE_OR_UNROUTABLE_IP',
    ]) {
      expect(isPolicyDropReason(reason)).toBe(false);
    }
    expect(detectBlockedPaths(edges).blocked.length).toBe(items.length);
  });
});
