// Alertmanager's client contract, as Prometheus follows it: every firing alert is sent again at a
// fixed interval (default 1 minute, well below any sensible `resolve_timeout`) with `endsAt` a
// few intervals ahead. Alertmanager then keeps it active exactly while we keep sending it, and
// if this daemon goes away its alerts expire at `endsAt` instead of firing forever. A resolved
// alert is sent once with `endsAt` = the resolve time, through the outbox (dispatcher.ts). These
// re-sends are not notifications to people: no dedup window, no rate limit, no outbox rows; a
// failed one is simply retried at the next interval (endsAt leaves room for a few misses).
import type { Clock } from '../lib/clock.js';
import type { AlertRecord, AlertStore } from '../store/alerts.js';
import type { AlertMetrics } from './metrics.js';
import type { AlertLogger, Sink } from './sinks.js';

/** endsAt = send time + this many intervals (Prometheus uses 4 × its resend delay). */
export const KEEP_ALIVE_VALIDITY_INTERVALS = 4;

export interface KeepAliveDeps {
  readonly store: Pick<AlertStore, 'firingAlerts'>;
  readonly sinks: readonly Sink[];
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Alerts per POST (Alertmanager takes an array; this bounds one request's body). */
  readonly batch: number;
  readonly metrics: AlertMetrics;
  readonly logger?: AlertLogger;
}

export interface KeepAliveResult {
  readonly alerts: number;
  readonly posts: number;
  readonly failed: number;
}

export class KeepAlive {
  private nextMs: number | undefined;
  private readonly failing = new Set<string>();

  constructor(private readonly deps: KeepAliveDeps) {}

  get active(): boolean {
    return this.deps.sinks.some((s) => s.keepAlive !== undefined);
  }

  /** When the next re-send is due (now, before the first one). */
  dueMs(): number {
    return this.nextMs ?? this.deps.clock.now();
  }

  /** Sends now if the interval has passed since the last round. */
  async sendDue(): Promise<KeepAliveResult | undefined> {
    if (!this.active || this.deps.clock.now() < this.dueMs()) return undefined;
    return this.send();
  }

  /** One round: every firing alert to every keep-alive sink that takes its classification. */
  async send(): Promise<KeepAliveResult> {
    const now = this.deps.clock.now();
    this.nextMs = now + this.deps.intervalMs;
    const validUntilMs = now + KEEP_ALIVE_VALIDITY_INTERVALS * this.deps.intervalMs;
    const firing = this.deps.store.firingAlerts();
    let alerts = 0;
    let posts = 0;
    let failed = 0;
    for (const sink of this.deps.sinks) {
      const keepAlive = sink.keepAlive;
      if (keepAlive === undefined) continue;
      const mine: AlertRecord[] = firing.filter((a) => sink.classifications.has(a.classification));
      for (let i = 0; i < mine.length; i += this.deps.batch) {
        const chunk = mine.slice(i, i + this.deps.batch);
        const outcome = await keepAlive(chunk, validUntilMs);
        posts += 1;
        if (outcome.ok) {
          alerts += chunk.length;
          this.deps.metrics.count(this.deps.metrics.keepAlives, sink.id, chunk.length);
          if (this.failing.delete(sink.id))
            this.deps.logger?.info({ sink: sink.display }, 'alert re-sends succeed again');
        } else {
          failed += 1;
          this.deps.metrics.count(this.deps.metrics.keepAliveFailures, sink.id);
          // Logged when a sink starts failing, not every minute it keeps failing.
          if (!this.failing.has(sink.id))
            this.deps.logger?.warn(
              { sink: sink.display, error: outcome.error },
              'alert re-send failed; retried every interval',
            );
          this.failing.add(sink.id);
          break;
        }
      }
    }
    return { alerts, posts, failed };
  }
}
