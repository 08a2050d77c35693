// Stale-while-revalidate and the analysis worker, on a real SQLite file and a real server on
// 127.0.0.1: after new edges are written, a view computed before answers at once with its previous
// body (X-Data-Stale, the old X-Data-Version, the same ETag) while one recomputation runs in the
// worker (the event loop keeps answering); once it finishes the new body is served. A failing
// worker keeps the previous body (and logs); with no previous body the answer is a 503.
// Ordering is asserted (the recomputation is still running when the stale answer arrives),
// never a duration.
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeDelta, EdgePeer } from '../../src/flows/edge.js';
import { edgeKey } from '../../src/flows/edge.js';
import { ApiAnalysis } from '../../src/http/analysis.js';
import { WorkerRunner } from '../../src/http/analysis-runner.js';
import { buildApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { EventBus } from '../../src/http/event-bus.js';
import { createMetrics } from '../../src/http/metrics.js';
import { publishingStore, type PublishingStore } from '../../src/http/publishing-store.js';
import { openStore } from '../../src/store/store.js';
import { startSeededApp, type SeededApp } from './seeded-app.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const EDGES = 20_000;

function pod(ns: string, workload: string): EdgePeer {
  return { kind: 'pod', namespace: ns, workload, workloadKind: 'Deployment' };
}

function delta(
  source: EdgePeer,
  destination: EdgePeer,
  port: number,
  verdict: 'forwarded' | 'dropped',
  lastSeenMs: number,
): EdgeDelta {
  return {
    key: edgeKey(source, destination, 'TCP', port, verdict),
    source,
    destination,
    protocol: 'TCP',
    port,
    verdict,
    count: 3,
    firstSeenMs: NOW - 3_600_000,
    lastSeenMs,
    sourceLabels: { app: source.workload ?? '' },
    destinationLabels: { app: destination.workload ?? '' },
    sourcePods: new Set([`${source.workload ?? ''}-abc12`]),
    destinationPods: new Set([`${destination.workload ?? ''}-def34`]),
    sourceNames: new Set(),
    destinationNames: new Set(),
    dropReasons: new Map(verdict === 'dropped' ? [['POLICY_DENIED', 3]] : []),
    deniedBy: new Set(),
    allowedBy: new Set(),
  };
}

/** `EDGES` edges over 20 namespaces, one in 50 dropped. */
function seed(store: PublishingStore): void {
  let deltas: EdgeDelta[] = [];
  for (let i = 0; i < EDGES; i++) {
    const ns = `ns-${i % 20}`;
    const port = 1000 + Math.floor(i / 200);
    deltas.push(
      delta(
        pod(ns, `app-${Math.floor(i / 20) % 10}`),
        pod(ns, `db-${i % 7}`),
        port,
        i % 50 === 0 ? 'dropped' : 'forwarded',
        NOW - (i % 600) * 1000,
      ),
    );
    if (deltas.length === 5000) {
      store.writeBatch({ deltas, accepted: deltas.length, rejectedByReason: {} });
      deltas = [];
    }
  }
}

interface Logged {
  obj: object;
  msg: string | undefined;
}

interface Running {
  readonly base: string;
  readonly store: PublishingStore;
  readonly deps: AppDeps;
  readonly file: string;
  readonly logged: Logged[];
  close(): Promise<void>;
}

async function start(
  options: { readonly dbFile?: string; readonly seedEdges?: boolean; readonly staleGraceMs?: number } = {},
): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-swr-'));
  const file = path.join(dir, 'flows.db');
  const store = publishingStore(openStore(file), new EventBus());
  if (options.seedEdges !== false) seed(store);
  const logged: Logged[] = [];
  const readiness = () => ({ ready: true, store: 'open' as const, sources: [] });
  const logger = { error: (obj: object, msg?: string) => logged.push({ obj, msg }) };
  const deps: AppDeps = {
    store,
    auth: { mode: 'none' },
    registry: createMetrics({ queueCapacity: 1 }).registry,
    readiness,
    limits: { pageSizeMax: 1000, pageSizeDefault: 100, requestBodyBytes: 1 << 16 },
    logger,
    analysis: new ApiAnalysis({
      store,
      readiness,
      logger,
      // No grace: the request that starts a recomputation gets the previous body at once too.
      now: () => NOW,
      cacheMaxStaleMs: 0,
      dataVersion: store.version,
      staleGraceMs: options.staleGraceMs ?? 0,
      dbFile: options.dbFile ?? file,
    }),
  };
  const server: Server = buildApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store,
    deps,
    file,
    logged,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.analysis.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface DropsBody {
  items: { key: string; source: { namespace?: string; workload?: string | null } }[];
  nextCursor: string | null;
}

function workerOf(deps: AppDeps): WorkerRunner {
  const runner = deps.analysis.runner;
  if (!(runner instanceof WorkerRunner)) throw new Error('expected the worker runner');
  return runner;
}

describe('stale-while-revalidate with the analysis worker', () => {
  let app: Running;
  beforeAll(async () => {
    app = await start();
  }, 60_000);
  afterAll(async () => {
    await app.close();
  });

  it('after a write: the previous drops body at once while the worker recomputes, then the new one', async () => {
    const route = `${app.base}/api/v1/drops?namespace=late&limit=1000`;
    const all = `${app.base}/api/v1/drops?limit=1000`;
    const first = await fetch(all);
    expect(first.status).toBe(200);
    const version = first.headers.get('x-data-version');
    expect(version).toBe(`${app.store.version()}|none`);
    expect(first.headers.get('x-data-stale')).toBeNull();
    const firstBody = (await first.json()) as DropsBody;
    expect(firstBody.items.length).toBe(EDGES / 50);
    const emptyLate = await fetch(route);
    expect(((await emptyLate.json()) as DropsBody).items).toEqual([]);
    const runner = workerOf(app.deps);
    expect(runner.started).toBe(1);
    const jobsBefore = runner.jobs;

    // New data: a drop from a new namespace.
    app.store.writeBatch({
      deltas: [delta(pod('late', 'newcomer'), pod('ns-1', 'db-1'), 9999, 'dropped', NOW - 1000)],
      accepted: 1,
      rejectedByReason: {},
    });

    const stale = await fetch(route);
    // The recomputation this request started is still running when its answer has arrived.
    const analysis = app.deps.analysis;
    const running = analysis.settled();
    let finished = false;
    void running.then(() => {
      finished = true;
    });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-data-stale')).toBe('1');
    expect(stale.headers.get('x-data-version')).toBe(version);
    expect(stale.headers.get('etag')).toBe(emptyLate.headers.get('etag'));
    expect(stale.headers.get('age')).toMatch(/^\d+$/);
    expect(((await stale.json()) as DropsBody).items).toEqual([]);
    // Meanwhile: more requests of the same and other drops pages, and a health check, answer from
    // the main thread while the worker is still busy; no second classification is started.
    const during = await Promise.all([fetch(route), fetch(all), fetch(`${app.base}/healthz`)]);
    expect(finished).toBe(false);
    expect(during.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(during[0]?.headers.get('x-data-stale')).toBe('1');
    expect(during[1]?.headers.get('x-data-stale')).toBe('1');
    expect(during[1]?.headers.get('etag')).toBe(first.headers.get('etag'));
    await Promise.all(during.map((r) => r.arrayBuffer()));

    await running;
    expect(runner.jobs - jobsBefore).toBe(1);
    const fresh = await fetch(route);
    expect(fresh.headers.get('x-data-stale')).toBeNull();
    expect(fresh.headers.get('x-data-version')).toBe(`${app.store.version()}|none`);
    expect(fresh.headers.get('x-data-version')).not.toBe(version);
    const freshBody = (await fresh.json()) as DropsBody;
    expect(freshBody.items.map((i) => i.source)).toEqual([
      { namespace: 'late', workload: 'newcomer', kind: 'Deployment' },
    ]);
    // The other page was recomputed by its stale request too and shares the one classification.
    await analysis.settled();
    const allFresh = await fetch(all);
    expect(allFresh.headers.get('x-data-stale')).toBeNull();
    expect(((await allFresh.json()) as DropsBody).items.length).toBe(EDGES / 50 + 1);
    expect(runner.jobs - jobsBefore).toBe(1);
  }, 60_000);

  it('namespaces and the whole-cluster map: stale at once after a write, fresh once recomputed', async () => {
    for (const route of ['/api/v1/namespaces?limit=100', '/api/v1/graph?maxEdges=5000']) {
      const before = await fetch(app.base + route);
      expect(before.status).toBe(200);
      const beforeText = await before.text();
      app.store.writeBatch({
        deltas: [delta(pod('later', `w-${route.length}`), pod('ns-2', 'db-2'), 7000, 'forwarded', NOW - 500)],
        accepted: 1,
        rejectedByReason: {},
      });
      const stale = await fetch(app.base + route);
      expect(stale.headers.get('x-data-stale')).toBe('1');
      expect((await stale.text()) === beforeText).toBe(true);
      await app.deps.analysis.settled();
      const fresh = await fetch(app.base + route);
      expect(fresh.headers.get('x-data-stale')).toBeNull();
      const text = await fresh.text();
      expect(text === beforeText).toBe(false);
      expect(text.includes('"later"')).toBe(true);
    }
  }, 60_000);
});

describe('the grace for the request that starts a recomputation', () => {
  it('gets the new body when the recomputation finishes within staleGraceMs', async () => {
    const app = await start({ staleGraceMs: 60_000 });
    try {
      const route = `${app.base}/api/v1/drops?namespace=late`;
      const before = await fetch(route);
      expect(((await before.json()) as DropsBody).items).toEqual([]);
      app.store.writeBatch({
        deltas: [delta(pod('late', 'newcomer'), pod('ns-1', 'db-1'), 9999, 'dropped', NOW - 1000)],
        accepted: 1,
        rejectedByReason: {},
      });
      const fresh = await fetch(route);
      expect(fresh.headers.get('x-data-stale')).toBeNull();
      expect(fresh.headers.get('x-data-version')).toBe(`${app.store.version()}|none`);
      expect(((await fresh.json()) as DropsBody).items.length).toBe(1);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('analysis failures', () => {
  let app: Running | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('no previous body: a 503 with a JSON error, and the cause in the log', async () => {
    app = await start({ dbFile: path.join(tmpdir(), 'npa-no-such-dir', 'missing.db'), seedEdges: false });
    const res = await fetch(`${app.base}/api/v1/drops`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_ready');
    expect(body.error.message).toMatch(/^drops: not available yet/);
    expect(body.error.message).not.toContain('missing.db');
    expect(app.logged.length).toBe(1);
    // Not cached: the next request tries again (and fails again, the file is still missing).
    expect((await fetch(`${app.base}/api/v1/drops`)).status).toBe(503);
  }, 60_000);

  it('a failed recomputation keeps the previous body and is logged', async () => {
    app = await start();
    const route = `${app.base}/api/v1/drops?limit=5`;
    const first = await fetch(route);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    // The database file is moved away: the next worker cannot open it (the store's open handle
    // keeps writing to the moved file).
    await app.deps.analysis.close();
    renameSync(app.file, `${app.file}.moved`);
    app.store.writeBatch({
      deltas: [delta(pod('late', 'x'), pod('ns-1', 'db-1'), 9998, 'dropped', NOW)],
      accepted: 1,
      rejectedByReason: {},
    });
    const stale = await fetch(route);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-data-stale')).toBe('1');
    expect(stale.headers.get('etag')).toBe(etag);
    await app.deps.analysis.settled();
    expect(app.logged.map((l) => l.msg)).toEqual(['recomputing a view failed; serving the previous one']);
    const again = await fetch(route);
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe(etag);
    renameSync(`${app.file}.moved`, app.file);
  }, 60_000);
});

describe('the worker and the main thread compute the same views', () => {
  let inline: SeededApp;
  let worker: SeededApp;
  beforeAll(async () => {
    inline = await startSeededApp();
    worker = await startSeededApp({ worker: true });
  });
  afterAll(async () => {
    await inline.close();
    await worker.close();
  });

  it.each([
    '/api/v1/drops',
    '/api/v1/drops?namespace=shop&since=7d',
    '/api/v1/graph',
    '/api/v1/graph?namespace=shop',
    '/api/v1/namespaces',
    '/api/v1/recommendations?namespace=shop',
  ])('%s', async (route) => {
    const a = await fetch(inline.base + route);
    const b = await fetch(worker.base + route);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(await b.text()).toBe(await a.text());
    expect(worker.deps.analysis.runner).toBeInstanceOf(WorkerRunner);
    expect(inline.deps.analysis.runner).not.toBeInstanceOf(WorkerRunner);
  });
});

describe('views on the main thread (no database file)', () => {
  let app: SeededApp;
  beforeAll(async () => {
    app = await startSeededApp({ staleGraceMs: 60_000 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('the first request after a write waits for the recomputation (within staleGraceMs) and gets the new body', async () => {
    const route = `${app.base}/api/v1/graph?namespace=shop`;
    const before = await fetch(route);
    const version = before.headers.get('x-data-version');
    expect(await before.text()).not.toContain('newcomer');
    app.store.writeBatch({
      deltas: [
        delta(
          pod('shop', 'newcomer'),
          pod('shop', 'backend'),
          8080,
          'forwarded',
          app.deps.analysis.now() - 1000,
        ),
      ],
      accepted: 1,
      rejectedByReason: {},
    });
    const fresh = await fetch(route);
    expect(fresh.headers.get('x-data-stale')).toBeNull();
    expect(fresh.headers.get('x-data-version')).not.toBe(version);
    expect(await fresh.text()).toContain('newcomer');
  });
});
