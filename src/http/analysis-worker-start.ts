// How the analysis worker thread (analysis-worker.ts) is started, and how it fails. It gets only
// the Node options it needs: `process.execArgv` may hold process-wide options
// (`--max-old-space-size`, `--stack-size`…) that `new Worker` refuses with
// ERR_WORKER_INVALID_EXEC_ARGV, which once left the heavy routes answering 503 for good. Its own
// heap limit is given as Node's resourceLimits instead (limits.analysisHeapMb): a job that needs
// more stops the thread with ERR_WORKER_OUT_OF_MEMORY and leaves the daemon running. Under tsx
// (tests, `npx tsx`) the worker loads the .ts source through tsx's loader; from the build (dist/)
// it loads analysis-worker.js.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export class AnalysisWorkerError extends Error {
  override readonly name: string = 'AnalysisWorkerError';
}

/** The thread reached its heap limit and was stopped by Node: the job needs more than `heapMb`. */
export class AnalysisOutOfMemoryError extends AnalysisWorkerError {
  override readonly name = 'AnalysisOutOfMemoryError';
  /** `restartInSec`: a job refused while the stopped thread's restart is pending. */
  constructor(
    readonly heapMb: number | undefined,
    options: ErrorOptions & { readonly restartInSec?: number } = {},
  ) {
    const limit = heapMb !== undefined ? `${heapMb} MiB, limits.analysisHeapMb` : "V8's default";
    super(
      options.restartInSec !== undefined
        ? `analysis worker restarting in ${options.restartInSec}s after running out of memory (heap limit ${limit})`
        : `analysis worker ran out of memory (heap limit ${limit}) and was stopped`,
      options,
    );
  }
}

/** What a started thread is given besides the database file. */
export interface WorkerLimits {
  /** V8 old-generation limit of the thread (resourceLimits.maxOldGenerationSizeMb); undefined: V8's default. */
  readonly heapMb?: number;
}

/** Node options a worker thread may be given and needs: source maps and import conditions. */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    if (arg === '--enable-source-maps' || arg.startsWith('--conditions=')) out.push(arg);
    else if ((arg === '--conditions' || arg === '-C') && execArgv[i + 1] !== undefined)
      out.push(arg, execArgv[++i] ?? '');
  }
  return out;
}

export function startAnalysisWorker(file: string, limits: WorkerLimits = {}): Worker {
  const workerData = { file };
  const execArgv = workerExecArgv();
  const resourceLimits = limits.heapMb !== undefined ? { maxOldGenerationSizeMb: limits.heapMb } : {};
  const self = import.meta.url;
  if (!self.endsWith('.ts'))
    return new Worker(new URL('./analysis-worker.js', self), { workerData, execArgv, resourceLimits });
  // Source run (tsx, vitest): register tsx's ESM loader inside the worker, then load the source.
  const tsxDir = path.dirname(createRequire(self).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./analysis-worker.ts', self).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData, execArgv, resourceLimits });
}
