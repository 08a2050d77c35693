// Migration 010 (edges.established_observed): a store written at schema 9 opens, keeps its edges
// and their established evidence, and reads that evidence as inferred (0 observed), so the
// recommender treats it as before; evidence written after the upgrade is counted by direction.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schemaVersion } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/store.js';
import { deltas, flow, pod, tempDir } from './store-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('netpol-migrate-010-')));
afterEach(() => cleanup());

const client = pod('shop', 'gateway');
const server = pod('ml', 'model');
/** A mid-stream packet of a connection established before observation; isReply false: direction reported. */
const midstream = (isReply: boolean | undefined, timeMs: number) =>
  flow(client, server, {
    destinationPort: 40000,
    sourcePort: 45000,
    isConnectionStart: false,
    established: 'forward',
    isReply,
    timeMs,
  });

describe('migration 010: established evidence by direction', () => {
  it('opens a schema-9 store, keeps its edges, reads their evidence as inferred', () => {
    const file = path.join(dir, 'flows.db');
    const old = openStore(file, { targetVersion: 9 });
    old.writeBatch({
      deltas: deltas(midstream(false, 1000), midstream(undefined, 2000)),
      accepted: 2,
      rejectedByReason: {},
    });
    old.close();
    const raw = new Database(file);
    expect(schemaVersion(raw)).toBe(9);
    const columns = raw.prepare("SELECT name FROM pragma_table_info('edges')").pluck().all();
    expect(columns).toContain('established');
    expect(columns).not.toContain('established_observed');
    raw.close();

    const upgraded = openStore(file);
    const [edge] = [...upgraded.iterateEdges()];
    // Schema 9 could not say which of the two had its direction reported: both read as inferred.
    expect(edge).toMatchObject({ port: 40000, count: 0, established: 2, establishedObserved: 0 });
    expect(upgraded.totals()).toMatchObject({ accepted: 2, edges: 1 });

    upgraded.writeBatch({
      deltas: deltas(midstream(false, 3000), midstream(undefined, 4000)),
      accepted: 2,
      rejectedByReason: {},
    });
    expect([...upgraded.iterateEdges()]).toMatchObject([
      { id: edge?.id, count: 0, established: 4, establishedObserved: 1, lastSeenMs: 4000 },
    ]);
    upgraded.close();
    const after = new Database(file);
    expect(schemaVersion(after)).toBeGreaterThanOrEqual(10);
    after.close();
  });
});
