// The API's expensive computations, each cached per app (versioned-cache.ts): the store's data
// version plus the snapshot's identity are the key's version, so a page load reuses the last
// result until new flows (or a new snapshot) arrive. Routes call these; nothing here is HTTP.
import { buildDropReports, type DropsResult } from '../drops/report.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { proveRecommendation, type RecommendationProof } from '../recommend/proof.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import type { Recommendation } from '../recommend/proposal.js';
import type { AppDeps } from './deps.js';
import { trafficByNamespace, type NamespaceTraffic } from './coverage.js';
import { buildGraph, type Graph } from './graph.js';
import { renderJson, type RenderedBody } from './rendered-body.js';
import { dataVersion, snapshotVersion, VersionedCache } from './versioned-cache.js';

export interface ProvenRecommendation {
  readonly recommendation: Recommendation;
  readonly proof: RecommendationProof;
}

export const DEFAULT_MAX_EXPOSURE_EVALUATIONS = 200_000;
const DEFAULT_CACHE_MAX_STALE_MS = 2000;
/** Rendered flows pages kept (a 1000-edge page is ~0.4 MiB). */
const CURRENT_BODIES_MAX = 64;

export class ApiAnalysis {
  private readonly dataVersion: () => string;
  private readonly traffics: VersionedCache<Map<string, NamespaceTraffic>>;
  private readonly graphs: VersionedCache<Graph>;
  private readonly recommendations: VersionedCache<ProvenRecommendation>;
  private readonly dropReports: VersionedCache<DropsResult>;
  private readonly bodies: VersionedCache<RenderedBody>;
  private readonly currentBodies: VersionedCache<RenderedBody> | undefined;
  readonly now: () => number;

  constructor(private readonly deps: AppDeps) {
    this.now = deps.now ?? Date.now;
    const options = { maxStaleMs: deps.cacheMaxStaleMs ?? DEFAULT_CACHE_MAX_STALE_MS, now: this.now };
    this.dataVersion = deps.dataVersion ?? dataVersion(deps.store, { memoMs: Math.min(1000, options.maxStaleMs), now: this.now });
    this.traffics = new VersionedCache({ ...options, maxEntries: 1 });
    this.graphs = new VersionedCache({ ...options, maxEntries: 128 });
    this.recommendations = new VersionedCache({ ...options, maxEntries: 128 });
    this.dropReports = new VersionedCache({ ...options, maxEntries: 1 });
    this.bodies = new VersionedCache({ ...options, maxEntries: 256 });
    // Pages of current data (flows) are reused only while the data version is exactly the same,
    // and only with a data version that changes on every write (the publishing store's): the
    // polled fallback is memoised and could serve a page written before the newest batch.
    this.currentBodies = deps.dataVersion !== undefined ? new VersionedCache({ maxEntries: CURRENT_BODIES_MAX, now: this.now }) : undefined;
  }

  /** A rendered body of the store's current data: never stale, re-rendered after every write. */
  currentBody(key: string, render: () => unknown): RenderedBody {
    const version = this.deps.dataVersion;
    if (this.currentBodies === undefined || version === undefined) return renderJson(render());
    return this.currentBodies.get(key, version(), () => renderJson(render()));
  }

  /** A rendered JSON response body (bytes and ETag), cached like the computation it renders. */
  body(key: string, render: () => unknown): RenderedBody {
    return this.bodies.get(key, this.version(this.snapshot()), () => renderJson(render()));
  }

  snapshot(): ClusterSnapshot | undefined {
    return this.deps.clusterSnapshot?.();
  }

  private version(snapshot: ClusterSnapshot | undefined): string {
    return `${this.dataVersion()}|${snapshotVersion(snapshot)}`;
  }

  traffic(): Map<string, NamespaceTraffic> {
    return this.traffics.get('all', this.dataVersion(), () => trafficByNamespace(this.deps.store.iterateEdgeSummaries()));
  }

  graph(namespace: string | undefined, maxEdges: number): Graph {
    const filter = namespace !== undefined ? { namespace } : {};
    return this.graphs.get(`${namespace ?? '*'}|${maxEdges}`, this.dataVersion(), () => buildGraph(this.deps.store.iterateEdgeSummaries(filter), maxEdges));
  }

  /** Recommendation and its replay proof; a namespace reads only the edges touching it. */
  recommendation(namespace: string | undefined): ProvenRecommendation {
    const snapshot = this.snapshot();
    return this.recommendations.get(namespace ?? '*', this.version(snapshot), () => {
      const filter = namespace !== undefined ? { namespace } : {};
      const edges = () => this.deps.store.iterateEdges(filter);
      const recommendation = recommendPolicies(edges(), snapshot, { ...DEFAULT_RECOMMEND_OPTIONS, ...(namespace !== undefined ? { namespace } : {}) });
      const proof = proveRecommendation(recommendation, edges, snapshot, {
        maxExposureEvaluations: this.deps.maxExposureEvaluations ?? DEFAULT_MAX_EXPOSURE_EVALUATIONS,
        namespaces: recommendation.namespaces.map((ns) => ns.namespace),
      });
      return { recommendation, proof };
    });
  }

  /** Every blocked path, classified (filtering by namespace/time happens on the cached result). */
  drops(): DropsResult {
    const snapshot = this.snapshot();
    return this.dropReports.get('all', this.version(snapshot), () => buildDropReports(this.deps.store.iterateEdges(), snapshot !== undefined ? { snapshot } : {}));
  }
}

const analyses = new WeakMap<AppDeps, ApiAnalysis>();

/** One analysis (one set of caches) per app's deps. */
export function analysisOf(deps: AppDeps): ApiAnalysis {
  let analysis = analyses.get(deps);
  if (analysis === undefined) {
    analysis = new ApiAnalysis(deps);
    analyses.set(deps, analysis);
  }
  return analysis;
}
