// The analysis worker's lifecycle (issue 14 item 7) with real worker threads and the backoff timer
// driven by hand (no sleeping): process-wide Node options are not passed on; a worker that cannot
// start (Node's own ERR_WORKER_INVALID_EXEC_ARGV), one that dies while loading, and one killed
// while idle each fail at once, back off exponentially (reset once a worker answers), and are
// restarted by the timer; the state shows in status() and in the metrics.
import { Worker } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAnalysisWorkerMetrics } from '../../src/http/analysis-metrics.js';
import { InlineRunner } from '../../src/http/analysis-runner.js';
import { startAnalysisWorker, workerExecArgv, WorkerRunner } from '../../src/http/analysis-worker-runner.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

describe('workerExecArgv', () => {
  it('keeps source maps and conditions, drops process-wide and loader options', () => {
    expect(
      workerExecArgv([
        '--max-old-space-size=256',
        '--enable-source-maps',
        '--stack-size',
        '2000',
        '--import',
        'tsx',
        '--conditions=dev',
        '-C',
        'x',
        '--input-type=module',
      ]),
    ).toEqual(['--enable-source-maps', '--conditions=dev', '-C', 'x']);
    // Every option kept is one Node accepts for a worker thread.
    const worker = new Worker('0', {
      eval: true,
      execArgv: workerExecArgv(['--enable-source-maps', '--conditions=dev']),
    });
    return new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  });
});

describe('restart with backoff', () => {
  let app: SeededApp;
  let file: string;
  beforeAll(async () => {
    app = await startSeededApp();
    file = `${app.dir}/flows.db`;
  });
  afterAll(async () => {
    await app.close();
  });

  it('cannot start, dies while loading, killed while idle: each backs off and comes back', async () => {
    interface Timer {
      fn: () => void;
      ms: number;
      cancelled: boolean;
    }
    const timers: Timer[] = [];
    const schedule = (fn: () => void, ms: number) => {
      const timer = { fn, ms, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    };
    const fire = (ms: number): void => {
      const due = timers.filter((t) => !t.cancelled && t.ms === ms);
      expect(due, `one pending ${ms} ms timer`).toHaveLength(1);
      const timer = due[0] as Timer;
      timer.cancelled = true;
      timer.fn();
    };
    let now = 1_000_000;
    let mode: 'invalid-option' | 'crash' | 'real' = 'invalid-option';
    const threads: Worker[] = [];
    const runner = new WorkerRunner(file, {
      schedule,
      now: () => now,
      restartInitialMs: 1000,
      restartMaxMs: 8000,
      idleMs: 30_000,
      startWorker: (f) => {
        // What inheriting process.execArgv under `node --max-old-space-size=…` did.
        if (mode === 'invalid-option')
          return new Worker('0', { eval: true, execArgv: ['--max-old-space-size=64'] });
        const worker =
          mode === 'crash'
            ? new Worker('throw new Error("cannot load the analysis code")', { eval: true })
            : startAnalysisWorker(f);
        threads.push(worker);
        return worker;
      },
    });
    const registry = new Registry();
    registerAnalysisWorkerMetrics(registry, () => runner.status());
    const metric = async (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await registry.metrics())?.[1]);
    const expected = await new InlineRunner(app.store).run({ kind: 'traffic' });

    // 1. The thread cannot be created: the job fails, the runner backs off 1 s.
    await expect(runner.run({ kind: 'traffic' })).rejects.toThrow(/cannot start: .*--max-old-space-size/);
    expect(runner.status()).toMatchObject({
      state: 'backoff',
      consecutiveFailures: 1,
      restarts: 0,
      nextStartAtMs: now + 1000,
    });
    expect(await metric('netpol_advisor_analysis_worker_up')).toBe(0);
    now += 400;
    await expect(runner.run({ kind: 'traffic' })).rejects.toThrow(
      /restarting in 1s after: analysis worker cannot start/,
    );

    // 2. The restart starts a thread that dies while loading: backoff doubles to 2 s.
    mode = 'crash';
    now += 600;
    fire(1000);
    await vi.waitFor(() =>
      expect(runner.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 2 }),
    );
    expect(runner.status().nextStartAtMs).toBe(now + 2000);
    expect(runner.status().lastError).toMatch(/cannot load the analysis code/);

    // 3. The next restart works: the job runs in the thread and the failure count resets.
    mode = 'real';
    now += 2000;
    fire(2000);
    expect(runner.status().state).not.toBe('backoff');
    expect(await runner.run({ kind: 'traffic' })).toEqual(expected);
    expect(runner.status()).toMatchObject({ state: 'running', consecutiveFailures: 0, restarts: 2 });
    expect(await metric('netpol_advisor_analysis_worker_up')).toBe(1);
    expect(await metric('netpol_advisor_analysis_worker_restarts_total')).toBe(2);

    // 4. The idle thread is killed from outside: back to a 1 s backoff (the count was reset).
    await threads.at(-1)?.terminate();
    await vi.waitFor(() =>
      expect(runner.status()).toMatchObject({ state: 'backoff', consecutiveFailures: 1 }),
    );
    expect(runner.status().nextStartAtMs).toBe(now + 1000);
    now += 1000;
    fire(1000);
    expect(await runner.run({ kind: 'traffic' })).toEqual(expected);
    expect(runner.status()).toMatchObject({ state: 'running', restarts: 3, consecutiveFailures: 0 });

    // 5. Stopping it ourselves (idle timeout, close) is not a failure.
    fire(30_000);
    await vi.waitFor(() => expect(runner.status().state).toBe('idle'));
    expect(runner.status().consecutiveFailures).toBe(0);
    await runner.close();
    expect(runner.status().state).toBe('closed');
    await expect(runner.run({ kind: 'traffic' })).rejects.toThrow(/stopped/);
    expect(timers.filter((t) => !t.cancelled)).toEqual([]);
  });

  it('the backoff is capped', async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    let now = 0;
    const runner = new WorkerRunner(file, {
      schedule: (fn, ms) => {
        timers.push({ fn, ms });
        return () => undefined;
      },
      now: () => now,
      restartInitialMs: 1000,
      restartMaxMs: 8000,
      startWorker: () => new Worker('0', { eval: true, execArgv: ['--stack-size=100'] }),
    });
    await expect(runner.run({ kind: 'traffic' })).rejects.toThrow(/cannot start/);
    for (let i = 0; i < 5; i++) {
      const timer = timers.at(-1);
      now += timer?.ms ?? 0;
      timer?.fn();
    }
    expect(timers.map((t) => t.ms)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    await runner.close();
  });
});
