// Shadow mode's writes are part of the batch (issue 20; reliability.md R1): the edges and the
// staged set's counters, paths and would-drops commit in one transaction. On a real SQLite file:
// a child process SIGKILLed inside that transaction (after both were written, before the commit)
// leaves neither, and its re-run counts every connection once; a failed write of the would-drops
// (a trigger refusing the row, as a full disk or a constraint would) fails the whole batch, edges
// included, and the retried batch is counted once.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { ShadowRecorder } from '../../src/store/staged-shadow.js';
import { StagedStore } from '../../src/store/staged-store.js';
import { openStore } from '../../src/store/store.js';
import { shopLine } from './flow-lines.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'npa-staged-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 10, 22);
/** Four connections on two paths the default deny of shop would drop. */
const LINES = [
  shopLine('redis-', 'postgres-0', 5432, T),
  shopLine('redis-', 'postgres-0', 5432, T + 1),
  shopLine('api-', 'postgres-0', 5432, T + 2),
  shopLine('api-', 'postgres-0', 5432, T + 3),
];

interface Stored {
  edges: number;
  accepted: number;
  connections: number;
  paths: number;
  wouldDropConnections: number;
}

function stored(db: string): Stored {
  const sql = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const one = (query: string): number => (sql.prepare(query).pluck().get() as number | null) ?? 0;
    return {
      edges: one('SELECT count(*) FROM edges'),
      accepted: one("SELECT value FROM ingest_counters WHERE name = 'accepted'"),
      connections: one("SELECT sum(connections) FROM staged_sets WHERE status = 'active'"),
      paths: one(
        'SELECT count(*) FROM (SELECT path_key FROM staged_paths UNION SELECT path_key FROM staged_would_drops)',
      ),
      wouldDropConnections: one('SELECT sum(connections) FROM staged_would_drops'),
    };
  } finally {
    sql.close();
  }
}

const ONCE: Stored = { edges: 2, accepted: 4, connections: 4, paths: 2, wouldDropConnections: 4 };

function writer(db: string, kill: boolean) {
  const linesFile = path.join(dir, 'lines.jsonl');
  writeFileSync(linesFile, LINES.join('\n') + '\n');
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/staged/companion-writer.ts', db, linesFile, ...(kill ? ['--kill'] : [])],
    { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
  );
}

describe('edges and would-drop counters in one transaction', () => {
  it('a SIGKILL inside the batch keeps neither; the re-run counts once', () => {
    const db = path.join(dir, 'killed.db');
    const killed = writer(db, true);
    expect(killed.signal).toBe('SIGKILL');
    // Edges and counters were both written inside the transaction; the kill came before the commit.
    expect(stored(db)).toEqual({ edges: 0, accepted: 0, connections: 0, paths: 0, wouldDropConnections: 0 });
    const rerun = writer(db, false);
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    expect(stored(db)).toEqual(ONCE);
  }, 60_000);

  it('a failed would-drop write fails the batch, edges included; the retry counts once', () => {
    const db = path.join(dir, 'refused.db');
    const store = openStore(db);
    const staged = new StagedStore(db);
    try {
      staged.stage({
        namespace: 'shop',
        flavor: 'k8s',
        origin: 'given',
        policies: [
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'deny-all', namespace: 'shop' },
            spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
          },
        ],
        by: 'test',
        nowMs: 1,
      });
      const sql = new Database(db);
      sql.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON staged_would_drops BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
      );
      const recorder = new ShadowRecorder({ staged, snapshot: () => undefined, now: () => 2 });
      const live = recorder.wrap(store);
      const parse = parserFor('hubble');
      const batch = new BatchWriter({ store: live, batchSize: 100_000 });
      for (const line of LINES) batch.add(parse(line));
      expect(() => batch.flush()).toThrow(/refused by the test/);
      expect(stored(db)).toEqual({
        edges: 0,
        accepted: 0,
        connections: 0,
        paths: 0,
        wouldDropConnections: 0,
      });
      sql.exec('DROP TRIGGER refuse');
      sql.close();
      const retry = new BatchWriter({ store: live, batchSize: 100_000 });
      for (const line of LINES) retry.add(parse(line));
      retry.flush();
      expect(stored(db)).toEqual(ONCE);
      expect(staged.traffic(staged.activeSets()[0]?.id ?? 0)).toMatchObject({
        paths: 2,
        connections: 4,
        wouldDropPaths: 2,
        wouldDropConnections: 4,
      });
    } finally {
      staged.close();
      store.close();
    }
  }, 60_000);
});
