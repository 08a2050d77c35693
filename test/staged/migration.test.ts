// Migration 008 from the previous schema: a database built by the released migrations (up to
// 003) with edges, counters and an alert in it is upgraded in place when the staged-set store
// (or the flow store) opens it; nothing that was there is lost and shadow mode works on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { loadMigrations, schemaVersion } from '../../src/store/migrate.js';
import { StagedStore } from '../../src/store/staged-store.js';
import { openStore } from '../../src/store/store.js';
import { SHOP_LINES } from './flow-lines.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-staged-migrate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 008 (staged sets)', () => {
  it('upgrades a database at the previous schema in place, keeping its data', () => {
    const file = path.join(dir, 'old.db');
    const previous = Math.max(
      ...loadMigrations()
        .map((m) => m.version)
        .filter((v) => v < 8),
    );
    const old = openStore(file, { targetVersion: previous });
    const writer = new BatchWriter({ store: old, batchSize: 10_000 });
    const parse = parserFor('hubble');
    for (const line of SHOP_LINES) writer.add(parse(line));
    writer.flush();
    const before = old.totals();
    old.close();
    const raw = new Database(file);
    expect(schemaVersion(raw)).toBe(previous);
    expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'staged_sets'").pluck().get()).toBe(
      0,
    );
    raw.close();

    const staged = new StagedStore(file, { mustExist: true });
    try {
      const set = staged.stage({
        namespace: 'shop',
        flavor: 'k8s',
        origin: 'given',
        policies: [],
        by: 'test',
        nowMs: 1,
      });
      expect(staged.activeSets().map((s) => s.id)).toEqual([set.id]);
      expect(staged.traffic(set.id)).toMatchObject({ paths: 0, connections: 0, wouldDropPaths: 0 });
    } finally {
      staged.close();
    }
    const upgraded = openStore(file, { mustExist: true });
    expect(upgraded.totals()).toEqual(before);
    upgraded.close();
    const check = new Database(file);
    expect(schemaVersion(check)).toBeGreaterThanOrEqual(8);
    expect(check.prepare('SELECT version FROM schema_migrations WHERE version = 8').pluck().get()).toBe(8);
    // One active set per namespace is a constraint of the schema, not only of the code.
    expect(() =>
      check
        .prepare(
          "INSERT INTO staged_sets (namespace, flavor, origin, policies, status, staged_ms, staged_by) VALUES ('shop', 'k8s', 'given', '[]', 'active', 2, 'x')",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    check.close();
  });
});
