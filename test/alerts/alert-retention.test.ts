// Issue 14 item 9 for the alert tables: resolved alerts and finished notifications past the
// retention are deleted, resolved alerts beyond a count too, and pending notifications beyond a
// bound are given up (oldest first) — on a real SQLite file, through the real dispatcher.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertDispatcher } from '../../src/alerts/dispatcher.js';
import { createSink, type AlertLogger } from '../../src/alerts/sinks.js';
import { OUTBOX_FULL, openAlertStore, type AlertFields, type AlertStore } from '../../src/store/alerts.js';
import { DAY_MS } from '../../src/store/retention.js';
import { buildDropReports } from '../../src/drops/report.js';
import type { Flow } from '../../src/flows/flow.js';
import { MIN, ingest, pod, repeat } from '../drops/flow-builder.js';
import { FakeClock } from '../fakes/fake-clock.js';
import pino from 'pino';
import { Registry } from 'prom-client';
import { configSchema } from '../../src/config/schema.js';
import { startAlerting } from '../../src/daemon-alerting.js';
import { EventBus } from '../../src/http/event-bus.js';
import { openStore } from '../../src/store/store.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function fields(key: string, atMs: number): AlertFields {
  return {
    pathKey: key,
    classification: 'regression',
    summary: key,
    detail: {},
    count: 1,
    firstSeenMs: atMs,
    lastSeenMs: atMs,
  };
}

const quiet: AlertLogger = { warn: () => undefined, info: () => undefined };

describe('alert retention and the outbox bound', () => {
  let dir: string;
  let store: AlertStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alert-retention-'));
    store = openAlertStore(path.join(dir, 'netpol.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens an alert for `key` at `openMs` (notifying `sink`), resolves it at `resolveMs` if given. */
  function alert(key: string, openMs: number, resolveMs?: number, sink = 'webhook-0'): number {
    store.apply([{ kind: 'open', alert: fields(key, openMs), notify: [sink] }], openMs);
    const id = store.firingAlerts().find((a) => a.pathKey === key)?.id ?? -1;
    if (resolveMs !== undefined) store.apply([{ kind: 'resolve', id, notify: [sink] }], resolveMs);
    return id;
  }

  const deliveries = (): { alertId: number; state: string; lastError: string | null }[] =>
    store
      .listAlerts({ limit: 1000 })
      .items.flatMap((a) =>
        a.deliveries.map((d) => ({ alertId: a.id, state: d.state, lastError: d.lastError })),
      );

  it('deletes resolved alerts past the retention with their notifications, keeps firing ones and recent ones', () => {
    const old = alert('old', T0, T0 + DAY_MS);
    const recent = alert('recent', T0 + 20 * DAY_MS, T0 + 21 * DAY_MS);
    const firing = alert('firing', T0);
    for (const d of store.dueDeliveries(T0 + 40 * DAY_MS, 100))
      store.markSent(d.delivery.id, 1, d.delivery.createdMs);
    const now = T0 + 40 * DAY_MS;
    const pruned = store.prune({ beforeMs: now - 30 * DAY_MS, maxResolved: 100 });
    // old (2 notifications) goes; the firing alert's notification, sent 40 days ago, goes too.
    expect(pruned).toEqual({ alerts: 1, deliveries: 3 });
    const left = store.listAlerts({ limit: 100 }).items;
    expect(left.map((a) => a.id).sort()).toEqual([recent, firing].sort());
    expect(left.find((a) => a.id === firing)?.deliveries).toEqual([]);
    expect(left.find((a) => a.id === recent)?.deliveries).toHaveLength(2);
    expect(left.some((a) => a.id === old)).toBe(false);
    expect(store.prune({ beforeMs: now - 30 * DAY_MS, maxResolved: 100 })).toEqual({
      alerts: 0,
      deliveries: 0,
    });
  });

  it('keeps at most maxResolved resolved alerts, the most recently resolved', () => {
    for (let i = 0; i < 10; i++) alert(`p${i}`, T0 + i * 1000, T0 + i * 1000 + 500);
    alert('firing', T0);
    expect(store.prune({ beforeMs: T0 - DAY_MS, maxResolved: 3 }).alerts).toBe(7);
    expect(store.listAlerts({ limit: 100, status: 'resolved' }).items.map((a) => a.pathKey)).toEqual([
      'p9',
      'p8',
      'p7',
    ]);
    expect(store.firingAlerts().map((a) => a.pathKey)).toEqual(['firing']);
  });

  it('never deletes a pending notification by age', () => {
    alert('stuck', T0, T0 + 1000);
    expect(store.prune({ beforeMs: T0 + 100 * DAY_MS, maxResolved: 0 })).toEqual({
      alerts: 1,
      deliveries: 2,
    });
    // …except with its alert: a resolved alert past the bounds takes its pending rows with it.
    alert('pending', T0);
    expect(store.prune({ beforeMs: T0 + 100 * DAY_MS, maxResolved: 0 })).toEqual({
      alerts: 0,
      deliveries: 0,
    });
    expect(deliveries().map((d) => d.state)).toEqual(['pending']);
  });

  it('gives up the oldest pending notifications beyond the outbox bound, and counts them per sink', () => {
    const clock = new FakeClock(T0 + 25 * MIN);
    const sinks = [createSink({ type: 'webhook', url: 'http://127.0.0.1:9/hook' }, 0, { logger: quiet })];
    const d = new AlertDispatcher({
      store,
      sinks,
      clock,
      options: { maxPendingDeliveries: 3 },
      logger: quiet,
    });
    const flows: Flow[] = ['a', 'b', 'c', 'd', 'e'].flatMap((t) => [
      ...repeat(3, T0, MIN, {
        from: pod('shop', 'frontend'),
        to: pod('shop', t),
        port: 8080,
        verdict: 'forwarded',
      }),
      ...repeat(3, T0 + 21 * MIN, MIN, {
        from: pod('shop', 'frontend'),
        to: pod('shop', t),
        port: 8080,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
    ]);
    expect(d.evaluate(buildDropReports(ingest(flows)).items).opened).toBe(5);
    const states = store
      .listAlerts({ limit: 100 })
      .items.reverse()
      .map((a) => a.deliveries[0]);
    expect(states.map((x) => x?.state)).toEqual(['failed', 'failed', 'pending', 'pending', 'pending']);
    expect(states[0]?.lastError).toBe(OUTBOX_FULL);
    expect(d.metrics.outboxDropped.get('webhook-0')).toBe(2);
    expect(store.boundOutbox(3).size).toBe(0);
  });

  it('is applied by the daemon at start (alerting.retentionDays, maxResolvedAlerts)', async () => {
    alert('old', T0, T0 + 1000);
    alert('kept', T0 + 35 * DAY_MS, T0 + 36 * DAY_MS);
    const db = path.join(dir, 'netpol.db');
    const config = configSchema.parse({ alerting: { retentionDays: 30 } });
    const flows = openStore(db, { mustExist: true });
    const alerting = startAlerting({
      db,
      store: flows,
      alerts: [],
      alerting: config.alerting,
      snapshot: () => undefined,
      clock: new FakeClock(T0 + 40 * DAY_MS),
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      bus: new EventBus(),
      generatorBaseUrl: 'http://127.0.0.1:8080',
    });
    try {
      expect(alerting.store.listAlerts({ limit: 10 }).items.map((a) => a.pathKey)).toEqual(['kept']);
    } finally {
      await alerting.stop();
      flows.close();
    }
  });
});
