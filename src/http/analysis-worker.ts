// The analysis worker thread (started by analysis-worker-runner.ts): opens the flow database
// read-only (workerData.file) and answers each posted job ({id, job}) with {id, ok, value} or
// {id, ok: false, error}. One message at a time, in order; the main thread's event loop never
// waits for it. The cluster snapshot comes in its own message ({snapshot}) once per snapshot the
// daemon has, and is kept: a job that reads it ({withSnapshot: true}) runs with the latest one
// sent, so a 15,000-pod snapshot is not cloned into the thread again for every job.
import { parentPort, workerData } from 'node:worker_threads';
import { AnalysisBase } from './analysis-base.js';
import { runAnalysisJob, type AnalysisJob } from './analysis-jobs.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { ReadOnlyEdges } from '../store/read-only-edges.js';

export type WorkerMessage =
  | { readonly type: 'snapshot'; readonly snapshot: ClusterSnapshot }
  | {
      readonly type: 'job';
      readonly id: number;
      readonly job: AnalysisJob;
      /** Run with the kept snapshot; false: with none. */
      readonly withSnapshot: boolean;
    };

export type JobReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

const port = parentPort;
const file = (workerData as { file?: unknown } | null)?.file;
if (port !== null && typeof file === 'string') {
  let edges: ReadOnlyEdges | undefined;
  let snapshot: ClusterSnapshot | undefined;
  // The edges and compiled snapshot of the latest version, shared by its jobs (analysis-base.ts).
  const base = new AnalysisBase();
  port.on('message', (message: WorkerMessage) => {
    if (message.type === 'snapshot') {
      snapshot = message.snapshot;
      return;
    }
    let reply: JobReply;
    try {
      edges ??= new ReadOnlyEdges(file);
      const value = runAnalysisJob(message.job, edges, message.withSnapshot ? snapshot : undefined, base);
      reply = { id: message.id, ok: true, value };
    } catch (error) {
      reply = { id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) };
      base.clear();
      // Reopen for the next job (the file may have been replaced or the connection broken).
      try {
        edges?.close();
      } catch {
        // already unusable
      }
      edges = undefined;
    }
    port.postMessage(reply);
  });
}
