// Issue 14 item 7 end to end: the real `serve` started with a process-wide Node option
// (`node --max-old-space-size=256`) answers the routes that run in the analysis worker (drops,
// namespaces, the whole-cluster graph) with 200, not a 503, and /readyz and /metrics report the
// worker. Before, the worker inherited process.execArgv and could never start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;
let child: ChildProcess;
let stdout = '';
let stderr = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-serve-opts-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'demo.db'))}`,
      'demo:',
      '  loop: false',
      'limits:',
      '  flushIntervalMs: 50',
      '',
    ].join('\n'),
  );
  child = spawn(
    process.execPath,
    ['--max-old-space-size=256', '--import', 'tsx', 'src/cli/main-entry.ts', 'serve', '--config', config],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('serve under node --max-old-space-size', () => {
  it('the worker routes answer, and the worker shows in /readyz and /metrics', async () => {
    const base = await vi.waitFor(
      () => {
        const line = stdout.split('\n').find((l) => l.includes('"listening"'));
        const address = line === undefined ? undefined : (JSON.parse(line) as { address?: string }).address;
        if (address === undefined) throw new Error(`not listening yet\n${stderr}`);
        return `http://${address}`;
      },
      { timeout: 60_000, interval: 50 },
    );
    await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200), {
      timeout: 60_000,
      interval: 50,
    });
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
    expect(stdout).not.toContain('analysis worker failed');
  }, 90_000);
});
