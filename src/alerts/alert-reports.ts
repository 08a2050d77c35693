// The drops report the alert path evaluates: exactly what `netpol-advisor drops` reports for the
// paths dropping at or after `sinceMs` (the same classification over the same evidence, history
// of any age), without reading every edge of the store each evaluation.
//
// Why reading less gives the same answer: every fact classifyPaths uses about a blocked path is
// keyed by the path's source — the forwarded edge of the same path (its key starts with the
// source), what that source reaches (bySource), and that source's other never-forwarded drops
// (the scan test). Detection is per edge. So the edges whose source is the source of a path in
// scope are all the evidence those paths have; they are read in the store's id order, as
// `drops` reads them (store/source-edges.ts), and the property test in
// test/alerts/alert-reports.test.ts holds the two answers equal.
import { peerKey, type EdgePeer } from '../flows/edge.js';
import { buildDropReports, type DropReport } from '../drops/report.js';
import { detectBlockedPaths } from '../drops/detect.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { AlertStore } from '../store/alerts.js';
import type { EdgeRecord, FlowStore } from '../store/types.js';

export type EdgeReader = Pick<FlowStore, 'iterateEdges'>;
export type SourceEdgeReader = Pick<AlertStore, 'edgesFromSources'>;

/** The edges whose source is one of the blocked paths dropping since sinceMs, in id order. */
export function evidenceEdges(store: EdgeReader, bySource: SourceEdgeReader, sinceMs: number): EdgeRecord[] {
  const recent = detectBlockedPaths(store.iterateEdges({ sinceMs, verdict: 'dropped' })).blocked.filter(
    (p) => p.lastSeenMs >= sinceMs,
  );
  const sources = new Map<string, EdgePeer>();
  for (const p of recent) sources.set(peerKey(p.source), p.source);
  return bySource.edgesFromSources([...sources.values()]);
}

/** The alert path's report: `drops`' items for the paths dropping since sinceMs (no fix impact). */
export function alertReports(
  store: EdgeReader,
  bySource: SourceEdgeReader,
  sinceMs: number,
  snapshot: ClusterSnapshot | undefined,
): DropReport[] {
  return buildDropReports(evidenceEdges(store, bySource, sinceMs), {
    sinceMs,
    impact: false,
    ...(snapshot !== undefined ? { snapshot } : {}),
  }).items;
}
