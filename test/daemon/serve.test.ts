// End to end: the real `serve` as a child process in demo mode on 127.0.0.1 port 0, its API,
// then SIGTERM: exit 0, and a database that reopens consistent with what the API showed.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  startServeProcess,
  spawnServe,
  type ServeProcess,
  writeServeConfig,
} from '../../bench/serve-process.js';
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
let serve: ServeProcess;

/** vi.waitFor until `fn` gives a value (errors count as "not yet"); the daemon's output on failure. */
function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await fn().catch(() => undefined);
      if (value === undefined)
        throw new Error(
          `timed out waiting for ${what}\nstdout:\n${serve.stdout()}\nstderr:\n${serve.stderr()}`,
        );
      return value;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-serve-'));
  const config = writeServeConfig(dir, 'demo.db', [
    'demo:',
    '  loop: false',
    'limits:',
    '  flushIntervalMs: 50',
  ]);
  // Listening and ready (/readyz 200), or the hook fails with the daemon's output.
  serve = await startServeProcess(config, { entry: 'source' });
}, 150_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve (demo mode, real process)', () => {
  it('serves the demo edges, then shuts down cleanly on SIGTERM', async () => {
    const { base } = serve;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

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
    // SIGTERM (a SIGKILL only after 10 s, which the assertions below would catch).
    const { code, signal } = await serve.stop();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(serve.stdout()).toContain('"msg":"stopped"');

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
    const run = spawnServe(bad, { entry: 'source' });
    const { code } = await run.exited;
    const err = run.stderr();
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
