// Time-based retention on a real SQLite file: what is deleted (relative to the newest edge),
// in chunks, and that the store stays consistent afterwards (no stale cached row ids); the
// daemon prunes at start.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { EventBus } from '../../src/http/event-bus.js';
import { publishingStore } from '../../src/http/publishing-store.js';
import { DAY_MS, pruneExpiredEdges } from '../../src/store/retention.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';
import { deltas, flow, pod, tempDir, world } from './store-helpers.js';

const NOW = 1_760_000_000_000;
let temp: ReturnType<typeof tempDir>;
let store: FlowStore;
beforeEach(() => {
  temp = tempDir('npa-retention-');
  store = openStore(path.join(temp.dir, 'flows.db'));
});
afterEach(() => {
  store.close();
  temp.cleanup();
});

/** One edge web → db:<port> last seen `daysAgo` days before NOW. */
function edgeAt(port: number, daysAgo: number) {
  return flow(pod('shop', 'web'), pod('shop', 'db'), {
    destinationPort: port,
    timeMs: NOW - daysAgo * DAY_MS,
  });
}

function ports(): number[] {
  return [...store.iterateEdges()].map((e) => e.port ?? -1).sort((a, b) => a - b);
}

/** Records ingest gaps straight into the file, as a source would: [last_ms or null, recorded_ms]. */
function recordGaps(rows: readonly [number | null, number][]): void {
  const db = new Database(path.join(temp.dir, 'flows.db'));
  try {
    const insert = db.prepare(
      "INSERT INTO ingest_gaps (source, reason, lost, last_ms, recorded_ms) VALUES ('relay', 'lost_events', 1, ?, ?)",
    );
    for (const [lastMs, recordedMs] of rows) insert.run(lastMs, recordedMs);
  } finally {
    db.close();
  }
}

function gapTimes(): number[] {
  const db = new Database(path.join(temp.dir, 'flows.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT coalesce(last_ms, recorded_ms) AS t FROM ingest_gaps ORDER BY id')
      .pluck()
      .all() as number[];
  } finally {
    db.close();
  }
}

describe('ingest gap retention', () => {
  it("deletes gaps whose window ended before the edges' cutoff (undated ones by when recorded), keeps the rest", () => {
    store.writeBatch({ deltas: deltas(edgeAt(1, 0)), accepted: 1, rejectedByReason: {} });
    recordGaps([
      [NOW - 8 * DAY_MS, NOW],
      [NOW - 6 * DAY_MS, NOW],
      [null, NOW - 9 * DAY_MS],
      [null, NOW - DAY_MS],
    ]);
    expect(pruneExpiredEdges(store, 7)).toEqual({ deleted: 0, cutoffMs: NOW - 7 * DAY_MS, gapsDeleted: 2 });
    expect(gapTimes()).toEqual([NOW - 6 * DAY_MS, NOW - DAY_MS]);
  });

  it('keeps at most the newest maxGaps rows, also in a store without edges', () => {
    recordGaps(Array.from({ length: 25 }, (_, i) => [NOW + i, NOW + i] as [number, number]));
    expect(pruneExpiredEdges(store, 7, 10)).toEqual({ deleted: 0, cutoffMs: undefined, gapsDeleted: 15 });
    expect(gapTimes()).toEqual(Array.from({ length: 10 }, (_, i) => NOW + 15 + i));
    expect(pruneExpiredEdges(store, 7, 10).gapsDeleted).toBe(0);
  });
});

describe('pruneExpiredEdges', () => {
  it('deletes the edges last seen more than retentionDays before the newest edge, and nothing else', () => {
    store.writeBatch({
      deltas: deltas(edgeAt(1, 0), edgeAt(2, 6.9), edgeAt(3, 7.1), edgeAt(4, 40)),
      accepted: 4,
      rejectedByReason: {},
    });
    expect(store.newestSeenMs()).toBe(NOW);
    expect(pruneExpiredEdges(store, 7)).toEqual({ deleted: 2, cutoffMs: NOW - 7 * DAY_MS, gapsDeleted: 0 });
    expect(ports()).toEqual([1, 2]);
    expect(store.totals().edges).toBe(2);
    // Idempotent: the same retention again deletes nothing.
    expect(pruneExpiredEdges(store, 7).deleted).toBe(0);
  });

  it('does nothing on an empty store', () => {
    expect(store.newestSeenMs()).toBeUndefined();
    expect(pruneExpiredEdges(store, 1)).toEqual({ deleted: 0, cutoffMs: undefined, gapsDeleted: 0 });
  });

  it('deletes past one transaction chunk', () => {
    const old = Array.from({ length: 12_001 }, (_, i) =>
      flow(pod('shop', 'web'), world(`203.0.113.${i % 250}`), {
        destinationPort: 1000 + Math.floor(i / 250),
        timeMs: NOW - 30 * DAY_MS - i,
      }),
    );
    store.writeBatch({
      deltas: deltas(...old, edgeAt(1, 0)),
      accepted: old.length + 1,
      rejectedByReason: {},
    });
    expect(store.totals().edges).toBe(12_002);
    expect(pruneExpiredEdges(store, 10).deleted).toBe(12_001);
    expect(ports()).toEqual([1]);
  });

  it('a pruned edge seen again starts over with only the new observations', () => {
    // Written twice so the edge is in the store's cache of known rows.
    store.writeBatch({
      deltas: deltas(edgeAt(3, 10), edgeAt(3, 10), edgeAt(1, 0)),
      accepted: 3,
      rejectedByReason: {},
    });
    store.writeBatch({ deltas: deltas(edgeAt(3, 9)), accepted: 1, rejectedByReason: {} });
    expect([...store.iterateEdges()].find((e) => e.port === 3)?.count).toBe(3);
    expect(pruneExpiredEdges(store, 5).deleted).toBe(1);
    store.writeBatch({ deltas: deltas(edgeAt(3, 0)), accepted: 1, rejectedByReason: {} });
    const again = [...store.iterateEdges()].find((e) => e.port === 3);
    expect(again).toMatchObject({ count: 1, firstSeenMs: NOW, lastSeenMs: NOW });
  });

  it('an edge inserted after a pruning never receives the counts of a pruned edge whose row id it reuses', () => {
    // The old edge is the newest row, so SQLite hands its row id to the next insert.
    store.writeBatch({ deltas: deltas(edgeAt(1, 0)), accepted: 1, rejectedByReason: {} });
    store.writeBatch({ deltas: deltas(edgeAt(3, 10)), accepted: 1, rejectedByReason: {} });
    expect(pruneExpiredEdges(store, 5).deleted).toBe(1);
    store.writeBatch({ deltas: deltas(edgeAt(4, 0)), accepted: 1, rejectedByReason: {} });
    store.writeBatch({ deltas: deltas(edgeAt(3, 0), edgeAt(3, 0)), accepted: 2, rejectedByReason: {} });
    const byPort = new Map([...store.iterateEdges()].map((e) => [e.port, e.count]));
    expect(Object.fromEntries(byPort)).toEqual({ 1: 1, 3: 2, 4: 1 });
  });

  it('through the publishing store, a pruning that deleted edges changes the data version (views recompute)', () => {
    const live = publishingStore(store, new EventBus());
    live.writeBatch({ deltas: deltas(edgeAt(1, 0), edgeAt(2, 3)), accepted: 2, rejectedByReason: {} });
    const before = live.version();
    expect(pruneExpiredEdges(live, 5).deleted).toBe(0);
    expect(live.version()).toBe(before);
    expect(pruneExpiredEdges(live, 1).deleted).toBe(1);
    expect(live.version()).not.toBe(before);
  });
});

describe('the daemon and limits.retentionDays', () => {
  it('deletes expired edges at start, before serving them', async () => {
    store.writeBatch({
      deltas: deltas(edgeAt(1, 0), edgeAt(2, 2), edgeAt(3, 45)),
      accepted: 3,
      rejectedByReason: {},
    });
    store.close();
    const file = path.join(temp.dir, 'config.yaml');
    // A file source on an empty file: not demo mode, nothing new ingested.
    writeFileSync(path.join(temp.dir, 'empty.jsonl'), '');
    writeFileSync(
      file,
      `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(path.join(temp.dir, 'flows.db'))}\nlimits:\n  retentionDays: 30\nsources:\n  - type: file\n    name: empty\n    format: hubble\n    path: ${JSON.stringify(path.join(temp.dir, 'empty.jsonl'))}\n`,
    );
    const loaded = loadConfig({ file, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
    try {
      const page = (await (
        await fetch(`http://127.0.0.1:${daemon.address.port}/api/v1/flows?limit=10`)
      ).json()) as { items: { port: number | null }[] };
      expect(page.items.map((e) => e.port).sort()).toEqual([1, 2]);
    } finally {
      await daemon.stop();
    }
    store = openStore(path.join(temp.dir, 'flows.db'));
  });
});
