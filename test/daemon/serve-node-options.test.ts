// Issue 14 item 7 end to end: the real `serve` started with a process-wide Node option
// (`node --max-old-space-size=256`) answers the routes that run in the analysis worker (drops,
// namespaces, the whole-cluster graph) with 200, not a 503, and /readyz and /metrics report the
// worker. Before, the worker inherited process.execArgv and could never start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, type ServeProcess, writeServeConfig } from '../../bench/serve-process.js';

let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-serve-opts-'));
  const config = writeServeConfig(dir, 'demo.db', [
    'demo:',
    '  loop: false',
    'limits:',
    '  flushIntervalMs: 50',
  ]);
  // Listening and ready (/readyz 200), or the hook fails with the daemon's output.
  serve = await startServeProcess(config, { entry: 'source', nodeFlags: ['--max-old-space-size=256'] });
}, 150_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve under node --max-old-space-size', () => {
  it('the worker routes answer, and the worker shows in /readyz and /metrics', async () => {
    const { base } = serve;
    for (const route of ['/api/v1/drops', '/api/v1/namespaces', '/api/v1/graph']) {
      const res = await fetch(base + route);
      expect(res.status, `${route}: ${await res.clone().text()}`).toBe(200);
    }
    const ready = (await (await fetch(`${base}/readyz`)).json()) as {
      analysisWorker?: { state: string; consecutiveFailures: number };
    };
    expect(ready.analysisWorker).toMatchObject({ state: 'running', consecutiveFailures: 0 });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^netpol_advisor_analysis_worker_up 1$/m);
    expect(metrics).toMatch(/^netpol_advisor_analysis_worker_restarts_total 0$/m);
    expect(serve.stdout()).not.toContain('analysis worker failed');
  }, 90_000);
});
