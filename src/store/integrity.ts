// The start-up integrity check of a database file: `PRAGMA quick_check` (or the full
// `integrity_check`) on a read-only connection in a worker thread, so it is bounded in time: a
// check that has not answered within timeoutMs is abandoned (reported as `timed_out`, the worker
// terminated) and the caller decides. SQLite cannot be interrupted from another thread through
// better-sqlite3, hence a worker rather than a progress handler. The worker is given no Node
// options (none of the parent's execArgv: a heap limit meant for the daemon is not for it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type IntegrityMode = 'quick' | 'full';

export type IntegrityResult =
  | { readonly status: 'ok'; readonly mode: IntegrityMode }
  | { readonly status: 'corrupt'; readonly mode: IntegrityMode; readonly problems: readonly string[] }
  | { readonly status: 'timed_out'; readonly mode: IntegrityMode; readonly timeoutMs: number }
  /** The check itself could not run (file unreadable …): not evidence of damage. */
  | { readonly status: 'failed'; readonly mode: IntegrityMode; readonly message: string };

export interface IntegrityOptions {
  readonly mode: IntegrityMode;
  readonly timeoutMs: number;
  /** Resolves after ms (the daemon's injected clock); default a real timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Problems listed at most (quick_check(N) stops after N). */
const MAX_PROBLEMS = 20;

// CommonJS evaluated in the worker: no file of ours to resolve (works the same from src under tsx
// and from dist). better-sqlite3 is required by absolute path.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const pragma = workerData.mode === 'full' ? 'integrity_check' : 'quick_check';
  const rows = db.prepare('PRAGMA ' + pragma + '(' + workerData.max + ')').pluck().all();
  const problems = rows.filter((r) => r !== 'ok').map(String);
  parentPort.postMessage(problems.length === 0 ? { status: 'ok' } : { status: 'corrupt', problems });
} catch (error) {
  const code = error && typeof error.code === 'string' ? error.code : '';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') parentPort.postMessage({ status: 'corrupt', problems: [code + ': ' + error.message] });
  else parentPort.postMessage({ status: 'failed', message: (code ? code + ': ' : '') + String(error && error.message) });
} finally {
  if (db) db.close();
}
`;

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

type WorkerReply =
  { status: 'ok' } | { status: 'corrupt'; problems: string[] } | { status: 'failed'; message: string };

/** Checks `file` (which must exist); never throws. */
export async function checkIntegrity(file: string, options: IntegrityOptions): Promise<IntegrityResult> {
  const { mode, timeoutMs } = options;
  if (!existsSync(file)) return { status: 'failed', mode, message: `${file}: no such file` };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_CODE, {
    eval: true,
    execArgv: [],
    workerData: { file, mode, max: MAX_PROBLEMS, driver },
  });
  const stopTimer = new AbortController();
  const reply = new Promise<IntegrityResult>((resolve) => {
    worker.once('message', (message: WorkerReply) => {
      if (message.status === 'ok') resolve({ status: 'ok', mode });
      else if (message.status === 'corrupt')
        resolve({
          status: 'corrupt',
          mode,
          problems: message.problems.slice(0, MAX_PROBLEMS).map((p) => p.slice(0, 500)),
        });
      else resolve({ status: 'failed', mode, message: message.message.slice(0, 500) });
    });
    worker.once('error', (error) => resolve({ status: 'failed', mode, message: error.message }));
    worker.once('exit', (code) =>
      resolve({ status: 'failed', mode, message: `integrity check worker exited (code ${code})` }),
    );
  });
  const timedOut = (options.sleep ?? realSleep)(timeoutMs, stopTimer.signal).then((): IntegrityResult => ({
    status: 'timed_out',
    mode,
    timeoutMs,
  }));
  const result = await Promise.race([reply, timedOut]);
  stopTimer.abort();
  // A check still running is abandoned: the worker ends when SQLite returns; it must not keep
  // the process alive meanwhile.
  worker.unref();
  void worker.terminate();
  return result;
}
