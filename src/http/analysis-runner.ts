// Runs the API's heavy analyses (analysis-jobs.ts) off the request path. With a database file,
// in one worker thread that opens the file read-only (analysis-worker.ts): the main thread's event
// loop keeps answering while the drops classification reads and classifies every edge. Without a
// file (an in-memory store, tests of the routes alone), on the main thread in a later macrotask.
// The worker starts on the first job, is unref'd while idle (never keeps the process alive), and
// stops after `idleMs` without jobs; a crashed worker fails its pending jobs and is started again
// by the next one. Under tsx (tests, `npx tsx`) the worker loads the .ts source through tsx's
// loader; from the build (dist/) it loads analysis-worker.js.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runAnalysisJob, type AnalysisJob, type AnalysisResults, type EdgeSource } from './analysis-jobs.js';
import type { JobReply, JobRequest } from './analysis-worker.js';

export interface AnalysisRunner {
  run<K extends AnalysisJob['kind']>(job: Extract<AnalysisJob, { kind: K }>): Promise<AnalysisResults[K]>;
  /** Stops the worker (pending jobs fail). */
  close(): Promise<void>;
}

/** On the main thread, one job per later macrotask (a pending response is written first). */
export class InlineRunner implements AnalysisRunner {
  constructor(private readonly source: EdgeSource) {}

  run<K extends AnalysisJob['kind']>(job: Extract<AnalysisJob, { kind: K }>): Promise<AnalysisResults[K]> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(runAnalysisJob(job, this.source) as AnalysisResults[K]);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class AnalysisWorkerError extends Error {
  override readonly name = 'AnalysisWorkerError';
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export const DEFAULT_WORKER_IDLE_MS = 30_000;

/** The process's Node options minus those that only apply to a main script given as text. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) out.push(arg);
  }
  return out;
}

function startWorker(file: string): Worker {
  const workerData = { file };
  const execArgv = workerExecArgv();
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./analysis-worker.js', self), { workerData, execArgv });
  // Source run (tsx, vitest): register tsx's ESM loader inside the worker, then load the source.
  const tsxDir = path.dirname(createRequire(self).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./analysis-worker.ts', self).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData, execArgv });
}

export class WorkerRunner implements AnalysisRunner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Workers started and jobs posted so far (tests, the bench). */
  started = 0;
  jobs = 0;

  constructor(private readonly file: string, private readonly idleMs = DEFAULT_WORKER_IDLE_MS) {}

  run<K extends AnalysisJob['kind']>(job: Extract<AnalysisJob, { kind: K }>): Promise<AnalysisResults[K]> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    this.jobs++;
    return new Promise<AnalysisResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as AnalysisResults[K]), reject });
      if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      worker.ref();
      const request: JobRequest = { id, job };
      worker.postMessage(request);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startWorker(this.file);
    this.started++;
    worker.on('message', (reply: JobReply) => {
      const pending = this.pending.get(reply.id);
      if (pending === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new AnalysisWorkerError(reply.error));
      if (this.pending.size === 0) this.idle(worker);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(error);
    };
    worker.on('error', (error) => fail(new AnalysisWorkerError(`analysis worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => fail(new AnalysisWorkerError(`analysis worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private idle(worker: Worker): void {
    worker.unref();
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.worker === worker && this.pending.size === 0) {
        this.worker = undefined;
        void worker.terminate();
      }
    }, this.idleMs);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}
