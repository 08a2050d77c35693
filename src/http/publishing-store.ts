// A FlowStore that publishes what each committed batch changed on the event bus: the pipeline's
// BatchWriter writes through it, so the live stream sees exactly what reached the database
// (nothing for a batch whose transaction failed).
import type { EdgeDelta } from '../flows/edge.js';
import type { Batch, FlowStore } from '../store/types.js';
import { publishBatch, type EventBus } from './event-bus.js';

/** Edge events published per batch at most; the rest is summarised in the batch event. */
export const DEFAULT_MAX_EVENTS_PER_BATCH = 500;

/** The store plus a data version that changes with every committed batch and every pruning that deleted edges (no query needed). */
export type PublishingStore = FlowStore & {
  readonly version: () => string;
  /**
   * A batch another connection committed (a file source's thread): the version moves and the
   * stream gets `events`, the sample of its `edges` that thread took (at most maxEventsPerBatch).
   */
  readonly publishCommitted: (events: readonly EdgeDelta[], edges: number) => void;
};

export function publishingStore(
  store: FlowStore,
  bus: EventBus,
  maxEventsPerBatch = DEFAULT_MAX_EVENTS_PER_BATCH,
): PublishingStore {
  let batches = 0;
  return {
    version: () => `b${batches}`,
    publishCommitted(events: readonly EdgeDelta[], edges: number): void {
      batches++;
      if (bus.size > 0) publishBatch(bus, events, maxEventsPerBatch, edges);
    },
    writeBatch(batch: Batch): void {
      const deltas: EdgeDelta[] = [...batch.deltas];
      store.writeBatch({ ...batch, deltas });
      batches++;
      if (bus.size > 0) publishBatch(bus, deltas, maxEventsPerBatch);
    },
    checkpoint: (key) => store.checkpoint(key),
    resumePoint: (key) => store.resumePoint(key),
    listEdges: (query) => store.listEdges(query),
    iterateEdges: (filter) => store.iterateEdges(filter),
    iterateEdgeSummaries: (filter) => store.iterateEdgeSummaries(filter),
    totals: () => store.totals(),
    newestSeenMs: () => store.newestSeenMs(),
    pruneEdges(beforeMs: number): number {
      const deleted = store.pruneEdges(beforeMs);
      // Views computed before the deletion must not be served as current.
      if (deleted > 0) batches++;
      return deleted;
    },
    pruneGaps: (beforeMs, keepMax) => store.pruneGaps(beforeMs, keepMax),
    close: () => store.close(),
  };
}
