import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateHubbleLines, mulberry32, writeFlowsFile } from '../../bench/generate-flows.js';
import { tempDir } from '../store/store-helpers.js';
import { runCli, snapshot, spawnCli } from './cli-helpers.js';
import { openStore } from '../../src/store/store.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('netpol-ingest-')));
afterAll(() => cleanup());

interface IngestJson {
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  edges: number;
}

function ingest(db: string, ...args: string[]): IngestJson {
  const result = runCli(['ingest', '--format', 'hubble', '--db', db, '--json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as IngestJson;
}

// Each test spawns the real CLI a few times; on a loaded 2-core machine that takes seconds.
vi.setConfig({ testTimeout: 120_000 });

describe('ingest: exactly once', () => {
  it('a second run over the same file adds nothing; appended lines are ingested once', () => {
    const lines = [
      ...generateHubbleLines({ flows: 3000, seed: 7, namespaces: 4, workloadsPerNamespace: 10 }),
    ];
    const file = path.join(dir, 'flows.jsonl');
    writeFileSync(file, lines.slice(0, 2000).join('\n') + '\n');
    const db = path.join(dir, 'twice.db');
    const first = ingest(db, '--batch-size', '300', file);
    expect(first).toMatchObject({ accepted: 2000, rejected: 0 });
    const again = ingest(db, file);
    expect(again).toEqual({
      accepted: 0,
      rejected: 0,
      rejectedByReason: {},
      noEdgeByReason: {},
      edges: first.edges,
    });

    appendFileSync(file, lines.slice(2000).join('\n') + '\n');
    expect(ingest(db, file)).toMatchObject({ accepted: 1000, rejected: 0 });

    const clean = path.join(dir, 'clean.db');
    ingest(clean, file);
    expect(snapshot(db)).toEqual(snapshot(clean));
  });

  it('reads stdin (no checkpoint) and sniffs the format with --format auto', () => {
    const text = [
      ...generateHubbleLines({ flows: 50, seed: 3, namespaces: 2, workloadsPerNamespace: 5 }),
    ].join('\n');
    const db = path.join(dir, 'stdin.db');
    const result = runCli(['ingest', '--format', 'hubble', '--db', db, '--json', '-'], text);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 50 });
    const file = path.join(dir, 'auto.jsonl');
    writeFileSync(file, text);
    const auto = runCli(['ingest', '--format', 'auto', '--db', path.join(dir, 'auto.db'), '--json', file]);
    expect(JSON.parse(auto.stdout)).toMatchObject({ accepted: 50 });
  });
});

describe('ingest: bad input', () => {
  it('counts each bad line by reason and keeps the valid lines around it', () => {
    const good = [...generateHubbleLines({ flows: 6, seed: 11, namespaces: 2, workloadsPerNamespace: 5 })];
    const parts: Buffer[] = [
      Buffer.from(`${good[0]}\nnot json at all\n${good[1]}\n`),
      Buffer.from(
        `${good[2]!.replace('"verdict":"FORWARDED"', '"verdict":"BOGUS"').replace('"verdict":"DROPPED"', '"verdict":"BOGUS"')}\n`,
      ),
      Buffer.from('{"flow":{"verdict":"FORWARDED"}}\n'),
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
      Buffer.from(`{"pad":"${'x'.repeat(1024 * 1024 + 10)}"}\n`),
      Buffer.from(`${good[3]}\n\n${good[4]}\n{"node_status":{"state_change":"NODE_CONNECTED"}}\n${good[5]}`),
    ];
    const file = path.join(dir, 'mixed.jsonl');
    writeFileSync(file, Buffer.concat(parts));
    const result = ingest(path.join(dir, 'mixed.db'), file);
    expect(result).toMatchObject({
      accepted: 5,
      rejected: 6,
      rejectedByReason: {
        invalid_json: 1,
        unknown_enum: 1,
        missing_field: 1,
        invalid_utf8: 1,
        oversized_line: 1,
        unsupported_event: 1,
      },
    });
  });

  it('exits 2 with one line naming a missing file, and writes nothing', () => {
    const db = path.join(dir, 'missing.db');
    const missing = path.join(dir, 'no-such.jsonl');
    const result = runCli(['ingest', '--format', 'hubble', '--db', db, missing]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `netpol-advisor ingest: cannot read ${missing}: no such file`,
    ]);
    expect(existsSync(db)).toBe(false);
  });

  it('exits 2 on a bad --format and on a bad --verdict for flows', () => {
    const bad = runCli(['ingest', '--format', 'pcap', path.join(dir, 'x')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('pcap');
    const db = path.join(dir, 'verdict.db');
    openStore(db).close();
    const verdict = runCli(['flows', '--db', db, '--verdict', 'maybe']);
    expect(verdict.status).toBe(2);
    expect(verdict.stderr).toContain('"maybe"');
  });
});

describe('flows', () => {
  it('prints the contract JSON and a table, filtered by namespace and verdict', () => {
    const file = path.join(dir, 'flows-cmd.jsonl');
    writeFlowsFile(file, { flows: 400, seed: 5, namespaces: 3, workloadsPerNamespace: 6 });
    const db = path.join(dir, 'flows-cmd.db');
    ingest(db, file);
    const all = JSON.parse(runCli(['flows', '--db', db, '--json']).stdout) as Record<string, unknown>[];
    expect(all.length).toBe(snapshot(db).totals.edges);
    const dropped = JSON.parse(
      runCli(['flows', '--db', db, '--json', '--verdict', 'dropped', '--namespace', 'team-01']).stdout,
    ) as {
      verdict: string;
      source: { namespace?: string };
      destination: { namespace?: string };
      firstSeen: string;
    }[];
    expect(dropped.length).toBeGreaterThan(0);
    for (const edge of dropped) {
      expect(edge.verdict).toBe('dropped');
      expect([edge.source.namespace, edge.destination.namespace]).toContain('team-01');
      expect(edge.firstSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
    const table = runCli(['flows', '--db', db, '--limit', '3']).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^SOURCE\s+DESTINATION\s+PORT\s+VERDICT\s+COUNT\s+LAST SEEN$/);
    expect(table).toHaveLength(4);
  });
});

describe('ingest: SIGKILL and re-run', () => {
  it('after a kill at a random moment, re-running gives the same edges and counters as one clean run', async () => {
    const file = path.join(dir, 'kill.jsonl');
    writeFlowsFile(file, { flows: 15_000, seed: 99, namespaces: 10, workloadsPerNamespace: 20 });
    const clean = path.join(dir, 'kill-clean.db');
    ingest(clean, file);
    const db = path.join(dir, 'kill.db');
    const child = spawnCli(['ingest', '--format', 'hubble', '--db', db, '--batch-size', '300', file]);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Wait until the child has committed at least one batch, then kill it a random moment later
    // (seeded: printed on failure, KILL_SEED=<n> replays it).
    const seed =
      process.env.KILL_SEED !== undefined
        ? Number(process.env.KILL_SEED)
        : Math.floor(Math.random() * 2 ** 31);
    onTestFailed(() => {
      console.error(`ingest kill test: kill moment from seed ${seed} (replay with KILL_SEED=${seed})`);
    });
    await vi.waitFor(() => expect(existsSync(`${db}-wal`)).toBe(true), { timeout: 15_000, interval: 25 });
    await new Promise((r) => setTimeout(r, Math.floor(mulberry32(seed)() * 400)));
    child.kill('SIGKILL');
    await exited;
    expect(ingest(db, file).rejected).toBe(0);
    expect(snapshot(db)).toEqual(snapshot(clean));
    expect(readFileSync(file).length).toBeGreaterThan(0);
  }, 120_000);
});
