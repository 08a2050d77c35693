import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, migrate, schemaVersion } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/store.js';
import { deltas, flow, pod, tempDir } from './store-helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('netpol-migrate-')));
afterEach(() => cleanup());

const shipped = loadMigrations();
const latest = Math.max(...shipped.map((m) => m.version));

function objects(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
}

describe('migrations', () => {
  it('ships at least two numbered migrations found from the package root', () => {
    expect(shipped.map((m) => m.version)).toEqual([...shipped.map((m) => m.version)].sort((a, b) => a - b));
    expect(shipped.length).toBeGreaterThanOrEqual(2);
  });

  it('builds an empty database up to the latest schema and records every step', () => {
    const db = new Database(path.join(dir, 'new.db'));
    expect(migrate(db)).toEqual(shipped.map((m) => m.version));
    expect(schemaVersion(db)).toBe(latest);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    expect(objects(db)).toEqual(
      expect.arrayContaining([
        'edges',
        'ingest_counters',
        'file_checkpoints',
        'schema_migrations',
        'ingest_gaps',
        'edges_last_seen',
      ]),
    );
    // Running again is a no-op.
    expect(migrate(db)).toEqual([]);
    expect((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(
      shipped.length,
    );
    db.close();
  });

  it.each(shipped.filter((m) => m.version < latest).map((m) => m.version))(
    'upgrades a database at schema %i in place, keeping its data',
    (from) => {
      const file = path.join(dir, `old-${from}.db`);
      const old = openStore(file, { targetVersion: from });
      old.writeBatch({
        deltas: deltas(flow(pod('shop', 'web'), pod('shop', 'api'), { timeMs: 5000 })),
        accepted: 7,
        rejectedByReason: { invalid_json: 2 },
        checkpoint: { sourceKey: '/var/log/flows.log', identity: '1:2:3:abc', offset: 4096 },
      });
      old.close();
      const raw = new Database(file);
      expect(schemaVersion(raw)).toBe(from);
      if (from < 2) expect(objects(raw)).not.toContain('ingest_gaps');
      raw.close();

      const upgraded = openStore(file);
      expect(upgraded.totals()).toEqual({
        accepted: 7,
        rejected: 2,
        rejectedByReason: { invalid_json: 2 },
        edges: 1,
      });
      expect(upgraded.checkpoint('/var/log/flows.log')).toEqual({
        sourceKey: '/var/log/flows.log',
        identity: '1:2:3:abc',
        offset: 4096,
      });
      expect(upgraded.listEdges({ limit: 10, sinceMs: 5000 }).items).toHaveLength(1);
      upgraded.close();
      const after = new Database(file);
      expect(schemaVersion(after)).toBe(latest);
      expect(objects(after)).toEqual(expect.arrayContaining(['ingest_gaps', 'edges_last_seen']));
      after.close();
    },
  );

  it('rolls a failing migration back entirely and names it', () => {
    const db = new Database(path.join(dir, 'bad.db'));
    const broken = [
      ...shipped,
      {
        version: latest + 1,
        name: 'broken',
        sql: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;',
      },
    ];
    expect(() => migrate(db, { migrations: broken })).toThrow(`migration ${latest + 1}_broken failed`);
    expect(schemaVersion(db)).toBe(latest);
    expect(objects(db)).not.toContain('half_done');
    db.close();
  });

  it('refuses a database written by a newer binary', () => {
    const db = new Database(path.join(dir, 'newer.db'));
    migrate(db, {
      migrations: [
        ...shipped,
        { version: latest + 1, name: 'future', sql: 'CREATE TABLE future (x INTEGER);' },
      ],
    });
    expect(() => migrate(db)).toThrow(/newer than this binary/);
    db.close();
  });

  it('keeps user_version at the newest applied when an older-numbered migration lands later', () => {
    const db = new Database(path.join(dir, 'gap.db'));
    const one = { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER)' };
    const eight = { version: 8, name: 'eight', sql: 'CREATE TABLE eight (x INTEGER)' };
    const four = { version: 4, name: 'four', sql: 'CREATE TABLE four (x INTEGER)' };
    expect(migrate(db, { migrations: [one, eight] })).toEqual([1, 8]);
    expect(migrate(db, { migrations: [one, four, eight] })).toEqual([4]);
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect(schemaVersion(db)).toBe(8);
    db.close();
  });
});
