// The analysis worker thread (started by analysis-runner.ts): opens the flow database read-only
// (workerData.file) and answers each posted job ({id, job}) with {id, ok, value} or {id, ok:
// false, error}. One job at a time, in order; the main thread's event loop never waits for it.
import { parentPort, workerData } from 'node:worker_threads';
import { AnalysisBase } from './analysis-base.js';
import { runAnalysisJob, type AnalysisJob } from './analysis-jobs.js';
import { ReadOnlyEdges } from '../store/read-only-edges.js';

export interface JobRequest {
  readonly id: number;
  readonly job: AnalysisJob;
}

export type JobReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

const port = parentPort;
const file = (workerData as { file?: unknown } | null)?.file;
if (port !== null && typeof file === 'string') {
  let edges: ReadOnlyEdges | undefined;
  // The edges and compiled snapshot of the latest version, shared by its jobs (analysis-base.ts).
  const base = new AnalysisBase();
  port.on('message', (message: JobRequest) => {
    let reply: JobReply;
    try {
      edges ??= new ReadOnlyEdges(file);
      reply = { id: message.id, ok: true, value: runAnalysisJob(message.job, edges, base) };
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
