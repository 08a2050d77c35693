// What the main thread and a file source's worker thread (file-source-worker.ts) say to each
// other: the worker's start data, its blocking store calls and its notes (sync-call.ts carries
// both on one port, in order).
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
  | { readonly op: 'checkpoint'; readonly sourceKey: string };

export interface NotedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type SourceNote =
  | { readonly type: 'batch'; readonly stats: BatchStats; readonly status: SourceStatus }
  | { readonly type: 'error'; readonly error: NotedError; readonly status?: SourceStatus }
  | { readonly type: 'status'; readonly status: SourceStatus }
  | { readonly type: 'stopped'; readonly status: SourceStatus };
