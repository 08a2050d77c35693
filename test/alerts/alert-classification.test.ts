// Issue 17 item 1: the daemon's alert path classifies a blocked path exactly as `netpol-advisor
// drops` does, whatever the age of the path's history in the store. The `drops` answer comes from
// the real CLI process on the same database file.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startAlerting } from '../../src/daemon-alerting.js';
import { aggregateFlows } from '../../src/flows/edge.js';
import type { Flow } from '../../src/flows/flow.js';
import { EventBus } from '../../src/http/event-bus.js';
import { openStore } from '../../src/store/store.js';
import { MIN, flow, pod, repeat, world } from '../drops/flow-builder.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { runCli } from '../ingest/cli-helpers.js';

const NOW = Date.parse('2026-06-30T12:00:00Z');
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** How long before its drops each regression path was last forwarded. */
const HISTORY_AGES = {
  'age-11m': 11 * MIN,
  'age-2h': 2 * HOUR,
  'age-3d': 3 * DAY,
  'age-25d': 25 * DAY,
} as const;

function flows(): Flow[] {
  const out: Flow[] = [];
  const client = pod('shop', 'frontend');
  for (const [name, age] of Object.entries(HISTORY_AGES)) {
    out.push(
      ...repeat(4, NOW - age - 4 * MIN, MIN, {
        from: client,
        to: pod('shop', name),
        port: 8080,
        verdict: 'forwarded',
      }),
    );
    out.push(
      ...repeat(3, NOW - 3 * MIN, MIN, {
        from: client,
        to: pod('shop', name),
        port: 8080,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
    );
  }
  // Never forwarded: unknown (one try) and likely-legitimate (retries to a namespace it talks to).
  out.push(
    flow({
      from: pod('batch', 'report'),
      to: pod('billing', 'ledger'),
      port: 5432,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
      timeMs: NOW - MIN,
    }),
  );
  out.push(
    ...repeat(2, NOW - 30 * DAY, HOUR, {
      from: client,
      to: pod('shop', 'cart'),
      port: 80,
      verdict: 'forwarded',
    }),
  );
  out.push(
    ...repeat(5, NOW - 5 * MIN, MIN, {
      from: client,
      to: pod('shop', 'cart'),
      port: 9090,
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
    }),
  );
  // DNS, and a scan (suspicious) whose earlier probes are days old.
  out.push(
    flow({
      from: client,
      to: world('169.254.20.10'),
      port: 53,
      protocol: 'UDP',
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
      timeMs: NOW - MIN,
    }),
  );
  for (let i = 0; i < 12; i++) {
    out.push(
      flow({
        from: pod('shop', 'rogue'),
        to: pod('shop', `svc${i}`),
        port: 9000 + i,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
        timeMs: NOW - 2 * MIN + i,
      }),
    );
  }
  return out;
}

describe('the alert path classifies as `drops` does', () => {
  let dir: string;
  let db: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alert-class-'));
    db = path.join(dir, 'netpol.db');
    const store = openStore(db);
    const all = flows();
    store.writeBatch({ deltas: aggregateFlows(all).values(), accepted: all.length, rejectedByReason: {} });
    store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let copies = 0;
  /** The alerts one evaluation raises, on a fresh copy of the database (no alerts yet). */
  function alertClasses(classifications?: string[]): Map<string, string> {
    const copy = path.join(dir, `copy-${copies++}.db`);
    copyFileSync(db, copy);
    const store = openStore(copy, { mustExist: true });
    const config = configSchema.parse({
      alerts: [{ type: 'log', ...(classifications !== undefined ? { classifications } : {}) }],
      alerting: { resolveAfterSec: 600 },
    });
    const alerting = startAlerting({
      db: copy,
      store,
      alerts: config.alerts,
      alerting: config.alerting,
      snapshot: () => undefined,
      clock: new FakeClock(NOW),
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      bus: new EventBus(),
      generatorBaseUrl: 'http://127.0.0.1:8080',
    });
    try {
      alerting.evaluate();
      const alerts = alerting.store.listAlerts({ limit: 1000, status: 'firing' }).items;
      return new Map(alerts.map((a) => [a.pathKey, a.classification]));
    } finally {
      void alerting.stop();
      store.close();
    }
  }

  it('gives every blocked path the same class, for forwarding history of any age', () => {
    const cli = runCli(['drops', '--db', db, '--json']);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const drops = JSON.parse(cli.stdout) as {
      key: string;
      classification: string;
      destination: { workload?: string };
    }[];
    const fromDrops = new Map(drops.map((d) => [d.key, d.classification]));
    const all = ['regression', 'dns', 'expected-by-baseline', 'likely-legitimate', 'suspicious', 'unknown'];
    expect(alertClasses(all)).toEqual(fromDrops);
    // The fixture covers the classes it means to.
    expect(new Set(fromDrops.values())).toEqual(
      new Set(['regression', 'dns', 'likely-legitimate', 'suspicious', 'unknown']),
    );
    for (const name of Object.keys(HISTORY_AGES)) {
      expect(drops.find((d) => d.destination.workload === name)?.classification).toBe('regression');
    }
  });

  it('alerts a regression forwarded eleven minutes (or 25 days) ago with the default sink classes', () => {
    const alerted = alertClasses();
    const byWorkload = (name: string): string | undefined =>
      [...alerted].find(([key]) => key.includes(`>pod/shop/Deployment/${name}|`))?.[1];
    for (const name of Object.keys(HISTORY_AGES)) expect(byWorkload(name)).toBe('regression');
    expect([...alerted.values()]).not.toContain('unknown');
    expect([...alerted.values()]).not.toContain('suspicious');
  });
});
