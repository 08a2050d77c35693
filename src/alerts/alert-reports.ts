// The drops report the alert path evaluates: exactly what `netpol-advisor drops` reports for the
// paths dropping at or after `sinceMs` (the same classification over the same evidence, history
// of any age), without reading every edge of the store each evaluation.
//
// Why reading less gives the same answer: every fact classifyPaths uses about a blocked path is
// keyed by the path's source — the forwarded edge of the same path (its key starts with the
// source), what that source reaches (bySource), and that source's other never-forwarded drops
// (the scan test). Detection is per edge. So the edges whose source is the source of a path in
// scope are all the evidence those paths have; they are read in the store's id order, as
// `drops` reads them, and the property test in test/alerts/alert-reports.test.ts holds the two
// answers equal. Pod sources are read through the namespace index; a source outside the
// cluster (an address) has no index to use, and then every edge is read.
import { peerKey } from '../flows/edge.js';
import { buildDropReports, type DropReport } from '../drops/report.js';
import { detectBlockedPaths } from '../drops/detect.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { EdgeRecord, FlowStore } from '../store/types.js';

export type EdgeReader = Pick<FlowStore, 'iterateEdges'>;

/** The edges whose source is one of the blocked paths dropping since sinceMs, in id order. */
export function evidenceEdges(store: EdgeReader, sinceMs: number): EdgeRecord[] {
  const recent = detectBlockedPaths(store.iterateEdges({ sinceMs, verdict: 'dropped' })).blocked.filter((p) => p.lastSeenMs >= sinceMs);
  if (recent.length === 0) return [];
  const sources = new Set(recent.map((p) => peerKey(p.source)));
  const namespaces = new Set<string>();
  let outside = false;
  for (const p of recent) {
    if (p.source.kind === 'pod' && p.source.namespace !== undefined) namespaces.add(p.source.namespace);
    else outside = true;
  }
  const ofSources = (edges: Iterable<EdgeRecord>): EdgeRecord[] => [...edges].filter((e) => sources.has(peerKey(e.source)));
  if (outside) return ofSources(store.iterateEdges());
  const byId = new Map<number, EdgeRecord>();
  for (const namespace of namespaces) {
    for (const edge of ofSources(store.iterateEdges({ namespace }))) byId.set(edge.id, edge);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The alert path's report: `drops`' items for the paths dropping since sinceMs (no fix impact). */
export function alertReports(store: EdgeReader, sinceMs: number, snapshot: ClusterSnapshot | undefined): DropReport[] {
  return buildDropReports(evidenceEdges(store, sinceMs), { sinceMs, impact: false, ...(snapshot !== undefined ? { snapshot } : {}) }).items;
}
