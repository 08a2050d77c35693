// Read commands on a database in a read-only directory, as a read-only file (issue 14 item 6),
// including one whose WAL still holds committed frames and has no -shm; and a full disk named
// as such. Directory permissions do not bind root, so as root the commands run as nobody.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHubbleLines } from '../../bench/generate-flows.js';
import { ingestParserFor } from '../../src/flows/parsers.js';
import { ingestInput } from '../../src/ingest/file-ingest.js';
import { DiskFullError } from '../../src/store/store-errors.js';
import { openStore } from '../../src/store/store.js';
import { deltas, flow, pod, tempDir } from './store-helpers.js';
import { repoRoot, runCli } from '../ingest/cli-helpers.js';

let dir: string;
let cleanup: () => void;
let source: string;
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('netpol-read-only-'));
  chmodSync(dir, 0o755);
  const flows = path.join(dir, 'flows.jsonl');
  writeFileSync(
    flows,
    [...generateHubbleLines({ flows: 400, seed: 4, namespaces: 3, workloadsPerNamespace: 5 })].join('\n') +
      '\n',
  );
  source = path.join(dir, 'source.db');
  const result = runCli(['ingest', '--format', 'hubble', '--db', source, flows]);
  expect(result.status, result.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  for (const sub of readdirSync(dir)) if (!sub.includes('.')) chmodSync(path.join(dir, sub), 0o755);
  cleanup();
});

/** The CLI as a user the directory's permissions bind. */
function runAsReader(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NETPOL_ADVISOR_DB: '' },
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A directory holding `files` (name → source path), then made read-only with read-only files. */
function readOnlyDir(name: string, files: Record<string, string>): string {
  const target = path.join(dir, name);
  mkdirSync(target);
  for (const [file, from] of Object.entries(files)) {
    copyFileSync(from, path.join(target, file));
    chmodSync(path.join(target, file), 0o444);
  }
  chmodSync(target, 0o555);
  return target;
}

function edgeCount(output: string): number {
  return (JSON.parse(output) as unknown[]).length;
}

describe('read commands on a read-only database', () => {
  it('flows, drops, recommend and doctor work in a read-only directory and create no file there', () => {
    const expected = edgeCount(runCli(['flows', '--db', source, '--json']).stdout);
    expect(expected).toBeGreaterThan(10);
    const ro = readOnlyDir('ro', { 'flows.db': source });
    const db = path.join(ro, 'flows.db');
    const flows = runAsReader(['flows', '--db', db, '--json']);
    expect(flows.stderr).toBe('');
    expect(flows.status).toBe(0);
    expect(edgeCount(flows.stdout)).toBe(expected);
    for (const command of ['drops', 'recommend', 'doctor']) {
      const result = runAsReader([command, '--db', db]);
      expect(result.status, `${command}: ${result.stderr}`).toBe(0);
    }
    expect(readdirSync(ro)).toEqual(['flows.db']);
  }, 120_000);

  it('reads the frames a WAL without its -shm still holds (a writer that stopped without a checkpoint)', () => {
    const live = path.join(dir, 'live.db');
    copyFileSync(source, live);
    const before = edgeCount(runCli(['flows', '--db', live, '--json']).stdout);
    // A writer that commits into the WAL and never checkpoints, then "crashes" (files copied as they are).
    const writer = new Database(live);
    writer.pragma('wal_autocheckpoint = 0');
    const store = openStore(live);
    store.writeBatch({
      deltas: deltas(flow(pod('wal-only', 'web'), pod('wal-only', 'api'))),
      accepted: 1,
      rejectedByReason: {},
    });
    const ro = readOnlyDir('ro-wal', { 'flows.db': live, 'flows.db-wal': `${live}-wal` });
    store.close();
    writer.close();
    const flows = runAsReader([
      'flows',
      '--db',
      path.join(ro, 'flows.db'),
      '--json',
      '--namespace',
      'wal-only',
    ]);
    expect(flows.status, flows.stderr).toBe(0);
    expect(edgeCount(flows.stdout)).toBe(1);
    expect(before).toBeGreaterThan(0);
    expect(readdirSync(ro).sort()).toEqual(['flows.db', 'flows.db-wal']);
  }, 120_000);
});

describe('a full disk', () => {
  it('says "disk full" with the path, and the batches before it stay committed', async () => {
    const file = path.join(dir, 'full.db');
    openStore(file).close();
    const probe = new Database(file, { readonly: true });
    const pages = probe.pragma('page_count', { simple: true }) as number;
    probe.close();
    // SQLite's own size limit returns SQLITE_FULL exactly as a full filesystem does.
    const store = openStore(file, { maxPageCount: pages + 8 });
    try {
      const flows = path.join(dir, 'flows.jsonl');
      const run = ingestInput({
        store,
        parser: ingestParserFor('hubble', { year: 2026 }),
        input: { path: flows },
        batchSize: 20,
      });
      await expect(run).rejects.toThrow(DiskFullError);
      await expect(run).rejects.toThrow(`disk full: cannot write ${file} (SQLITE_FULL)`);
      const committed = store.totals().accepted;
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(400);
      expect(store.checkpoint(path.resolve(flows))).toBeDefined();
    } finally {
      store.close();
    }
    expect(existsSync(file)).toBe(true);
  });
});
