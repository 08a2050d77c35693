// Issue 24 item 3: cached analyses are recomputed in the background when new data lands. The real
// app on loopback over a real SQLite file, the analyses in the real worker thread, the refresher
// driven by a hand clock (no sleeping): after new flows are written and the refresher has run, the
// drops and diagnostics routes answer with the new data at once: the body's version is the
// current one, it is not marked stale, and no analysis job runs for the request. Before the
// refresh the same request is answered with the previous body, marked stale with its age.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import type { PublishingStore } from '../../src/http/publishing-store.js';
import { ViewRefresher } from '../../src/http/view-refresher.js';
import { FIXTURES, startSeededApp, type SeededApp } from './seeded-app.js';

let app: SeededApp;

beforeAll(async () => {
  app = await startSeededApp({ worker: true, staleGraceMs: 0 });
});
afterAll(async () => {
  await app.close();
});

/** A dropped flow of the fixture on a port it never used: a new blocked path. */
function newDroppedFlow(port: number): string {
  const line = readFileSync(path.join(FIXTURES, 'shop-hubble.jsonl'), 'utf8')
    .split('\n')
    .find((l) => l.includes('"DROPPED"') && l.includes('"destination_port":5432'));
  if (line === undefined) throw new Error('fixture has no dropped flow to 5432');
  return line.replace('"destination_port":5432', `"destination_port":${port}`);
}

describe('background refresh after new data', () => {
  it('serves the new data from a refreshed body, without a computation on the request', async () => {
    const analysis = app.deps.analysis;
    const worker = analysis.worker;
    if (worker === undefined) throw new Error('the app has no analysis worker');
    const store = app.store as PublishingStore;
    const get = async (route: string) => {
      const res = await fetch(app.base + route);
      expect(res.status, route).toBe(200);
      return { res, json: (await res.json()) as Record<string, unknown> };
    };
    const hasPort = (json: Record<string, unknown>, port: number) =>
      JSON.stringify(json).includes(`:${port}`);

    // First requests: computed once each (in the worker).
    await get('/api/v1/drops');
    await get('/api/v1/diagnostics');
    await analysis.settled();

    let now = 0;
    const timers: (() => void)[] = [];
    const refresher = new ViewRefresher({
      version: () => analysis.currentVersion(),
      refresh: () => analysis.refresh(),
      debounceMs: 5000,
      maxDelayMs: 30_000,
      schedule: (fn) => {
        timers.push(fn);
        return () => undefined;
      },
      now: () => now,
    });
    refresher.start();

    // New flows land.
    app.writer.add(parserFor('hubble')(newDroppedFlow(6543)));
    app.writer.flush();
    const version = store.version();

    // Before any refresh: the previous body at once, marked stale with its age, not the new path.
    const before = await get('/api/v1/drops');
    expect(before.res.headers.get('x-data-stale')).toBe('1');
    expect(before.res.headers.get('age')).not.toBeNull();
    expect(hasPort(before.json, 6543)).toBe(false);
    await analysis.settled();

    // The refresher notices the change, waits for quiet, then recomputes in the background.
    refresher.tick();
    expect(refresher.status().running).toBe(false);
    now += 5000;
    refresher.tick();
    expect(refresher.status().running).toBe(true);
    await refresher.idle();
    expect(refresher.status()).toMatchObject({ refreshes: 1, running: false });

    // Now the routes answer from the refreshed bodies: current version, not stale, no new job.
    const jobs = worker.jobs;
    const drops = await get('/api/v1/drops');
    expect(drops.res.headers.get('x-data-stale')).toBeNull();
    expect(drops.res.headers.get('x-data-version')).toContain(version);
    expect(hasPort(drops.json, 6543)).toBe(true);
    const diagnostics = await get('/api/v1/diagnostics');
    expect(diagnostics.res.headers.get('x-data-stale')).toBeNull();
    expect(diagnostics.res.headers.get('x-data-version')).toContain(version);
    expect(worker.jobs).toBe(jobs);

    // Nothing new: no further refresh; a later change is refreshed again once quiet.
    now += 60_000;
    refresher.tick();
    expect(refresher.status().refreshes).toBe(1);
    app.writer.add(parserFor('hubble')(newDroppedFlow(6544)));
    app.writer.flush();
    refresher.tick();
    now += 5000;
    refresher.tick();
    await refresher.idle();
    expect(refresher.status().refreshes).toBe(2);
    const again = await get('/api/v1/drops');
    expect(again.res.headers.get('x-data-stale')).toBeNull();
    expect(hasPort(again.json, 6544)).toBe(true);
    refresher.stop();
  });

  it('bounds its CPU share: the next refresh waits three times the last one (share 0.25)', async () => {
    let now = 0;
    let version = 0;
    let runs = 0;
    const refresher = new ViewRefresher({
      version: () => `v${version}`,
      refresh: () => {
        runs++;
        now += 2000; // the refresh takes 2 s
        return Promise.resolve();
      },
      debounceMs: 0,
      cpuShare: 0.25,
      schedule: () => () => undefined,
      now: () => now,
    });
    refresher.start();
    version++;
    refresher.tick();
    await refresher.idle();
    expect(runs).toBe(1);
    version++;
    now += 5999; // 2 s × 3 = 6 s after the end
    refresher.tick();
    await refresher.idle();
    expect(runs).toBe(1);
    now += 1;
    refresher.tick();
    await refresher.idle();
    expect(runs).toBe(2);
  });
});
