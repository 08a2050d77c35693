// Part of the composition root of `serve` (daemon.ts): the drops → alerts loop. On a timer the
// drops report is evaluated into alerts (AlertDispatcher.evaluate, one transaction with its
// outbox), the outbox is delivered and Alertmanager kept up to date by dispatcher.run until
// shutdown, changed alerts are published on the stream's event bus, the figures are exposed to
// Prometheus, and the alert tables are pruned to their bounds (at start, then hourly).
//
// The report is the one `netpol-advisor drops` gives for the paths dropping within the resolve
// window, classified over the whole history the store holds (alerts/alert-reports.ts).
// Classifying only the recent edges would miss a path's older forwarding history, and a
// regression would alert as `unknown` (which the default sinks leave out) or not at all.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { alertReports } from './alerts/alert-reports.js';
import { AlertDispatcher, type AlertingOptions } from './alerts/dispatcher.js';
import { createSink, type Sink } from './alerts/sinks.js';
import type { AlertConfig, AlertingConfig } from './config/schema.js';
import { registerAlertingMetrics } from './daemon-alerting-metrics.js';
import type { EventBus } from './http/event-bus.js';
import type { ClusterSnapshot } from './policy/model.js';
import type { Clock } from './lib/clock.js';
import { openAlertStore, type AlertStore } from './store/alerts.js';
import { DAY_MS, RETENTION_INTERVAL_MS } from './store/retention.js';
import type { FlowStore } from './store/types.js';

export interface AlertingDeps {
  readonly db: string;
  readonly store: Pick<FlowStore, 'iterateEdges'>;
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
  readonly dispatcher: AlertDispatcher;
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
    throw new Error(
      `alerts[${index}].urlFile: cannot read ${alert.urlFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
}

export function dispatcherOptions(config: AlertingConfig): Partial<AlertingOptions> {
  return {
    ...(config.dedupWindowSec !== undefined ? { dedupWindowMs: config.dedupWindowSec * 1000 } : {}),
    ...(config.resolveAfterSec !== undefined ? { resolveAfterMs: config.resolveAfterSec * 1000 } : {}),
    ...(config.keepAliveIntervalSec !== undefined
      ? { keepAliveIntervalMs: config.keepAliveIntervalSec * 1000 }
      : {}),
    ...(config.maxPendingDeliveries !== undefined
      ? { maxPendingDeliveries: config.maxPendingDeliveries }
      : {}),
    ...(config.rate !== undefined
      ? { rate: { burst: config.rate.burst ?? 10, perMinute: config.rate.perMinute ?? 30 } }
      : {}),
    ...(config.retry !== undefined
      ? {
          retry: {
            initialMs: config.retry.initialMs ?? 1000,
            maxMs: config.retry.maxMs ?? 300_000,
            factor: 2,
            maxAttempts: config.retry.maxAttempts ?? 8,
          },
        }
      : {}),
  };
}

export function startAlerting(deps: AlertingDeps): Alerting {
  const log = deps.logger.child({ component: 'alerts' });
  const store = openAlertStore(deps.db);
  const sinks: Sink[] = deps.alerts.map((alert, i) => {
    const url = sinkUrl(alert, i);
    return createSink(
      {
        type: alert.type,
        timeoutMs: alert.timeoutMs,
        ...(url !== undefined ? { url } : {}),
        ...(alert.classifications !== undefined ? { classifications: alert.classifications } : {}),
      },
      i,
      { logger: log, generatorBaseUrl: deps.generatorBaseUrl },
    );
  });
  const dispatcher = new AlertDispatcher({
    store,
    sinks,
    clock: deps.clock,
    options: dispatcherOptions(deps.alerting),
    logger: log,
  });
  registerAlertingMetrics(deps.registry, {
    metrics: dispatcher.metrics,
    sinkIds: sinks.map((s) => s.id),
    firingCounts: () => store.firingCounts(),
  });

  const evaluate = (): void => {
    const now = deps.clock.now();
    const reports = alertReports(deps.store, store, now - dispatcher.options.resolveAfterMs, deps.snapshot());
    const result = dispatcher.evaluate(reports);
    const changed = result.opened + result.renotified + result.resolved;
    if (changed === 0) return;
    log.info(
      { opened: result.opened, renotified: result.renotified, resolved: result.resolved },
      'alerts changed',
    );
    for (const alert of store.listAlerts({ limit: Math.min(changed, 100) }).items) {
      deps.bus.publish({
        type: 'alert',
        alert: {
          id: alert.id,
          classification: alert.classification,
          status: alert.status,
          summary: alert.summary,
          count: alert.count,
          lastSeen: new Date(alert.lastSeenMs).toISOString(),
        },
      });
    }
  };
  let lastPruneMs = Number.NEGATIVE_INFINITY;
  const prune = (): void => {
    const now = deps.clock.now();
    if (now - lastPruneMs < RETENTION_INTERVAL_MS) return;
    lastPruneMs = now;
    const pruned = store.prune({
      beforeMs: now - deps.alerting.retentionDays * DAY_MS,
      maxResolved: deps.alerting.maxResolvedAlerts,
    });
    if (pruned.alerts + pruned.deliveries > 0)
      log.info(
        {
          ...pruned,
          retentionDays: deps.alerting.retentionDays,
          maxResolvedAlerts: deps.alerting.maxResolvedAlerts,
        },
        'deleted alerts and notifications past their bounds',
      );
  };
  let lastErrorLogMs = Number.NEGATIVE_INFINITY;
  const tick = (): void => {
    try {
      prune();
      evaluate();
    } catch (error) {
      if (deps.clock.now() - lastErrorLogMs > 60_000) {
        lastErrorLogMs = deps.clock.now();
        log.error({ err: error }, 'evaluating alerts failed; will retry');
      }
    }
  };
  try {
    prune();
  } catch (error) {
    log.error({ err: error }, 'pruning the alert tables failed; will retry');
    lastPruneMs = Number.NEGATIVE_INFINITY;
  }
  const timer = setInterval(tick, deps.alerting.evaluateIntervalSec * 1000);
  timer.unref();
  const abort = new AbortController();
  const running =
    sinks.length > 0
      ? dispatcher
          .run(abort.signal)
          .catch((error: unknown) => log.error({ err: error }, 'alert delivery loop stopped'))
      : Promise.resolve();
  return {
    store,
    dispatcher,
    evaluate,
    stop: async () => {
      clearInterval(timer);
      abort.abort();
      await running;
      store.close();
    },
  };
}
