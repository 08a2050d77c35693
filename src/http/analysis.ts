// The API's analysis service: the expensive computations and the rendered bodies built from
// them, with their caches and the analysis worker that runs the heavy ones. The daemon builds one
// (src/daemon.ts), hands it to the app through its deps and closes it on shutdown; tests and the
// bench do the same. The version of every view is the store's data version plus the snapshot's
// identity. Rendered bodies are served stale-while-revalidate (view-cache.ts): after new data, a
// view computed before answers at once with its previous body (X-Data-Stale) while one
// recomputation runs in the background. The heavy whole-store analyses (drops classification,
// namespace traffic, the whole-cluster map, the doctor's diagnostics) run in the analysis worker
// when the service is given the database file (dbFile), otherwise on the main thread in a later
// macrotask; so do the recommendations' JSON views. The proven recommendation itself (the exports,
// the cluster guardrails, shadow mode's staging) and the per-namespace maps run on the main
// thread, deferred the same way. Routes call these; nothing here is HTTP.
import { GRAPH_EDGES_MAX, NAMESPACE_GRAPH_NODES_MAX } from '../api/constants.js';
import type { Finding } from '../doctor/types.js';
import type { DropsResult } from '../drops/report.js';
import type { ClusterSnapshot } from '../policy/model.js';
import {
  bodySize,
  CURRENT_BODIES_MAX,
  DEFAULT_ANALYSIS_HEAP_MB,
  DEFAULT_BODY_CACHE_BYTES,
  DEFAULT_CACHE_MAX_STALE_MS,
  DEFAULT_MAX_EXPOSURE_EVALUATIONS,
  DEFAULT_PREWARM_MIN_EDGES,
  DEFAULT_STALE_GRACE_MS,
  DEFAULT_STALE_MAX_AGE_MS,
  DEFAULT_WHOLE_CLUSTER_EDGES_MAX,
  MAX_IMPACT_PATHS,
  RECOMMENDATIONS_KEPT,
  type AnalysisOptions,
} from './analysis-options.js';
import type { ExportOptions } from '../recommend/export.js';
import { proveNamespace } from './analysis-jobs.js';
import { InlineRunner, type AnalysisRunner } from './analysis-runner.js';
import { WorkerRunner } from './analysis-worker-runner.js';
import { AnalysisOutOfMemoryError } from './analysis-worker-start.js';
import { corruptDatabase, HttpError } from './errors.js';
import { DatabaseCorruptError } from '../store/store-errors.js';
import type { NamespaceTraffic } from '../views/coverage.js';
import type { Graph } from '../views/graph.js';
import type { NamespaceGraph, NamespaceGraphLimits } from '../views/namespace-graph.js';
import type { ProvenRecommendation, RecommendationJson } from '../views/recommendation-views.js';
import { RefreshList } from './refresh-list.js';
import { renderJson, type RenderedBody } from './rendered-body.js';
import { ViewCache, type Revalidated, type Versioned } from './view-cache.js';
import { dataVersion, snapshotVersion } from './data-version.js';

/** The bodies of the routes over whole-store analyses (namespaces, cluster maps, drops, diagnostics): refreshed after new data. */
const REFRESHED_BODIES = ['namespaces|', 'graph-ns|', 'graph|*|', 'drops|', 'diagnostics|'];

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
  private readonly recommendations: ViewCache<ProvenRecommendation>;
  private readonly recommendationRuns: ViewCache<ProvenRecommendation>;
  private readonly recommendationViews: ViewCache<RecommendationJson>;
  private readonly trafficRuns: ViewCache<Map<string, NamespaceTraffic>>;
  private readonly graphRuns: ViewCache<Graph>;
  private readonly namespaceGraphRuns: ViewCache<NamespaceGraph>;
  private readonly dropsRuns: ViewCache<DropsResult>;
  private readonly diagnosticsRuns: ViewCache<Finding[]>;
  private readonly bodies: ViewCache<RenderedBody>;
  private readonly currentBodies: ViewCache<RenderedBody> | undefined;
  /** Whole-store analyses: the worker with a database file, else the main thread. */
  readonly runner: AnalysisRunner;
  /** The analysis worker thread's runner, with a database file (its status: /readyz, the metrics). */
  readonly worker: WorkerRunner | undefined;
  private readonly inline: InlineRunner;
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
    this.recommendations = new ViewCache({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    this.recommendationRuns = new ViewCache({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    this.recommendationViews = new ViewCache({ ...spacing, maxEntries: RECOMMENDATIONS_KEPT });
    this.trafficRuns = new ViewCache({ ...spacing, maxEntries: 1 });
    this.graphRuns = new ViewCache({ ...spacing, maxEntries: 128 });
    this.namespaceGraphRuns = new ViewCache({ ...spacing, maxEntries: 4 });
    this.dropsRuns = new ViewCache({ ...spacing, maxEntries: 1 });
    this.diagnosticsRuns = new ViewCache({ ...spacing, maxEntries: 16 });
    const cacheBytes = deps.bodyCacheBytes ?? DEFAULT_BODY_CACHE_BYTES;
    const currentBytes = Math.floor(cacheBytes / 4);
    this.bodies = new ViewCache<RenderedBody>({
      ...spacing,
      maxEntries: 256,
      maxBytes: cacheBytes - currentBytes,
      sizeOf: bodySize,
      staleGraceMs: deps.staleGraceMs ?? DEFAULT_STALE_GRACE_MS,
      staleMaxAgeMs: deps.staleMaxAgeMs ?? DEFAULT_STALE_MAX_AGE_MS,
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
        ? new ViewCache<RenderedBody>({
            maxEntries: CURRENT_BODIES_MAX,
            maxBytes: currentBytes,
            sizeOf: bodySize,
            now: this.now,
          })
        : undefined;
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
  }

  /** A rendered body of the store's current data: never stale, re-rendered after every write. */
  currentBody(key: string, render: () => unknown): RenderedBody {
    const version = this.options.dataVersion;
    if (this.currentBodies === undefined || version === undefined) return renderJson(render());
    return this.currentBodies.getSync(key, version(), () => renderJson(render()));
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
        () => this.bodies.refresh(key, `${this.version(this.snapshot())}#${bucket}`, compute),
        this.now(),
      );
    return this.bodies
      .get(key, `${this.version(this.snapshot())}#${bucket}`, compute)
      .catch((error: unknown) => {
        // Only a view with no previous body gets here (a stale one is served instead).
        if (error instanceof HttpError) throw error;
        // A damaged database (found at start, by a read here, or by the worker's own read) is the
        // cause whatever the view's runner says: answer with its code, as every other route does.
        if (error instanceof DatabaseCorruptError || this.options.readiness().store === 'damaged')
          throw corruptDatabase();
        const view = key.split('|')[0] ?? key;
        if (error instanceof AnalysisOutOfMemoryError) {
          this.options.logger?.error({ err: error, view }, 'computing a view ran out of memory');
          throw new HttpError(
            'analysis_out_of_memory',
            `${view}: the analysis ran out of memory: it needs more than the analysis worker's heap limit (${error.heapMb ?? "V8's default"} MiB, limits.analysisHeapMb); the worker was restarted. Raise limits.analysisHeapMb together with the pod's memory limit, or ask for less (one namespace)`,
            { cause: error },
          );
        }
        this.options.logger?.error(
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

  /** Recommendation and its replay proof; a namespace reads only the edges touching it (synchronous: the export). */
  recommendation(namespace: string | undefined): ProvenRecommendation {
    const snapshot = this.snapshot();
    return this.recommendations.getSync(namespace ?? '*', this.version(snapshot), () =>
      proveNamespace(this.options.store, snapshot, namespace, this.maxExposureEvaluations()),
    );
  }

  private maxExposureEvaluations(): number {
    return this.options.maxExposureEvaluations ?? DEFAULT_MAX_EXPOSURE_EVALUATIONS;
  }

  /** The same, computed in a later macrotask (one at a time per namespace). */
  recommendationLater(namespace: string | undefined): Promise<Versioned<ProvenRecommendation>> {
    const version = this.version(this.snapshot());
    return fresh(this.recommendationRuns, namespace ?? '*', version, () =>
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
    const max = this.options.wholeClusterEdgesMax ?? DEFAULT_WHOLE_CLUSTER_EDGES_MAX;
    const edges = this.options.store.totals().edges;
    if (edges <= max) return;
    throw new HttpError(
      'scope_too_large',
      `the whole-cluster recommendation covers ${edges} observed edges, above limits.wholeClusterEdgesMax (${max}): ask for one namespace (?namespace=), or run \`netpol-advisor recommend --out DIR\` from the command line for the whole cluster`,
    );
  }

  /** The JSON view of a recommendation (recommendation-views.ts), once per data version and flavor: in the worker when there is one. */
  recommendationView(
    namespace: string | undefined,
    options: ExportOptions,
  ): Promise<Versioned<RecommendationJson>> {
    const version = this.version(this.snapshot());
    const snapshot = this.snapshot();
    return fresh(this.recommendationViews, `${namespace ?? '*'}|${options.flavor}`, version, () =>
      this.runner.run({
        kind: 'recommendation',
        options,
        version,
        maxExposureEvaluations: this.maxExposureEvaluations(),
        ...(namespace !== undefined ? { namespace } : {}),
        ...(snapshot !== undefined ? { snapshot } : {}),
      }),
    );
  }

  /** Every blocked path, classified (filtering by namespace/time happens on the result). */
  drops(): Promise<Versioned<DropsResult>> {
    const snapshot = this.snapshot();
    const version = this.version(snapshot);
    return fresh(this.dropsRuns, 'all', version, () =>
      this.runner.run({
        kind: 'drops',
        maxImpactPaths: MAX_IMPACT_PATHS,
        version,
        ...(snapshot !== undefined ? { snapshot } : {}),
      }),
    );
  }

  /** The doctor's findings for a namespace (or all), like the drops: in the worker, once per data version. */
  diagnostics(namespace: string | undefined): Promise<Versioned<Finding[]>> {
    const snapshot = this.snapshot();
    const version = this.version(snapshot);
    return fresh(this.diagnosticsRuns, namespace ?? '*', version, () =>
      this.runner.run({
        kind: 'diagnostics',
        version,
        ...(snapshot !== undefined ? { snapshot } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
      }),
    );
  }

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
  async prewarm(): Promise<void> {
    if (this.worker === undefined) return;
    const min = this.options.prewarmMinEdges ?? DEFAULT_PREWARM_MIN_EDGES;
    if (this.options.store.totals().edges < min) return;
    const steps: [string, () => Promise<unknown>][] = [
      ['traffic', () => this.traffic()],
      // The cluster map the dashboard opens is the namespace summary (its route's default limits).
      [
        'namespace-graph',
        () => this.namespaceGraph({ maxLinks: GRAPH_EDGES_MAX, maxNodes: NAMESPACE_GRAPH_NODES_MAX }),
      ],
      ['drops', () => this.drops()],
      ['diagnostics', () => this.diagnostics(undefined)],
    ];
    // The same views are kept current after new data (refresh()), whether requested or not.
    for (const [view, step] of steps)
      this.refreshList.track(`analysis|${view}`, 'analysis', step, this.now(), true);
    for (const [view, step] of steps) {
      try {
        await step();
      } catch (error) {
        if (this.worker.status().state === 'closed') return;
        this.options.logger?.error(
          { err: error, view },
          'computing a view ahead of its first request failed',
        );
      }
    }
  }

  /**
   * Recomputes the views of refreshList for the current data (the background refresher calls it
   * after new data, view-refresher.ts): the whole-store analyses in the worker, then the bodies of
   * the analysis routes requested lately, so that their next request is answered from a body of
   * recent data. One after another; failures are logged (the previous values stay).
   */
  async refresh(): Promise<void> {
    for (const { key, run } of this.refreshList.due(this.now())) {
      if (this.worker?.status().state === 'closed') return;
      try {
        await run();
      } catch (error) {
        this.options.logger?.error({ err: error, view: key }, 'refreshing a view after new data failed');
      }
    }
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
