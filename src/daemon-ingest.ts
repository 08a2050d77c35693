// The daemon's write path: one BatchWriter behind one bounded Pipeline that every live source
// pushes into, with the batch metrics, the totals /readyz reports and a rate-limited log of write
// failures.
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { DaemonMetrics } from './http/metrics.js';
import { BatchWriter, type BatchStats } from './ingest/batch-writer.js';
import { IngestTotals } from './ingest/ingest-totals.js';
import { Pipeline } from './ingest/pipeline.js';
import type { Clock } from './lib/clock.js';
import type { FlowStore } from './store/types.js';

/** The batch writer and the bounded pipeline in front of it, with their metrics and logs. */
export function startIngest(
  config: Config,
  store: FlowStore,
  clock: Clock,
  logger: Logger,
  metrics: DaemonMetrics,
  storeLog: Logger,
): { onBatch: (stats: BatchStats) => void; pipeline: Pipeline; pipelineLog: Logger; totals: IngestTotals } {
  // Every writer's batches come through onBatch (the pipeline's and each file source's own).
  const totals = new IngestTotals();
  const onBatch = (stats: BatchStats): void => {
    metrics.recordBatch(stats);
    totals.add(stats);
    storeLog.debug(
      {
        lines: stats.lines,
        accepted: stats.accepted,
        rejected: stats.rejected,
        edges: stats.edges,
        durationMs: Math.round(stats.durationMs * 10) / 10,
      },
      'batch written',
    );
  };
  const writer = new BatchWriter({
    store,
    batchSize: config.limits.batchSize,
    flushIntervalMs: config.limits.flushIntervalMs,
    now: () => clock.now(),
    onBatch,
  });
  const pipelineLog = logger.child({ component: 'pipeline' });
  let lastWriteErrorLogMs = Number.NEGATIVE_INFINITY;
  let suppressedWriteErrors = 0;
  const pipeline = new Pipeline({
    writer,
    queueCapacity: config.limits.queueCapacity,
    drainChunk: config.limits.batchSize,
    flushIntervalMs: config.limits.flushIntervalMs,
    clock,
    hooks: {
      onPause: () => metrics.backpressurePauses.inc(),
      onDrop: () => metrics.queueDropped.inc(),
      onError: (error) => {
        metrics.writeErrors.inc();
        // Rate-limited: a full disk would otherwise log once per tick.
        if (clock.now() - lastWriteErrorLogMs < 30_000) {
          suppressedWriteErrors++;
          return;
        }
        lastWriteErrorLogMs = clock.now();
        pipelineLog.error(
          { err: error, suppressed: suppressedWriteErrors },
          'writing a batch failed; will retry',
        );
        suppressedWriteErrors = 0;
      },
    },
  });
  pipeline.start();
  return { onBatch, pipeline, pipelineLog, totals };
}
