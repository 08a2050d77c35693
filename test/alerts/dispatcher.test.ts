import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlertDispatcher,
  retryDelayMs,
  DEFAULT_ALERTING,
  type AlertingOptions,
} from '../../src/alerts/dispatcher.js';
import { createSink, type AlertLogger, type SinkConfig } from '../../src/alerts/sinks.js';
import { buildDropReports, type DropReport } from '../../src/drops/report.js';
import { openAlertStore, type AlertStore } from '../../src/store/alerts.js';
import { AlertReceiver } from '../fakes/alert-receiver.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { MIN, T0, flow, ingest, pod, repeat } from '../drops/flow-builder.js';
import type { Flow } from '../../src/flows/flow.js';

const frontend = pod('shop', 'frontend');

/** A regression on frontend → target:8080 (forwarded, then dropped until `lastMin`), plus a scan. */
function reports(targets: string[], lastMin = 23): DropReport[] {
  const flows: Flow[] = [];
  for (const t of targets) {
    flows.push(
      ...repeat(3, T0, MIN, { from: frontend, to: pod('shop', t), port: 8080, verdict: 'forwarded' }),
    );
    flows.push(
      ...repeat(3, T0 + (lastMin - 2) * MIN, MIN, {
        from: frontend,
        to: pod('shop', t),
        port: 8080,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
        deniedBy: ['shop/default-deny'],
      }),
    );
  }
  for (let i = 0; i < 12; i++) {
    flows.push(
      flow({
        from: pod('shop', 'rogue'),
        to: pod('shop', `svc${i}`),
        port: 9000 + i,
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
        timeMs: T0 + 20 * MIN + i,
      }),
    );
  }
  return buildDropReports(ingest(flows)).items;
}

class RecordingLogger implements AlertLogger {
  readonly lines: { obj: object; msg: string | undefined }[] = [];
  warn(obj: object, msg?: string): void {
    this.lines.push({ obj, msg });
  }
  info(obj: object, msg?: string): void {
    this.lines.push({ obj, msg });
  }
}

describe('alert delivery to a real local receiver', () => {
  let dir: string;
  let store: AlertStore;
  let receiver: AlertReceiver;
  let clock: FakeClock;
  let logger: RecordingLogger;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alerts-'));
    store = openAlertStore(path.join(dir, 'netpol.db'));
    receiver = new AlertReceiver();
    await receiver.start();
    clock = new FakeClock(T0 + 25 * MIN);
    logger = new RecordingLogger();
  });
  afterEach(async () => {
    store.close();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function dispatcher(configs: SinkConfig[], options: Partial<AlertingOptions> = {}): AlertDispatcher {
    const sinks = configs.map((c, i) =>
      createSink(c, i, { logger, generatorBaseUrl: 'http://netpol-advisor.test' }),
    );
    return new AlertDispatcher({ store, sinks, clock, options, logger });
  }

  it('delivers each sink format: webhook JSON, Slack text+blocks, Alertmanager v2 array, log — and not the scan', async () => {
    const d = dispatcher([
      { type: 'webhook', url: `${receiver.baseUrl}/hook/s3cr3t` },
      { type: 'slack', url: `${receiver.baseUrl}/services/T000/B000/s3cr3t` },
      { type: 'alertmanager', url: receiver.baseUrl },
      { type: 'log' },
    ]);
    expect(d.evaluate(reports(['cart']))).toEqual({ opened: 1, renotified: 0, resolved: 0 });
    expect(await d.deliverDue()).toEqual({ sent: 4, failed: 0, retried: 0, rateLimited: 0 });
    const byPath = new Map(receiver.requests.map((r) => [r.path, r]));
    expect([...byPath.keys()].sort()).toEqual([
      '/api/v2/alerts',
      '/hook/s3cr3t',
      '/services/T000/B000/s3cr3t',
    ]);

    const hook = byPath.get('/hook/s3cr3t');
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(hook?.body).toMatchObject({
      status: 'firing',
      classification: 'regression',
      port: 8080,
      protocol: 'TCP',
      count: 3,
      source: { namespace: 'shop', workload: 'frontend' },
      destination: { namespace: 'shop', workload: 'cart' },
      deniedBy: ['shop/default-deny'],
    });
    expect(hook?.headers['idempotency-key']).toBe((hook?.body as { idempotencyKey: string }).idempotencyKey);

    const slack = byPath.get('/services/T000/B000/s3cr3t')?.body as {
      text: string;
      blocks: { type: string }[];
    };
    expect(slack.text).toContain('shop/frontend → shop/cart TCP/8080');
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section']);

    const am = byPath.get('/api/v2/alerts')?.body as Record<string, unknown>[];
    expect(Array.isArray(am)).toBe(true);
    expect(am).toHaveLength(1);
    const first = am[0] as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual([
      'annotations',
      'endsAt',
      'generatorURL',
      'labels',
      'startsAt',
    ]);
    // Alertmanager's client contract: a firing alert is valid for 4 keep-alive intervals.
    expect(first['endsAt']).toBe(
      new Date(T0 + 25 * MIN + 4 * DEFAULT_ALERTING.keepAliveIntervalMs).toISOString(),
    );
    expect(first['labels']).toMatchObject({
      alertname: 'NetpolBlockedTraffic',
      classification: 'regression',
      source_namespace: 'shop',
      destination_workload: 'cart',
      port: '8080',
    });
    expect(first['startsAt']).toBe(new Date(T0 + 25 * MIN).toISOString());
    expect(first['generatorURL']).toBe('http://netpol-advisor.test/api/v1/drops?namespace=shop');

    expect(logger.lines.map((l) => l.msg)).toEqual(['blocked traffic']);
    expect(JSON.stringify(logger.lines)).not.toContain('s3cr3t');
    const listed = store.listAlerts({ limit: 10 });
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]?.deliveries.map((x) => x.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('routes suspicious only to a sink that asks for it', async () => {
    const d = dispatcher(
      [{ type: 'webhook', url: `${receiver.baseUrl}/sec`, classifications: ['suspicious'] }],
      { rate: { burst: 100, perMinute: 100 } },
    );
    expect(d.evaluate(reports([])).opened).toBe(12);
    await d.deliverDue();
    expect(receiver.requests).toHaveLength(12);
    expect(
      new Set(receiver.requests.map((r) => (r.body as { classification: string }).classification)),
    ).toEqual(new Set(['suspicious']));
  });

  it('deduplicates a firing path within the window and notifies again only after it, if still dropping', async () => {
    const d = dispatcher([{ type: 'webhook', url: `${receiver.baseUrl}/hook` }], {
      dedupWindowMs: 15 * MIN,
      resolveAfterMs: 60 * MIN,
    });
    d.evaluate(reports(['cart']));
    d.evaluate(reports(['cart']));
    clock.advance(5 * MIN);
    expect(d.evaluate(reports(['cart'], 29)).renotified).toBe(0); // still dropping, inside the window
    await d.deliverDue();
    expect(receiver.requests).toHaveLength(1);
    clock.advance(15 * MIN);
    expect(d.evaluate(reports(['cart'], 44)).renotified).toBe(1);
    await d.deliverDue();
    expect(receiver.requests).toHaveLength(2);
    expect(store.listAlerts({ limit: 10 }).items).toHaveLength(1);
  });

  it('rate-limits per sink with a token bucket', async () => {
    const d = dispatcher([{ type: 'webhook', url: `${receiver.baseUrl}/hook` }], {
      rate: { burst: 2, perMinute: 1 },
    });
    expect(d.evaluate(reports(['a', 'b', 'c', 'd', 'e'])).opened).toBe(5);
    expect(await d.deliverDue()).toMatchObject({ sent: 2, rateLimited: 3 });
    expect(await d.deliverDue()).toMatchObject({ sent: 0 }); // nothing due yet
    clock.advance(60_000);
    expect(await d.deliverDue()).toMatchObject({ sent: 1 });
    clock.advance(120_000);
    expect(await d.deliverDue()).toMatchObject({ sent: 2 });
    expect(receiver.requests).toHaveLength(5);
    expect(d.metrics.sent.get('webhook-0')).toBe(5);
  });

  it('retries with exponential backoff after 500s, and records exactly one success', async () => {
    const d = dispatcher([{ type: 'webhook', url: `${receiver.baseUrl}/hook` }]);
    receiver.respondWith(500, 503);
    d.evaluate(reports(['cart']));
    expect(await d.deliverDue()).toMatchObject({ retried: 1 });
    clock.advance(retryDelayMs(1, DEFAULT_ALERTING.retry) - 1);
    expect(await d.deliverDue()).toMatchObject({ sent: 0, retried: 0 }); // not due yet
    clock.advance(1);
    expect(await d.deliverDue()).toMatchObject({ retried: 1 });
    clock.advance(retryDelayMs(2, DEFAULT_ALERTING.retry));
    expect(retryDelayMs(2, DEFAULT_ALERTING.retry)).toBe(2 * retryDelayMs(1, DEFAULT_ALERTING.retry));
    expect(await d.deliverDue()).toMatchObject({ sent: 1 });
    expect(receiver.requests).toHaveLength(3);
    const keys = new Set(receiver.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    const delivery = store.listAlerts({ limit: 1 }).items[0]?.deliveries[0];
    expect(delivery).toMatchObject({ state: 'sent', attempts: 3, lastError: null });
  });

  it('does not retry a 4xx', async () => {
    const d = dispatcher([{ type: 'webhook', url: `${receiver.baseUrl}/hook` }]);
    receiver.respondWith(400);
    d.evaluate(reports(['cart']));
    expect(await d.deliverDue()).toMatchObject({ failed: 1, retried: 0 });
    clock.advance(60 * MIN);
    await d.deliverDue();
    expect(receiver.requests).toHaveLength(1);
    expect(store.listAlerts({ limit: 1 }).items[0]?.deliveries[0]).toMatchObject({
      state: 'failed',
      lastError: 'HTTP 400',
    });
    expect(d.metrics.failed.get('webhook-0')).toBe(1);
  });

  it('retries while the receiver is down (connection refused) and delivers once it is back', async () => {
    const d = dispatcher([{ type: 'alertmanager', url: receiver.baseUrl }]);
    await receiver.stop();
    d.evaluate(reports(['cart']));
    expect(await d.deliverDue()).toMatchObject({ retried: 1 });
    const pending = store.listAlerts({ limit: 1 }).items[0]?.deliveries[0];
    expect(pending?.state).toBe('pending');
    expect(pending?.lastError).toContain('connection failed');
    expect(pending?.lastError).not.toContain('127.0.0.1');
    await receiver.start();
    clock.advance(retryDelayMs(1, DEFAULT_ALERTING.retry));
    expect(await d.deliverDue()).toMatchObject({ sent: 1 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('resolves a path that stopped dropping, and tells Alertmanager with endsAt', async () => {
    const d = dispatcher([{ type: 'alertmanager', url: receiver.baseUrl }], { resolveAfterMs: 10 * MIN });
    d.evaluate(reports(['cart']));
    await d.deliverDue();
    clock.advance(5 * MIN);
    expect(d.evaluate(reports(['cart'])).resolved).toBe(0);
    clock.advance(5 * MIN);
    expect(d.evaluate(reports(['cart'])).resolved).toBe(1);
    await d.deliverDue();
    expect(receiver.requests).toHaveLength(2);
    const resolved = (receiver.requests[1]?.body as Record<string, unknown>[])[0];
    expect(resolved?.['endsAt']).toBe(new Date(T0 + 35 * MIN).toISOString());
    expect((receiver.requests[0]?.body as Record<string, unknown>[])[0]?.['endsAt']).toBe(
      new Date(T0 + 25 * MIN + 4 * DEFAULT_ALERTING.keepAliveIntervalMs).toISOString(),
    );
    expect(store.listAlerts({ limit: 10, status: 'resolved' }).items).toHaveLength(1);
    // an old report does not raise the path again
    expect(d.evaluate(reports(['cart'])).opened).toBe(0);
  });
});
