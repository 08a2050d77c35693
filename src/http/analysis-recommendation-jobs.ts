// The analysis jobs over a proven recommendation: the recommendation routes' JSON view, the
// export's files, the cluster guardrails, the objects shadow mode stages, and every namespace's
// safety (whether its proposal would deny an observed path). The proven recommendation of a
// (version, scope) is computed once and shared by all of them (analysis-base.ts); the safety of
// many namespaces needs only each one's proposal (its unsafe paths), not its replay proof.
import type { AnalysisBase } from './analysis-base.js';
import type { ClusterGuardrailsJson } from '../api/cluster-guardrails.js';
import type { NamespaceSafetyJson } from '../api/recommendation-safety.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { GuardrailFlavor } from '../recommend/cluster-guardrails.js';
import { exportFiles, exportJson, yamlStream, type ExportOptions } from '../recommend/export.js';
import { proveRecommendation } from '../recommend/proof.js';
import {
  DEFAULT_RECOMMEND_OPTIONS,
  recommendPolicies,
  type RecommendPrepared,
} from '../recommend/recommend.js';
import { recommendedObjects, type RecommendedObjects } from '../staged/recommended-objects.js';
import type { StagedFlavor } from '../staged/staged-set.js';
import type { EdgeQuery, EdgeRecord } from '../store/types.js';
import { clusterGuardrailsView } from '../views/cluster-guardrails.js';
import {
  recommendationJson,
  type ProvenRecommendation,
  type RecommendationJson,
} from '../views/recommendation-views.js';

/** What a recommendation job reads: the edges (a namespace's: those touching it), in id order. */
export interface RecommendationEdges {
  iterateEdges(filter?: Omit<EdgeQuery, 'limit' | 'cursor'>): Iterable<EdgeRecord>;
}

/** A recommendation job's scope: one namespace's proposal; none, the whole cluster's (the routes bound it by edges). */
interface Scoped {
  readonly namespace?: string;
  readonly maxExposureEvaluations: number;
  /** The data and snapshot version: the jobs of a version share its proven recommendations. */
  readonly version?: string;
}

export type RecommendationJob =
  | (Scoped & { readonly kind: 'recommendation'; readonly options: ExportOptions })
  | (Scoped & {
      readonly kind: 'recommendation-export';
      readonly options: ExportOptions;
      readonly format: 'yaml' | 'json' | 'tar';
    })
  | (Scoped & { readonly kind: 'cluster-guardrails'; readonly flavor: GuardrailFlavor })
  | (Scoped & {
      readonly kind: 'recommended-objects';
      readonly namespace: string;
      readonly flavor: StagedFlavor;
    })
  | {
      readonly kind: 'safety';
      /** The namespaces to judge, each on its own proposal (as `recommend --namespace`). */
      readonly namespaces: readonly string[];
      readonly version?: string;
    };

/** The export's content: the YAML or JSON text, or the kustomize folder's files (the route packs the tar). */
export type ExportContent =
  | { readonly format: 'yaml' | 'json'; readonly text: string }
  | { readonly format: 'tar'; readonly files: readonly (readonly [string, string])[] };

export interface RecommendationResults {
  readonly recommendation: RecommendationJson;
  readonly 'recommendation-export': ExportContent;
  readonly 'cluster-guardrails': ClusterGuardrailsJson;
  readonly 'recommended-objects': RecommendedObjects;
  readonly safety: NamespaceSafetyJson[];
}

/** Unsafe paths listed per namespace in the safety job's answer (the rest are counted). */
export const SAFETY_PATHS_LISTED = 3;

export function runRecommendationJob(
  job: RecommendationJob,
  source: RecommendationEdges,
  snapshot: ClusterSnapshot | undefined,
  base: AnalysisBase,
): RecommendationResults[RecommendationJob['kind']] {
  const prepared = snapshot !== undefined ? { snapshotPods: base.compile(snapshot).compiled.workloads } : {};
  if (job.kind === 'safety')
    return job.namespaces.map((ns) => safetyOf(ns, source, snapshot, prepared, job, base));
  const proven = base.provenRecommendation(job.version, job.namespace ?? '*', () =>
    proveNamespace(source, snapshot, job.namespace, job.maxExposureEvaluations, prepared),
  );
  const { recommendation, proof } = proven;
  switch (job.kind) {
    case 'recommendation':
      return recommendationJson(proven, snapshot?.policies ?? [], job.namespace, job.options);
    case 'recommendation-export':
      if (job.format === 'json')
        return {
          format: 'json',
          text: JSON.stringify(exportJson(recommendation, job.options, proof), null, 2),
        };
      if (job.format === 'tar')
        return { format: 'tar', files: [...exportFiles(recommendation, job.options, proof)] };
      return { format: 'yaml', text: yamlStream(recommendation, job.options) };
    case 'cluster-guardrails': {
      const filter = job.namespace !== undefined ? { namespace: job.namespace } : {};
      return clusterGuardrailsView(
        job.flavor,
        () => source.iterateEdges(filter),
        snapshot,
        proven,
        job.namespace,
      );
    }
    case 'recommended-objects':
      return recommendedObjects(recommendation, job.namespace, job.flavor);
  }
}

/** One namespace's safety: from its proven recommendation when the version has it, else from its proposal alone. */
function safetyOf(
  namespace: string,
  source: RecommendationEdges,
  snapshot: ClusterSnapshot | undefined,
  prepared: RecommendPrepared,
  job: { readonly version?: string },
  base: AnalysisBase,
): NamespaceSafetyJson {
  const recommendation =
    base.keptRecommendation(job.version, namespace)?.recommendation ??
    recommendPolicies(
      source.iterateEdges({ namespace }),
      snapshot,
      { ...DEFAULT_RECOMMEND_OPTIONS, namespace },
      prepared,
    );
  // As the namespace's own summary: a namespace the recommender proposes nothing for has no entry.
  const proposed = recommendation.namespaces.find((ns) => ns.namespace === namespace);
  const unsafe = proposed?.unsafe ?? [];
  return {
    namespace,
    proposed: proposed !== undefined,
    safe: unsafe.length === 0,
    unsafeCount: unsafe.length,
    unsafe: unsafe.slice(0, SAFETY_PATHS_LISTED),
  };
}

/** The recommendation for a namespace (or the whole cluster) and its replay proof; a namespace reads only the edges touching it. */
export function proveNamespace(
  source: RecommendationEdges,
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
