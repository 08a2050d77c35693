// The doctor command spawned for real: a store written through the real aggregation, the snapshot
// fixtures on disk; JSON findings with exit 0, the readable report, and exit 2 on bad input.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/doctor/types.js';
import { aggregateFlows } from '../../src/flows/edge.js';
import { openStore } from '../../src/store/store.js';
import { MIN, T0, pod, repeat } from '../drops/flow-builder.js';
import { FIXTURES } from './scenario.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
let dir: string;
let db: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'doctor', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'doctor-cli-'));
  db = path.join(dir, 'flows.db');
  const flows = repeat(4, T0, MIN, {
    from: pod('shop', 'frontend'),
    to: pod('shop', 'cart'),
    port: 8080,
    verdict: 'dropped',
    dropReason: 'POLICY_DENIED',
  });
  const store = openStore(db);
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: flows.length, rejectedByReason: {} });
  store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('netpol-advisor doctor (spawned)', () => {
  const cluster = [
    '--cluster',
    path.join(FIXTURES, 'cluster.json'),
    '--cluster',
    path.join(FIXTURES, 'default-deny.yaml'),
  ];

  it('prints the contract JSON and exits 0', async () => {
    const result = await run(['--db', db, ...cluster, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const findings = JSON.parse(result.stdout) as Finding[];
    const blocked = findings.find((f) => f.kind === 'default-deny-blocks');
    expect(blocked).toMatchObject({
      severity: 'high',
      namespace: 'shop',
      objects: ['shop/default-deny', 'shop/cart'],
    });
    for (const finding of findings)
      expect(Object.keys(finding)).toEqual(
        expect.arrayContaining(['kind', 'severity', 'namespace', 'objects', 'evidence', 'fix']),
      );
  }, 60_000);

  it('prints a report grouped by severity', async () => {
    const result = await run(['--db', db, ...cluster, '--namespace', 'shop']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^== HIGH \(1\) ==\n\[default-deny-blocks\] shop: ingress of shop is isolated/m,
    );
    expect(result.stdout).toMatch(
      /fix: apply shop\/allow-ingress-cart, shop\/default-deny \(objects in --json\)/,
    );
  }, 60_000);

  it('exits 2 on a missing snapshot or a bad namespace', async () => {
    const missing = await run(['--db', db, '--cluster', path.join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--cluster: .*no such file or directory/);
    const bad = await run(['--db', db, '--namespace', 'Not_A_Namespace']);
    expect(bad.code).toBe(2);
  }, 60_000);
});
