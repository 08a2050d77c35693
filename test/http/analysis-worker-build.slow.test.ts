// The analysis worker from the build output, without tsx: compile src/ as `npm run build` does
// (tsconfig.build.json) into a scratch folder inside the repository (so node_modules resolves),
// then, in a plain `node` child, seed a SQLite file with the built store and run the drops,
// traffic and whole-cluster graph jobs through the built WorkerRunner — which must load
// http/analysis-worker.js next to itself. The answers are compared with the same jobs run inline.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
mkdirSync(path.join(repoRoot, 'tmp'), { recursive: true });
const outDir = mkdtempSync(path.join(repoRoot, 'tmp', 'npa-worker-build-'));

const SCRIPT = `
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
const out = process.argv[1];
const { openStore } = await import(out + '/store/store.js');
const { edgeKey } = await import(out + '/flows/edge.js');
const { WorkerRunner, InlineRunner } = await import(out + '/http/analysis-runner.js');
const dir = mkdtempSync(path.join(tmpdir(), 'npa-worker-build-db-'));
const file = path.join(dir, 'flows.db');
const store = openStore(file);
const pod = (ns, w) => ({ kind: 'pod', namespace: ns, workload: w, workloadKind: 'Deployment' });
const deltas = [];
for (let i = 0; i < 2000; i++) {
  const source = pod('ns-' + (i % 5), 'app-' + (i % 3));
  const destination = pod('ns-' + (i % 5), 'db');
  const verdict = i % 10 === 0 ? 'dropped' : 'forwarded';
  deltas.push({ key: edgeKey(source, destination, 'TCP', 1000 + i, verdict), source, destination, protocol: 'TCP', port: 1000 + i, verdict,
    count: 2, firstSeenMs: 1e12, lastSeenMs: 1e12 + i, sourceLabels: {}, destinationLabels: {}, sourcePods: new Set(), destinationPods: new Set(),
    sourceNames: new Set(), destinationNames: new Set(), dropReasons: new Map(verdict === 'dropped' ? [['POLICY_DENIED', 2]] : []), deniedBy: new Set(), allowedBy: new Set() });
}
store.writeBatch({ deltas, accepted: deltas.length, rejectedByReason: {} });
const worker = new WorkerRunner(file);
const inline = new InlineRunner(store);
const jobs = [{ kind: 'drops' }, { kind: 'traffic' }, { kind: 'graph', maxEdges: 500 }];
const result = { workers: 0, same: [], drops: 0 };
for (const job of jobs) {
  const a = await worker.run(job);
  const b = await inline.run(job);
  const text = (v) => JSON.stringify(v instanceof Map ? [...v] : v);
  result.same.push(text(a) === text(b));
  if (job.kind === 'drops') result.drops = a.items.length;
}
result.workers = worker.started;
await worker.close();
store.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(result));
`;

describe('the analysis worker in the build output', () => {
  beforeAll(async () => {
    // A type error fails the suite with tsc's output: the build must be clean, not merely emitted.
    try {
      await run(
        process.execPath,
        [
          path.join(repoRoot, 'node_modules/typescript/bin/tsc'),
          '-p',
          'tsconfig.build.json',
          '--outDir',
          outDir,
        ],
        { cwd: repoRoot, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`tsc -p tsconfig.build.json failed:\n${stdout}${stderr}`, { cause: error });
    }
  }, 300_000);
  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('runs the jobs in http/analysis-worker.js with plain node and answers as the main thread does', async () => {
    expect(existsSync(path.join(outDir, 'http/analysis-worker.js'))).toBe(true);
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !key.startsWith('VITEST')),
    );
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT, pathToFileURL(outDir).href],
      { cwd: repoRoot, env, timeout: 120_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ workers: 1, same: [true, true, true], drops: 200 });
  }, 180_000);
});
