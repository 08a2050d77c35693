// Part of the composition root of `serve`: the alerting figures (AlertMetrics, the alert store)
// exposed through the daemon's prom-client registry. Every `sink` series exists at 0 from the
// start, and the firing gauge has a series per classification, so rate() and absent() work
// before the first alert.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertMetrics } from './alerts/metrics.js';
import { CLASSIFICATIONS } from './drops/types.js';

export interface AlertingMetricsSources {
  readonly metrics: AlertMetrics;
  /** The configured sinks' ids (`<type>-<index>`), the values of the `sink` label. */
  readonly sinkIds: readonly string[];
  readonly firingCounts: () => ReadonlyMap<string, number>;
}

export function registerAlertingMetrics(registry: Registry, src: AlertingMetricsSources): void {
  const m = src.metrics;
  new Gauge({
    name: 'netpol_advisor_blocked_connections',
    help: 'Blocked connections of the recent blocked paths, by namespace and classification',
    labelNames: ['namespace', 'classification'],
    registers: [registry],
    collect() {
      this.reset();
      for (const b of m.blockedByNamespaceAndClassification())
        this.set({ namespace: b.namespace, classification: b.classification }, b.connections);
    },
  });
  new Gauge({
    name: 'netpol_advisor_alerts_firing',
    help: 'Alerts firing now, by classification',
    labelNames: ['classification'],
    registers: [registry],
    collect() {
      const counts = src.firingCounts();
      for (const classification of CLASSIFICATIONS)
        this.set({ classification }, counts.get(classification) ?? 0);
    },
  });
  for (const [name, help, map] of [
    ['netpol_advisor_alerts_sent_total', 'Alert notifications delivered, by sink', m.sent],
    ['netpol_advisor_alerts_failed_total', 'Alert notifications given up on, by sink', m.failed],
    ['netpol_advisor_alerts_retried_total', 'Alert deliveries scheduled for retry, by sink', m.retried],
    [
      'netpol_advisor_alerts_rate_limited_total',
      "Alert deliveries postponed by the sink's rate limit, by sink",
      m.rateLimited,
    ],
    [
      'netpol_advisor_alerts_outbox_dropped_total',
      'Pending alert notifications given up because the outbox was over its bound, by sink',
      m.outboxDropped,
    ],
    [
      'netpol_advisor_alertmanager_resent_alerts_total',
      'Firing alerts sent again to Alertmanager (keep-alive), by sink',
      m.keepAlives,
    ],
    [
      'netpol_advisor_alertmanager_resend_failures_total',
      'Keep-alive requests to Alertmanager that failed (retried at the next interval), by sink',
      m.keepAliveFailures,
    ],
  ] as const) {
    new Counter({
      name,
      help,
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        this.reset();
        for (const sink of src.sinkIds) this.inc({ sink }, 0);
        for (const [sink, value] of map) this.inc({ sink }, value);
      },
    });
  }
}
