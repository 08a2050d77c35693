// Part of the composition root of `serve` (daemon.ts): the drops → alerts loop. On a timer the
// drops report of the recent edges is evaluated into alerts (AlertDispatcher.evaluate, one
// transaction with its outbox), the outbox is delivered by dispatcher.run until shutdown, changed
// alerts are published on the stream's event bus, and the figures are exposed to Prometheus.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AlertDispatcher, type AlertingOptions } from './alerts/dispatcher.js';
import { createSink, type Sink } from './alerts/sinks.js';
import type { AlertConfig, AlertingConfig } from './config/schema.js';
import { buildDropReports } from './drops/report.js';
import type { EventBus } from './http/event-bus.js';
import type { ClusterSnapshot } from './policy/model.js';
import type { Clock } from './sources/backoff.js';
import { openAlertStore, type AlertStore } from './store/alerts.js';
import type { FlowStore } from './store/types.js';

export interface AlertingDeps {
  readonly db: string;
  readonly store: FlowStore;
  readonly alerts: readonly AlertConfig[];
  readonly alerting: AlertingConfig;
  readonly snapshot: () => ClusterSnapshot | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly bus: EventBus;
  readonly generatorBaseUrl: string;
}

export interface Alerting {
  readonly store: AlertStore;
  /** One evaluation now (the timer calls it). */
  evaluate(): void;
  stop(): Promise<void>;
}

/** A receiver URL, from the config or its file (a secret: never logged). */
function sinkUrl(alert: AlertConfig, index: number): string | undefined {
  if (alert.url !== undefined) return alert.url;
  if (alert.urlFile === undefined) return undefined;
  try {
    return readFileSync(alert.urlFile, 'utf8').trim();
  } catch (error) {
    throw new Error(`alerts[${index}].urlFile: cannot read ${alert.urlFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

function dispatcherOptions(config: AlertingConfig): Partial<AlertingOptions> {
  return {
    ...(config.dedupWindowSec !== undefined ? { dedupWindowMs: config.dedupWindowSec * 1000 } : {}),
    ...(config.resolveAfterSec !== undefined ? { resolveAfterMs: config.resolveAfterSec * 1000 } : {}),
    ...(config.rate !== undefined ? { rate: { burst: config.rate.burst ?? 10, perMinute: config.rate.perMinute ?? 30 } } : {}),
    ...(config.retry !== undefined ? { retry: { initialMs: config.retry.initialMs ?? 1000, maxMs: config.retry.maxMs ?? 300_000, factor: 2, maxAttempts: config.retry.maxAttempts ?? 8 } } : {}),
  };
}

export function startAlerting(deps: AlertingDeps): Alerting {
  const log = deps.logger.child({ component: 'alerts' });
  const store = openAlertStore(deps.db);
  const sinks: Sink[] = deps.alerts.map((alert, i) => {
    const url = sinkUrl(alert, i);
    return createSink({
      type: alert.type, timeoutMs: alert.timeoutMs,
      ...(url !== undefined ? { url } : {}),
      ...(alert.classifications !== undefined ? { classifications: alert.classifications } : {}),
    }, i, { logger: log, generatorBaseUrl: deps.generatorBaseUrl });
  });
  const dispatcher = new AlertDispatcher({ store, sinks, clock: deps.clock, options: dispatcherOptions(deps.alerting), logger: log });
  const m = dispatcher.metrics;
  new Gauge({
    name: 'netpol_advisor_blocked_connections',
    help: 'Blocked connections of the recent blocked paths, by namespace and classification',
    labelNames: ['namespace', 'classification'],
    registers: [deps.registry],
    collect() {
      this.reset();
      for (const b of m.blockedByNamespaceAndClassification()) this.set({ namespace: b.namespace, classification: b.classification }, b.connections);
    },
  });
  for (const [name, help, map] of [
    ['netpol_advisor_alerts_sent_total', 'Alert notifications delivered, by sink', m.sent],
    ['netpol_advisor_alerts_failed_total', 'Alert notifications given up on, by sink', m.failed],
    ['netpol_advisor_alerts_retried_total', 'Alert deliveries scheduled for retry, by sink', m.retried],
  ] as const) {
    new Counter({
      name, help, labelNames: ['sink'], registers: [deps.registry],
      collect() {
        this.reset();
        for (const [sink, value] of map) this.inc({ sink }, value);
      },
    });
  }

  const evaluate = (): void => {
    const now = deps.clock.now();
    const snapshot = deps.snapshot();
    const sinceMs = now - dispatcher.options.resolveAfterMs;
    const reports = buildDropReports(deps.store.iterateEdges({ sinceMs }), { sinceMs, ...(snapshot !== undefined ? { snapshot } : {}) }).items;
    const result = dispatcher.evaluate(reports);
    const changed = result.opened + result.renotified + result.resolved;
    if (changed === 0) return;
    log.info({ opened: result.opened, renotified: result.renotified, resolved: result.resolved }, 'alerts changed');
    for (const alert of store.listAlerts({ limit: Math.min(changed, 100) }).items) {
      deps.bus.publish({ type: 'alert', alert: { id: alert.id, classification: alert.classification, status: alert.status, summary: alert.summary, count: alert.count, lastSeen: new Date(alert.lastSeenMs).toISOString() } });
    }
  };
  let lastErrorLogMs = Number.NEGATIVE_INFINITY;
  const tick = (): void => {
    try {
      evaluate();
    } catch (error) {
      if (deps.clock.now() - lastErrorLogMs > 60_000) {
        lastErrorLogMs = deps.clock.now();
        log.error({ err: error }, 'evaluating alerts failed; will retry');
      }
    }
  };
  const timer = setInterval(tick, deps.alerting.evaluateIntervalSec * 1000);
  timer.unref();
  const abort = new AbortController();
  const running = sinks.length > 0 ? dispatcher.run(abort.signal).catch((error: unknown) => log.error({ err: error }, 'alert delivery loop stopped')) : Promise.resolve();
  return {
    store,
    evaluate,
    stop: async () => {
      clearInterval(timer);
      abort.abort();
      await running;
      store.close();
    },
  };
}
