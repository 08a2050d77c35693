// The daemon's Prometheus registry (prom-client), owned by the composition root and exposed on
// GET /metrics. Counters are fed from the BatchWriter's onBatch hook and the pipeline's hooks;
// gauges that mirror state (edges, queue depth, source state) are read at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchStats } from '../sources/batch-writer.js';
import type { SourceState, SourceStatus } from '../sources/source.js';

const SOURCE_STATES: readonly SourceState[] = ['starting', 'connected', 'reconnecting', 'stopped', 'failed'];

export interface MetricsProbes {
  edges(): number;
  queueDepth(): number;
  sources(): readonly SourceStatus[];
}

export interface DaemonMetrics {
  readonly registry: Registry;
  recordBatch(stats: BatchStats): void;
  readonly backpressurePauses: Counter;
  readonly queueDropped: Counter;
  readonly writeErrors: Counter;
  /** Connects the scrape-time gauges to the running daemon. */
  setProbes(probes: MetricsProbes): void;
}

export function createMetrics(options: { readonly defaultMetrics?: boolean; readonly queueCapacity: number }): DaemonMetrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'netpol_advisor_' });
  let probes: MetricsProbes | undefined;

  const accepted = new Counter({ name: 'netpol_advisor_events_accepted_total', help: 'Flow events parsed and written to the store', registers: [registry] });
  const rejected = new Counter({ name: 'netpol_advisor_events_rejected_total', help: 'Flow events rejected, by reason', labelNames: ['reason'], registers: [registry] });
  const batches = new Histogram({
    name: 'netpol_advisor_batch_duration_seconds',
    help: 'Time spent writing one batch to the store',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const backpressurePauses = new Counter({ name: 'netpol_advisor_backpressure_pauses_total', help: 'Times the pipeline queue filled and sources were told to pause', registers: [registry] });
  const queueDropped = new Counter({ name: 'netpol_advisor_queue_dropped_total', help: 'Events dropped because a source pushed into a full queue', registers: [registry] });
  const writeErrors = new Counter({ name: 'netpol_advisor_store_write_errors_total', help: 'Failed batch writes (retried)', registers: [registry] });
  new Gauge({ name: 'netpol_advisor_queue_capacity', help: 'Capacity of the pipeline queue (events)', registers: [registry] }).set(options.queueCapacity);
  new Gauge({
    name: 'netpol_advisor_queue_depth',
    help: 'Events waiting in the pipeline queue',
    registers: [registry],
    collect() {
      if (probes !== undefined) this.set(probes.queueDepth());
    },
  });
  new Gauge({
    name: 'netpol_advisor_edges',
    help: 'Distinct edges (communication paths) in the store',
    registers: [registry],
    collect() {
      if (probes !== undefined) this.set(probes.edges());
    },
  });
  new Gauge({
    name: 'netpol_advisor_source_state',
    help: 'State of each flow source (1 for the current state)',
    labelNames: ['source', 'type', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of probes?.sources() ?? []) {
        for (const state of SOURCE_STATES) this.set({ source: status.name, type: status.type, state }, status.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'netpol_advisor_source_events',
    help: 'Events received by each source since start',
    labelNames: ['source', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of probes?.sources() ?? []) this.set({ source: status.name, type: status.type }, status.events);
    },
  });
  new Gauge({
    name: 'netpol_advisor_source_lost_events',
    help: 'Events each source reports as lost upstream',
    labelNames: ['source', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of probes?.sources() ?? []) this.set({ source: status.name, type: status.type }, status.lostEvents);
    },
  });

  return {
    registry,
    backpressurePauses,
    queueDropped,
    writeErrors,
    recordBatch(stats) {
      accepted.inc(stats.accepted);
      for (const [reason, count] of Object.entries(stats.rejectedByReason)) {
        if (count !== undefined && count > 0) rejected.inc({ reason }, count);
      }
      batches.observe(stats.durationMs / 1000);
    },
    setProbes(next) {
      probes = next;
    },
  };
}
