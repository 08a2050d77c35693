// End to end: the real `serve` as a child process in demo mode on 127.0.0.1 port 0, its API,
// then SIGTERM: exit 0, and a database that reopens consistent with what the API showed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/store.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const demoLines = readFileSync(path.join(repoRoot, 'demo/flows.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0).length;

interface Peer {
  namespace?: string;
  workload?: string | null;
  kind?: string;
  ip?: string | null;
  names?: string[];
}
interface FlowItem {
  source: Peer;
  destination: Peer;
  port: number | null;
  protocol: string;
  verdict: string;
  count: number;
  dropReasons: Record<string, number>;
}

let dir: string;
let child: ChildProcess;
let stdout = '';
let stderr = '';
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

/** vi.waitFor until `fn` gives a value (errors count as "not yet"); the daemon's output on failure. */
function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await fn().catch(() => undefined);
      if (value === undefined)
        throw new Error(`timed out waiting for ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      return value;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-serve-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'demo.db'))}`,
      'demo:',
      '  loop: false',
      'limits:',
      '  flushIntervalMs: 50',
      '',
    ].join('\n'),
  );
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main-entry.ts', 'serve', '--config', config], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
});

afterAll(() => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('serve (demo mode, real process)', () => {
  it('serves the demo edges, then shuts down cleanly on SIGTERM', async () => {
    const base = await poll('the listening log line', () => {
      for (const line of stdout.split('\n')) {
        if (!line.includes('"listening"')) continue;
        const entry = JSON.parse(line) as { address?: string };
        if (entry.address !== undefined) return Promise.resolve(`http://${entry.address}`);
      }
      return Promise.resolve(undefined);
    });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await poll('readiness', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));

    // Demo replay (no loop) done and flushed: every line accepted.
    await poll('all demo lines written', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return text.includes(`netpol_advisor_events_accepted_total ${demoLines}\n`) ? true : undefined;
    });
    const page = (await (await fetch(`${base}/api/v1/flows?limit=1000`)).json()) as {
      items: FlowItem[];
      nextCursor: string | null;
    };
    expect(page.nextCursor).toBeNull();
    const items = page.items;
    const ingress = items.find(
      (e) => e.source.workload === 'ingress-nginx-controller' && e.destination.workload === 'web',
    );
    expect(ingress).toMatchObject({
      source: { namespace: 'ingress-nginx', kind: 'Deployment' },
      destination: { namespace: 'shop', kind: 'Deployment' },
      port: 8080,
      protocol: 'TCP',
      verdict: 'forwarded',
    });
    const denied = items.find(
      (e) => e.verdict === 'dropped' && e.destination.workload === 'postgres' && e.port === 9187,
    );
    expect(denied?.dropReasons).toEqual({ POLICY_DENIED: expect.any(Number) as unknown });
    expect(items.some((e) => e.verdict === 'dropped' && 'CT_MAP_INSERTION_FAILED' in e.dropReasons)).toBe(
      true,
    );
    expect(items.find((e) => e.destination.ip === '203.0.113.10')?.destination.names).toEqual([
      'payments.example.com',
    ]);
    // Replies (SYN-ACK, DNS answers) never make reversed edges.
    const reversed = items.filter(
      (e) => e.source.workload === 'web' && e.destination.workload === 'ingress-nginx-controller',
    );
    expect(reversed).toEqual([]);
    expect(
      items.filter(
        (e) =>
          e.source.workload === 'coredns' ||
          (e.source.workload === 'postgres' && e.destination.workload !== 'coredns'),
      ),
    ).toEqual([]);

    const killedAt = Date.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(stdout).toContain('"msg":"stopped"');

    const db = path.join(dir, 'demo.db');
    const wal = `${db}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const store = openStore(db, { mustExist: true });
    try {
      const totals = store.totals();
      expect(totals.accepted).toBe(demoLines);
      expect(totals.rejected).toBe(0);
      expect(totals.edges).toBe(items.length);
      const counts = new Map(
        items.map((e) => [
          `${JSON.stringify(e.source)}>${JSON.stringify(e.destination)}|${e.port}|${e.verdict}`,
          e.count,
        ]),
      );
      const reopened = store.listEdges({ limit: 1000 }).items;
      expect(reopened.length).toBe(items.length);
      expect(reopened.reduce((sum, e) => sum + e.count, 0)).toBe(
        [...counts.values()].reduce((a, b) => a + b, 0),
      );
    } finally {
      store.close();
    }
  }, 90_000);

  it('exits 2 listing every configuration problem with its path', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'listen: "0.0.0.0:8080"\nsources:\n  - type: hubble-relay\n  - type: file\n    path: /x\nlimits:\n  queueCapacity: 0\n',
    );
    const run = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main-entry.ts', 'serve', '--config', bad],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    run.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      run.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(2);
    expect(err).toContain(`invalid configuration (${bad})`);
    for (const expected of [
      'sources[0].address: required',
      'sources[1].format: required',
      'limits.queueCapacity: ',
      'auth.mode: "none" is only allowed on a loopback',
    ]) {
      expect(err).toContain(expected);
    }
  }, 60_000);
});
