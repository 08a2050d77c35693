// The pure core of shadow mode: the evaluator's would-drop rule (allowed today and refused with
// the staged sets; verdict dropped and paths our model refuses today are never would-drops;
// attribution to the refusing side's set), readiness transitions, and the drift diff.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregateFlows } from '../../src/flows/edge.js';
import { parserFor } from '../../src/flows/parsers.js';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import type { NetworkPolicy } from '../../src/policy/model.js';
import { policyDrift } from '../../src/staged/drift.js';
import { DAY_MS, readinessOf } from '../../src/staged/readiness.js';
import { ShadowEvaluator } from '../../src/staged/shadow-evaluator.js';
import { NO_TRAFFIC } from '../../src/staged/staged-set.js';
import { RECOMMEND_FIXTURES, shopLine } from './flow-lines.js';

const snapshot = await (async () => {
  const loaded = await loadClusterSnapshot([path.join(RECOMMEND_FIXTURES, 'shop-cluster.json')]);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.snapshot;
})();

function deltas(lines: string[]) {
  const parse = parserFor('hubble');
  const flows = lines.map((l) => {
    const r = parse(l);
    if (!r.ok) throw new Error(r.detail);
    return r.flow;
  });
  return [...aggregateFlows(flows).values()];
}

function denyAll(namespace: string, types: ('Ingress' | 'Egress')[]): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny-all', namespace },
    spec: { podSelector: {}, policyTypes: types },
  };
}

describe('ShadowEvaluator', () => {
  const T = Date.UTC(2026, 10, 21);

  it('a forwarded path allowed today and refused by the staged set is a would-drop of that set, with the deciding side and policy', () => {
    const evaluator = new ShadowEvaluator(snapshot, [
      { id: 1, namespace: 'shop', policies: [denyAll('shop', ['Egress'])] },
    ]);
    const result = evaluator.evaluateBatch(
      deltas([shopLine('api-', 'postgres-0', 5432, T), shopLine('api-', 'postgres-0', 5432, T + 1)]),
    );
    const set = result.get(1);
    expect(set?.connections).toBe(2);
    expect([...(set?.paths.keys() ?? [])]).toHaveLength(1);
    expect(set?.wouldDrops).toHaveLength(1);
    expect(set?.wouldDrops[0]).toMatchObject({
      connections: 2,
      port: 5432,
      protocol: 'TCP',
      decider: { direction: 'egress', policies: ['shop/deny-all'], rule: null },
    });
  });

  it('flows dropped today are not judged; paths our model of the existing policies refuses are judged clean', () => {
    // api -> redis:6379 is refused today by shop/legacy-metrics (ingress only 9121).
    const evaluator = new ShadowEvaluator(snapshot, [
      { id: 1, namespace: 'shop', policies: [denyAll('shop', ['Ingress', 'Egress'])] },
    ]);
    const result = evaluator.evaluateBatch(
      deltas([shopLine('redis-', 'postgres-0', 5432, T, 'DROPPED'), shopLine('api-', 'redis-', 6379, T)]),
    );
    expect(result.get(1)?.wouldDrops).toEqual([]);
    expect(result.get(1)?.connections).toBe(1);
  });

  it("attributes a path refused on both sides to both namespaces' sets, and leaves traffic of other namespaces alone", () => {
    const evaluator = new ShadowEvaluator(snapshot, [
      { id: 1, namespace: 'shop', policies: [denyAll('shop', ['Egress'])] },
      // data's existing allow-all-ingress is replaced by a staged policy of the same name.
      {
        id: 2,
        namespace: 'data',
        policies: [
          { ...denyAll('data', ['Ingress']), metadata: { name: 'allow-all-ingress', namespace: 'data' } },
        ],
      },
    ]);
    const result = evaluator.evaluateBatch(
      deltas([shopLine('api-', 'postgres-0', 5432, T), shopLine('api-', '203.0.113.10', 443, T)]),
    );
    expect(
      result
        .get(1)
        ?.wouldDrops.map((d) => d.decider.direction)
        .sort(),
    ).toEqual(['egress', 'egress']);
    expect(result.get(2)?.wouldDrops.map((d) => [d.decider.direction, d.decider.policies])).toEqual([
      ['ingress', ['data/allow-all-ingress']],
    ]);
    expect(result.get(2)?.connections).toBe(1);
  });

  it('with no active set, nothing is judged', () => {
    expect(
      new ShadowEvaluator(snapshot, []).evaluateBatch(deltas([shopLine('api-', 'postgres-0', 5432, T)])).size,
    ).toBe(0);
  });
});

describe('readiness', () => {
  const options = { cleanPeriodMs: 7 * DAY_MS, minConnections: 10, minPaths: 2 };
  const staged = { stagedAtMs: 0 };
  it('watching until the clean period is over and the traffic minimum is met, then ready', () => {
    expect(readinessOf(staged, NO_TRAFFIC, options, DAY_MS)).toMatchObject({
      verdict: 'watching',
      cleanSinceMs: 0,
      remainingMs: 6 * DAY_MS,
    });
    expect(readinessOf(staged, NO_TRAFFIC, options, 8 * DAY_MS).verdict).toBe('watching');
    expect(
      readinessOf(staged, { ...NO_TRAFFIC, connections: 10, paths: 1 }, options, 8 * DAY_MS).verdict,
    ).toBe('watching');
    expect(
      readinessOf(staged, { ...NO_TRAFFIC, connections: 10, paths: 2 }, options, 7 * DAY_MS),
    ).toMatchObject({ verdict: 'ready', remainingMs: 0 });
  });
  it('would-break while the last would-drop is within the period; clean since it', () => {
    const traffic = {
      ...NO_TRAFFIC,
      connections: 50,
      paths: 5,
      wouldDropPaths: 1,
      wouldDropConnections: 1,
      lastWouldDropAtMs: 3 * DAY_MS,
    };
    expect(readinessOf(staged, traffic, options, 4 * DAY_MS)).toMatchObject({
      verdict: 'would-break',
      cleanSinceMs: 3 * DAY_MS,
    });
    expect(readinessOf(staged, traffic, options, 10 * DAY_MS - 1).verdict).toBe('would-break');
    expect(readinessOf(staged, traffic, options, 10 * DAY_MS).verdict).toBe('ready');
  });
});

describe('policyDrift', () => {
  it('names added, removed, changed and unchanged policies; key order is not a change', () => {
    const a = denyAll('shop', ['Ingress']);
    const reordered: NetworkPolicy = { ...a, spec: { policyTypes: ['Ingress'], podSelector: {} } };
    const b = { ...denyAll('shop', ['Egress']), metadata: { name: 'b', namespace: 'shop' } };
    const b2 = {
      ...b,
      spec: { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Egress' as const] },
    };
    const c = { ...a, metadata: { name: 'c', namespace: 'shop' } };
    expect(policyDrift([a, b], [reordered, b2, c]).map((e) => [e.policy, e.change])).toEqual([
      ['shop/deny-all', 'unchanged'],
      ['shop/b', 'changed'],
      ['shop/c', 'added'],
    ]);
    expect(policyDrift([a, b], [a]).map((e) => [e.policy, e.change])).toEqual([
      ['shop/deny-all', 'unchanged'],
      ['shop/b', 'removed'],
    ]);
  });
});
