// How a file source's worker thread (file-source-worker.ts) is started: from the build (dist/) it
// loads file-source-worker.js; under tsx (tests, `npx tsx`) it registers tsx's loader inside the
// thread first and loads the .ts source (as the analysis worker does). Only the Node options a
// thread accepts and needs are passed on (process-wide ones such as --max-old-space-size make
// `new Worker` throw).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { FileSourceThreadData } from './file-source-thread-protocol.js';

export type FileSourceThreadStart = (data: FileSourceThreadData & { readonly port: MessagePort }) => Worker;

function threadExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    if (arg === '--enable-source-maps' || arg.startsWith('--conditions=')) out.push(arg);
    else if ((arg === '--conditions' || arg === '-C') && execArgv[i + 1] !== undefined)
      out.push(arg, execArgv[++i] ?? '');
  }
  return out;
}

export const startFileSourceThread: FileSourceThreadStart = (data) => {
  const options = { workerData: data, transferList: [data.port], execArgv: threadExecArgv() };
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./file-source-worker.js', self), options);
  const tsxDir = path.dirname(createRequire(self).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./file-source-worker.ts', self).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { ...options, eval: true });
};
