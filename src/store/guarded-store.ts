// The FlowStore every caller gets from openStore: each call's SQLite failure is named with the
// file (store-errors.ts), and the first sign of damage (SQLITE_CORRUPT / NOTADB, on any read or
// write) latches: from then on every call fails with the same DatabaseCorruptError without
// touching the file, and onCorrupt tells the owner once (the daemon turns unready, the API 503).
import { DatabaseCorruptError, storeError } from './store-errors.js';
import type { Batch, EdgeQuery, FlowStore } from './types.js';

export function guardStore(
  inner: FlowStore,
  file: string,
  onCorrupt?: (error: DatabaseCorruptError) => void,
): FlowStore {
  let damaged: DatabaseCorruptError | undefined;
  const fail = (error: unknown): never => {
    const named = storeError(file, error);
    if (named instanceof DatabaseCorruptError && damaged === undefined) {
      damaged = named;
      onCorrupt?.(named);
    }
    throw named;
  };
  const run = <T>(call: () => T): T => {
    if (damaged !== undefined) throw damaged;
    try {
      return call();
    } catch (error) {
      return fail(error);
    }
  };
  function* guarded<T>(open: () => IterableIterator<T>): IterableIterator<T> {
    const iterator = run(open);
    for (;;) {
      const next = run(() => iterator.next());
      if (next.done === true) return;
      yield next.value;
    }
  }
  return {
    writeBatch: (batch: Batch) => run(() => inner.writeBatch(batch)),
    checkpoint: (sourceKey: string) => run(() => inner.checkpoint(sourceKey)),
    resumePoint: (sourceKey: string) => run(() => inner.resumePoint(sourceKey)),
    listEdges: (query: EdgeQuery) => run(() => inner.listEdges(query)),
    iterateEdges: (filter, options) => guarded(() => inner.iterateEdges(filter, options)),
    iterateEdgeSummaries: (filter) => guarded(() => inner.iterateEdgeSummaries(filter)),
    totals: () => run(() => inner.totals()),
    newestSeenMs: () => run(() => inner.newestSeenMs()),
    pruneEdges: (beforeMs: number) => run(() => inner.pruneEdges(beforeMs)),
    pruneGaps: (beforeMs, keepMax) => run(() => inner.pruneGaps(beforeMs, keepMax)),
    close: () => inner.close(),
  };
}

/** A store for a file known to be damaged: no connection at all, every call fails (the daemon serves 503). */
export function damagedStore(error: DatabaseCorruptError): FlowStore {
  const fail = (): never => {
    throw error;
  };
  return {
    writeBatch: fail,
    checkpoint: fail,
    resumePoint: fail,
    listEdges: fail,
    iterateEdges: fail,
    iterateEdgeSummaries: fail,
    totals: fail,
    newestSeenMs: fail,
    pruneEdges: fail,
    pruneGaps: fail,
    close: () => undefined,
  };
}
