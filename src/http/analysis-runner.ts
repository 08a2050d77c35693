// Runs the API's heavy analyses (analysis-jobs.ts) off the request path. With a database file,
// in one worker thread that opens the file read-only (analysis-worker-runner.ts): the main
// thread's event loop keeps answering while the drops classification reads and classifies every
// edge. Without a file (an in-memory store, tests of the routes alone), on the main thread in a
// later macrotask (InlineRunner, here).
import { runAnalysisJob, type AnalysisJob, type AnalysisResults, type EdgeSource } from './analysis-jobs.js';

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

// The worker thread's runner lives in its own file; re-exported for the existing importers.
export {
  AnalysisWorkerError,
  DEFAULT_WORKER_IDLE_MS,
  WorkerRunner,
  type AnalysisWorkerStatus,
  type WorkerRunnerOptions,
} from './analysis-worker-runner.js';
