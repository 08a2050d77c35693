// The worker thread of a threaded file source (file-source-thread.ts): the daemon's FileSource,
// unchanged (reader, parser, BatchWriter, checkpoint compare-and-set), reading and parsing here,
// off the event loop that serves the API. Its store is a bridge: every batch and every checkpoint
// read is a blocking call to the main thread (sync-call.ts), which writes through the daemon's
// own store (shadow mode, the live stream, the damage latch and the data version included), so
// what is committed, and when, is what a FileSource on the main thread commits. Batch stats,
// errors and status go back as notes on the same port, after the write they belong to.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CheckpointConflictError } from '../store/checkpoint-conflict.js';
import type { FlowSink } from '../sources/source.js';
import type { Batch, ExpectedCheckpoint, FileCheckpoint, FlowStore } from '../store/types.js';
import { systemClock } from '../lib/clock.js';
import type { BatchStats } from './batch-writer.js';
import { FileSource } from './file-source.js';
import type {
  FileSourceThreadData,
  NotedError,
  SourceNote,
  StoreCall,
} from './file-source-thread-protocol.js';
import { SyncCaller, type CallReply } from './sync-call.js';

const data = workerData as FileSourceThreadData & { readonly port: MessagePort };
const caller = new SyncCaller(data.port, data.shared);

function unwrap(reply: CallReply): unknown {
  if (reply.ok) return reply.value;
  const { name, message, fields } = reply.error;
  if (name === 'CheckpointConflictError' && fields !== undefined)
    throw new CheckpointConflictError(
      String(fields.sourceKey),
      fields.expected as ExpectedCheckpoint,
      fields.stored as FileCheckpoint | undefined,
    );
  const error = new Error(message);
  error.name = name;
  throw error;
}

function call(request: StoreCall): unknown {
  return unwrap(caller.call(request));
}

const note = (body: SourceNote): void => caller.note(body);

function notedError(error: unknown): NotedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return { name: error.name, message: error.message, ...(code !== undefined ? { code } : {}) };
}

/** The only two store operations a file source uses; the rest is never called here. */
const bridge: Pick<FlowStore, 'writeBatch' | 'checkpoint'> = {
  writeBatch(batch: Batch): void {
    // A file source's batches carry no companion (shadow mode adds its own on the main thread).
    const { deltas, companion: _companion, ...rest } = batch;
    call({ op: 'writeBatch', batch: { ...rest, deltas: [...deltas] } });
  },
  checkpoint: (sourceKey) => call({ op: 'checkpoint', sourceKey }) as FileCheckpoint | undefined,
};

const source = new FileSource({
  ...data.options,
  store: bridge,
  clock: systemClock,
  onBatch: (stats: BatchStats) => note({ type: 'batch', stats, status: source.status() }),
  onError: (error: unknown) => note({ type: 'error', error: notedError(error), status: source.status() }),
});

// The state moves without a batch (connected, reconnecting): the main thread sees it within this.
const STATUS_INTERVAL_MS = 250;
let lastStatus = '';
const statusTimer = setInterval(() => {
  const status = source.status();
  const text = JSON.stringify(status);
  if (text === lastStatus) return;
  lastStatus = text;
  note({ type: 'status', status });
}, STATUS_INTERVAL_MS);

// The only message the main thread sends: stop.
parentPort?.once('message', () => {
  // FileSource.stop flushes the last batch (through the bridge) before it resolves.
  void source
    .stop()
    .catch((error: unknown) => note({ type: 'error', error: notedError(error) }))
    .finally(() => {
      clearInterval(statusTimer);
      note({ type: 'stopped', status: source.status() });
      parentPort?.close();
      data.port.close();
    });
});

// A file source writes through its own BatchWriter (the checkpoint commits with its edges), never
// through the pipeline's sink.
const noSink: FlowSink = { push: () => true, drained: () => Promise.resolve() };
void source.start(noSink);
