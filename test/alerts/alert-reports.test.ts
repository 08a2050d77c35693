// The alert path reads only the edges of the sources that are dropping now, and must still give
// the answer `drops` gives from every edge: a property over random histories in a real store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertReports, evidenceEdges } from '../../src/alerts/alert-reports.js';
import { buildDropReports } from '../../src/drops/report.js';
import { aggregateFlows } from '../../src/flows/edge.js';
import type { Endpoint, Flow } from '../../src/flows/flow.js';
import { openAlertStore } from '../../src/store/alerts.js';
import { openStore } from '../../src/store/store.js';
import { MIN, flow, pod, world } from '../drops/flow-builder.js';

const NOW = Date.parse('2026-06-30T12:00:00Z');
const SINCE = NOW - 10 * MIN;
const DAY = 24 * 60 * MIN;

const peers: Endpoint[] = [
  pod('shop', 'frontend'),
  pod('shop', 'cart'),
  pod('shop', 'api'),
  pod('data', 'postgres'),
  pod('data', 'redis'),
  pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
  pod('batch', 'report'),
  pod('batch', 'etl'),
  world('203.0.113.7'),
  world('198.51.100.9'),
  { kind: 'host', labels: {}, names: [] },
];
// Many destinations so a noisy source can pass the scan thresholds (10 destinations or ports).
const targets: Endpoint[] = [...peers, ...Array.from({ length: 12 }, (_, i) => pod('shop', `svc${i}`))];

const flowArb: fc.Arbitrary<Flow> = fc
  .record({
    from: fc.integer({ min: 0, max: peers.length - 1 }),
    to: fc.integer({ min: 0, max: targets.length - 1 }),
    port: fc.constantFrom(
      53,
      80,
      443,
      5432,
      6379,
      8080,
      9000,
      9001,
      9002,
      9003,
      9004,
      9005,
      9006,
      9007,
      9008,
      9009,
      9010,
    ),
    verdict: fc.constantFrom<'forwarded' | 'dropped'>('forwarded', 'forwarded', 'dropped', 'dropped'),
    reason: fc.constantFrom('POLICY_DENIED', 'POLICY_DENIED', 'POLICY_DENIED', 'CT_MAP_INSERTION_FAILED'),
    // Half of the flows within the last 20 minutes, the rest anywhere in 30 days.
    ageMs: fc.oneof(fc.integer({ min: 0, max: 20 * MIN }), fc.integer({ min: 0, max: 30 * DAY })),
  })
  .map((r) =>
    flow({
      from: peers[r.from] ?? (peers[0] as Endpoint),
      to: targets[r.to] ?? (targets[0] as Endpoint),
      port: r.port,
      protocol: r.port === 53 ? 'UDP' : 'TCP',
      verdict: r.verdict,
      timeMs: NOW - r.ageMs,
      ...(r.verdict === 'dropped' ? { dropReason: r.reason } : {}),
    }),
  );

describe('alertReports', () => {
  let dir: string;
  let runs = 0;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alert-reports-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('equals the drops report over every edge, scoped to the paths dropping since the window', () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(fc.array(flowArb, { minLength: 1, maxLength: 120 }), (flows) => {
        const file = path.join(dir, `run-${runs++}.db`);
        const store = openStore(file);
        const alerts = openAlertStore(file);
        try {
          // Two batches, so edges merge across writes as they do live.
          const half = Math.floor(flows.length / 2);
          for (const part of [flows.slice(0, half), flows.slice(half)]) {
            store.writeBatch({
              deltas: aggregateFlows(part).values(),
              accepted: part.length,
              rejectedByReason: {},
            });
          }
          const expected = buildDropReports(store.iterateEdges(), { sinceMs: SINCE, impact: false }).items;
          const actual = alertReports(store, alerts, SINCE, undefined);
          expect(actual).toEqual(expected);
          if (expected.length > 0) nonEmpty += 1;
          // It does read less than everything when it can.
          expect(evidenceEdges(store, alerts, SINCE).length).toBeLessThanOrEqual(store.totals().edges);
        } finally {
          alerts.close();
          store.close();
        }
      }),
      { numRuns: 80, seed: 17 },
    );
    expect(nonEmpty).toBeGreaterThan(40);
  });
});
