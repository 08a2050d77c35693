// The analysis worker's shared inputs (src/http/analysis-base.ts) and its interned edge read
// (src/store/edge-row-interner.ts) give the same drops report and diagnostics as a computation
// from scratch on the store's plain read, before and after new flows arrive: the jobs of one data
// version read the edges once, a newer version reads again and sees the new edges; the snapshot is
// compiled once per snapshot object, whatever the data version. A real SQLite file written through the store's batch path, with the
// generated cluster of bench/cluster-scale.ts at a small size (a default deny in every fourth
// namespace, so there are policy drops, diagnoses and fixes to compare).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSnapshot, namespaceName, writeStore } from '../../bench/cluster-scale.js';
import { GRAPH_EDGES_MAX, NAMESPACE_GRAPH_NODES_MAX } from '../../src/api/constants.js';
import { ApiAnalysis } from '../../src/http/analysis.js';
import { AnalysisBase } from '../../src/http/analysis-base.js';
import { runAnalysisJob, type AnalysisJob } from '../../src/http/analysis-jobs.js';
import { loadClusterSnapshot } from '../../src/k8s/snapshot-file.js';
import type { ClusterSnapshot } from '../../src/policy/model.js';
import { ReadOnlyEdges } from '../../src/store/read-only-edges.js';
import { openStore } from '../../src/store/store.js';

const NOW = Date.parse('2026-03-04T10:00:00Z');
const SHAPE = { namespaces: 8, workloadsPerNamespace: 5, edges: 400, dropped: 40 };
/** The same cluster with more traffic: the first edges again (counts grow) and new ones. */
const MORE = { ...SHAPE, edges: 700, dropped: 90 };

let dir: string;
let dbFile: string;
let snapshot: ClusterSnapshot;

/** Structured-clone-free comparison of what the API serialises. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function jobs(version: string | undefined): AnalysisJob[] {
  const v = version !== undefined ? { version } : {};
  return [
    { kind: 'drops', maxImpactPaths: 5, ...v },
    { kind: 'diagnostics', ...v },
    ...[0, 1, 4].map((ns): AnalysisJob => ({ kind: 'diagnostics', namespace: namespaceName(ns), ...v })),
  ];
}

/** Every job from scratch: the store's own (not interned) read, a new compile per job. */
function fromScratch(): unknown[] {
  const store = openStore(dbFile);
  try {
    return jobs(undefined).map((job) => plain(runAnalysisJob(job, store, snapshot)));
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-analysis-base-'));
  dbFile = path.join(dir, 'advisor.db');
  writeStore(dbFile, SHAPE, NOW);
  writeFileSync(path.join(dir, 'cluster.json'), clusterSnapshot(SHAPE).json);
  const loaded = await loadClusterSnapshot([path.join(dir, 'cluster.json')]);
  if (!loaded.ok) throw new Error('snapshot did not load');
  snapshot = loaded.snapshot;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analysis base', () => {
  it('shares one read and one compile per version and equals a from-scratch computation after new flows', () => {
    const edges = new ReadOnlyEdges(dbFile);
    const base = new AnalysisBase();
    try {
      const first = jobs('v1').map((job) => plain(runAnalysisJob(job, edges, snapshot, base)));
      expect(base.reads).toBe(1);
      expect(base.compiles).toBe(1);
      const before = fromScratch();
      expect(isDeepStrictEqual(first, before)).toBe(true);
      const drops = first[0] as { items: { classification: string; fix: unknown[] }[] };
      expect(drops.items.length).toBeGreaterThan(0);
      expect(drops.items.some((item) => item.fix.length > 0)).toBe(true);
      expect((first[1] as unknown[]).length).toBeGreaterThan(0);

      // New flows arrive (the daemon's data version moves on).
      writeStore(dbFile, MORE, NOW + 60_000);
      const second = jobs('v2').map((job) => plain(runAnalysisJob(job, edges, snapshot, base)));
      expect(base.reads).toBe(2);
      // The same snapshot: its engine is not compiled again.
      expect(base.compiles).toBe(1);
      const after = fromScratch();
      expect(isDeepStrictEqual(second, after)).toBe(true);
      // The new data is in it: more blocked paths than before.
      const moreDrops = second[0] as { items: unknown[] };
      expect(moreDrops.items.length).toBeGreaterThan(drops.items.length);
    } finally {
      edges.close();
    }
  });

  it('prewarm computes the whole-store views in the worker before their first request', async () => {
    const store = openStore(dbFile);
    const options = {
      store,
      readiness: () => ({ store: 'open' as const }),
      clusterSnapshot: () => snapshot,
      dbFile,
    };
    const small = new ApiAnalysis({ ...options, prewarmMinEdges: 1_000_000 });
    const analysis = new ApiAnalysis({ ...options, prewarmMinEdges: 1 });
    try {
      // Below the threshold nothing runs (every view is quick on demand).
      await small.prewarm();
      expect(small.worker?.jobs).toBe(0);
      await analysis.prewarm();
      // traffic, the cluster map, drops, all namespaces' diagnostics: one job each.
      expect(analysis.worker?.jobs).toBe(4);
      // Their first requests are answered from what prewarm computed: no further job.
      const drops = await analysis.drops();
      await analysis.traffic();
      await analysis.namespaceGraph({ maxLinks: GRAPH_EDGES_MAX, maxNodes: NAMESPACE_GRAPH_NODES_MAX });
      await analysis.diagnostics(undefined);
      expect(analysis.worker?.jobs).toBe(4);
      expect(drops.value.items.length).toBeGreaterThan(0);
    } finally {
      await small.close();
      await analysis.close();
      store.close();
    }
  });

  it('a job without a version shares no read; a new snapshot object is compiled again', async () => {
    const edges = new ReadOnlyEdges(dbFile);
    const base = new AnalysisBase();
    try {
      for (const job of jobs(undefined)) runAnalysisJob(job, edges, snapshot, base);
      expect(base.reads).toBe(0);
      expect(base.compiles).toBe(1);
      const loaded = await loadClusterSnapshot([path.join(dir, 'cluster.json')]);
      if (!loaded.ok) throw new Error('snapshot did not load');
      runAnalysisJob({ kind: 'drops' }, edges, loaded.snapshot, base);
      expect(base.compiles).toBe(2);
    } finally {
      edges.close();
    }
  });
});
