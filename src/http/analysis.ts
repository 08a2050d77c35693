// The API's expensive computations and the rendered bodies built from them, cached per app.
// The version of every view is the store's data version plus the snapshot's identity. Rendered
// bodies are served stale-while-revalidate (revalidating-cache.ts): after new data, a view that
// was computed before answers at once with its previous body (X-Data-Stale) while one
// recomputation runs in the background. The heavy whole-store analyses (drops classification,
// namespace traffic, the whole-cluster map, the doctor's diagnostics) run in the analysis worker when the app knows the
// database file (deps.dbFile), otherwise on the main thread in a later macrotask; the
// recommendations and per-namespace maps run on the main thread, deferred the same way.
// Routes call these; nothing here is HTTP.
import type { Finding } from '../doctor/types.js';
import type { DropsResult } from '../drops/report.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { proveRecommendation } from '../recommend/proof.js';
import type { ExportOptions } from '../recommend/export.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import { InlineRunner, WorkerRunner, type AnalysisRunner } from './analysis-runner.js';
import type { AppDeps } from './deps.js';
import { corruptDatabase, HttpError } from './errors.js';
import { DatabaseCorruptError } from '../store/store-errors.js';
import type { NamespaceTraffic } from '../views/coverage.js';
import type { Graph } from '../views/graph.js';
import {
  recommendationJson,
  type ProvenRecommendation,
  type RecommendationJson,
} from '../views/recommendation-views.js';
import { renderJson, type RenderedBody } from './rendered-body.js';
import { RevalidatingCache, SingleFlight, type Revalidated, type Versioned } from './revalidating-cache.js';
import { dataVersion, snapshotVersion, VersionedCache } from './versioned-cache.js';

export const DEFAULT_MAX_EXPOSURE_EVALUATIONS = 200_000;
/** Above this many stored edges the whole-cluster recommendation is refused (limits.wholeClusterEdgesMax). */
export const DEFAULT_WHOLE_CLUSTER_EDGES_MAX = 10_000;
/**
 * Blocked paths whose fix gets its reachability impact in the API's drops (the newest first):
 * each compiles the engine with the fix added, 0.1-0.5 s at 15,000 pods (drops-report.ts).
 */
export const MAX_IMPACT_PATHS = 20;
/** Proven recommendations and their JSON views kept: each can hold megabytes at cluster scale. */
const RECOMMENDATIONS_KEPT = 16;
const DEFAULT_CACHE_MAX_STALE_MS = 2000;
/** A small store's recomputation finishes within this: its views never look stale. */
const DEFAULT_STALE_GRACE_MS = 250;
/** Rendered flows pages kept (a 1000-edge page is ~0.4 MiB). */
const CURRENT_BODIES_MAX = 64;
/** The rendered-body caches' byte budget (limits.bodyCacheBytes): 3/4 computed views, 1/4 pages of current data. */
export const DEFAULT_BODY_CACHE_BYTES = 64 * 1024 * 1024;
/** What a cached body holds beyond its bytes (key, ETag, entry objects), roughly. */
const BODY_OVERHEAD_BYTES = 512;
const bodySize = (body: RenderedBody): number => body.bytes.length + BODY_OVERHEAD_BYTES;

/** Runs `fn` in a later macrotask: a response already decided is written first. */
function later<T>(fn: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export class ApiAnalysis {
  private readonly dataVersion: () => string;
  private readonly recommendations: VersionedCache<ProvenRecommendation>;
  private readonly recommendationRuns: SingleFlight<ProvenRecommendation>;
  private readonly recommendationViews: SingleFlight<RecommendationJson>;
  private readonly trafficRuns: SingleFlight<Map<string, NamespaceTraffic>>;
  private readonly graphRuns: SingleFlight<Graph>;
  private readonly dropsRuns: SingleFlight<DropsResult>;
  private readonly diagnosticsRuns: SingleFlight<Finding[]>;
  private readonly bodies: RevalidatingCache<RenderedBody>;
  private readonly currentBodies: VersionedCache<RenderedBody> | undefined;
  /** Whole-store analyses: the worker with a database file, else the main thread. */
  readonly runner: AnalysisRunner;
  private readonly inline: InlineRunner;
  /** A runner the daemon passed in is the daemon's to close. */
  private readonly ownsRunner: boolean;
  readonly now: () => number;

  constructor(private readonly deps: AppDeps) {
    this.now = deps.now ?? Date.now;
    const maxStaleMs = deps.cacheMaxStaleMs ?? DEFAULT_CACHE_MAX_STALE_MS;
    const spacing = { minRefreshMs: maxStaleMs, now: this.now };
    this.dataVersion =
      deps.dataVersion ?? dataVersion(deps.store, { memoMs: Math.min(1000, maxStaleMs), now: this.now });
    this.recommendations = new VersionedCache({
      maxStaleMs,
      now: this.now,
      maxEntries: RECOMMENDATIONS_KEPT,
    });
    this.recommendationRuns = new SingleFlight({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    this.recommendationViews = new SingleFlight({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    this.trafficRuns = new SingleFlight({ ...spacing, maxEntries: 1 });
    this.graphRuns = new SingleFlight({ ...spacing, maxEntries: 128 });
    this.dropsRuns = new SingleFlight({ ...spacing, maxEntries: 1 });
    this.diagnosticsRuns = new SingleFlight({ ...spacing, maxEntries: 16 });
    const cacheBytes = deps.bodyCacheBytes ?? DEFAULT_BODY_CACHE_BYTES;
    const currentBytes = Math.floor(cacheBytes / 4);
    this.bodies = new RevalidatingCache<RenderedBody>({
      ...spacing,
      maxEntries: 256,
      maxBytes: cacheBytes - currentBytes,
      sizeOf: bodySize,
      staleGraceMs: deps.staleGraceMs ?? DEFAULT_STALE_GRACE_MS,
      onError: (key, error) =>
        deps.logger?.error(
          { err: error, view: key.split('|')[0] },
          'recomputing a view failed; serving the previous one',
        ),
    });
    // Pages of current data (flows) are reused only while the data version is exactly the same,
    // and only with a data version that changes on every write (the publishing store's): the
    // polled fallback is memoised and could serve a page written before the newest batch.
    this.currentBodies =
      deps.dataVersion !== undefined
        ? new VersionedCache<RenderedBody>({
            maxEntries: CURRENT_BODIES_MAX,
            maxBytes: currentBytes,
            sizeOf: bodySize,
            now: this.now,
          })
        : undefined;
    this.inline = new InlineRunner(deps.store);
    this.ownsRunner = deps.analysisRunner === undefined;
    this.runner =
      deps.analysisRunner ??
      (deps.dbFile !== undefined && deps.dbFile !== ':memory:' && deps.dbFile !== ''
        ? new WorkerRunner(deps.dbFile, deps.logger !== undefined ? { logger: deps.logger } : {})
        : this.inline);
  }

  /** A rendered body of the store's current data: never stale, re-rendered after every write. */
  currentBody(key: string, render: () => unknown): RenderedBody {
    const version = this.deps.dataVersion;
    if (this.currentBodies === undefined || version === undefined) return renderJson(render());
    return this.currentBodies.get(key, version(), () => renderJson(render()));
  }

  /**
   * A rendered JSON body (bytes and ETag), stale-while-revalidate: `render` resolves to the value
   * and the version of the data it was built from. `bucket` is a further part of the version
   * (a time window such as "the last hour" moving on) that is not data.
   */
  body(
    key: string,
    render: () => Promise<Versioned<unknown>>,
    bucket = '',
  ): Promise<Revalidated<RenderedBody>> {
    return this.bodies
      .get(key, `${this.version(this.snapshot())}#${bucket}`, async () => {
        const rendered = await render();
        return { value: renderJson(rendered.value), version: `${rendered.version}#${bucket}` };
      })
      .catch((error: unknown) => {
        // Only a view with no previous body gets here (a stale one is served instead).
        if (error instanceof HttpError) throw error;
        // A damaged database (found at start, by a read here, or by the worker's own read) is the
        // cause whatever the view's runner says: answer with its code, as every other route does.
        if (error instanceof DatabaseCorruptError || this.deps.readiness().store === 'damaged')
          throw corruptDatabase();
        const view = key.split('|')[0] ?? key;
        this.deps.logger?.error(
          { err: error, view },
          'computing a view failed and there is no previous one to serve',
        );
        throw new HttpError(
          'not_ready',
          `${view}: not available yet: computing it failed (details in the server log); retry later`,
          { cause: error },
        );
      });
  }

  /** Bytes held by the rendered-body caches (bounded by bodyCacheBytes). */
  cachedBodyBytes(): number {
    return this.bodies.bytes + (this.currentBodies?.bytes ?? 0);
  }

  /** Every body recomputation running now, settled (tests, the bench). */
  settled(): Promise<void> {
    return this.bodies.settled();
  }

  snapshot(): ClusterSnapshot | undefined {
    return this.deps.clusterSnapshot?.();
  }

  /** The data version a view of the current store and snapshot has. */
  version(snapshot: ClusterSnapshot | undefined): string {
    return `${this.dataVersion()}|${snapshotVersion(snapshot)}`;
  }

  traffic(): Promise<Versioned<Map<string, NamespaceTraffic>>> {
    return this.trafficRuns.get('all', this.version(this.snapshot()), () =>
      this.runner.run({ kind: 'traffic' }),
    );
  }

  /** The service map; the whole cluster's runs like the other whole-store analyses, a namespace's on the main thread. */
  graph(namespace: string | undefined, maxEdges: number): Promise<Versioned<Graph>> {
    const runner = namespace === undefined ? this.runner : this.inline;
    return this.graphRuns.get(`${namespace ?? '*'}|${maxEdges}`, this.version(this.snapshot()), () =>
      runner.run({ kind: 'graph', maxEdges, ...(namespace !== undefined ? { namespace } : {}) }),
    );
  }

  /** Recommendation and its replay proof; a namespace reads only the edges touching it (synchronous: the export). */
  recommendation(namespace: string | undefined): ProvenRecommendation {
    const snapshot = this.snapshot();
    return this.recommendations.get(namespace ?? '*', this.version(snapshot), () => {
      const filter = namespace !== undefined ? { namespace } : {};
      const edges = () => this.deps.store.iterateEdges(filter);
      const recommendation = recommendPolicies(edges(), snapshot, {
        ...DEFAULT_RECOMMEND_OPTIONS,
        ...(namespace !== undefined ? { namespace } : {}),
      });
      const proof = proveRecommendation(recommendation, edges, snapshot, {
        maxExposureEvaluations: this.deps.maxExposureEvaluations ?? DEFAULT_MAX_EXPOSURE_EVALUATIONS,
        namespaces: recommendation.namespaces.map((ns) => ns.namespace),
      });
      return { recommendation, proof };
    });
  }

  /** The same, computed in a later macrotask (one at a time per namespace). */
  recommendationLater(namespace: string | undefined): Promise<Versioned<ProvenRecommendation>> {
    const version = this.version(this.snapshot());
    return this.recommendationRuns.get(namespace ?? '*', version, () =>
      later(() => this.recommendation(namespace)),
    );
  }

  /**
   * Refuses a whole-cluster recommendation (no namespace) above limits.wholeClusterEdgesMax
   * stored edges: its memory grows with the edges (about 1.5 GiB at 100,000) and its body with
   * the policies (260 MB at 200 namespaces), past what the daemon may hold or a browser can use.
   */
  assertRecommendable(namespace: string | undefined): void {
    if (namespace !== undefined) return;
    const max = this.deps.wholeClusterEdgesMax ?? DEFAULT_WHOLE_CLUSTER_EDGES_MAX;
    const edges = this.deps.store.totals().edges;
    if (edges <= max) return;
    throw new HttpError(
      'scope_too_large',
      `the whole-cluster recommendation covers ${edges} observed edges, above limits.wholeClusterEdgesMax (${max}): ask for one namespace (?namespace=), or run \`netpol-advisor recommend --out DIR\` from the command line for the whole cluster`,
    );
  }

  /** The JSON view of a recommendation (recommendation-views.ts), computed once per data version and flavor. */
  recommendationView(
    namespace: string | undefined,
    options: ExportOptions,
  ): Promise<Versioned<RecommendationJson>> {
    const version = this.version(this.snapshot());
    return this.recommendationViews.get(`${namespace ?? '*'}|${options.flavor}`, version, async () => {
      const { value } = await this.recommendationLater(namespace);
      return recommendationJson(value, this.snapshot()?.policies ?? [], namespace, options);
    });
  }

  /** Every blocked path, classified (filtering by namespace/time happens on the result). */
  drops(): Promise<Versioned<DropsResult>> {
    const snapshot = this.snapshot();
    return this.dropsRuns.get('all', this.version(snapshot), () =>
      this.runner.run({
        kind: 'drops',
        maxImpactPaths: MAX_IMPACT_PATHS,
        ...(snapshot !== undefined ? { snapshot } : {}),
      }),
    );
  }

  /** The doctor's findings for a namespace (or all), like the drops: in the worker, once per data version. */
  diagnostics(namespace: string | undefined): Promise<Versioned<Finding[]>> {
    const snapshot = this.snapshot();
    return this.diagnosticsRuns.get(namespace ?? '*', this.version(snapshot), () =>
      this.runner.run({
        kind: 'diagnostics',
        ...(snapshot !== undefined ? { snapshot } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
      }),
    );
  }

  close(): Promise<void> {
    return this.ownsRunner ? this.runner.close() : Promise.resolve();
  }
}

const analyses = new WeakMap<AppDeps, ApiAnalysis>();

/** One analysis (one set of caches, one worker) per app's deps. */
export function analysisOf(deps: AppDeps): ApiAnalysis {
  let analysis = analyses.get(deps);
  if (analysis === undefined) {
    analysis = new ApiAnalysis(deps);
    analyses.set(deps, analysis);
  }
  return analysis;
}

/** Stops the app's analysis worker, if one was started (the daemon's stop, tests, the bench). */
export async function closeAnalysis(deps: AppDeps): Promise<void> {
  await analyses.get(deps)?.close();
}
