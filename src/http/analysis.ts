// The API's analysis service: the expensive computations and the rendered bodies built from
// them, with their caches and the analysis worker that runs the heavy ones. The daemon builds one
// (src/daemon.ts), hands it to the app through its deps and closes it on shutdown; tests and the
// bench do the same. The version of every view is the store's data version plus the snapshot's
// identity. Rendered bodies are served stale-while-revalidate (view-cache.ts): after new data, a
// view computed before answers at once with its previous body (X-Data-Stale) while one
// recomputation runs in the background. The heavy whole-store analyses (drops classification,
// namespace traffic, the whole-cluster map, the doctor's diagnostics) and everything built on a
// proven recommendation (analysis-recommendations.ts: its views, exports, the cluster guardrails,
// staging, every namespace's safety) run in the analysis worker when the service is given the
// database file (dbFile), otherwise on the main thread in a later macrotask; only a namespace's
// service map is computed on the main thread. Routes call these; nothing here is HTTP.
import type { Finding } from '../doctor/types.js';
import type { DropsResult } from '../drops/report.js';
import type { ClusterSnapshot } from '../policy/model.js';
import {
  DEFAULT_ANALYSIS_HEAP_MB,
  DEFAULT_CACHE_MAX_STALE_MS,
  MAX_IMPACT_PATHS,
  type AnalysisOptions,
} from './analysis-options.js';
import { RenderedBodies } from './analysis-bodies.js';
import { prewarmViews, refreshViews } from './analysis-prewarm.js';
import { analysisFailure } from './analysis-errors.js';
import type { HttpError } from './errors.js';
import { RecommendationAnalyses } from './analysis-recommendations.js';
import { InlineRunner, type AnalysisRunner } from './analysis-runner.js';
import { WorkerRunner } from './analysis-worker-runner.js';
import { ALL_NAMESPACES, type NamespaceTraffic } from '../views/coverage.js';
import type { Graph } from '../views/graph.js';
import type { NamespaceGraph, NamespaceGraphLimits } from '../views/namespace-graph.js';
import { RefreshList } from './refresh-list.js';
import { renderJson, type RenderedBody } from './rendered-body.js';
import { ViewCache, type Revalidated, type Versioned } from './view-cache.js';
import { dataVersion, snapshotVersion } from './data-version.js';

/** The bodies of the routes over whole-store analyses (namespaces, cluster maps, drops, diagnostics): refreshed after new data. */
const REFRESHED_BODIES = ['namespaces|', 'graph-ns|', 'graph|*|', 'drops|', 'diagnostics|'];

export class ApiAnalysis {
  private readonly dataVersion: () => string;
  private readonly trafficRuns: ViewCache<Map<string, NamespaceTraffic>>;
  private readonly graphRuns: ViewCache<Graph>;
  private readonly namespaceGraphRuns: ViewCache<NamespaceGraph>;
  private readonly dropsRuns: ViewCache<DropsResult>;
  private readonly diagnosticsRuns: ViewCache<Finding[]>;
  private readonly bodies: RenderedBodies;
  /** Whole-store analyses: the worker with a database file, else the main thread. */
  readonly runner: AnalysisRunner;
  /** The analysis worker thread's runner, with a database file (its status: /readyz, the metrics). */
  readonly worker: WorkerRunner | undefined;
  private readonly inline: InlineRunner;
  /** The recommendation analyses (views, exports, guardrails, staging, safety), by the same runner. */
  readonly recommendations: RecommendationAnalyses;
  /** What refresh() recomputes: the prewarmed analyses and the analysis routes' bodies requested lately. */
  readonly refreshList = new RefreshList();
  readonly now: () => number;

  constructor(private readonly options: AnalysisOptions) {
    const deps = options;
    this.now = deps.now ?? Date.now;
    const maxStaleMs = deps.cacheMaxStaleMs ?? DEFAULT_CACHE_MAX_STALE_MS;
    const spacing = { minRefreshMs: maxStaleMs, now: this.now };
    this.dataVersion =
      deps.dataVersion ?? dataVersion(deps.store, { memoMs: Math.min(1000, maxStaleMs), now: this.now });
    this.trafficRuns = new ViewCache({ ...spacing, maxEntries: 1 });
    this.graphRuns = new ViewCache({ ...spacing, maxEntries: 128 });
    this.namespaceGraphRuns = new ViewCache({ ...spacing, maxEntries: 4 });
    this.dropsRuns = new ViewCache({ ...spacing, maxEntries: 1 });
    this.diagnosticsRuns = new ViewCache({ ...spacing, maxEntries: 16 });
    this.bodies = new RenderedBodies(deps, spacing);
    this.inline = new InlineRunner(deps.store);
    this.worker =
      deps.dbFile !== undefined && deps.dbFile !== ':memory:' && deps.dbFile !== ''
        ? new WorkerRunner(deps.dbFile, {
            heapMb: deps.workerHeapMb ?? DEFAULT_ANALYSIS_HEAP_MB,
            ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
            ...(deps.startWorker !== undefined ? { startWorker: deps.startWorker } : {}),
          })
        : undefined;
    this.runner = this.worker ?? this.inline;
    this.recommendations = new RecommendationAnalyses({
      runner: this.runner,
      store: deps.store,
      snapshot: () => this.snapshot(),
      version: (snapshot) => this.version(snapshot),
      // Namespaces without observed traffic have nothing proposed: only those with traffic are judged.
      namespaces: async () =>
        [...(await this.traffic()).value.keys()].filter((ns) => ns !== ALL_NAMESPACES).sort(),
      minRefreshMs: maxStaleMs,
      now: this.now,
      ...(deps.maxExposureEvaluations !== undefined
        ? { maxExposureEvaluations: deps.maxExposureEvaluations }
        : {}),
      ...(deps.wholeClusterEdgesMax !== undefined ? { wholeClusterEdgesMax: deps.wholeClusterEdgesMax } : {}),
    });
  }

  /** A rendered body of the store's current data: never stale, re-rendered after every write. */
  currentBody(key: string, render: () => unknown): RenderedBody {
    return this.bodies.currentBody(key, render);
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
    const compute = async (): Promise<Versioned<RenderedBody>> => {
      const rendered = await render();
      return { value: renderJson(rendered.value), version: `${rendered.version}#${bucket}` };
    };
    // The whole-store views' bodies are kept current by the background refresher (refresh()).
    if (REFRESHED_BODIES.some((prefix) => key.startsWith(prefix)))
      this.refreshList.track(
        `body|${key}`,
        'body',
        () => this.bodies.views.refresh(key, `${this.version(this.snapshot())}#${bucket}`, compute),
        this.now(),
      );
    return this.bodies.views
      .get(key, `${this.version(this.snapshot())}#${bucket}`, compute)
      .catch((error: unknown) => {
        // Only a view with no previous body gets here (a stale one is served instead).
        throw analysisFailure(error, key.split('|')[0] ?? key, this.options);
      });
  }

  /** The error a request whose computation of `view` failed answers with (analysis-errors.ts). */
  failure(error: unknown, view: string): HttpError {
    return analysisFailure(error, view, this.options);
  }

  /** Bytes held by the rendered-body caches (bounded by bodyCacheBytes). */
  cachedBodyBytes(): number {
    return this.bodies.bytes;
  }

  /** Every body recomputation running now, settled (tests, the bench). */
  settled(): Promise<void> {
    return this.bodies.views.settled();
  }

  snapshot(): ClusterSnapshot | undefined {
    return this.options.clusterSnapshot?.();
  }

  /** The data version a view of the current store and snapshot has. */
  version(snapshot: ClusterSnapshot | undefined): string {
    return `${this.dataVersion()}|${snapshotVersion(snapshot)}`;
  }

  traffic(): Promise<Versioned<Map<string, NamespaceTraffic>>> {
    return fresh(this.trafficRuns, 'all', this.version(this.snapshot()), () =>
      this.runner.run({ kind: 'traffic' }),
    );
  }

  /** The service map; the whole cluster's runs like the other whole-store analyses, a namespace's on the main thread. */
  graph(namespace: string | undefined, maxEdges: number): Promise<Versioned<Graph>> {
    const runner = namespace === undefined ? this.runner : this.inline;
    return fresh(this.graphRuns, `${namespace ?? '*'}|${maxEdges}`, this.version(this.snapshot()), () =>
      runner.run({ kind: 'graph', maxEdges, ...(namespace !== undefined ? { namespace } : {}) }),
    );
  }

  /** The whole-cluster summary map (namespaces as nodes): a whole-store analysis, in the worker when there is one. */
  namespaceGraph(limits: NamespaceGraphLimits): Promise<Versioned<NamespaceGraph>> {
    return fresh(
      this.namespaceGraphRuns,
      `${limits.maxLinks}|${limits.maxNodes}`,
      this.version(this.snapshot()),
      () => this.runner.run({ kind: 'namespace-graph', ...limits }),
    );
  }

  /** Every blocked path, classified (filtering by namespace/time happens on the result). */
  drops(): Promise<Versioned<DropsResult>> {
    const snapshot = this.snapshot();
    const version = this.version(snapshot);
    return fresh(this.dropsRuns, 'all', version, () =>
      this.runner.run({ kind: 'drops', maxImpactPaths: MAX_IMPACT_PATHS, version }, snapshot),
    );
  }

  /** The doctor's findings for a namespace (or all), like the drops: in the worker, once per data version. */
  diagnostics(namespace: string | undefined): Promise<Versioned<Finding[]>> {
    const snapshot = this.snapshot();
    const version = this.version(snapshot);
    return fresh(this.diagnosticsRuns, namespace ?? '*', version, () =>
      this.runner.run(
        { kind: 'diagnostics', version, ...(namespace !== undefined ? { namespace } : {}) },
        snapshot,
      ),
    );
  }

  /** Computes the whole-store views ahead of their first request (analysis-prewarm.ts). */
  prewarm(): Promise<void> {
    return prewarmViews(this, this.options);
  }

  /** Recomputes the views of refreshList for the current data (analysis-prewarm.ts). */
  refresh(): Promise<void> {
    return refreshViews(this, this.options);
  }

  /** The version views computed now would have (the refresher watches it). */
  currentVersion(): string {
    return this.version(this.snapshot());
  }

  /** Stops the analysis worker (pending jobs fail; later jobs fail at once). */
  close(): Promise<void> {
    return this.worker?.close() ?? Promise.resolve();
  }
}

/** The latest result of `compute` for `version`, waiting for it (never two at once per key). */
function fresh<T>(
  cache: ViewCache<T>,
  key: string,
  version: string,
  compute: () => Promise<T> | T,
): Promise<Versioned<T>> {
  return cache.fresh(key, version, async () => ({ value: await compute(), version }));
}
