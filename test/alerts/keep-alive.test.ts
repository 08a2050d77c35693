// Alertmanager's client contract with a fake clock and a recording receiver: firing alerts are
// re-sent every keep-alive interval with endsAt 4 intervals ahead (not deduplicated, not
// rate-limited), resolved ones are sent once with endsAt = the resolve time, while webhook
// notifications keep their dedup window and rate limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertDispatcher, type AlertingOptions } from '../../src/alerts/dispatcher.js';
import { createSink, type AlertLogger, type SinkConfig } from '../../src/alerts/sinks.js';
import { buildDropReports, type DropReport } from '../../src/drops/report.js';
import type { Flow } from '../../src/flows/flow.js';
import { openAlertStore, type AlertStore } from '../../src/store/alerts.js';
import { MIN, T0, ingest, pod, repeat } from '../drops/flow-builder.js';
import { AlertReceiver } from '../fakes/alert-receiver.js';
import { FakeClock } from '../fakes/fake-clock.js';

const frontend = pod('shop', 'frontend');

/** Regressions frontend → each target: forwarded at T0, dropped from T0+20m once a minute until lastMin. */
const built = new Map<string, DropReport[]>();
function reports(targets: readonly string[], lastMin: number): DropReport[] {
  const key = `${targets.join(',')}@${lastMin}`;
  const cached = built.get(key);
  if (cached !== undefined) return cached;
  const flows: Flow[] = [];
  for (const t of targets) {
    flows.push(
      ...repeat(3, T0, MIN, { from: frontend, to: pod('shop', t), port: 8080, verdict: 'forwarded' }),
    );
    flows.push(
      ...repeat(lastMin - 19, T0 + 20 * MIN, MIN, {
        from: frontend,
        to: pod('shop', t),
        port: 8080,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
      }),
    );
  }
  const items = buildDropReports(ingest(flows)).items;
  built.set(key, items);
  return items;
}

class Logs implements AlertLogger {
  readonly lines: string[] = [];
  warn(_obj: object, msg?: string): void {
    this.lines.push(`warn ${msg ?? ''}`);
  }
  info(_obj: object, msg?: string): void {
    this.lines.push(`info ${msg ?? ''}`);
  }
}

type AmAlert = { labels: Record<string, string>; startsAt: string; endsAt?: string };

describe('Alertmanager keep-alive', () => {
  let dir: string;
  let store: AlertStore;
  let am: AlertReceiver;
  let hook: AlertReceiver;
  let clock: FakeClock;
  let logs: Logs;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'keepalive-'));
    store = openAlertStore(path.join(dir, 'netpol.db'));
    am = new AlertReceiver();
    hook = new AlertReceiver();
    await am.start();
    await hook.start();
    clock = new FakeClock(T0 + 21 * MIN);
    logs = new Logs();
  });
  afterEach(async () => {
    store.close();
    await am.stop();
    await hook.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function dispatcher(
    options: Partial<AlertingOptions> = {},
    configs: SinkConfig[] = [
      { type: 'alertmanager', url: am.baseUrl },
      { type: 'webhook', url: `${hook.baseUrl}/hook` },
    ],
  ): AlertDispatcher {
    const sinks = configs.map((c, i) =>
      createSink(c, i, { logger: logs, generatorBaseUrl: 'http://netpol-advisor.test' }),
    );
    return new AlertDispatcher({ store, sinks, clock, options, logger: logs });
  }

  const amBodies = (): AmAlert[][] => am.requests.map((r) => r.body as AmAlert[]);
  const iso = (ms: number): string => new Date(ms).toISOString();

  it('re-sends a firing alert every interval with endsAt 4 intervals ahead; the webhook keeps its dedup window', async () => {
    const d = dispatcher({ dedupWindowMs: 15 * MIN, resolveAfterMs: 10 * MIN, keepAliveIntervalMs: MIN });
    const start = clock.now();
    // Drops continue for 40 minutes; evaluation, delivery and keep-alive each minute.
    for (let minute = 0; minute <= 40; minute++) {
      d.evaluate(reports(['cart'], 21 + minute));
      await d.deliverDue();
      await d.keepAliveDue();
      clock.advance(MIN);
    }
    // Webhook: the first notification, then one per 15-minute window while it kept dropping.
    expect(hook.requests.map((r) => (r.body as { status: string }).status)).toEqual([
      'firing',
      'firing',
      'firing',
    ]);
    // Alertmanager: the outbox notification plus one keep-alive per minute, each valid for 4 minutes.
    const bodies = amBodies();
    expect(bodies).toHaveLength(1 + 41);
    for (const [i, body] of bodies.slice(1).entries()) {
      expect(body).toHaveLength(1);
      expect(body[0]?.endsAt).toBe(iso(start + i * MIN + 4 * MIN));
      expect(body[0]?.startsAt).toBe(iso(start));
      expect(body[0]?.labels).toMatchObject({
        alertname: 'NetpolBlockedTraffic',
        classification: 'regression',
        destination_workload: 'cart',
      });
    }
    // Each send extends endsAt past the next one: no gap in which Alertmanager would resolve it.
    const ends = bodies.map((b) => Date.parse(b[0]?.endsAt ?? ''));
    for (let i = 1; i < ends.length; i++) expect(ends[i]).toBeGreaterThanOrEqual(ends[i - 1] ?? 0);
    expect(d.metrics.keepAlives.get('alertmanager-0')).toBe(41);

    // Drops stop: resolved after 10 minutes, sent once to each sink with endsAt = resolve time.
    const lastDropMin = 21 + 40;
    let resolvedAt: number | undefined;
    let sentBeforeResolve = 0;
    for (let minute = 0; minute < 12; minute++) {
      if (d.evaluate(reports(['cart'], lastDropMin)).resolved > 0) {
        resolvedAt = clock.now();
        sentBeforeResolve = am.requests.length;
      }
      await d.deliverDue();
      await d.keepAliveDue();
      clock.advance(MIN);
    }
    expect(resolvedAt).toBeDefined();
    // Exactly one request after the resolve, the resolved alert; no keep-alive of it after that.
    const afterResolve = amBodies().slice(sentBeforeResolve);
    expect(afterResolve).toHaveLength(1);
    expect(afterResolve[0]?.[0]?.endsAt).toBe(iso(resolvedAt ?? 0));
    expect(afterResolve[0]?.[0]?.labels['destination_workload']).toBe('cart');
    expect(hook.requests.map((r) => (r.body as { status: string }).status)).toEqual([
      'firing',
      'firing',
      'firing',
      'resolved',
    ]);
  });

  it('is not rate-limited, while the webhook is', async () => {
    const d = dispatcher({ rate: { burst: 1, perMinute: 1 }, keepAliveIntervalMs: MIN });
    const targets = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(d.evaluate(reports(targets, 21)).opened).toBe(6);
    const delivered = await d.deliverDue();
    expect(delivered).toMatchObject({ sent: 7, rateLimited: 5 });
    expect(am.requests).toHaveLength(6);
    expect(hook.requests).toHaveLength(1);
    await d.keepAliveDue();
    const lastBody = amBodies().at(-1) ?? [];
    expect(lastBody.map((a) => a.labels['destination_workload']).sort()).toEqual(targets);
  });

  it('sends a firing delivery that arrives after the resolve as resolved, so a retry cannot re-open the alert', async () => {
    const d = dispatcher(
      {
        resolveAfterMs: 2 * MIN,
        keepAliveIntervalMs: MIN,
        retry: { initialMs: 10 * MIN, maxMs: 10 * MIN, factor: 1, maxAttempts: 5 },
      },
      [{ type: 'alertmanager', url: am.baseUrl }],
    );
    am.respondWith(503);
    d.evaluate(reports(['cart'], 21));
    expect(await d.deliverDue()).toMatchObject({ retried: 1 });
    clock.advance(3 * MIN);
    expect(d.evaluate(reports(['cart'], 21)).resolved).toBe(1);
    const resolvedMs = clock.now();
    await d.deliverDue(); // the resolved notification
    clock.advance(10 * MIN);
    await d.deliverDue(); // the firing one's retry
    const bodies = amBodies().slice(1);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body[0]?.endsAt).toBe(iso(resolvedMs));
  });

  it('retries a failed keep-alive at the next interval and logs the failure once', async () => {
    const d = dispatcher({ keepAliveIntervalMs: MIN }, [{ type: 'alertmanager', url: am.baseUrl }]);
    d.evaluate(reports(['cart'], 21));
    await d.deliverDue();
    am.respondWith(500, 500, 500);
    for (let i = 0; i < 3; i++) {
      expect(await d.keepAliveDue()).toMatchObject({ failed: 1 });
      expect(await d.keepAliveDue()).toBeUndefined(); // not due again within the interval
      clock.advance(MIN);
    }
    expect(await d.keepAliveDue()).toMatchObject({ alerts: 1, failed: 0 });
    expect(d.metrics.keepAliveFailures.get('alertmanager-0')).toBe(3);
    expect(logs.lines.filter((l) => l.includes('re-send failed'))).toHaveLength(1);
    expect(logs.lines.filter((l) => l.includes('succeed again'))).toHaveLength(1);
  });

  it('splits the re-send into bounded requests', async () => {
    const d = dispatcher({ keepAliveIntervalMs: MIN, keepAliveBatch: 4 }, [
      { type: 'alertmanager', url: am.baseUrl },
    ]);
    d.evaluate(reports(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], 21));
    await d.deliverDue();
    const before = am.requests.length;
    expect(await d.keepAliveDue()).toEqual({ alerts: 10, posts: 3, failed: 0 });
    expect(
      amBodies()
        .slice(before)
        .map((b) => b.length),
    ).toEqual([4, 4, 2]);
  });

  it('runs in the delivery loop: re-sends at start and every interval, and a new alert wakes the loop', async () => {
    const d = dispatcher({ keepAliveIntervalMs: MIN }, [{ type: 'alertmanager', url: am.baseUrl }]);
    const stop = new AbortController();
    const running = d.run(stop.signal, 5 * MIN);
    try {
      await vi.waitFor(() => expect(clock.pendingSleeps).toBe(1));
      // Nothing firing yet: nothing sent, and the loop sleeps until the next keep-alive round.
      expect(am.requests).toHaveLength(0);
      expect(clock.delays.at(-1)).toBe(MIN);
      // A new alert is delivered at once, without waiting for the clock.
      d.evaluate(reports(['cart'], 21));
      await vi.waitFor(() => expect(am.requests).toHaveLength(1));
      await vi.waitFor(() => expect(clock.pendingSleeps).toBe(1));
      // The interval passes: the firing alert is re-sent, with endsAt 4 intervals after that.
      clock.wakeAll();
      await vi.waitFor(() => expect(am.requests).toHaveLength(2));
      const resent = amBodies()[1] ?? [];
      expect(resent.map((a) => a.labels['destination_workload'])).toEqual(['cart']);
      expect(resent[0]?.endsAt).toBe(iso(clock.now() + 4 * MIN));
    } finally {
      stop.abort();
      await running;
    }
  });
});
