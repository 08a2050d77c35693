import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aggregateFlows } from '../../src/flows/edge.js';
import { openStore } from '../../src/store/store.js';
import { MIN, T0, pod, repeat } from './flow-builder.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'drops-cli-'));
const db = path.join(dir, 'netpol.db');
const store = openStore(db);
const flows = [
  ...repeat(3, T0, MIN, {
    from: pod('shop', 'frontend'),
    to: pod('shop', 'cart'),
    port: 8080,
    verdict: 'forwarded',
  }),
  ...repeat(2, T0 + 10 * MIN, MIN, {
    from: pod('shop', 'frontend'),
    to: pod('shop', 'cart'),
    port: 8080,
    verdict: 'dropped',
    dropReason: 'POLICY_DENIED',
  }),
];
store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: flows.length, rejectedByReason: {} });
store.close();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'drops', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

describe('netpol-advisor drops', () => {
  it('prints the contract JSON', () => {
    const out = cli('--db', db, '--json');
    expect(out.status).toBe(0);
    const items = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      source: { namespace: 'shop', workload: 'frontend' },
      destination: { namespace: 'shop', workload: 'cart' },
      port: 8080,
      protocol: 'TCP',
      count: 2,
      classification: 'regression',
      deniedBy: [],
      fix: [],
      firstSeen: new Date(T0 + 10 * MIN).toISOString(),
      lastSeen: new Date(T0 + 11 * MIN).toISOString(),
    });
    expect(Array.isArray(items[0]?.['evidence'])).toBe(true);
  });

  it('prints a table, and exits 2 on a bad duration', () => {
    const table = cli('--db', db);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/regression\s+shop\/frontend\s+shop\/cart\s+TCP\/8080\s+2/);
    const bad = cli('--db', db, '--since', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--since');
  });
});
