// A damaged database (issue 14 item 5): 4 KiB in the middle of a real file overwritten. Found by
// the start-up quick_check (daemon and CLI) or by the first read that meets the damage; then
// /readyz fails, the API answers 503 database_corrupt, the CLI exits 1 naming the file, and the
// file is never written again.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  statSync,
  openSync,
  readFileSync,
  closeSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHubbleLines } from '../../bench/generate-flows.js';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { checkIntegrity } from '../../src/store/integrity.js';
import { DatabaseCorruptError } from '../../src/store/store-errors.js';
import { openStore } from '../../src/store/store.js';
import { deltas, flow, pod, tempDir } from './store-helpers.js';
import { runCli } from '../ingest/cli-helpers.js';

let dir: string;
let cleanup: () => void;
let healthy: string;
const PAGE = 4096;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('netpol-damaged-'));
  const flows = path.join(dir, 'flows.jsonl');
  writeFileSync(
    flows,
    [...generateHubbleLines({ flows: 6000, seed: 9, namespaces: 6, workloadsPerNamespace: 15 })].join('\n') +
      '\n',
  );
  healthy = path.join(dir, 'healthy.db');
  const result = runCli(['ingest', '--format', 'hubble', '--db', healthy, flows]);
  expect(result.status, result.stderr).toBe(0);
}, 120_000);
afterAll(() => cleanup());

/** A copy of the healthy database with the 4 KiB page of the edges table nearest the middle of the file overwritten. */
function damagedCopy(name: string): string {
  const file = path.join(dir, name);
  copyFileSync(healthy, file);
  const db = new Database(file, { readonly: true });
  const pages = db
    .prepare("SELECT pageno FROM dbstat WHERE name = 'edges' AND pagetype = 'leaf'")
    .pluck()
    .all() as number[];
  const total = db.pragma('page_count', { simple: true }) as number;
  expect(db.pragma('page_size', { simple: true })).toBe(PAGE);
  db.close();
  expect(pages.length).toBeGreaterThan(20);
  const middle = pages.reduce((best, p) => (Math.abs(p - total / 2) < Math.abs(best - total / 2) ? p : best));
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(PAGE, 0xa5), 0, PAGE, (middle - 1) * PAGE);
  closeSync(fd);
  return file;
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const walBytes = (file: string): number => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

describe('integrity check', () => {
  it('quick_check passes on the healthy file and finds the overwritten page', async () => {
    expect(await checkIntegrity(healthy, { mode: 'quick', timeoutMs: 60_000 })).toEqual({
      status: 'ok',
      mode: 'quick',
    });
    const damaged = damagedCopy('check.db');
    const quick = await checkIntegrity(damaged, { mode: 'quick', timeoutMs: 60_000 });
    expect(quick.status).toBe('corrupt');
    expect((await checkIntegrity(damaged, { mode: 'full', timeoutMs: 60_000 })).status).toBe('corrupt');
  });

  it('is abandoned (timed_out) when the clock says its time is up first', async () => {
    const result = await checkIntegrity(healthy, {
      mode: 'full',
      timeoutMs: 5,
      sleep: () => Promise.resolve(),
    });
    expect(result).toEqual({ status: 'timed_out', mode: 'full', timeoutMs: 5 });
  });
});

describe('the store on a damaged file', () => {
  it('the first read that meets the damage latches: every later read and write fails, nothing is written', () => {
    const damaged = damagedCopy('latch.db');
    const before = sha(damaged);
    const seen: DatabaseCorruptError[] = [];
    const store = openStore(damaged, { onCorrupt: (error) => seen.push(error) });
    try {
      expect(() => [...store.iterateEdges()]).toThrow(DatabaseCorruptError);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.message).toContain(damaged);
      expect(() => store.totals()).toThrow(DatabaseCorruptError);
      expect(() =>
        store.writeBatch({
          deltas: deltas(flow(pod('a', 'web'), pod('b', 'api'))),
          accepted: 1,
          rejectedByReason: {},
        }),
      ).toThrow(DatabaseCorruptError);
      expect(seen).toHaveLength(1);
    } finally {
      store.close();
    }
    expect(sha(damaged)).toBe(before);
  });
});

describe('the CLI on a damaged file', () => {
  it('read commands and ingest exit 1 naming the file, and leave it untouched', () => {
    const damaged = damagedCopy('cli.db');
    const before = sha(damaged);
    for (const args of [
      ['flows'],
      ['drops'],
      ['recommend'],
      ['ingest', '--format', 'hubble', path.join(dir, 'flows.jsonl')],
    ]) {
      const result = runCli([...args, '--db', damaged]);
      expect(result.status, `${args[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`the database ${damaged} is damaged (quick_check:`);
      expect(result.stderr).toContain('.recover');
      expect(result.stdout).toBe('');
    }
    expect(sha(damaged)).toBe(before);
    // The read-only check may leave SQLite's empty WAL index files; the log holds nothing.
    expect(walBytes(damaged)).toBe(0);
  }, 120_000);
});

async function daemonOn(db: string, integrityCheck: 'quick' | 'off') {
  const configFile = path.join(dir, `${path.basename(db)}.yaml`);
  writeFileSync(
    configFile,
    `listen: "127.0.0.1:0"\ndb: ${JSON.stringify(db)}\nstorage:\n  integrityCheck: ${integrityCheck}\n`,
  );
  const loaded = loadConfig({ file: configFile, env: {} });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
  return { daemon, base: `http://127.0.0.1:${daemon.address.port}` };
}

describe('serve on a damaged file', () => {
  it('found at start: /readyz 503 naming the file, the API 503 database_corrupt, the file never opened for writing', async () => {
    const damaged = damagedCopy('serve-start.db');
    const before = sha(damaged);
    const { daemon, base } = await daemonOn(damaged, 'quick');
    try {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        ready: false,
        store: 'damaged',
        reason: `database damaged: ${damaged} (see the server log)`,
      });
      for (const route of ['/api/v1/flows', '/api/v1/alerts']) {
        const response = await fetch(`${base}${route}`);
        expect(response.status, route).toBe(503);
        expect(await response.json(), route).toMatchObject({ error: { code: 'database_corrupt' } });
      }
      // The analyses (drops, the map) run in the analysis worker: the same code.
      for (const route of ['/api/v1/drops', '/api/v1/graph']) {
        const response = await fetch(`${base}${route}`);
        expect(response.status, route).toBe(503);
        expect(await response.json(), route).toMatchObject({ error: { code: 'database_corrupt' } });
      }
    } finally {
      await daemon.stop();
    }
    expect(sha(damaged)).toBe(before);
    expect(walBytes(damaged)).toBe(0);
  }, 60_000);

  it('found by a read (start-up check off): the request gets 503 and the daemon turns unready', async () => {
    const damaged = damagedCopy('serve-read.db');
    const before = sha(damaged);
    const { daemon, base } = await daemonOn(damaged, 'off');
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const response = await fetch(`${base}/api/v1/flows?limit=1000`);
      // Paging reads up to the damaged page at some point: walk until it does.
      let status = response.status;
      let body = (await response.json()) as { nextCursor?: string | null; error?: { code: string } };
      while (status === 200 && typeof body.nextCursor === 'string') {
        const next = await fetch(`${base}/api/v1/flows?limit=1000&cursor=${body.nextCursor}`);
        status = next.status;
        body = (await next.json()) as typeof body;
      }
      expect(status).toBe(503);
      expect(body.error?.code).toBe('database_corrupt');
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ store: 'damaged' });
    } finally {
      await daemon.stop();
    }
    expect(sha(damaged)).toBe(before);
  }, 60_000);
});
