// The alerting loop: drop reports in, alerts and outbox rows out (evaluate), then the outbox
// delivered to the sinks (deliverDue) — grouped per path (one alert per blocked path),
// deduplicated within a window, rate-limited per sink by a token bucket, retried with
// exponential backoff on 429/5xx/connection errors (never on other 4xx), and resolved when a
// path has not dropped for `resolveAfterMs`. Dedup and the rate limit are for notifications to
// people (webhook, Slack); Alertmanager gets every firing alert again at the keep-alive interval
// instead (keep-alive.ts). The clock is injected; nothing here sleeps for real unless the daemon
// hands in the system clock.
import type { DropReport } from '../drops/report.js';
import type { Clock } from '../lib/clock.js';
import type { AlertChange, AlertFields, AlertStore } from '../store/alerts.js';
import { KEEP_ALIVE_VALIDITY_INTERVALS, KeepAlive, type KeepAliveResult } from './keep-alive.js';
import { AlertMetrics } from './metrics.js';
import type { AlertLogger, Sink } from './sinks.js';
import { TokenBucket } from './token-bucket.js';

export interface AlertingOptions {
  /** A firing path is notified again at most once per window, and only if it kept dropping. */
  readonly dedupWindowMs: number;
  /** A firing path that has not dropped for this long is resolved. */
  readonly resolveAfterMs: number;
  readonly rate: { readonly burst: number; readonly perMinute: number };
  readonly retry: {
    readonly initialMs: number;
    readonly maxMs: number;
    readonly factor: number;
    readonly maxAttempts: number;
  };
  /** Deliveries taken from the outbox per pass. */
  readonly batchLimit: number;
  /** Alertmanager: how often each firing alert is sent again (endsAt is 4 intervals ahead). */
  readonly keepAliveIntervalMs: number;
  /** Alertmanager: alerts per keep-alive request. */
  readonly keepAliveBatch: number;
  /** Pending outbox rows beyond this are given up, oldest first (a receiver down for long, a flood). */
  readonly maxPendingDeliveries: number;
}

export const DEFAULT_ALERTING: AlertingOptions = Object.freeze({
  dedupWindowMs: 15 * 60_000,
  resolveAfterMs: 10 * 60_000,
  rate: Object.freeze({ burst: 10, perMinute: 30 }),
  retry: Object.freeze({ initialMs: 1000, maxMs: 5 * 60_000, factor: 2, maxAttempts: 8 }),
  batchLimit: 100,
  keepAliveIntervalMs: 60_000,
  keepAliveBatch: 100,
  maxPendingDeliveries: 10_000,
});

export interface AlertDispatcherDeps {
  readonly store: AlertStore;
  readonly sinks: readonly Sink[];
  readonly clock: Clock;
  readonly options?: Partial<AlertingOptions>;
  readonly metrics?: AlertMetrics;
  readonly logger?: AlertLogger;
}

export interface EvaluateResult {
  readonly opened: number;
  readonly renotified: number;
  readonly resolved: number;
}
export interface DeliverResult {
  readonly sent: number;
  readonly failed: number;
  readonly retried: number;
  readonly rateLimited: number;
}

/** The delay before attempt n+1 after n failed attempts (n ≥ 1), without jitter: deterministic. */
export function retryDelayMs(attempts: number, retry: AlertingOptions['retry']): number {
  return Math.min(retry.maxMs, retry.initialMs * retry.factor ** Math.min(Math.max(0, attempts - 1), 32));
}

function fieldsOf(r: DropReport): AlertFields {
  return {
    pathKey: r.key,
    classification: r.classification,
    summary: `${describe(r.source)} → ${describe(r.destination)} ${r.protocol}/${r.port ?? '-'} blocked (${r.classification})`,
    detail: {
      source: r.source,
      destination: r.destination,
      port: r.port,
      protocol: r.protocol,
      evidence: r.evidence,
      deniedBy: r.deniedBy,
      fix: r.fix,
    },
    count: r.count,
    firstSeenMs: r.firstSeenMs,
    lastSeenMs: r.lastSeenMs,
  };
}

function describe(peer: DropReport['source']): string {
  return 'namespace' in peer ? `${peer.namespace}/${peer.workload ?? '?'}` : (peer.ip ?? peer.kind);
}

export class AlertDispatcher {
  readonly options: AlertingOptions;
  readonly metrics: AlertMetrics;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sinksById: Map<string, Sink>;
  private readonly keepAlive: KeepAlive;
  private wakeUp = new AbortController();

  constructor(private readonly deps: AlertDispatcherDeps) {
    const o = deps.options ?? {};
    this.options = {
      ...DEFAULT_ALERTING,
      ...o,
      rate: { ...DEFAULT_ALERTING.rate, ...o.rate },
      retry: { ...DEFAULT_ALERTING.retry, ...o.retry },
    };
    this.metrics = deps.metrics ?? new AlertMetrics();
    this.sinksById = new Map(deps.sinks.map((s) => [s.id, s]));
    this.keepAlive = new KeepAlive({
      store: deps.store,
      sinks: deps.sinks,
      clock: deps.clock,
      intervalMs: this.options.keepAliveIntervalMs,
      batch: this.options.keepAliveBatch,
      metrics: this.metrics,
      ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
    });
  }

  /** Sinks that are re-sent firing alerts instead of deduplicated re-notifications. */
  private isKeptAlive(sinkId: string): boolean {
    return this.sinksById.get(sinkId)?.keepAlive !== undefined;
  }

  private sinksFor(classification: string): string[] {
    return this.deps.sinks.filter((s) => s.classifications.has(classification)).map((s) => s.id);
  }

  /** Turns the latest drop reports into alert changes and queued notifications (one transaction). */
  evaluate(reports: readonly DropReport[]): EvaluateResult {
    const now = this.deps.clock.now();
    this.metrics.recordBlocked(reports);
    const firing = new Map(this.deps.store.firingAlerts().map((a) => [a.pathKey, a]));
    const changes: AlertChange[] = [];
    let opened = 0;
    let renotified = 0;
    let resolved = 0;
    const seen = new Set<string>();
    for (const report of reports) {
      const notify = this.sinksFor(report.classification);
      const alert = firing.get(report.key);
      if (alert === undefined) {
        // Only paths dropping now raise an alert; old drops would only fire and resolve at once.
        if (notify.length === 0 || report.lastSeenMs < now - this.options.resolveAfterMs) continue;
        changes.push({ kind: 'open', alert: fieldsOf(report), notify });
        opened += 1;
        seen.add(report.key);
        continue;
      }
      seen.add(report.key);
      const keptDropping = report.lastSeenMs > alert.lastSeenMs;
      const due = now - alert.lastNotifiedMs >= this.options.dedupWindowMs;
      const renotify = keptDropping && due ? notify.filter((id) => !this.isKeptAlive(id)) : [];
      if (renotify.length > 0) renotified += 1;
      if (keptDropping || report.classification !== alert.classification) {
        changes.push({ kind: 'update', id: alert.id, alert: fieldsOf(report), notify: renotify });
      }
    }
    for (const alert of firing.values()) {
      const last = Math.max(
        alert.lastSeenMs,
        ...reports.filter((r) => r.key === alert.pathKey).map((r) => r.lastSeenMs),
      );
      if (now - last >= this.options.resolveAfterMs) {
        changes.push({ kind: 'resolve', id: alert.id, notify: this.sinksFor(alert.classification) });
        resolved += 1;
      }
    }
    this.deps.store.apply(changes, now);
    if (changes.some((c) => c.notify.length > 0)) {
      for (const [sink, n] of this.deps.store.boundOutbox(this.options.maxPendingDeliveries)) {
        this.metrics.count(this.metrics.outboxDropped, sink, n);
        this.deps.logger?.warn(
          { sink: this.sinksById.get(sink)?.display ?? sink, dropped: n },
          'alert outbox over its bound: oldest pending notifications given up',
        );
      }
      this.wake();
    }
    return { opened, renotified, resolved };
  }

  private bucket(sink: string, now: number): TokenBucket {
    let b = this.buckets.get(sink);
    if (b === undefined) {
      b = new TokenBucket(this.options.rate.burst, this.options.rate.perMinute, now);
      this.buckets.set(sink, b);
    }
    return b;
  }

  /** Sends every due outbox row that its sink's rate limit admits. */
  async deliverDue(): Promise<DeliverResult> {
    let sent = 0;
    let failed = 0;
    let retried = 0;
    let rateLimited = 0;
    const now = this.deps.clock.now();
    const { retry } = this.options;
    for (const { delivery, alert } of this.deps.store.dueDeliveries(now, this.options.batchLimit)) {
      const sink = this.sinksById.get(delivery.sink);
      if (sink === undefined) {
        this.deps.store.markFailed(delivery.id, delivery.attempts, 'sink no longer configured');
        failed += 1;
        continue;
      }
      const bucket = sink.keepAlive === undefined ? this.bucket(sink.id, now) : undefined;
      if (bucket !== undefined && !bucket.tryTake(now)) {
        // Stays pending; tried again once the bucket refills.
        this.deps.store.markRetry(
          delivery.id,
          delivery.attempts,
          now + bucket.waitMs(now),
          delivery.lastError ?? 'rate limited',
        );
        this.metrics.count(this.metrics.rateLimited, sink.id);
        rateLimited += 1;
        continue;
      }
      const attempts = delivery.attempts + 1;
      const outcome = await sink.send({
        alert,
        event: delivery.event,
        idempotencyKey: delivery.idempotencyKey,
        sentAtMs: now,
        validUntilMs: now + KEEP_ALIVE_VALIDITY_INTERVALS * this.options.keepAliveIntervalMs,
      });
      const after = this.deps.clock.now();
      if (outcome.ok) {
        this.deps.store.markSent(delivery.id, attempts, after);
        this.metrics.count(this.metrics.sent, sink.id);
        sent += 1;
      } else if (outcome.retryable && attempts < retry.maxAttempts) {
        const delay = Math.max(retryDelayMs(attempts, retry), outcome.retryAfterMs ?? 0);
        this.deps.store.markRetry(delivery.id, attempts, after + delay, outcome.error);
        this.metrics.count(this.metrics.retried, sink.id);
        retried += 1;
      } else {
        this.deps.store.markFailed(delivery.id, attempts, outcome.error);
        this.metrics.count(this.metrics.failed, sink.id);
        this.deps.logger?.warn(
          { sink: sink.display, error: outcome.error, attempts },
          'alert delivery failed',
        );
        failed += 1;
      }
    }
    return { sent, failed, retried, rateLimited };
  }

  /** Re-sends the firing alerts to Alertmanager sinks if the keep-alive interval has passed. */
  keepAliveDue(): Promise<KeepAliveResult | undefined> {
    return this.keepAlive.sendDue();
  }

  /** Ends the delivery loop's current wait (new outbox rows are sent now, not at the next poll). */
  wake(): void {
    this.wakeUp.abort();
  }

  /** For the daemon: deliver and keep alive, then sleep until the next due work (at most pollMs), until aborted. */
  async run(signal: AbortSignal, pollMs = 5000): Promise<void> {
    // One listener for the whole run (not an AbortSignal.any per sleep): stopping wakes the sleep.
    signal.addEventListener('abort', () => this.wake(), { once: true });
    while (!signal.aborted) {
      if (this.wakeUp.signal.aborted) this.wakeUp = new AbortController();
      await this.deliverDue();
      await this.keepAliveDue();
      const now = this.deps.clock.now();
      const next = Math.min(
        this.deps.store.nextDueMs() ?? Number.POSITIVE_INFINITY,
        this.keepAlive.active ? this.keepAlive.dueMs() : Number.POSITIVE_INFINITY,
      );
      const wait = Math.min(pollMs, Math.max(0, next - now));
      if (this.wakeUp.signal.aborted) continue;
      await this.deps.clock.sleep(Math.max(wait, 10), this.wakeUp.signal);
    }
  }
}
