// The daemon's WAL checkpoints, off its event loop. SQLite's automatic checkpoint runs inside the
// commit that crosses wal_autocheckpoint pages, on the connection that committed: for the daemon
// that is a write batch on the main thread, copying every page the batch dirtied into the
// database file (and syncing it) while the API waits. Here a worker thread with its own connection
// runs `PRAGMA wal_checkpoint(PASSIVE)` every intervalMs instead (PASSIVE never blocks a writer or
// a reader), and the daemon's connection keeps a high automatic threshold only as a fallback for
// when this falls behind or its worker is gone. Durability is unchanged: a commit is durable in
// the WAL; a checkpoint only moves committed pages into the main file.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../lib/clock.js';

/** WAL pages at which the daemon's own connection still checkpoints (about 40 MiB at 4 KiB pages). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
export const CHECKPOINT_INTERVAL_MS = 1000;

/** PRAGMA wal_checkpoint's answer: frames in the WAL and how many are now in the database file. */
export interface CheckpointResult {
  readonly busy: boolean;
  readonly walFrames: number;
  readonly checkpointedFrames: number;
}

// CommonJS evaluated in the worker (as integrity.ts): no file of ours to resolve from src or dist.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const row = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw().get();
    parentPort.postMessage({ ok: true, row });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message) });
  }
});
`;

type Reply = { ok: true; row: [number, number, number] } | { ok: false; message: string };

export interface WalCheckpointerOptions {
  readonly clock: Clock;
  readonly intervalMs?: number;
  /** A checkpoint failed (the next interval tries again). */
  readonly onError?: (error: Error) => void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;
  private pending: ((reply: Reply) => void)[] = [];
  private exited: Error | undefined;
  /** Checkpoints that completed (by the interval or checkpointNow). */
  completed = 0;

  constructor(
    file: string,
    private readonly options: WalCheckpointerOptions,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_CODE, { eval: true, execArgv: [], workerData: { file, driver } });
    this.worker.on('message', (reply: Reply) => this.pending.shift()?.(reply));
    const gone = (error: Error): void => {
      this.exited ??= error;
      for (const resolve of this.pending.splice(0)) resolve({ ok: false, message: error.message });
    };
    this.worker.on('error', (error) => {
      // The worker could not open the file or crashed: the connection's fallback threshold remains.
      this.options.onError?.(error);
      gone(error);
    });
    this.worker.on('exit', (code) => gone(new Error(`WAL checkpoint worker exited (code ${code})`)));
    this.worker.unref();
    this.loop = this.run();
  }

  /** One PASSIVE checkpoint now, in the worker. Rejects if it failed or the worker is gone. */
  checkpointNow(): Promise<CheckpointResult> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending.push((reply) => {
        if (!reply.ok) reject(new Error(`WAL checkpoint failed: ${reply.message}`));
        else {
          this.completed++;
          resolve({ busy: reply.row[0] !== 0, walFrames: reply.row[1], checkpointedFrames: reply.row[2] });
        }
      });
      this.worker.postMessage('checkpoint');
    });
  }

  private async run(): Promise<void> {
    const { clock, intervalMs = CHECKPOINT_INTERVAL_MS } = this.options;
    const signal = this.abort.signal;
    for (;;) {
      await clock.sleep(intervalMs, signal);
      if (signal.aborted || this.exited !== undefined) return;
      await this.checkpointNow().catch((error: unknown) =>
        this.options.onError?.(error instanceof Error ? error : new Error(String(error))),
      );
    }
  }

  /** Stops the timer and closes the worker's connection (a checkpoint under way finishes first). */
  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    await exited;
  }
}
