// The analysis worker thread's lifecycle (the thread itself is analysis-worker.ts). It starts on
// the first job, is unref'd while idle (never keeps the process alive) and stops after `idleMs`
// without jobs (how a thread is started, with which options and heap limit:
// analysis-worker-start.ts). A worker that cannot start or dies (not stopped by us) fails its
// pending jobs and is restarted after an exponential backoff (initial → max, reset once a restarted worker has answered a job); jobs
// that arrive during the backoff fail at once (the routes serve their previous body or a 503).
// The thread's V8 heap is bounded (`heapMb`, limits.analysisHeapMb: Node's resourceLimits): a job
// that needs more kills the thread, not the daemon (ERR_WORKER_OUT_OF_MEMORY); its requests fail
// with an AnalysisOutOfMemoryError naming the limit, and the thread is restarted like any other
// failure. The state is reported by status() for /readyz and the metrics. Timers go through
// `schedule` so tests drive the backoff without sleeping. The cluster snapshot is posted to a
// thread once per snapshot object (the daemon's snapshot changes only when the cluster does), before
// the first job that reads it; a restarted thread is sent it again.
import type { Worker } from 'node:worker_threads';
import { readsSnapshot, type AnalysisJob, type AnalysisResults } from './analysis-jobs.js';
import type { AnalysisRunner } from './analysis-runner.js';
import {
  AnalysisOutOfMemoryError,
  AnalysisWorkerError,
  startAnalysisWorker,
  type WorkerLimits,
} from './analysis-worker-start.js';
import type { JobReply, WorkerMessage } from './analysis-worker.js';
import type { ClusterSnapshot } from '../policy/model.js';

// Started and failed in analysis-worker-start.ts; re-exported for the existing importers.
export {
  AnalysisOutOfMemoryError,
  AnalysisWorkerError,
  startAnalysisWorker,
  workerExecArgv,
  type WorkerLimits,
} from './analysis-worker-start.js';

export const DEFAULT_WORKER_IDLE_MS = 30_000;
export const DEFAULT_RESTART_INITIAL_MS = 1000;
export const DEFAULT_RESTART_MAX_MS = 60_000;

export interface AnalysisWorkerStatus {
  /** idle: no thread (none needed yet); running: a thread is up; backoff: it failed, restart pending; closed: stopped. */
  readonly state: 'idle' | 'starting' | 'running' | 'backoff' | 'closed';
  /** Threads started after a failure, over the runner's life. */
  readonly restarts: number;
  /** Failures since the last job a thread answered. */
  readonly consecutiveFailures: number;
  /** Threads stopped for reaching their heap limit, over the runner's life. */
  readonly outOfMemory: number;
  readonly lastError?: string;
  /** In backoff: when the next start is due (epoch ms, by the runner's clock). */
  readonly nextStartAtMs?: number;
}

export interface WorkerRunnerOptions {
  readonly idleMs?: number;
  readonly restartInitialMs?: number;
  readonly restartMaxMs?: number;
  /** Runs `fn` after `ms`; returns a cancel. Default: an unref'd setTimeout. */
  readonly schedule?: (fn: () => void, ms: number) => () => void;
  readonly now?: () => number;
  /** Starts the thread (tests inject failing ones). Default: the analysis worker on `file`. */
  readonly startWorker?: (file: string, limits: WorkerLimits) => Worker;
  /** The thread's heap limit in MiB (limits.analysisHeapMb); undefined: V8's default. */
  readonly heapMb?: number;
  readonly logger?: { error(obj: object, msg?: string): void };
}

const defaultSchedule = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerRunner implements AnalysisRunner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private cancelIdle: (() => void) | undefined;
  private cancelRestart: (() => void) | undefined;
  private closed = false;
  private backoffUntilMs: number | undefined;
  private consecutiveFailures = 0;
  private restarts = 0;
  private outOfMemory = 0;
  private lastError: string | undefined;
  private lastOutOfMemory = false;
  /** Threads we stopped ourselves (idle, close): their exit is not a failure. */
  private readonly stopping = new WeakSet<Worker>();
  /** Threads that reached 'online'. */
  private readonly online = new WeakSet<Worker>();
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private readonly now: () => number;
  /** The snapshot the current thread was sent (it keeps the latest). */
  private sentSnapshot: ClusterSnapshot | undefined;
  /** Workers started, jobs and snapshots posted so far (tests, the bench). */
  started = 0;
  jobs = 0;
  snapshotsSent = 0;

  constructor(
    private readonly file: string,
    private readonly options: WorkerRunnerOptions = {},
  ) {
    this.schedule = options.schedule ?? defaultSchedule;
    this.now = options.now ?? Date.now;
  }

  status(): AnalysisWorkerStatus {
    const state = this.closed
      ? 'closed'
      : this.backoffUntilMs !== undefined
        ? 'backoff'
        : this.worker === undefined
          ? 'idle'
          : this.online.has(this.worker)
            ? 'running'
            : 'starting';
    return {
      state,
      restarts: this.restarts,
      consecutiveFailures: this.consecutiveFailures,
      outOfMemory: this.outOfMemory,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.backoffUntilMs !== undefined ? { nextStartAtMs: this.backoffUntilMs } : {}),
    };
  }

  run<K extends AnalysisJob['kind']>(
    job: Extract<AnalysisJob, { kind: K }>,
    snapshot?: ClusterSnapshot,
  ): Promise<AnalysisResults[K]> {
    if (this.closed) return Promise.reject(new AnalysisWorkerError('analysis worker stopped'));
    if (this.backoffUntilMs !== undefined) {
      const inSec = Math.max(0, Math.ceil((this.backoffUntilMs - this.now()) / 1000));
      // After running out of memory the cause stays named (the route answers analysis_out_of_memory).
      return Promise.reject(
        this.lastOutOfMemory
          ? new AnalysisOutOfMemoryError(this.options.heapMb, { restartInSec: inSec })
          : new AnalysisWorkerError(
              `analysis worker restarting in ${inSec}s after: ${this.lastError ?? 'a failure'}`,
            ),
      );
    }
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const id = this.nextId++;
    this.jobs++;
    return new Promise<AnalysisResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as AnalysisResults[K]), reject });
      this.cancelIdle?.();
      this.cancelIdle = undefined;
      worker.ref();
      const withSnapshot = snapshot !== undefined && readsSnapshot(job);
      if (withSnapshot && this.sentSnapshot !== snapshot) {
        const message: WorkerMessage = { type: 'snapshot', snapshot };
        worker.postMessage(message);
        this.sentSnapshot = snapshot;
        this.snapshotsSent++;
      }
      const message: WorkerMessage = { type: 'job', id, job, withSnapshot };
      worker.postMessage(message);
    });
  }

  /** Starts the thread; a start that throws is a failure (backoff) and rethrown. */
  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const restart = this.consecutiveFailures > 0;
    let worker: Worker;
    try {
      worker = (this.options.startWorker ?? startAnalysisWorker)(
        this.file,
        this.options.heapMb !== undefined ? { heapMb: this.options.heapMb } : {},
      );
    } catch (error) {
      const failure = new AnalysisWorkerError(
        `analysis worker cannot start: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
      this.failed(undefined, failure);
      throw failure;
    }
    this.started++;
    this.sentSnapshot = undefined;
    if (restart) this.restarts++;
    worker.on('online', () => this.online.add(worker));
    worker.on('message', (reply: JobReply) => {
      const pending = this.pending.get(reply.id);
      if (pending === undefined) return;
      this.pending.delete(reply.id);
      // A thread that answers works: the next failure starts the backoff from the beginning.
      this.consecutiveFailures = 0;
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new AnalysisWorkerError(reply.error));
      if (this.pending.size === 0) this.idle(worker);
    });
    let reported = false;
    const fail = (error: AnalysisWorkerError): void => {
      if (reported) return;
      reported = true;
      if (this.stopping.has(worker)) return;
      this.failed(worker, error);
    };
    worker.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        if (!this.stopping.has(worker)) this.outOfMemory++;
        fail(new AnalysisOutOfMemoryError(this.options.heapMb, { cause: error }));
      } else fail(new AnalysisWorkerError(`analysis worker failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => fail(new AnalysisWorkerError(`analysis worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** A thread could not start or died: fail its jobs, back off, then start a new one. */
  private failed(worker: Worker | undefined, error: AnalysisWorkerError): void {
    if (worker !== undefined && this.worker === worker) this.worker = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
    if (this.closed) return;
    this.consecutiveFailures++;
    this.lastError = error.message.slice(0, 300);
    this.lastOutOfMemory = error instanceof AnalysisOutOfMemoryError;
    const initialMs = this.options.restartInitialMs ?? DEFAULT_RESTART_INITIAL_MS;
    const delayMs = Math.min(
      this.options.restartMaxMs ?? DEFAULT_RESTART_MAX_MS,
      initialMs * 2 ** Math.min(this.consecutiveFailures - 1, 30),
    );
    this.backoffUntilMs = this.now() + delayMs;
    this.options.logger?.error(
      { err: error, consecutiveFailures: this.consecutiveFailures, retryInMs: delayMs },
      'analysis worker failed; restarting after a backoff',
    );
    this.cancelRestart?.();
    this.cancelRestart = this.schedule(() => {
      this.cancelRestart = undefined;
      this.backoffUntilMs = undefined;
      if (this.closed || this.worker !== undefined) return;
      try {
        // Started now rather than by the next job, so /readyz shows whether it came back.
        const restarted = this.ensureWorker();
        this.idle(restarted);
      } catch {
        // failed() has scheduled the next attempt.
      }
    }, delayMs);
  }

  private idle(worker: Worker): void {
    worker.unref();
    this.cancelIdle?.();
    this.cancelIdle = this.schedule(() => {
      this.cancelIdle = undefined;
      if (this.worker === worker && this.pending.size === 0) {
        this.worker = undefined;
        this.stopping.add(worker);
        void worker.terminate();
      }
    }, this.options.idleMs ?? DEFAULT_WORKER_IDLE_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdle?.();
    this.cancelIdle = undefined;
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    this.backoffUntilMs = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) {
      this.stopping.add(worker);
      await worker.terminate();
    }
  }
}
