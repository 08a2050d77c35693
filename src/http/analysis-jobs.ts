// The API's heavy whole-store analyses as jobs with plain-data inputs and results, so the same
// code runs on the main thread (no database file to open) or in the analysis worker
// (analysis-worker.ts, over its own read-only connection): the drops classification over every
// edge, the doctor's diagnostics, the per-namespace traffic figures, the whole-cluster service map
// and its namespace-to-namespace summary, and everything built on a proven recommendation
// (analysis-recommendation-jobs.ts). The cluster snapshot is not part of a job: the runner passes
// the one the daemon has (the worker is sent it once per snapshot and keeps it).
import { AnalysisBase } from './analysis-base.js';
import {
  runRecommendationJob,
  type RecommendationJob,
  type RecommendationResults,
} from './analysis-recommendation-jobs.js';
import { runDoctor } from '../doctor/doctor.js';
import type { Finding } from '../doctor/types.js';
import { buildDropReports, type DropsResult } from '../drops/report.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { EdgeQuery, EdgeRecord, EdgeSummary } from '../store/types.js';
import { trafficByNamespace, type NamespaceTraffic } from '../views/coverage.js';
import { buildGraph, type Graph } from '../views/graph.js';
import { buildNamespaceGraph, type NamespaceGraph } from '../views/namespace-graph.js';

export { proveNamespace } from './analysis-recommendation-jobs.js';

export type AnalysisJob =
  | {
      readonly kind: 'drops';
      readonly maxImpactPaths?: number;
      /** The data and snapshot version: jobs of the same version share their inputs (analysis-base.ts). */
      readonly version?: string;
    }
  | { readonly kind: 'diagnostics'; readonly namespace?: string; readonly version?: string }
  | { readonly kind: 'traffic' }
  | { readonly kind: 'graph'; readonly namespace?: string; readonly maxEdges: number }
  | { readonly kind: 'namespace-graph'; readonly maxLinks: number; readonly maxNodes: number }
  | RecommendationJob;

/** The result type of each job kind. */
export interface AnalysisResults extends RecommendationResults {
  readonly drops: DropsResult;
  readonly diagnostics: Finding[];
  readonly traffic: Map<string, NamespaceTraffic>;
  readonly graph: Graph;
  readonly 'namespace-graph': NamespaceGraph;
}

/** What a job reads: the store's edges, in id order. */
export interface EdgeSource {
  iterateEdges(filter?: Omit<EdgeQuery, 'limit' | 'cursor'>): Iterable<EdgeRecord>;
  iterateEdgeSummaries(filter?: Omit<EdgeQuery, 'limit' | 'cursor'>): Iterable<EdgeSummary>;
}

/**
 * `snapshot`: the cluster as the daemon has it (undefined: none). `base`: inputs shared by the
 * jobs of one version and snapshot (the worker keeps one; without it nothing is shared).
 */
export function runAnalysisJob(
  job: AnalysisJob,
  source: EdgeSource,
  snapshot: ClusterSnapshot | undefined,
  base: AnalysisBase = new AnalysisBase(),
): AnalysisResults[AnalysisJob['kind']] {
  switch (job.kind) {
    case 'drops':
    case 'diagnostics': {
      const edges = base.edges(job.version, () => source.iterateEdges());
      const compiled = snapshot !== undefined ? base.compile(snapshot) : undefined;
      if (job.kind === 'drops')
        return buildDropReports(edges, {
          ...(compiled !== undefined ? compiled : {}),
          ...(job.maxImpactPaths !== undefined ? { maxImpactPaths: job.maxImpactPaths } : {}),
        });
      return runDoctor({
        edges,
        ...(compiled !== undefined ? compiled : {}),
        ...(job.namespace !== undefined ? { namespace: job.namespace } : {}),
      });
    }
    case 'traffic':
      return trafficByNamespace(source.iterateEdgeSummaries());
    case 'graph':
      return buildGraph(
        source.iterateEdgeSummaries(job.namespace !== undefined ? { namespace: job.namespace } : {}),
        job.maxEdges,
      );
    case 'namespace-graph':
      return buildNamespaceGraph(source.iterateEdgeSummaries(), job);
    default:
      return runRecommendationJob(job, source, snapshot, base);
  }
}

/** Whether the job reads the cluster snapshot (the others run without it, and it is not sent for them). */
export function readsSnapshot(job: AnalysisJob): boolean {
  return job.kind !== 'traffic' && job.kind !== 'graph' && job.kind !== 'namespace-graph';
}
