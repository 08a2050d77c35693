// The store's interface as the rest of the program uses it. The SQLite implementation lives
// beside it (store.ts); the daemon, the CLI and the live sources depend only on these types.
import type Database from 'better-sqlite3';
import type { EdgeDelta, ObservedEdge, ObservedEdgeSummary } from '../flows/edge.js';
import type { RejectReason, Verdict } from '../flows/flow.js';

/** An aggregated edge as stored: the EdgeDelta fields, merged over all batches. */
export type EdgeRecord = ObservedEdge;

/** An edge without its sampled detail (labels, pods, drop reasons, policy names): what aggregate views read. */
export type EdgeSummary = ObservedEdgeSummary;

export interface EdgeQuery {
  /** Edges whose source or destination is in this namespace. */
  readonly namespace?: string;
  readonly verdict?: Verdict;
  /** Only edges seen at or after this time. */
  readonly sinceMs?: number;
  readonly limit: number;
  /** Opaque cursor from a previous page's nextCursor. */
  readonly cursor?: string;
}

export interface EdgePage {
  readonly items: readonly EdgeRecord[];
  readonly nextCursor: string | null;
}

/** Where a file source stands: committed in the same transaction as the edges it produced. */
export interface FileCheckpoint {
  /** Stable key of the source, e.g. the absolute path. */
  readonly sourceKey: string;
  /** Identity of the file: `dev:ino` and a fingerprint of its first bytes. */
  readonly identity: string;
  /** Byte offset just past the last fully consumed line. */
  readonly offset: number;
}

/**
 * Where a live stream source resumes: the newest event time it committed and the fingerprints of
 * the events at exactly that time (which a resume from that inclusive time re-sends).
 */
export interface ResumePoint {
  /** The source's stable key, e.g. `hubble-relay:<name>`. */
  readonly sourceKey: string;
  readonly seconds: number;
  readonly nanos: number;
  readonly boundary: readonly string[];
}

/** Where a file stood when a writer started its batch: null when no checkpoint was stored. */
export type ExpectedCheckpoint = Pick<FileCheckpoint, 'identity' | 'offset'> | null;

/** One batch to write: the edges it produced, the lines it rejected, and the checkpoint reached. */
export interface Batch {
  readonly deltas: Iterable<EdgeDelta>;
  readonly accepted: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  readonly checkpoint?: FileCheckpoint;
  /**
   * Compare-and-set for `checkpoint`: the stored checkpoint of its file must still be this when
   * the transaction starts, else another writer consumed the same lines and the batch is refused
   * (CheckpointConflictError, nothing written). Absent: no check (one writer by construction).
   */
  readonly expectedCheckpoint?: ExpectedCheckpoint;
  /** Live sources' resume points reached by this batch (merged with the stored ones: never moves back). */
  readonly resume?: readonly ResumePoint[];
  /**
   * Writes that belong to this batch (shadow mode's would-drop counters), made on the store's
   * connection inside the batch's transaction, after everything else: a throw rolls the whole
   * batch back, so a crash or a failure never keeps one without the other.
   */
  readonly companion?: BatchCompanion;
}

/** See Batch.companion. */
export interface BatchCompanion {
  /** `connection`: the store's SQLite connection, inside the batch's open transaction. */
  write(connection: Database.Database): void;
}

export interface StoreTotals {
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  readonly edges: number;
}

export interface IterateOptions {
  /** Distinct texts per column kind whose parsed values the records share (a one-shot command may keep more). */
  readonly internedMax?: number;
}

export interface FlowStore {
  /** Writes one batch in one transaction (edges, counters and checkpoint together). */
  writeBatch(batch: Batch): void;
  checkpoint(sourceKey: string): FileCheckpoint | undefined;
  /** The committed resume point of a live source, if any. */
  resumePoint(sourceKey: string): ResumePoint | undefined;
  listEdges(query: EdgeQuery): EdgePage;
  /**
   * Every edge, streamed (for replay and the recommender). The records of one call share their
   * parsed JSON columns and peers (edge-row-interner.ts): up to `internedMax` distinct texts per
   * column kind are kept for the life of the iteration (default 50,000).
   */
  iterateEdges(
    filter?: Omit<EdgeQuery, 'limit' | 'cursor'>,
    options?: IterateOptions,
  ): IterableIterator<EdgeRecord>;
  /** The same edges in the same order as iterateEdges, without the detail columns (read-only views). */
  iterateEdgeSummaries(filter?: Omit<EdgeQuery, 'limit' | 'cursor'>): IterableIterator<EdgeSummary>;
  totals(): StoreTotals;
  /** The newest last-seen time of any edge; undefined when the store has no edges. */
  newestSeenMs(): number | undefined;
  /**
   * Deletes the edges last seen before `beforeMs`, oldest first, a bounded chunk of rows per
   * transaction (a live writer never waits long); returns how many were deleted.
   */
  pruneEdges(beforeMs: number): number;
  /**
   * Deletes the recorded ingest gaps whose window ended before `beforeMs` (undefined: none by
   * age), and beyond the newest `keepMax` rows; returns how many were deleted.
   */
  pruneGaps(beforeMs: number | undefined, keepMax: number): number;
  close(): void;
}
