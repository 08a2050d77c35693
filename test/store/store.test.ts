import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EDGE_NAMES_MAX, EDGE_SAMPLE_PODS_MAX, type EdgeDelta } from '../../src/flows/edge.js';
import { InvalidCursorError, openStore } from '../../src/store/store.js';
import { edgeToJson } from '../../src/store/edge-json.js';
import type { EdgeRecord, FlowStore } from '../../src/store/types.js';
import { deltas, flow, pod, tempDir, world } from './store-helpers.js';

let dir: string;
let cleanup: () => void;
let store: FlowStore;
let file: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  file = path.join(dir, 'flows.db');
  store = openStore(file);
});
afterEach(() => {
  store.close();
  cleanup();
});

const web = pod('shop', 'web');
const api = pod('shop', 'api');

// Holds a write lock on `file` from another thread: takes it, sets state[0] = 1, waits for
// state[1] = 1 (the main thread is about to write), holds it a moment longer, then commits.
const LOCK_HOLDER = `
const { workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const state = new Int32Array(workerData.shared);
const db = new Database(workerData.file);
db.exec('BEGIN IMMEDIATE');
Atomics.store(state, 0, 1);
Atomics.notify(state, 0);
Atomics.wait(state, 1, 0);
Atomics.wait(state, 2, 0, 200);
db.exec('COMMIT');
db.close();
`;

describe('openStore', () => {
  it('uses WAL, and a write waits out another writer for its busy timeout instead of failing', async () => {
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const shared = new SharedArrayBuffer(12);
    const state = new Int32Array(shared);
    const holder = new Worker(LOCK_HOLDER, { eval: true, workerData: { file, shared } });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    Atomics.wait(state, 0, 0, 10_000);
    expect(Atomics.load(state, 0)).toBe(1);
    // Control: without a busy timeout the same write fails at once while the lock is held.
    const impatient = openStore(file, { busyTimeoutMs: 0 });
    expect(() =>
      impatient.writeBatch({ deltas: deltas(flow(web, api)), accepted: 1, rejectedByReason: {} }),
    ).toThrow(/locked|busy/i);
    impatient.close();
    store.close();
    store = openStore(file, { busyTimeoutMs: 30_000 });
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 1);
    store.writeBatch({ deltas: deltas(flow(web, api)), accepted: 1, rejectedByReason: {} });
    expect(store.totals()).toMatchObject({ accepted: 1, edges: 1 });
    await exited;
  });
});

describe('writeBatch', () => {
  it('merges a delta into an existing edge: counts add, times widen, sets merge within bounds', () => {
    store.writeBatch({
      deltas: deltas(flow(web, api, { timeMs: 2000 }), flow(web, api, { timeMs: 3000 })),
      accepted: 2,
      rejectedByReason: {},
    });
    const olderLabels = pod('shop', 'api', 'api-7d9f8b6c5d-old11', { app: 'api', version: 'old' });
    store.writeBatch({
      deltas: deltas(flow(web, olderLabels, { timeMs: 1000 })),
      accepted: 1,
      rejectedByReason: { invalid_json: 2 },
    });
    const [edge] = [...store.iterateEdges()];
    expect(edge).toMatchObject({
      count: 3,
      firstSeenMs: 1000,
      lastSeenMs: 3000,
      protocol: 'TCP',
      port: 8080,
      verdict: 'forwarded',
    });
    // Labels are those of the most recent flow, not of the older one written later.
    expect(edge?.destinationLabels).toEqual({ app: 'api' });
    expect(new Set(edge?.destinationPods)).toEqual(new Set(['api-7d9f8b6c5d-x2x4z', 'api-7d9f8b6c5d-old11']));
    expect(store.totals()).toEqual({
      accepted: 3,
      rejected: 2,
      rejectedByReason: { invalid_json: 2 },
      edges: 1,
    });
  });

  it('keeps sample pods, names and policy lists bounded across batches', () => {
    for (let i = 0; i < 30; i++) {
      const client = pod('shop', 'web', `web-7d9f8b6c5d-p${String(i).padStart(4, '0')}`);
      const policies = {
        ingressAllowedBy: [`shop/allow-${i}`],
        egressAllowedBy: [],
        ingressDeniedBy: [],
        egressDeniedBy: [],
      };
      store.writeBatch({
        deltas: deltas(
          flow(client, world('203.0.113.10', [`n${i}.example.com`]), { destinationPort: 443, policies }),
        ),
        accepted: 1,
        rejectedByReason: {},
      });
    }
    const [edge] = [...store.iterateEdges()];
    expect(edge?.count).toBe(30);
    expect(edge?.sourcePods).toHaveLength(EDGE_SAMPLE_PODS_MAX);
    expect(edge?.destinationNames).toHaveLength(EDGE_NAMES_MAX);
    expect(edge?.destinationNames[0]).toBe('n0.example.com');
    expect(edge?.allowedBy).toHaveLength(EDGE_NAMES_MAX);
  });

  it('sums drop reasons and keeps denying policies', () => {
    const policies = {
      ingressAllowedBy: [],
      egressAllowedBy: [],
      ingressDeniedBy: ['shop/default-deny'],
      egressDeniedBy: [],
    };
    const drop = flow(web, api, {
      verdict: 'dropped',
      dropReason: 'POLICY_DENIED',
      isPolicyDrop: true,
      policies,
    });
    store.writeBatch({ deltas: deltas(drop, drop), accepted: 2, rejectedByReason: {} });
    store.writeBatch({
      deltas: deltas(drop, { ...drop, dropReason: 'CT_MAP_INSERTION_FAILED' }),
      accepted: 2,
      rejectedByReason: {},
    });
    const [edge] = [...store.iterateEdges({ verdict: 'dropped' })];
    expect(edge?.dropReasons).toEqual({ POLICY_DENIED: 3, CT_MAP_INSERTION_FAILED: 1 });
    expect(edge?.deniedBy).toEqual(['shop/default-deny']);
  });

  it('is all or nothing: a batch that fails midway leaves edges, counters and checkpoint unchanged', () => {
    store.writeBatch({
      deltas: deltas(flow(web, api)),
      accepted: 1,
      rejectedByReason: {},
      checkpoint: { sourceKey: '/f', identity: 'a', offset: 10 },
    });
    function* failing(): Generator<EdgeDelta> {
      yield* deltas(flow(web, api), flow(api, web));
      throw new Error('disk on fire');
    }
    expect(() =>
      store.writeBatch({
        deltas: failing(),
        accepted: 2,
        rejectedByReason: { invalid_json: 1 },
        checkpoint: { sourceKey: '/f', identity: 'a', offset: 99 },
      }),
    ).toThrow('disk on fire');
    expect(store.totals()).toEqual({ accepted: 1, rejected: 0, rejectedByReason: {}, edges: 1 });
    expect(store.checkpoint('/f')).toEqual({ sourceKey: '/f', identity: 'a', offset: 10 });
  });

  it('keeps a label named __proto__ as a plain key', () => {
    const labels = JSON.parse('{"app":"web","__proto__":{"polluted":"yes"}}') as Record<string, string>;
    store.writeBatch({
      deltas: deltas(flow(pod('shop', 'web', 'web-1', labels), api)),
      accepted: 1,
      rejectedByReason: {},
    });
    const [edge] = [...store.iterateEdges()];
    expect(edge?.sourceLabels).toEqual({ app: 'web' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('listEdges', () => {
  function seed(): void {
    const flows = [
      flow(web, api, { timeMs: 1000 }),
      flow(api, pod('data', 'postgres'), { destinationPort: 5432, timeMs: 5000 }),
      flow(api, world('203.0.113.10', ['payments.example.com']), { destinationPort: 443, timeMs: 2000 }),
      flow(pod('monitoring', 'prometheus'), web, {
        verdict: 'dropped',
        dropReason: 'POLICY_DENIED',
        timeMs: 9000,
      }),
    ];
    store.writeBatch({ deltas: deltas(...flows), accepted: flows.length, rejectedByReason: {} });
  }

  it('filters by namespace (either side), verdict and time', () => {
    seed();
    const keys = (edges: readonly EdgeRecord[]) =>
      edges.map((e) => `${e.source.workload ?? e.source.ip}>${e.destination.workload ?? e.destination.ip}`);
    expect(keys(store.listEdges({ namespace: 'data', limit: 10 }).items)).toEqual(['api>postgres']);
    expect(keys(store.listEdges({ namespace: 'shop', limit: 10 }).items)).toHaveLength(4);
    expect(keys(store.listEdges({ namespace: 'monitoring', limit: 10 }).items)).toEqual(['prometheus>web']);
    expect(keys(store.listEdges({ verdict: 'dropped', limit: 10 }).items)).toEqual(['prometheus>web']);
    expect(keys(store.listEdges({ sinceMs: 5000, limit: 10 }).items)).toEqual([
      'api>postgres',
      'prometheus>web',
    ]);
    expect(
      keys(store.listEdges({ namespace: 'shop', verdict: 'forwarded', sinceMs: 5000, limit: 10 }).items),
    ).toEqual(['api>postgres']);
  });

  it('pages with a cursor that stays stable while edges are added and updated', () => {
    const batch = (from: number, to: number) =>
      deltas(...Array.from({ length: to - from }, (_, i) => flow(pod('shop', `client-${from + i}`), api)));
    store.writeBatch({ deltas: batch(0, 25), accepted: 25, rejectedByReason: {} });
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = store.listEdges({ limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.source.workload ?? ''));
      cursor = page.nextCursor;
      // Between pages: new edges arrive and existing ones are updated.
      store.writeBatch({
        deltas: [...batch(100 + pages * 3, 103 + pages * 3), ...batch(0, 5)],
        accepted: 8,
        rejectedByReason: {},
      });
      pages++;
    } while (cursor !== null && pages < 20);
    const original = Array.from({ length: 25 }, (_, i) => `client-${i}`);
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    for (const name of original) expect(seen).toContain(name);
    expect(seen.slice(0, 25)).toEqual(original);
  });

  it('caps the limit, ends with a null cursor and rejects a foreign cursor', () => {
    seed();
    const page = store.listEdges({ limit: 2 });
    expect(page.items).toHaveLength(2);
    const rest = store.listEdges({ limit: 2, cursor: page.nextCursor ?? '' });
    expect(rest.items).toHaveLength(2);
    expect(rest.nextCursor).toBeNull();
    expect(() => store.listEdges({ limit: 2, cursor: 'not a cursor!' })).toThrow(InvalidCursorError);
    expect(() => store.listEdges({ limit: 2, cursor: Buffer.from('-1').toString('base64url') })).toThrow(
      InvalidCursorError,
    );
  });

  it('iterates every edge in pages even when there are more than one page of them', () => {
    const many = Array.from({ length: 1200 }, (_, i) => flow(pod('shop', `c-${i}`), api));
    store.writeBatch({ deltas: deltas(...many), accepted: many.length, rejectedByReason: {} });
    let n = 0;
    for (const _edge of store.iterateEdges()) {
      // Writes may interleave with iteration (no statement stays open between pages).
      if (n === 600) store.writeBatch({ deltas: deltas(flow(web, api)), accepted: 1, rejectedByReason: {} });
      n++;
    }
    expect(n).toBe(1201);
  });
});

describe('edgeToJson', () => {
  it('produces the flows --json contract shape', () => {
    store.writeBatch({
      deltas: deltas(
        flow(web, api, { timeMs: Date.UTC(2026, 0, 2, 3, 4, 5) }),
        flow(api, world('203.0.113.10', ['payments.example.com']), { destinationPort: 443 }),
      ),
      accepted: 2,
      rejectedByReason: {},
    });
    const [podEdge, worldEdge] = [...store.iterateEdges()].map(edgeToJson);
    expect(podEdge).toMatchObject({
      source: { namespace: 'shop', workload: 'web', kind: 'Deployment' },
      destination: { namespace: 'shop', workload: 'api', kind: 'Deployment' },
      port: 8080,
      protocol: 'TCP',
      verdict: 'forwarded',
      count: 1,
      firstSeen: '2026-01-02T03:04:05.000Z',
      lastSeen: '2026-01-02T03:04:05.000Z',
    });
    expect(worldEdge?.destination).toEqual({
      kind: 'world',
      ip: '203.0.113.10',
      names: ['payments.example.com'],
    });
  });
});
