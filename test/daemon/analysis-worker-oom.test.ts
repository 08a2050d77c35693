// Issue 24: the analysis worker's heap is bounded (limits.analysisHeapMb, Node's resourceLimits).
// The real `serve` with a small limit (32 MiB) on a real store of 9,000 edges, each carrying a
// distinct 4 KB label: the drops classification (every edge read whole into the worker, ~70 MB
// of label text alone) runs out of memory. The request answers 503 analysis_out_of_memory naming
// the limit, the daemon keeps answering, the worker is counted as stopped for memory and
// restarted, and the restarted worker answers a job that reads no labels (the namespace traffic
// figures, from the lean edge summaries), far from the limit. (At 12 MiB without the padding,
// run under tsx, the traffic job itself sometimes ran out of memory.) 9,000 edges stays under
// the prewarm threshold, so only requests start jobs.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ISSUE_24_SHAPE, writeStore } from '../../bench/cluster-scale.js';
import { startServeProcess, type ServeProcess, writeServeConfig } from '../../bench/serve-process.js';

let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-serve-oom-'));
  const db = path.join(dir, 'flows.db');
  writeStore(db, { ...ISSUE_24_SHAPE, namespaces: 20, edges: 9000, dropped: 180 }, Date.now());
  const sqlite = new Database(db);
  sqlite.exec(`UPDATE edges SET src_labels = json_object('app', 'padded', 'pad', printf('%04000d', id))`);
  sqlite.close();
  writeFileSync(path.join(dir, 'empty.jsonl'), '');
  const config = writeServeConfig(dir, db, [
    'sources:',
    '  - type: file',
    '    name: none',
    '    format: hubble',
    `    path: ${JSON.stringify(path.join(dir, 'empty.jsonl'))}`,
    'kubernetes:',
    '  enabled: false',
    'limits:',
    '  analysisHeapMb: 32',
  ]);
  // Listening and ready (/readyz 200), or the hook fails with the daemon's output.
  serve = await startServeProcess(config, { entry: 'source' });
}, 150_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

describe('the analysis worker out of memory', () => {
  it('answers 503 naming the limit, restarts the worker, and the daemon keeps serving', async () => {
    const { base } = serve;

    const drops = await fetch(`${base}/api/v1/drops`);
    const body = (await drops.json()) as { error?: { code: string; message: string } };
    expect(drops.status, JSON.stringify(body)).toBe(503);
    expect(body.error?.code).toBe('analysis_out_of_memory');
    expect(body.error?.message).toMatch(/^drops: the analysis ran out of memory/);
    expect(body.error?.message).toContain('32 MiB, limits.analysisHeapMb');

    // The daemon survived; the worker was stopped for memory and comes back after its backoff.
    expect(serve.child.exitCode).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await vi.waitFor(
      async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        expect(metric(text, 'netpol_advisor_analysis_worker_out_of_memory_total')).toBe(1);
        expect(metric(text, 'netpol_advisor_analysis_worker_restarts_total')).toBe(1);
        expect(metric(text, 'netpol_advisor_analysis_worker_up')).toBe(1);
      },
      { timeout: 30_000, interval: 100 },
    );
    const namespaces = await fetch(`${base}/api/v1/namespaces`);
    expect(namespaces.status, await namespaces.clone().text()).toBe(200);
    expect(((await namespaces.json()) as { items: unknown[] }).items.length).toBe(20);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as {
      analysisWorker?: { state: string; restarts: number; outOfMemory: number };
    };
    expect(ready.analysisWorker).toMatchObject({ state: 'running', restarts: 1, outOfMemory: 1 });
    expect(serve.stdout()).toContain('analysis worker ran out of memory');
  }, 120_000);
});
