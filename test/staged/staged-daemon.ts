// A daemon for the shadow-mode suites: a real SQLite file in a temporary folder, a `type: file`
// source tailing a Hubble log seeded with the shop scenario, and the shop cluster snapshot with
// `extraObjects` added (the existing policies of other kinds a suite judges against). Time is the
// test's (readiness moves only when the test moves it); sleeps are real.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { expect, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import { RECOMMEND_FIXTURES, SHOP_LINES } from './flow-lines.js';

export interface StagedDaemon {
  readonly base: string;
  append(lines: readonly string[]): void;
  /** Waits until the daemon has accepted this many lines in all. */
  accepted(count: number): Promise<void>;
  stage(body: Record<string, unknown>): Promise<Response>;
  getJson<T>(pathAndQuery: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startStagedDaemon(
  nowMs: () => number,
  extraObjects: readonly Record<string, unknown>[],
): Promise<StagedDaemon> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-staged-daemon-'));
  const cluster = JSON.parse(readFileSync(path.join(RECOMMEND_FIXTURES, 'shop-cluster.json'), 'utf8')) as {
    items: unknown[];
  };
  writeFileSync(
    path.join(dir, 'cluster.json'),
    JSON.stringify({ ...cluster, items: [...cluster.items, ...extraObjects] }),
  );
  const events = path.join(dir, 'events.log');
  writeFileSync(events, SHOP_LINES.join('\n') + '\n');
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'flows.db'))}`,
      'sources:',
      '  - type: file',
      '    format: hubble',
      `    path: ${JSON.stringify(events)}`,
      'kubernetes:',
      `  snapshot: ${JSON.stringify(path.join(dir, 'cluster.json'))}`,
      '',
    ].join('\n'),
  );
  const loaded = loadConfig({ file, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const clock: Clock = { now: nowMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
  const daemon: Daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }), clock });
  const base = `http://127.0.0.1:${daemon.address.port}`;
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name + ' '));
    return line === undefined ? 0 : Number(line.slice(name.length + 1));
  };
  const harness: StagedDaemon = {
    base,
    append: (lines) => appendFileSync(events, lines.join('\n') + '\n'),
    accepted: (count) =>
      vi.waitFor(async () => expect(await metric('netpol_advisor_events_accepted_total')).toBe(count), {
        timeout: 20_000,
        interval: 20,
      }),
    stage: (body) =>
      fetch(`${base}/api/v1/staged`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    getJson: async <T>(pathAndQuery: string): Promise<T> => {
      const res = await fetch(`${base}${pathAndQuery}`);
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    },
    stop: async () => {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await harness.accepted(SHOP_LINES.length);
  return harness;
}
