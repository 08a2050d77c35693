// Alerting and blocked-traffic figures as plain numbers, for the daemon to expose through
// prom-client (e.g. a Gauge/Counter with a collect() reading these): no metrics library here.
import type { DropReport } from '../drops/report.js';

export class AlertMetrics {
  readonly sent = new Map<string, number>();
  readonly failed = new Map<string, number>();
  readonly retried = new Map<string, number>();
  readonly rateLimited = new Map<string, number>();
  /** Firing alerts re-sent to Alertmanager (keep-alive), counted per alert. */
  readonly keepAlives = new Map<string, number>();
  /** Keep-alive requests that failed (retried at the next interval). */
  readonly keepAliveFailures = new Map<string, number>();
  /** Outbox rows given up because the outbox was over its bound (per sink). */
  readonly outboxDropped = new Map<string, number>();
  private blocked = new Map<string, { namespace: string; classification: string; connections: number }>();

  count(map: Map<string, number>, sink: string, by = 1): void {
    map.set(sink, (map.get(sink) ?? 0) + by);
  }

  /** Replaces the blocked-connection figures with those of the latest drops report. */
  recordBlocked(reports: readonly DropReport[]): void {
    const next = new Map<string, { namespace: string; classification: string; connections: number }>();
    for (const r of reports) {
      const side =
        'namespace' in r.destination ? r.destination : 'namespace' in r.source ? r.source : undefined;
      const namespace = side !== undefined && 'namespace' in side ? side.namespace : '';
      const key = `${namespace}\u0000${r.classification}`;
      const entry = next.get(key) ?? { namespace, classification: r.classification, connections: 0 };
      entry.connections += r.count;
      next.set(key, entry);
    }
    this.blocked = next;
  }

  /** Blocked connections by namespace (the destination's, else the source's) and classification. */
  blockedByNamespaceAndClassification(): {
    namespace: string;
    classification: string;
    connections: number;
  }[] {
    return [...this.blocked.values()];
  }
}
