// When the analysis service (analysis.ts) computes views nobody has asked for yet: ahead of their
// first request as the daemon starts (prewarm), and again after new data (refresh, which the
// background refresher calls, view-refresher.ts), so that requests find them done.
import { GRAPH_EDGES_MAX, NAMESPACE_GRAPH_NODES_MAX } from '../api/constants.js';
import { DEFAULT_PREWARM_MIN_EDGES, type AnalysisOptions } from './analysis-options.js';
import type { ApiAnalysis } from './analysis.js';

type Options = Pick<AnalysisOptions, 'prewarmMinEdges' | 'store' | 'logger'>;

/**
 * Computes the whole-store views in the worker, one after another, so that their first request
 * finds them done (or under way): the overview's traffic and the cluster map (the namespace
 * summary) first (the first pages a user opens), then the drops, then every namespace's
 * diagnostics (1.4-1.7 CPU-s at 100,000 edges since the doctor's pass of issue 24; before, at
 * 4 CPU-s, a namespace's diagnostics asked for meanwhile waited 12-15 s behind it). A
 * namespace's diagnostics reuse the drops' read of the edges and compiled snapshot in the worker
 * (analysis-base.ts). The same views are then kept current by refresh() after new data. Only
 * with a worker and from prewarmMinEdges stored edges (below, every view is quick on demand).
 * Resolves once done; failures are logged, never thrown.
 */
export async function prewarmViews(analysis: ApiAnalysis, options: Options): Promise<void> {
  const worker = analysis.worker;
  if (worker === undefined) return;
  const min = options.prewarmMinEdges ?? DEFAULT_PREWARM_MIN_EDGES;
  if (options.store.totals().edges < min) return;
  const steps: [string, () => Promise<unknown>][] = [
    ['traffic', () => analysis.traffic()],
    // The cluster map the dashboard opens is the namespace summary (its route's default limits).
    [
      'namespace-graph',
      () => analysis.namespaceGraph({ maxLinks: GRAPH_EDGES_MAX, maxNodes: NAMESPACE_GRAPH_NODES_MAX }),
    ],
    ['drops', () => analysis.drops()],
    ['diagnostics', () => analysis.diagnostics(undefined)],
  ];
  // The same views are kept current after new data (refresh()), whether requested or not.
  for (const [view, step] of steps)
    analysis.refreshList.track(`analysis|${view}`, 'analysis', step, analysis.now(), true);
  for (const [view, step] of steps) {
    try {
      await step();
    } catch (error) {
      if (worker.status().state === 'closed') return;
      options.logger?.error({ err: error, view }, 'computing a view ahead of its first request failed');
    }
  }
}

/**
 * Recomputes the views of refreshList for the current data (the background refresher calls it
 * after new data): the whole-store analyses in the worker, then the bodies of the analysis routes
 * requested lately, so that their next request is answered from a body of recent data. One after
 * another; failures are logged (the previous values stay).
 */
export async function refreshViews(analysis: ApiAnalysis, options: Options): Promise<void> {
  for (const { key, run } of analysis.refreshList.due(analysis.now())) {
    if (analysis.worker?.status().state === 'closed') return;
    try {
      await run();
    } catch (error) {
      options.logger?.error({ err: error, view: key }, 'refreshing a view after new data failed');
    }
  }
}
