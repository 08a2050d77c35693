// Runs the API's heavy analyses (analysis-jobs.ts) off the request path. With a database file,
// in one worker thread that opens the file read-only (analysis-worker-runner.ts): the main
// thread's event loop keeps answering while the drops classification reads and classifies every
// edge. Without a file (an in-memory store, tests of the routes alone), on the main thread in a
// later macrotask (InlineRunner, here), sharing what the worker would share (analysis-base.ts).
import { AnalysisBase } from './analysis-base.js';
import { runAnalysisJob, type AnalysisJob, type AnalysisResults, type EdgeSource } from './analysis-jobs.js';
import type { ClusterSnapshot } from '../policy/model.js';

export interface AnalysisRunner {
  /** `snapshot`: the cluster the job's version names (undefined: none). */
  run<K extends AnalysisJob['kind']>(
    job: Extract<AnalysisJob, { kind: K }>,
    snapshot?: ClusterSnapshot,
  ): Promise<AnalysisResults[K]>;
  /** Stops the worker (pending jobs fail). */
  close(): Promise<void>;
}

/** On the main thread, one job per later macrotask (a pending response is written first). */
export class InlineRunner implements AnalysisRunner {
  /** What the jobs share (tests, the bench: its counters). */
  readonly base = new AnalysisBase();

  constructor(private readonly source: EdgeSource) {}

  run<K extends AnalysisJob['kind']>(
    job: Extract<AnalysisJob, { kind: K }>,
    snapshot?: ClusterSnapshot,
  ): Promise<AnalysisResults[K]> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(runAnalysisJob(job, this.source, snapshot, this.base) as AnalysisResults[K]);
        } catch (error) {
          this.base.clear();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  close(): Promise<void> {
    this.base.clear();
    return Promise.resolve();
  }
}

// The worker thread's runner lives in its own file; re-exported for the existing importers.
export {
  AnalysisWorkerError,
  DEFAULT_WORKER_IDLE_MS,
  WorkerRunner,
  type AnalysisWorkerStatus,
  type WorkerRunnerOptions,
} from './analysis-worker-runner.js';
