// One file (or stdin) into the store: the reader, the parser and the batch writer wired together,
// resuming from the file's checkpoint. Shared by `ingest`, the daemon's file source and the
// benchmark, so all three measure and run the same pipeline.
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { MAX_LINE_BYTES_DEFAULT, type IngestParser } from '../flows/flow.js';
import { parseLineBytes } from '../flows/parsers.js';
import { CheckpointConflictError } from '../store/checkpoint-conflict.js';
import type { FlowStore } from '../store/types.js';
import { BatchWriter, DEFAULT_FLUSH_INTERVAL_MS, type BatchStats, type RunTotals } from './batch-writer.js';
import { formatIdentity, readFile, readStream, resumeOffset } from './file-reader.js';
import type { LineHandler } from './line-splitter.js';

export const BULK_FLUSH_INTERVAL_MS = 10_000;

export interface IngestInputOptions {
  /** The file's checkpoint is read and its batches written through this (and nothing else). */
  readonly store: Pick<FlowStore, 'writeBatch' | 'checkpoint'>;
  /** Usually ingestParserFor(format): this path only counts events that start no connection. */
  readonly parser: IngestParser;
  /** A file path (with its open handle) or a stream without checkpoint. */
  readonly input: { readonly path: string; readonly handle?: FileHandle } | { readonly stream: Readable };
  readonly batchSize?: number;
  /**
   * Oldest a pending batch may get. Default: 1 s when following a file or reading a stream (the
   * freshness of a live tail or pipe), 10 s for a one-shot read of a file to its end, where batches are bounded by lines and edges: on a busy machine
   * a 1 s bound would cut a bulk ingest into small batches, each rewriting the pages of every edge
   * it touches, for no freshness anyone waits for (a crash re-reads at most one batch either way).
   */
  readonly flushIntervalMs?: number;
  readonly maxLineBytes?: number;
  readonly follow?: boolean;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly onBatch?: (stats: BatchStats) => void;
  readonly progress?: (position: number, size: number, lines: number) => void;
  /** Another writer moved this file's checkpoint; the run continues from the stored one. */
  readonly onConflict?: (error: CheckpointConflictError) => void;
  /** The batch writer's clock (tests of the flush interval). */
  readonly now?: () => number;
}

export interface IngestRunTotals extends RunTotals {
  /** Batches rolled back because another writer had committed the same lines. */
  readonly conflicts: number;
}

function lineHandler(
  parser: IngestParser,
  writer: BatchWriter,
  maxLineBytes: number,
  counted: { lines: number },
): LineHandler {
  return {
    line(bytes, endOffset) {
      counted.lines++;
      if (bytes.length === 0 || (bytes.length === 1 && bytes[0] === 13)) writer.skip(endOffset);
      else writer.add(parseLineBytes(parser, bytes, maxLineBytes), endOffset);
    },
    oversized(_length, endOffset) {
      counted.lines++;
      writer.addRejected('oversized_line', endOffset);
    },
  };
}

/** Reads the input to its end (or until abort), flushing the last batch; returns the run's totals. */
export async function ingestInput(options: IngestInputOptions): Promise<IngestRunTotals> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES_DEFAULT;
  const writer = new BatchWriter({
    store: options.store,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    flushIntervalMs:
      options.flushIntervalMs ??
      ('path' in options.input && options.follow !== true
        ? BULK_FLUSH_INTERVAL_MS
        : DEFAULT_FLUSH_INTERVAL_MS),
    ...(options.onBatch !== undefined ? { onBatch: options.onBatch } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const counted = { lines: 0 };
  const handler = lineHandler(options.parser, writer, maxLineBytes, counted);
  let conflicts = 0;
  try {
    if ('stream' in options.input) {
      await readStream(options.input.stream, {
        ...handler,
        maxLineBytes,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      writer.flush();
    } else {
      const input = options.input;
      const sourceKey = path.resolve(input.path);
      let handle = input.handle;
      // Compare-and-set on the file's checkpoint: when another writer (a second `ingest`, the
      // daemon's file source) committed lines of this file since we read the checkpoint, our
      // batch is rolled back and we read again from where it got to.
      for (;;) {
        const stored = options.store.checkpoint(sourceKey);
        writer.expectCheckpoint(
          stored === undefined ? null : { identity: stored.identity, offset: stored.offset },
        );
        const current = handle ?? (await open(input.path, 'r'));
        handle = undefined;
        try {
          await readFile({
            ...handler,
            path: input.path,
            handle: current,
            startOffset: await resumeOffset(current, stored),
            maxLineBytes,
            follow: options.follow ?? false,
            ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            fileChanged: (identity) => writer.setSource({ sourceKey, identity: formatIdentity(identity) }),
            progress: (position, size) => options.progress?.(position, size, counted.lines),
            idle: () => writer.flushIfDue(),
          });
          writer.flush();
          break;
        } catch (error) {
          if (!(error instanceof CheckpointConflictError)) throw error;
          await current.close().catch(() => undefined);
          writer.discard();
          conflicts++;
          options.onConflict?.(error);
        }
      }
    }
  } catch (error) {
    // What was read before the failure is still good: commit it (a conflict here is no loss).
    try {
      writer.flush();
    } catch {
      writer.discard();
    }
    throw error;
  }
  return { ...writer.totals(), conflicts };
}
