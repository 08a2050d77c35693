// A `type: file` source whose reading and parsing run in a worker thread (file-source-worker.ts)
// so that the API's event loop only commits the batches: at 10,000 Hubble lines/s the parse of a
// 1 MiB chunk and its aggregation held the main thread for tens to hundreds of ms at a time, and
// so did each batch's transaction (docs/benchmarks.md, "API while ingesting"). The worker runs the
// same FileSource as before through a bridge store (file-source-bridge.ts): with the database
// file it commits a batch on its own connection unless routeBatch sends it here (shadow mode has
// sets to judge), where it is written through the daemon's store. Either way the file checkpoint
// commits in the batch's transaction (exactly-once across restarts, compare-and-set against other
// writers), the live stream and the data version move per committed batch (onCommitted), and
// damage is reported (onDamaged).
// A worker that dies is started again after retryMs and resumes from the stored checkpoint.
import { MessageChannel, type Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { EdgeDelta } from '../flows/edge.js';
import type { Clock } from '../lib/clock.js';
import type { FlowSink, FlowSource, SourceStatus } from '../sources/source.js';
import { CheckpointConflictError } from '../store/checkpoint-conflict.js';
import type { FlowStore } from '../store/types.js';
import type { BatchStats } from './batch-writer.js';
import { startFileSourceThread, type FileSourceThreadStart } from './file-source-thread-start.js';
import type {
  BatchRoute,
  SourceNote,
  StoreCall,
  ThreadedFileOptions,
} from './file-source-thread-protocol.js';
import { answerCalls, type ErrorShape } from './sync-call.js';

/** A stopping thread gets this long to flush its last batch before it is terminated. */
const STOP_TIMEOUT_MS = 30_000;

export interface ThreadedFileSourceOptions extends ThreadedFileOptions {
  readonly store: Pick<FlowStore, 'writeBatch' | 'checkpoint'>;
  /** For the wait before a dead thread is started again. */
  readonly clock: Clock;
  readonly onBatch?: (stats: BatchStats) => void;
  readonly onError?: (error: unknown) => void;
  /** Starts the thread (default: the real one; tests watch it). */
  readonly startThread?: FileSourceThreadStart;
  /**
   * With `dbFile`: where the next batch is committed (default: here). The thread asks just before
   * each commit, so a batch shadow mode must judge is never committed past it.
   */
  readonly routeBatch?: () => BatchRoute;
  /** A batch the thread committed on its own connection: `events` of its `edges` for the live stream. */
  readonly onCommitted?: (events: readonly EdgeDelta[], edges: number) => void;
  /** The thread's connection found the database damaged (`detail`: SQLite's words). */
  readonly onDamaged?: (detail: string) => void;
}

function shapeError(error: unknown): ErrorShape {
  if (error instanceof CheckpointConflictError)
    return {
      name: error.name,
      message: error.message,
      fields: { sourceKey: error.sourceKey, expected: error.expected, stored: error.stored },
    };
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

export class ThreadedFileSource implements FlowSource {
  readonly type = 'file';
  readonly name: string;
  private current: SourceStatus;
  /** Events and errors of threads that died (a new thread counts from 0), and the deaths themselves. */
  private readonly before = { events: 0, errors: 0 };
  private worker: Worker | undefined;
  private exited: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private started = false;
  /** The main thread's time in the store for the batch just written (the batch metric's figure). */
  private lastWriteMs = 0;

  constructor(private readonly options: ThreadedFileSourceOptions) {
    this.name = options.name;
    this.current = {
      name: this.name,
      type: this.type,
      state: 'stopped',
      events: 0,
      errors: 0,
      lostEvents: 0,
    };
  }

  start(_sink: FlowSink): Promise<void> {
    if (this.started) return Promise.reject(new Error(`source ${this.name} already started`));
    this.started = true;
    this.current = { ...this.current, state: 'starting' };
    this.spawn();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    const worker = this.worker;
    if (worker !== undefined) {
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    this.current = { ...this.current, state: 'stopped' };
  }

  status(): SourceStatus {
    return {
      ...this.current,
      events: this.current.events + this.before.events,
      errors: this.current.errors + this.before.errors,
    };
  }

  private spawn(): void {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    answerCalls(port1, shared, {
      answer: (body) => this.answer(body as StoreCall),
      onNote: (body) => this.onNote(body as SourceNote),
      shapeError,
    });
    const {
      store: _s,
      clock: _c,
      onBatch: _b,
      onError: _e,
      routeBatch: _r,
      onCommitted: _m,
      onDamaged: _d,
      startThread,
      ...options
    } = this.options;
    const worker = (startThread ?? startFileSourceThread)({ options, shared, port: port2 });
    this.worker = worker;
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        port1.close();
        this.worker = undefined;
        resolve();
        if (this.abort.signal.aborted) return;
        // Died while running: counted, reported, started again (it resumes from the checkpoint).
        const error = failure ?? new Error(`file source thread exited with code ${code}`);
        this.before.events += this.current.events;
        this.before.errors += this.current.errors + 1;
        this.current = {
          ...this.current,
          events: 0,
          errors: 0,
          state: 'reconnecting',
          lastError: error.message,
        };
        this.options.onError?.(error);
        void this.options.clock
          .sleep(this.options.retryMs ?? 5000, this.abort.signal)
          .then(() => {
            if (!this.abort.signal.aborted) this.spawn();
          })
          .catch(() => undefined);
      });
    });
  }

  private answer(call: StoreCall): unknown {
    if (call.op === 'checkpoint') return this.options.store.checkpoint(call.sourceKey);
    if (call.op === 'route')
      return this.options.routeBatch?.() ?? ({ onMain: true, maxEvents: 0 } satisfies BatchRoute);
    const started = performance.now();
    this.options.store.writeBatch(call.batch);
    this.lastWriteMs = performance.now() - started;
    return undefined;
  }

  private onNote(note: SourceNote): void {
    if (note.type === 'committed') {
      this.lastWriteMs = note.writeMs;
      this.options.onCommitted?.(note.events, note.edges);
      return;
    }
    if (note.type === 'damaged') {
      this.options.onDamaged?.(note.detail);
      return;
    }
    if (note.status !== undefined) this.current = note.status;
    if (note.type === 'batch') this.options.onBatch?.({ ...note.stats, durationMs: this.lastWriteMs });
    else if (note.type === 'error') {
      const error = Object.assign(new Error(note.error.message), {
        name: note.error.name,
        ...(note.error.code !== undefined ? { code: note.error.code } : {}),
      });
      this.options.onError?.(error);
    }
  }
}
