// The API's recommendation analyses, as the routes ask for them: a recommendation's JSON view, its
// export, the cluster guardrails, the objects shadow mode stages, and every namespace's safety.
// None is computed on the main thread: each is an analysis job (analysis-recommendation-jobs.ts)
// run by the service's runner, the worker when the daemon has a database file, where the proven
// recommendation of a (version, scope) is computed once and shared by all of them. Here each
// result is kept once per version and key, and concurrent requests wait for one computation.
import type { ClusterGuardrailsJson } from '../api/cluster-guardrails.js';
import type { NamespaceSafetyJson } from '../api/recommendation-safety.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { GuardrailFlavor } from '../recommend/cluster-guardrails.js';
import type { ExportOptions } from '../recommend/export.js';
import type { RecommendedObjects } from '../staged/recommended-objects.js';
import type { StagedFlavor } from '../staged/staged-set.js';
import type { FlowStore } from '../store/types.js';
import type { RecommendationJson } from '../views/recommendation-views.js';
import type { ExportContent } from './analysis-recommendation-jobs.js';
import type { AnalysisRunner } from './analysis-runner.js';
import {
  DEFAULT_MAX_EXPOSURE_EVALUATIONS,
  DEFAULT_WHOLE_CLUSTER_EDGES_MAX,
  RECOMMENDATIONS_KEPT,
} from './analysis-options.js';
import { HttpError } from './errors.js';
import { ViewCache, type Versioned } from './view-cache.js';

/** Namespaces judged per safety job: the worker answers other jobs between two (35-50 ms each at issue 24's scale: a job of 8 is under half a second). */
export const SAFETY_NAMESPACES_PER_JOB = 8;

/** What the recommendation analyses need of the service (analysis.ts). */
export interface RecommendationHost {
  readonly runner: AnalysisRunner;
  readonly store: Pick<FlowStore, 'totals'>;
  snapshot(): ClusterSnapshot | undefined;
  version(snapshot: ClusterSnapshot | undefined): string;
  /** The namespaces with observed traffic (the traffic analysis'), by name. */
  namespaces(): Promise<string[]>;
  readonly minRefreshMs: number;
  readonly now: () => number;
  readonly maxExposureEvaluations?: number;
  readonly wholeClusterEdgesMax?: number;
}

export class RecommendationAnalyses {
  private readonly views: ViewCache<RecommendationJson>;
  private readonly exports: ViewCache<ExportContent>;
  private readonly guardrailViews: ViewCache<ClusterGuardrailsJson>;
  private readonly staged: ViewCache<RecommendedObjects>;
  private readonly safetyRuns: ViewCache<NamespaceSafetyJson[]>;

  constructor(private readonly host: RecommendationHost) {
    const spacing = { minRefreshMs: host.minRefreshMs, now: host.now };
    this.views = new ViewCache({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    // An export's text is the whole proposal (tens of MB for the whole cluster): few are kept.
    this.exports = new ViewCache({ ...spacing, maxEntries: 2 });
    this.guardrailViews = new ViewCache({ ...spacing, maxEntries: 8 });
    this.staged = new ViewCache({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    this.safetyRuns = new ViewCache({ ...spacing, maxEntries: 1 });
  }

  private get maxExposureEvaluations(): number {
    return this.host.maxExposureEvaluations ?? DEFAULT_MAX_EXPOSURE_EVALUATIONS;
  }

  /** The latest result of `job` for the current version under `key`, waiting for it (never two at once per key). */
  private fresh<T>(
    cache: ViewCache<T>,
    key: string,
    job: (version: string, snapshot: ClusterSnapshot | undefined) => Promise<T>,
  ): Promise<Versioned<T>> {
    const snapshot = this.host.snapshot();
    const version = this.host.version(snapshot);
    return cache.fresh(key, version, async () => ({ value: await job(version, snapshot), version }));
  }

  private scoped(namespace: string | undefined, version: string) {
    return {
      version,
      maxExposureEvaluations: this.maxExposureEvaluations,
      ...(namespace !== undefined ? { namespace } : {}),
    };
  }

  /**
   * Refuses a whole-cluster recommendation (no namespace) above limits.wholeClusterEdgesMax
   * stored edges: its memory grows with the edges (about 1.5 GiB at 100,000) and its body with
   * the policies (260 MB at 200 namespaces), past what the daemon may hold or a browser can use.
   */
  assertRecommendable(namespace: string | undefined): void {
    if (namespace !== undefined) return;
    const max = this.host.wholeClusterEdgesMax ?? DEFAULT_WHOLE_CLUSTER_EDGES_MAX;
    const edges = this.host.store.totals().edges;
    if (edges <= max) return;
    throw new HttpError(
      'scope_too_large',
      `the whole-cluster recommendation covers ${edges} observed edges, above limits.wholeClusterEdgesMax (${max}): ask for one namespace (?namespace=), or run \`netpol-advisor recommend --out DIR\` from the command line for the whole cluster`,
    );
  }

  /** The JSON view of a recommendation (recommendation-views.ts), once per data version and flavor. */
  view(namespace: string | undefined, options: ExportOptions): Promise<Versioned<RecommendationJson>> {
    return this.fresh(this.views, `${namespace ?? '*'}|${options.flavor}`, (version, snapshot) =>
      this.host.runner.run({ kind: 'recommendation', options, ...this.scoped(namespace, version) }, snapshot),
    );
  }

  /** The export's content (YAML, JSON, or the kustomize folder's files). */
  exportContent(
    namespace: string | undefined,
    options: ExportOptions,
    format: ExportContent['format'],
  ): Promise<Versioned<ExportContent>> {
    return this.fresh(this.exports, `${namespace ?? '*'}|${options.flavor}|${format}`, (version, snapshot) =>
      this.host.runner.run(
        { kind: 'recommendation-export', options, format, ...this.scoped(namespace, version) },
        snapshot,
      ),
    );
  }

  /** The cluster guardrails proposed from the traffic, proven with the namespace proposal (views/cluster-guardrails.ts). */
  guardrails(
    namespace: string | undefined,
    flavor: GuardrailFlavor,
  ): Promise<Versioned<ClusterGuardrailsJson>> {
    return this.fresh(this.guardrailViews, `${namespace ?? '*'}|${flavor}`, (version, snapshot) =>
      this.host.runner.run(
        { kind: 'cluster-guardrails', flavor, ...this.scoped(namespace, version) },
        snapshot,
      ),
    );
  }

  /** The namespace's recommended objects in `flavor`, checked as staging checks given policies. */
  async recommendedObjects(namespace: string, flavor: StagedFlavor): Promise<RecommendedObjects> {
    const { value } = await this.fresh(this.staged, `${namespace}|${flavor}`, (version, snapshot) =>
      this.host.runner.run(
        { kind: 'recommended-objects', flavor, ...this.scoped(namespace, version), namespace },
        snapshot,
      ),
    );
    return value;
  }

  /**
   * Every namespace's safety, judged on its own proposal, once per data version: in jobs of
   * SAFETY_NAMESPACES_PER_JOB namespaces one after another, so the worker answers the jobs of
   * other requests in between (all 200 namespaces of issue 24's cluster take seconds).
   */
  safety(): Promise<Versioned<NamespaceSafetyJson[]>> {
    return this.fresh(this.safetyRuns, 'all', async (version, snapshot) => {
      const names = await this.host.namespaces();
      const out: NamespaceSafetyJson[] = [];
      for (let i = 0; i < names.length; i += SAFETY_NAMESPACES_PER_JOB) {
        const namespaces = names.slice(i, i + SAFETY_NAMESPACES_PER_JOB);
        out.push(...(await this.host.runner.run({ kind: 'safety', namespaces, version }, snapshot)));
      }
      return out;
    });
  }
}
