// What the main thread and a file source's worker thread (file-source-worker.ts) say to each
// other: the worker's start data, its blocking store calls and its notes (sync-call.ts carries
// both on one port, in order). With a database file the thread commits batches itself unless
// the main thread routes them to its own store (BatchRoute).
import type { EdgeDelta } from '../flows/edge.js';
import type { FlowFormat } from '../flows/parsers.js';
import type { SourceStatus } from '../sources/source.js';
import type { Batch } from '../store/types.js';
import type { BatchStats } from './batch-writer.js';

/** The file source's settings that cross to the thread (plain data). */
export interface ThreadedFileOptions {
  readonly name: string;
  readonly path: string;
  readonly format: FlowFormat;
  readonly follow: boolean;
  readonly batchSize: number;
  readonly maxLineBytes: number;
  /** Wait before trying a missing or unreadable file again. */
  readonly retryMs?: number;
  /**
   * The database file: the thread opens its own connection to it and commits the batches the
   * main thread lets it (BatchRoute). Absent: every batch is committed by the main thread.
   */
  readonly dbFile?: string;
  /** The thread's connection's wal_autocheckpoint (the daemon checkpoints from its own worker). */
  readonly walAutoCheckpointPages?: number;
}

/** Where the next batch is committed, decided by the main thread just before it is. */
export interface BatchRoute {
  /** On the main thread, through the daemon's store (shadow mode judges batches: it needs them there). */
  readonly onMain: boolean;
  /** Edge events the live stream wants of a batch the thread commits (0: no stream client). */
  readonly maxEvents: number;
}

export interface FileSourceThreadData {
  readonly options: ThreadedFileOptions;
  /** The flag a blocking call sleeps on. */
  readonly shared: SharedArrayBuffer;
}

/** A batch as it crosses: its deltas as an array (an iterator cannot be cloned), no companion. */
export type CrossingBatch = Omit<Batch, 'deltas' | 'companion'> & { readonly deltas: EdgeDelta[] };

export type StoreCall =
  | { readonly op: 'writeBatch'; readonly batch: CrossingBatch }
  | { readonly op: 'checkpoint'; readonly sourceKey: string }
  | { readonly op: 'route' };

export interface NotedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type SourceNote =
  | { readonly type: 'batch'; readonly stats: BatchStats; readonly status: SourceStatus }
  /** The thread committed a batch on its own connection: `events` for the stream of its `edges`. */
  | {
      readonly type: 'committed';
      readonly events: EdgeDelta[];
      readonly edges: number;
      readonly writeMs: number;
    }
  /** The thread's connection found the database damaged (it writes no more). */
  | { readonly type: 'damaged'; readonly detail: string }
  | { readonly type: 'error'; readonly error: NotedError; readonly status?: SourceStatus }
  | { readonly type: 'status'; readonly status: SourceStatus }
  | { readonly type: 'stopped'; readonly status: SourceStatus };
