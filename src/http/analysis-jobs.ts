// The API's heavy whole-store analyses as jobs with plain-data inputs and results, so the same
// code runs on the main thread (no database file to open) or in the analysis worker
// (analysis-worker.ts, over its own read-only connection): the drops classification over every
// edge, the doctor's diagnostics, the per-namespace traffic figures, the whole-cluster service map
// and its namespace-to-namespace summary, and a namespace's recommendation with its replay proof
// (its JSON view crosses back: seconds of work at cluster scale, off the event loop).
import { AnalysisBase } from './analysis-base.js';
import { runDoctor } from '../doctor/doctor.js';
import type { Finding } from '../doctor/types.js';
import { buildDropReports, type DropsResult } from '../drops/report.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { ExportOptions } from '../recommend/export.js';
import { proveRecommendation } from '../recommend/proof.js';
import {
  DEFAULT_RECOMMEND_OPTIONS,
  recommendPolicies,
  type RecommendPrepared,
} from '../recommend/recommend.js';
import type { EdgeQuery, EdgeRecord, EdgeSummary } from '../store/types.js';
import { trafficByNamespace, type NamespaceTraffic } from '../views/coverage.js';
import { buildGraph, type Graph } from '../views/graph.js';
import { buildNamespaceGraph, type NamespaceGraph } from '../views/namespace-graph.js';
import {
  recommendationJson,
  type ProvenRecommendation,
  type RecommendationJson,
} from '../views/recommendation-views.js';

export type AnalysisJob =
  | {
      readonly kind: 'drops';
      readonly snapshot?: ClusterSnapshot;
      readonly maxImpactPaths?: number;
      /** The data and snapshot version: jobs of the same version share their inputs (analysis-base.ts). */
      readonly version?: string;
    }
  | {
      readonly kind: 'diagnostics';
      readonly snapshot?: ClusterSnapshot;
      readonly namespace?: string;
      readonly version?: string;
    }
  | { readonly kind: 'traffic' }
  | { readonly kind: 'graph'; readonly namespace?: string; readonly maxEdges: number }
  | { readonly kind: 'namespace-graph'; readonly maxLinks: number; readonly maxNodes: number }
  | {
      readonly kind: 'recommendation';
      /** One namespace's proposal; absent: the whole cluster's (the route bounds it by edges). */
      readonly namespace?: string;
      readonly snapshot?: ClusterSnapshot;
      readonly options: ExportOptions;
      readonly maxExposureEvaluations: number;
      /** As for the drops: the snapshot's pod index is shared with the other jobs of the version. */
      readonly version?: string;
    };

/** The result type of each job kind. */
export interface AnalysisResults {
  readonly drops: DropsResult;
  readonly diagnostics: Finding[];
  readonly traffic: Map<string, NamespaceTraffic>;
  readonly graph: Graph;
  readonly 'namespace-graph': NamespaceGraph;
  readonly recommendation: RecommendationJson;
}

/** What a job reads: the store's edges, in id order. */
export interface EdgeSource {
  iterateEdges(filter?: Omit<EdgeQuery, 'limit' | 'cursor'>): Iterable<EdgeRecord>;
  iterateEdgeSummaries(filter?: Omit<EdgeQuery, 'limit' | 'cursor'>): Iterable<EdgeSummary>;
}

/** `base`: inputs shared by the jobs of one version (the worker keeps one; without it nothing is shared). */
export function runAnalysisJob(
  job: AnalysisJob,
  source: EdgeSource,
  base: AnalysisBase = new AnalysisBase(),
): AnalysisResults[AnalysisJob['kind']] {
  switch (job.kind) {
    case 'drops':
    case 'diagnostics': {
      const edges = base.edges(job.version, () => source.iterateEdges());
      const compiled = job.snapshot !== undefined ? base.compile(job.version, job.snapshot) : undefined;
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
    case 'recommendation': {
      const prepared =
        job.snapshot !== undefined
          ? { snapshotPods: base.compile(job.version, job.snapshot).compiled.workloads }
          : {};
      const proven = proveNamespace(
        source,
        job.snapshot,
        job.namespace,
        job.maxExposureEvaluations,
        prepared,
      );
      return recommendationJson(proven, job.snapshot?.policies ?? [], job.namespace, job.options);
    }
  }
}

/** The recommendation for a namespace (or the whole cluster) and its replay proof; a namespace reads only the edges touching it. */
export function proveNamespace(
  source: EdgeSource,
  snapshot: ClusterSnapshot | undefined,
  namespace: string | undefined,
  maxExposureEvaluations: number,
  prepared: RecommendPrepared = {},
): ProvenRecommendation {
  const edges = () => source.iterateEdges(namespace !== undefined ? { namespace } : {});
  const recommendation = recommendPolicies(
    edges(),
    snapshot,
    { ...DEFAULT_RECOMMEND_OPTIONS, ...(namespace !== undefined ? { namespace } : {}) },
    prepared,
  );
  const proof = proveRecommendation(recommendation, edges, snapshot, {
    maxExposureEvaluations,
    namespaces: recommendation.namespaces.map((ns) => ns.namespace),
  });
  return { recommendation, proof };
}
