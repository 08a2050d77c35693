// Exactly once with concurrent writers (issue 14 item 4): two `ingest` processes on the same file
// and database, `ingest` against the daemon's file source, and the compare-and-set itself. The
// file checkpoint is compared inside each batch's transaction; a batch whose file another writer
// moved on is rolled back and read again from the stored checkpoint.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateHubbleLines } from '../../bench/generate-flows.js';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { ingestParserFor } from '../../src/flows/parsers.js';
import { ingestInput } from '../../src/ingest/file-ingest.js';
import { CheckpointConflictError } from '../../src/store/checkpoint-conflict.js';
import { openStore } from '../../src/store/store.js';
import { deltas, flow, pod, tempDir } from '../store/store-helpers.js';
import { runCli, snapshot, spawnCli } from './cli-helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-concurrent-')));
afterAll(() => cleanup());

vi.setConfig({ testTimeout: 180_000 });

const LINES = 20_000;

function flowFile(name: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    [...generateHubbleLines({ flows: LINES, seed: 21, namespaces: 5, workloadsPerNamespace: 12 })].join(
      '\n',
    ) + '\n',
  );
  return file;
}

/** The store after one plain ingest of `file`: what any number of concurrent writers must leave. */
function reference(file: string): ReturnType<typeof snapshot> {
  const db = path.join(dir, `${path.basename(file)}.reference.db`);
  const result = runCli(['ingest', '--format', 'hubble', '--db', db, '--json', file]);
  expect(result.status).toBe(0);
  return snapshot(db);
}

async function exitOf(
  child: ReturnType<typeof spawnCli>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stdout, stderr };
}

describe('checkpoint compare-and-set', () => {
  it('refuses a batch whose expected checkpoint is not the stored one, writing nothing', () => {
    const store = openStore(path.join(dir, 'cas.db'));
    try {
      const batch = {
        deltas: deltas(flow(pod('a', 'web'), pod('b', 'api'))),
        accepted: 1,
        rejectedByReason: {},
      };
      store.writeBatch({
        ...batch,
        checkpoint: { sourceKey: '/f', identity: 'i', offset: 10 },
        expectedCheckpoint: null,
      });
      expect(() =>
        store.writeBatch({
          ...batch,
          checkpoint: { sourceKey: '/f', identity: 'i', offset: 20 },
          expectedCheckpoint: null,
        }),
      ).toThrow(CheckpointConflictError);
      expect(() =>
        store.writeBatch({
          ...batch,
          checkpoint: { sourceKey: '/f', identity: 'i', offset: 20 },
          expectedCheckpoint: { identity: 'i', offset: 5 },
        }),
      ).toThrow(/another writer moved the checkpoint \(expected offset 5, stored offset 10\)/);
      expect(store.totals().accepted).toBe(1);
      expect(store.checkpoint('/f')?.offset).toBe(10);
      store.writeBatch({
        ...batch,
        checkpoint: { sourceKey: '/f', identity: 'i', offset: 20 },
        expectedCheckpoint: { identity: 'i', offset: 10 },
      });
      expect(store.totals().accepted).toBe(2);
      expect([...store.iterateEdges()].map((e) => e.count)).toEqual([2]);
    } finally {
      store.close();
    }
  });

  it('two in-process writers on separate connections: the loser re-reads from the winner’s checkpoint', async () => {
    const file = flowFile('in-process.jsonl');
    const db = path.join(dir, 'in-process.db');
    const [a, b] = [openStore(db), openStore(db)];
    try {
      const parser = ingestParserFor('hubble', { year: 2026 });
      // Both read the (absent) checkpoint before either commits: one of them must conflict.
      const runs = await Promise.all(
        [a, b].map((store) => ingestInput({ store, parser, input: { path: file }, batchSize: 700 })),
      );
      expect(runs[0]!.conflicts + runs[1]!.conflicts).toBeGreaterThan(0);
      expect(runs[0]!.accepted + runs[1]!.accepted).toBe(LINES);
    } finally {
      a.close();
      b.close();
    }
    expect(snapshot(db)).toEqual(reference(file));
  });
});

describe('concurrent processes', () => {
  it('two `ingest` processes on the same file and database store every line once', async () => {
    const file = flowFile('two-ingests.jsonl');
    const db = path.join(dir, 'two-ingests.db');
    // Create the schema first so both children race on batches, not on the migration.
    openStore(db).close();
    const args = ['ingest', '--format', 'hubble', '--db', db, '--json', '--batch-size', '500', file];
    const [first, second] = await Promise.all([exitOf(spawnCli(args)), exitOf(spawnCli(args))]);
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    const accepted = [first, second].map((r) => (JSON.parse(r.stdout) as { accepted: number }).accepted);
    expect(accepted[0]! + accepted[1]!).toBe(LINES);
    expect(snapshot(db)).toEqual(reference(file));
  });

  it('`ingest` while the daemon’s file source reads the same file stores every line once', async () => {
    const file = flowFile('daemon-and-ingest.jsonl');
    const db = path.join(dir, 'daemon-and-ingest.db');
    openStore(db).close();
    const configFile = path.join(dir, 'daemon.yaml');
    writeFileSync(
      configFile,
      `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(db)}\nlimits:\n  batchSize: 500\nsources:\n  - type: file\n    name: export\n    format: hubble\n    follow: false\n    path: ${JSON.stringify(file)}\n`,
    );
    const loaded = loadConfig({ file: configFile, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const child = exitOf(
      spawnCli(['ingest', '--format', 'hubble', '--db', db, '--json', '--batch-size', '500', file]),
    );
    const daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
    let result: Awaited<typeof child>;
    try {
      result = await child;
      const reader = openStore(db, { mustExist: true });
      try {
        await vi.waitFor(() => expect(reader.checkpoint(path.resolve(file))?.offset).toBeGreaterThan(0), {
          timeout: 60_000,
          interval: 50,
        });
        await vi.waitFor(() => expect(reader.totals().accepted).toBeGreaterThanOrEqual(LINES), {
          timeout: 60_000,
          interval: 50,
        });
      } finally {
        reader.close();
      }
    } finally {
      await daemon.stop();
    }
    expect(result.status, result.stderr).toBe(0);
    expect(snapshot(db)).toEqual(reference(file));
  });
});
