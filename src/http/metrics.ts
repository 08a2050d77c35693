// The daemon's Prometheus registry (prom-client), owned by the composition root and exposed on
// GET /metrics. Counters are fed from the BatchWriter's onBatch hook and the pipeline's hooks;
// gauges that mirror state (edges, queue depth, source state, stream clients) are read at scrape
// time. The exposition passes `promtool check metrics` without findings: monotonic counts are
// counters named `_total`, nothing else ends in `_total`, and every labelled counter whose label
// values are known up front has its series at 0 from the start (a rate() over a series that
// appears with its first event misses that event).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { NO_EDGE_REASONS, type RejectReason } from '../flows/flow.js';
import type { BatchStats } from '../ingest/batch-writer.js';
import type { SourceState, SourceStatus } from '../sources/source.js';

const SOURCE_STATES: readonly SourceState[] = ['starting', 'connected', 'reconnecting', 'stopped', 'failed'];

/** Every RejectReason, so each `reason` series exists at 0 before the first rejection. */
export const REJECT_REASONS = [
  'invalid_json',
  'invalid_utf8',
  'oversized_line',
  'missing_field',
  'invalid_field',
  'unknown_enum',
  'unsupported_event',
  'unparseable_line',
] as const satisfies readonly RejectReason[];
// A compile error here means a RejectReason was added without its metric series.
const _allReasonsListed: [Exclude<RejectReason, (typeof REJECT_REASONS)[number]>] extends [never]
  ? true
  : never = true;

/**
 * prom-client's default metrics include three gauges named `…_total` (nodejs_active_handles_total,
 * _requests_total, _resources_total): `promtool check metrics` flags them, and each only repeats
 * the gauge of the same name without the suffix, which stays.
 */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export const METRIC_PREFIX = 'netpol_advisor_';

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
  /** Connects the WebSocket client gauge to the live stream (attached after the server listens). */
  setStreamClients(count: () => number): void;
}

export function createMetrics(options: {
  readonly defaultMetrics?: boolean;
  readonly queueCapacity: number;
}): DaemonMetrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
  }
  let probes: MetricsProbes | undefined;
  let streamClients: (() => number) | undefined;

  const accepted = new Counter({
    name: 'netpol_advisor_events_accepted_total',
    help: 'Flow events parsed and written to the store',
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'netpol_advisor_events_rejected_total',
    help: 'Flow events rejected, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of REJECT_REASONS) rejected.inc({ reason }, 0);
  // Accepted events that made no edge (replies, resets, a port the edge would key on missing …):
  // a user who sees fewer edges than events can tell why. The label set is NO_EDGE_REASONS.
  const noEdge = new Counter({
    name: 'netpol_advisor_events_no_edge_total',
    help: 'Accepted flow events that made no edge (neither a connection start nor evidence of one), by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of NO_EDGE_REASONS) noEdge.inc({ reason }, 0);
  const batches = new Histogram({
    name: 'netpol_advisor_batch_duration_seconds',
    help: 'Time spent writing one batch to the store',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const backpressurePauses = new Counter({
    name: 'netpol_advisor_backpressure_pauses_total',
    help: 'Times the pipeline queue filled and sources were told to pause',
    registers: [registry],
  });
  const queueDropped = new Counter({
    name: 'netpol_advisor_queue_dropped_total',
    help: 'Events dropped because a source pushed into a full queue',
    registers: [registry],
  });
  const writeErrors = new Counter({
    name: 'netpol_advisor_store_write_errors_total',
    help: 'Failed batch writes (retried)',
    registers: [registry],
  });
  new Gauge({
    name: 'netpol_advisor_queue_capacity',
    help: 'Capacity of the pipeline queue (events)',
    registers: [registry],
  }).set(options.queueCapacity);
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
    name: 'netpol_advisor_stream_clients',
    help: 'WebSocket clients connected to /api/v1/stream',
    registers: [registry],
    collect() {
      this.set(streamClients?.() ?? 0);
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
        for (const state of SOURCE_STATES)
          this.set({ source: status.name, type: status.type, state }, status.state === state ? 1 : 0);
      }
    },
  });
  // The sources keep these counts themselves (monotonic since start); the counters mirror them.
  for (const [name, help, read] of [
    [
      'netpol_advisor_source_events_total',
      'Events received by each source since start',
      (s: SourceStatus) => s.events,
    ],
    [
      'netpol_advisor_source_lost_events_total',
      'Events each source reports as lost upstream since start',
      (s: SourceStatus) => s.lostEvents,
    ],
  ] as const) {
    new Counter({
      name,
      help,
      labelNames: ['source', 'type'],
      registers: [registry],
      collect() {
        this.reset();
        for (const status of probes?.sources() ?? [])
          this.inc({ source: status.name, type: status.type }, read(status));
      },
    });
  }

  return {
    registry,
    backpressurePauses,
    queueDropped,
    writeErrors,
    recordBatch(stats) {
      accepted.inc(stats.accepted);
      for (const [reason, count] of Object.entries(stats.rejectedByReason)) {
        if (count > 0) rejected.inc({ reason }, count);
      }
      for (const [reason, count] of Object.entries(stats.noEdgeByReason)) {
        if (count > 0) noEdge.inc({ reason }, count);
      }
      batches.observe(stats.durationMs / 1000);
    },
    setProbes(next) {
      probes = next;
    },
    setStreamClients(count) {
      streamClients = count;
    },
  };
}
