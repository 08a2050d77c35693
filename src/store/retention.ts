// Time-based retention (`limits.retentionDays`): edges last seen more than that many days before
// the newest edge are deleted. Relative to the newest observation rather than the clock, as
// Prometheus bounds its blocks by the head's newest sample: a capture imported with `ingest` is not
// emptied when the daemon starts on it, and a quiet cluster keeps its last picture. The daemon
// prunes at start and then every hour. Recorded ingest gaps follow the same cutoff (a gap older
// than every kept edge qualifies nothing) and are also capped at MAX_INGEST_GAPS rows, so a source
// that keeps reporting losses cannot grow the table without bound.
import type { FlowStore } from './types.js';

export const DAY_MS = 86_400_000;
export const RETENTION_INTERVAL_MS = 3_600_000;
/** Newest ingest gap rows kept whatever their age. */
export const MAX_INGEST_GAPS = 100_000;

export interface PruneResult {
  readonly deleted: number;
  /** Edges last seen before this were deleted; undefined when the store had no edges. */
  readonly cutoffMs: number | undefined;
  /** Ingest gaps deleted (past the cutoff or beyond MAX_INGEST_GAPS). */
  readonly gapsDeleted: number;
}

export function pruneExpiredEdges(
  store: Pick<FlowStore, 'newestSeenMs' | 'pruneEdges' | 'pruneGaps'>,
  retentionDays: number,
  maxGaps = MAX_INGEST_GAPS,
): PruneResult {
  const newest = store.newestSeenMs();
  if (newest === undefined)
    return { deleted: 0, cutoffMs: undefined, gapsDeleted: store.pruneGaps(undefined, maxGaps) };
  const cutoffMs = newest - retentionDays * DAY_MS;
  return { deleted: store.pruneEdges(cutoffMs), cutoffMs, gapsDeleted: store.pruneGaps(cutoffMs, maxGaps) };
}
