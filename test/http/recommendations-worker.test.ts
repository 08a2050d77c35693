// Everything built on a recommendation is computed by the analysis runner, the worker thread when
// the daemon has a database file (issue 22 item 4: seconds of work at cluster scale stay off the
// event loop), and the worker's answer is the one the main thread computes: the same app over the
// same flows, with and without the worker, serves the same views, exports, cluster guardrails and
// staged objects, and only the worker app posts jobs for them. The proven recommendation of a
// (version, scope) is computed once and shared by all of them; the cluster snapshot is posted to
// the thread once per snapshot, not with every job.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parserFor } from '../../src/flows/parsers.js';
import type { InlineRunner } from '../../src/http/analysis-runner.js';
import { WorkerRunner } from '../../src/http/analysis-worker-runner.js';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import { FIXTURES, startSeededApp, type SeededApp } from './seeded-app.js';

let inWorker: SeededApp;
let inline: SeededApp;
beforeAll(async () => {
  inWorker = await startSeededApp({ worker: true });
  inline = await startSeededApp({});
});
afterAll(async () => {
  await inWorker.close();
  await inline.close();
});

async function body(app: SeededApp, route: string): Promise<string> {
  const res = await fetch(app.base + route);
  expect(res.status, route).toBe(200);
  return Buffer.from(await res.arrayBuffer()).toString('latin1');
}

function workerOf(app: SeededApp): WorkerRunner {
  const worker = app.deps.analysis.worker;
  if (worker === undefined) throw new Error('the app has no analysis worker');
  return worker;
}

describe('recommendations in the analysis worker', () => {
  it.each(['k8s', 'cilium', 'calico'])('the %s view is the one the main thread computes', async (flavor) => {
    const worker = workerOf(inWorker);
    const jobs = worker.jobs;
    for (const route of [
      `/api/v1/recommendations?namespace=shop&flavor=${flavor}`,
      `/api/v1/recommendations/summary?namespace=shop&flavor=${flavor}`,
    ]) {
      const fromWorker = await body(inWorker, route);
      expect(fromWorker).toContain('"policies"');
      expect(fromWorker).toEqual(await body(inline, route));
    }
    // One job per flavor: the summary reuses the full view of the same version.
    expect(worker.jobs).toBe(jobs + 1);
    expect(inline.deps.analysis.worker).toBeUndefined();
  });

  it.each([
    '/api/v1/recommendations/export?namespace=shop&format=yaml',
    '/api/v1/recommendations/export?namespace=shop&format=json&flavor=cilium',
    '/api/v1/recommendations/export?format=tar',
    '/api/v1/recommendations/cluster-guardrails?namespace=shop',
    '/api/v1/recommendations/cluster-guardrails/export?flavor=anp',
    '/api/v1/recommendations/safety',
  ])('%s is computed in the worker, as the main thread computes it', async (route) => {
    const worker = workerOf(inWorker);
    const jobs = worker.jobs;
    const fromWorker = await body(inWorker, route);
    expect(worker.jobs).toBeGreaterThan(jobs);
    expect(fromWorker.length).toBeGreaterThan(100);
    expect(fromWorker).toEqual(await body(inline, route));
  });

  it('stages the recommendation computed in the worker', async () => {
    const stage = async (app: SeededApp) => {
      const res = await fetch(`${app.base}/api/v1/staged`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'shop', flavor: 'cilium' }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { policies: unknown[] }).policies;
    };
    const jobs = workerOf(inWorker).jobs;
    const policies = await stage(inWorker);
    expect(workerOf(inWorker).jobs).toBe(jobs + 1);
    expect(policies.length).toBeGreaterThan(0);
    expect(policies).toEqual(await stage(inline));
  });

  it('proves one recommendation per (version, scope), shared by every route', async () => {
    const base = (inline.deps.analysis.runner as InlineRunner).base;
    const provings = base.provings;
    for (const route of [
      '/api/v1/recommendations?namespace=data&flavor=k8s',
      '/api/v1/recommendations/summary?namespace=data&flavor=calico',
      '/api/v1/recommendations/export?namespace=data&format=yaml',
      '/api/v1/recommendations/export?namespace=data&format=tar&flavor=cilium',
      '/api/v1/recommendations/cluster-guardrails?namespace=data&flavor=anp',
      '/api/v1/recommendations/cluster-guardrails/export?namespace=data',
    ])
      await body(inline, route);
    expect(base.provings).toBe(provings + 1);
    // New data (the fixture's first flow again): a new version, proven again once.
    const line = readFileSync(path.join(FIXTURES, 'shop-hubble.jsonl'), 'utf8').split('\n')[0] ?? '';
    inline.writer.add(parserFor('hubble')(line));
    inline.writer.flush();
    await body(inline, '/api/v1/recommendations/export?namespace=data&format=json');
    await body(inline, '/api/v1/recommendations/summary?namespace=data');
    expect(base.provings).toBe(provings + 2);
  });

  it('posts the cluster snapshot to the thread once per snapshot object', async () => {
    const file = path.join(inWorker.dir, 'flows.db');
    const runner = new WorkerRunner(file);
    const other = await loadClusterSnapshot([path.join(FIXTURES, 'shop-cluster.json')]);
    if (!other.ok) throw new Error('snapshot did not load');
    try {
      const a = inWorker.snapshot;
      const first = await runner.run({ kind: 'drops', version: 'v1' }, a);
      await runner.run({ kind: 'diagnostics', version: 'v1' }, a);
      await runner.run(
        {
          kind: 'recommendation-export',
          format: 'yaml',
          options: { flavor: 'k8s', staged: false },
          namespace: 'shop',
          maxExposureEvaluations: 1000,
          version: 'v1',
        },
        a,
      );
      await runner.run({ kind: 'traffic' }, a);
      expect(runner.jobs).toBe(4);
      expect(runner.snapshotsSent).toBe(1);
      // A new snapshot object (the inventory saw a change) is sent once more.
      const second = await runner.run({ kind: 'drops', version: 'v2' }, other.snapshot);
      await runner.run({ kind: 'drops', version: 'v3' }, other.snapshot);
      expect(runner.snapshotsSent).toBe(2);
      expect(second).toEqual(first);
      // Without a snapshot the thread does not use the one it keeps.
      const none = await runner.run({ kind: 'drops', version: 'v4' });
      expect(none).toEqual(await inline.deps.analysis.runner.run({ kind: 'drops' }));
      expect(runner.snapshotsSent).toBe(2);
    } finally {
      await runner.close();
    }
  });
});
