// The file source whose reading and parsing run in a worker thread (src/ingest/file-source-thread.ts),
// against a real SQLite file and the real thread: every batch is committed by the main thread's
// store with the file checkpoint in its transaction, and a thread that dies mid-file is started
// again and resumes from that checkpoint, so the store ends exactly as one plain `ingest` of the
// file leaves it (nothing lost, nothing counted twice).
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread, type Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateHubbleLines } from '../../bench/generate-flows.js';
import { ThreadedFileSource } from '../../src/ingest/file-source-thread.js';
import { startFileSourceThread } from '../../src/ingest/file-source-thread-start.js';
import type { BatchStats } from '../../src/ingest/batch-writer.js';
import type { Clock } from '../../src/lib/clock.js';
import { openStore } from '../../src/store/store.js';
import type { Batch } from '../../src/store/types.js';
import { tempDir } from '../store/store-helpers.js';
import { runCli, snapshot } from './cli-helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-file-thread-')));
afterAll(() => cleanup());

vi.setConfig({ testTimeout: 120_000 });

const LINES = 12_000;
/** Retries at once: the test drives no time. */
const instantClock: Clock = { now: () => Date.now(), sleep: () => Promise.resolve() };

describe('ThreadedFileSource', () => {
  it('commits on the main thread; a thread killed mid-file restarts from the checkpoint, each line once', async () => {
    const file = path.join(dir, 'flows.jsonl');
    writeFileSync(
      file,
      [...generateHubbleLines({ flows: LINES, seed: 7, namespaces: 4, workloadsPerNamespace: 10 })].join(
        '\n',
      ) + '\n',
    );
    const referenceDb = path.join(dir, 'reference.db');
    expect(runCli(['ingest', '--format', 'hubble', '--db', referenceDb, '--json', file]).status).toBe(0);

    const db = path.join(dir, 'threaded.db');
    const store = openStore(db);
    const threads: Worker[] = [];
    let writes = 0;
    const writtenOnMain: boolean[] = [];
    const stats: BatchStats[] = [];
    const errors: unknown[] = [];
    const source = new ThreadedFileSource({
      name: 'export',
      path: file,
      format: 'hubble',
      follow: true,
      batchSize: 1000,
      maxLineBytes: 65_536,
      clock: instantClock,
      store: {
        checkpoint: (key) => store.checkpoint(key),
        writeBatch: (batch: Batch) => {
          store.writeBatch(batch);
          writtenOnMain.push(isMainThread);
          // The first thread dies right after its third commit, before it reads on.
          if (++writes === 3) void threads[0]?.terminate();
        },
      },
      onBatch: (s) => stats.push(s),
      onError: (error) => errors.push(error),
      startThread: (data) => {
        const worker = startFileSourceThread(data);
        threads.push(worker);
        return worker;
      },
    });
    try {
      await source.start({ push: () => true, drained: () => Promise.resolve() });
      await vi.waitFor(() => expect(store.checkpoint(path.resolve(file))?.offset).toBe(statSync(file).size), {
        timeout: 90_000,
        interval: 50,
      });
      await vi.waitFor(() => expect(source.status().state).toBe('connected'), { timeout: 10_000 });
    } finally {
      await source.stop();
      store.close();
    }
    expect(threads.length).toBe(2);
    expect(writtenOnMain.every(Boolean)).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual([expect.stringMatching(/exited with code 1/)]);
    const status = source.status();
    expect(status).toMatchObject({ name: 'export', type: 'file', state: 'stopped', errors: 1 });
    // The batch stats arrive after their commit (a dying thread may not send its last one).
    expect(stats.reduce((n, s) => n + s.lines, 0)).toBeLessThanOrEqual(LINES);
    expect(stats.every((s) => s.durationMs > 0)).toBe(true);
    expect(snapshot(db)).toEqual(snapshot(referenceDb));
  });

  it('with the database file, commits on its own connection unless routed here; killed, it resumes exactly', async () => {
    const file = path.join(dir, 'own.jsonl');
    writeFileSync(
      file,
      [...generateHubbleLines({ flows: LINES, seed: 9, namespaces: 4, workloadsPerNamespace: 10 })].join(
        '\n',
      ) + '\n',
    );
    const referenceDb = path.join(dir, 'own-reference.db');
    expect(runCli(['ingest', '--format', 'hubble', '--db', referenceDb, '--json', file]).status).toBe(0);

    const db = path.join(dir, 'own.db');
    const store = openStore(db);
    const threads: Worker[] = [];
    let routes = 0;
    let mainWrites = 0;
    const committed: { events: number; edges: number; droppedFirst: boolean }[] = [];
    const source = new ThreadedFileSource({
      name: 'own',
      path: file,
      format: 'hubble',
      follow: true,
      batchSize: 700,
      maxLineBytes: 65_536,
      clock: instantClock,
      dbFile: db,
      store: {
        checkpoint: (key) => store.checkpoint(key),
        writeBatch: (batch: Batch) => {
          store.writeBatch(batch);
          mainWrites++;
        },
      },
      // Every third batch is committed here (as when shadow mode has sets to judge).
      routeBatch: () => ({ onMain: routes++ % 3 === 2, maxEvents: 5 }),
      onCommitted: (events, edges) => {
        const firstKept = events.findIndex((e) => e.verdict !== 'dropped');
        committed.push({
          events: events.length,
          edges,
          droppedFirst: firstKept < 0 || events.slice(firstKept).every((e) => e.verdict !== 'dropped'),
        });
        // The first thread dies right after its second own commit.
        if (committed.length === 2) void threads[0]?.terminate();
      },
      startThread: (data) => {
        const worker = startFileSourceThread(data);
        threads.push(worker);
        return worker;
      },
    });
    try {
      await source.start({ push: () => true, drained: () => Promise.resolve() });
      await vi.waitFor(() => expect(store.checkpoint(path.resolve(file))?.offset).toBe(statSync(file).size), {
        timeout: 90_000,
        interval: 50,
      });
    } finally {
      await source.stop();
      store.close();
    }
    expect(threads.length).toBe(2);
    expect(mainWrites).toBeGreaterThan(0);
    expect(committed.length).toBeGreaterThan(mainWrites);
    for (const c of committed) {
      expect(c.events).toBe(Math.min(5, c.edges));
      expect(c.droppedFirst).toBe(true);
    }
    expect(snapshot(db)).toEqual(snapshot(referenceDb));
  });

  it('reports a file that is not there yet and picks it up once it is', async () => {
    const file = path.join(dir, 'later.jsonl');
    const db = path.join(dir, 'later.db');
    const store = openStore(db);
    const errors: unknown[] = [];
    const source = new ThreadedFileSource({
      name: 'later',
      path: file,
      format: 'hubble',
      follow: true,
      batchSize: 1000,
      maxLineBytes: 65_536,
      retryMs: 20,
      clock: instantClock,
      store,
      onError: (error) => errors.push(error),
    });
    try {
      await source.start({ push: () => true, drained: () => Promise.resolve() });
      await vi.waitFor(() => expect(source.status().lastError).toMatch(/no such file \(waiting for it\)/), {
        timeout: 20_000,
      });
      expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
      writeFileSync(file, [...generateHubbleLines({ flows: 50, seed: 3 })].join('\n') + '\n');
      await vi.waitFor(() => expect(store.totals().accepted).toBe(50), { timeout: 30_000, interval: 50 });
      await vi.waitFor(() => expect(source.status()).toMatchObject({ state: 'connected', events: 50 }));
    } finally {
      await source.stop();
      store.close();
    }
  });
});
