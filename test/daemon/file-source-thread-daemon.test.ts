// The daemon's file sources read and parse in a worker thread and commit on the main thread
// (src/ingest/file-source-thread.ts). Through the real daemon, a real SQLite file and HTTP on
// loopback: a stop in the middle of a file and a restart leave the store exactly as one plain
// `ingest` of the file does; /readyz and /metrics count what was committed; the API's data
// version and the live stream move with the batches the thread committed.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateHubbleLines } from '../../bench/generate-flows.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { startDaemon } from '../../src/daemon.js';
import { runCli, snapshot } from '../ingest/cli-helpers.js';

vi.setConfig({ testTimeout: 180_000 });

const LINES = 20_000;
const silent = pino({ level: 'silent' });
let dir: string;
let config: Config;
let lines: string[];
const flowFile = (): string => path.join(dir, 'flows.jsonl');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-daemon-thread-'));
  lines = [
    ...generateHubbleLines({ flows: LINES + 2_000, seed: 11, namespaces: 6, workloadsPerNamespace: 10 }),
  ];
  writeFileSync(flowFile(), lines.slice(0, LINES).join('\n') + '\n');
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(path.join(dir, 'advisor.db'))}\nlimits:\n  batchSize: 500\nsources:\n  - type: file\n    name: export\n    format: hubble\n    path: ${JSON.stringify(flowFile())}\n`,
  );
  const loaded = loadConfig({ file, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  config = loaded.config;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ready {
  readonly ready: boolean;
  readonly sources: readonly { name: string; state: string; events: number; errors: number }[];
  readonly ingest: { readonly accepted: number; readonly batches: number };
}

const readyz = async (base: string): Promise<Ready> =>
  (await (await fetch(`${base}/readyz`)).json()) as Ready;

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^netpol_advisor_${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('daemon file source in a thread', () => {
  it('a stop mid-file and a restart store every line once; readiness, metrics and data version follow', async () => {
    let daemon = await startDaemon(config, { logger: silent });
    let base = `http://127.0.0.1:${daemon.address.port}`;
    try {
      await vi.waitFor(async () => expect(await metric(base, 'events_accepted_total')).toBeGreaterThan(0), {
        timeout: 60_000,
        interval: 20,
      });
    } finally {
      await daemon.stop();
    }

    // What the first run committed (its final batch included) is in the file now.
    const firstRun = snapshot(config.db).totals.accepted;
    expect(firstRun).toBeGreaterThan(0);

    daemon = await startDaemon(config, { logger: silent });
    base = `http://127.0.0.1:${daemon.address.port}`;
    try {
      const version = async (): Promise<string | null> =>
        (await fetch(`${base}/api/v1/namespaces`)).headers.get('x-data-version');
      await vi.waitFor(
        async () => {
          const ready = await readyz(base);
          // With the first run's lines, the store holds every line of the file once.
          expect(ready.ingest.accepted + firstRun).toBe(LINES);
        },
        { timeout: 90_000, interval: 50 },
      );
      const before = await version();
      expect(before).not.toBeNull();
      // The live stream gets the batches the thread committed.
      const messages: { type: string; edges?: number; omitted?: number }[] = [];
      const ws = new WebSocket(`ws://127.0.0.1:${daemon.address.port}/api/v1/stream`, 'netpol-advisor');
      ws.on('message', (data: Buffer) =>
        messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]),
      );
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      appendFileSync(flowFile(), lines.slice(LINES).join('\n') + '\n');
      await vi.waitFor(
        async () => expect((await readyz(base)).ingest.accepted + firstRun).toBe(LINES + 2_000),
        {
          timeout: 60_000,
          interval: 50,
        },
      );
      await vi.waitFor(() => expect(messages.some((m) => m.type === 'batch')).toBe(true), {
        timeout: 10_000,
      });
      ws.close();
      const batches = messages.filter((m) => m.type === 'batch');
      const edgeEvents = messages.filter((m) => m.type === 'edge' || m.type === 'blocked').length;
      expect(batches.every((b) => (b.edges ?? 0) > 0)).toBe(true);
      expect(edgeEvents).toBe(batches.reduce((n, b) => n + (b.edges ?? 0) - (b.omitted ?? 0), 0));
      // The API's views are recomputed for the data the thread's batches committed.
      await vi.waitFor(async () => expect(await version()).not.toBe(before), {
        timeout: 30_000,
        interval: 100,
      });
      const ready = await readyz(base);
      expect(ready.ready).toBe(true);
      expect(ready.sources).toEqual([
        expect.objectContaining({
          name: 'export',
          state: 'connected',
          events: LINES + 2_000 - firstRun,
          errors: 0,
        }),
      ]);
      expect(await metric(base, 'batch_duration_seconds_count')).toBe(ready.ingest.batches);
      expect(await metric(base, 'events_accepted_total')).toBe(ready.ingest.accepted);
    } finally {
      await daemon.stop();
    }

    writeFileSync(path.join(dir, 'whole.jsonl'), lines.join('\n') + '\n');
    const referenceDb = path.join(dir, 'reference.db');
    expect(
      runCli(['ingest', '--format', 'hubble', '--db', referenceDb, '--json', path.join(dir, 'whole.jsonl')])
        .status,
    ).toBe(0);
    expect(snapshot(config.db)).toEqual(snapshot(referenceDb));
  });
});
