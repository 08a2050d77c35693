// The daemon owns one analysis service (src/http/analysis.ts) and closes it on shutdown: the
// analysis worker thread a drops request started has exited once stop() returns (an idle worker
// left alone would live on for its idle timeout, 30 s). In-process daemon, real worker thread.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startDaemon } from '../../src/daemon.js';
import { startAnalysisWorker } from '../../src/http/analysis-worker-runner.js';

const demo = readFileSync(path.resolve(import.meta.dirname, '../../demo/flows.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

let dir: string;
let config: Config;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-analysis-stop-'));
  const flows = path.join(dir, 'events.log');
  writeFileSync(flows, demo.slice(0, 300).join('\n') + '\n');
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(path.join(dir, 'flows.db'))}\nsources:\n  - type: file\n    name: hubble-export\n    format: hubble\n    path: ${JSON.stringify(flows)}\n`,
  );
  const loaded = loadConfig({ file, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  config = loaded.config;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the daemon closes its analysis service on shutdown', () => {
  it('the worker thread a request started has exited when stop() returns', async () => {
    const threads: Worker[] = [];
    const exited = new Set<Worker>();
    const daemon = await startDaemon(config, {
      logger: pino({ level: 'silent' }),
      startAnalysisWorker: (file) => {
        const thread = startAnalysisWorker(file);
        threads.push(thread);
        thread.once('exit', () => exited.add(thread));
        return thread;
      },
    });
    const base = `http://127.0.0.1:${daemon.address.port}`;
    try {
      await vi.waitFor(
        async () => {
          const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean };
          if (!ready.ready) throw new Error('not ready yet');
        },
        { timeout: 20_000, interval: 25 },
      );
      const drops = await fetch(`${base}/api/v1/drops`);
      expect(drops.status).toBe(200);
      await drops.arrayBuffer();
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { analysisWorker?: { state: string } };
      expect(ready.analysisWorker?.state).toBe('running');
      expect(threads).toHaveLength(1);
      expect(exited.size).toBe(0);
    } finally {
      await daemon.stop();
    }
    expect(threads.every((t) => exited.has(t))).toBe(true);
    expect(threads.map((t) => t.threadId)).toEqual([-1]);
  }, 60_000);
});
