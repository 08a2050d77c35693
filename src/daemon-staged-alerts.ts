// Part of the composition root of `serve`: would-drop alerts of shadow mode (config
// `staged.alerts`, off by default). The first time an active staged set is found to drop a path,
// every configured alert sink gets one `firing` notification with classification `would-drop`
// (the sinks' own classification filters are for blocked traffic; turning this on is the
// opt-in). These go out once, best effort, without the blocked-traffic outbox: a sink that is
// down misses them, which is logged; the would-drop itself is always in the API and the stream.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { createSink, type Sink } from './alerts/sinks.js';
import type { AlertConfig } from './config/schema.js';
import type { WouldDropObservation } from './staged/shadow-evaluator.js';
import { peerJson } from './staged/set-view.js';
import type { Clock } from './lib/clock.js';

/** Notifications sent per batch at most; the rest are counted in the log. */
export const MAX_WOULD_DROP_ALERTS_PER_BATCH = 20;

export interface WouldDropAlerter {
  (drops: readonly WouldDropObservation[], namespaceOf: (setId: number) => string | undefined): void;
  /** Sends still in flight, settled (shutdown, tests). */
  settled(): Promise<void>;
}

function label(peer: WouldDropObservation['source']): string {
  return (
    peer.kind === 'pod'
      ? `${peer.namespace ?? '?'}/${peer.workload ?? '?'}`
      : `${peer.kind}:${peer.ip ?? '?'}`
  ).replace(/\p{Cc}/gu, '?');
}

/** A receiver URL from the config or its file (a secret: never logged). */
function urlOf(alert: AlertConfig, index: number): string | undefined {
  if (alert.url !== undefined || alert.urlFile === undefined) return alert.url;
  try {
    return readFileSync(alert.urlFile, 'utf8').trim();
  } catch (error) {
    throw new Error(
      `alerts[${index}].urlFile: cannot read ${alert.urlFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
}

export function createWouldDropAlerter(options: {
  readonly alerts: readonly AlertConfig[];
  readonly logger: Logger;
  readonly clock: Clock;
  readonly generatorBaseUrl: string;
}): WouldDropAlerter {
  const log = options.logger.child({ component: 'staged-alerts' });
  const sinks: Sink[] = options.alerts.map((alert, i) => {
    const url = urlOf(alert, i);
    return createSink(
      { type: alert.type, timeoutMs: alert.timeoutMs, ...(url !== undefined ? { url } : {}) },
      i,
      { logger: log, generatorBaseUrl: options.generatorBaseUrl },
    );
  });
  const inFlight = new Set<Promise<void>>();
  const alerter = (
    drops: readonly WouldDropObservation[],
    namespaceOf: (setId: number) => string | undefined,
  ): void => {
    const now = options.clock.now();
    for (const drop of drops.slice(0, MAX_WOULD_DROP_ALERTS_PER_BATCH)) {
      const namespace = namespaceOf(drop.setId) ?? '';
      const summary = `staged set ${drop.setId} (${namespace}) would drop ${label(drop.source)} -> ${label(drop.destination)} ${drop.protocol}/${drop.port ?? '-'}`;
      const key = `would-drop:${drop.setId}:${createHash('sha256').update(drop.pathKey).digest('hex').slice(0, 32)}`;
      const notification = {
        event: 'firing' as const,
        idempotencyKey: key,
        sentAtMs: now,
        alert: {
          id: 0,
          pathKey: `staged/${drop.setId}/${drop.pathKey}`,
          classification: 'would-drop',
          status: 'firing' as const,
          summary,
          detail: {
            source: peerJson(drop.source),
            destination: peerJson(drop.destination),
            port: drop.port,
            protocol: drop.protocol,
            evidence: [drop.decider.reason],
            deniedBy: drop.decider.policies,
            fix: [],
          },
          count: drop.connections,
          firstSeenMs: drop.firstSeenMs,
          lastSeenMs: drop.lastSeenMs,
          startedMs: now,
          resolvedMs: null,
          lastNotifiedMs: now,
        },
      };
      for (const sink of sinks) {
        const sent: Promise<void> = sink
          .send(notification)
          .then(
            (outcome) => {
              if (!outcome.ok)
                log.warn(
                  { sink: sink.display, error: outcome.error },
                  'a would-drop alert was not delivered (not retried)',
                );
            },
            (error: unknown) =>
              log.warn(
                { sink: sink.display, err: error },
                'a would-drop alert was not delivered (not retried)',
              ),
          )
          .finally(() => inFlight.delete(sent));
        inFlight.add(sent);
      }
    }
    if (drops.length > MAX_WOULD_DROP_ALERTS_PER_BATCH)
      log.warn(
        { omitted: drops.length - MAX_WOULD_DROP_ALERTS_PER_BATCH },
        'more new would-drop paths in one batch than alerts sent',
      );
  };
  return Object.assign(alerter, {
    settled: async () => {
      await Promise.allSettled([...inFlight]);
    },
  });
}
