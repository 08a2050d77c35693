// The worker thread of a threaded file source (file-source-thread.ts): the daemon's FileSource,
// unchanged (reader, parser, BatchWriter, checkpoint compare-and-set), reading and parsing here,
// off the event loop that serves the API. Its store is a bridge (file-source-bridge.ts): each
// batch is committed by the main thread's store or, when the main thread routes it here, by this
// thread's own connection; the file checkpoint commits with it either way. Batch stats, errors
// and status go back as notes on the same port, after the write they belong to.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { FlowSink } from '../sources/source.js';
import { openStore } from '../store/store.js';
import { systemClock } from '../lib/clock.js';
import type { BatchStats } from './batch-writer.js';
import { FileSource } from './file-source.js';
import { bridgeStore } from './file-source-bridge.js';
import type { FileSourceThreadData, NotedError, SourceNote } from './file-source-thread-protocol.js';
import { SyncCaller } from './sync-call.js';

const data = workerData as FileSourceThreadData & { readonly port: MessagePort };
const caller = new SyncCaller(data.port, data.shared);

const note = (body: SourceNote): void => caller.note(body);

function notedError(error: unknown): NotedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return { name: error.name, message: error.message, ...(code !== undefined ? { code } : {}) };
}

// Its own connection to the database file, when the daemon has one (file-source-bridge.ts).
const own =
  data.options.dbFile === undefined
    ? undefined
    : openStore(data.options.dbFile, {
        mustExist: true,
        ...(data.options.walAutoCheckpointPages !== undefined
          ? { walAutoCheckpointPages: data.options.walAutoCheckpointPages }
          : {}),
        onCorrupt: (error) => note({ type: 'damaged', detail: error.detail }),
      });
const bridge = bridgeStore(caller, own);

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
      own?.close();
      note({ type: 'stopped', status: source.status() });
      parentPort?.close();
      data.port.close();
    });
});

// A file source writes through its own BatchWriter (the checkpoint commits with its edges), never
// through the pipeline's sink.
const noSink: FlowSink = { push: () => true, drained: () => Promise.resolve() };
void source.start(noSink);
