// What the analysis service (analysis.ts) reads, and the bounds of its caches and computations.
import type { Worker } from 'node:worker_threads';
import type { ClusterSnapshot } from '../policy/model.js';
import type { WorkerLimits } from './analysis-worker-start.js';
import type { FlowStore } from '../store/types.js';
import type { ReadinessReport } from './deps.js';
import type { ErrorLogger } from './errors.js';
import type { RenderedBody } from './rendered-body.js';

/**
 * Engine evaluations of one recommendation's exposure: per pair of workload classes and port class
 * (recommend/exposure.ts), as the CLI's --max-exposure-evals. One namespace of the issue 24 cluster
 * (5,000 workloads) is 272 classes × 20 ports, 1.5 M evaluations, ~0.4 s.
 */
export const DEFAULT_MAX_EXPOSURE_EVALUATIONS = 2_000_000;
/** Above this many stored edges the whole-cluster recommendation is refused (limits.wholeClusterEdgesMax). */
export const DEFAULT_WHOLE_CLUSTER_EDGES_MAX = 10_000;
/**
 * Blocked paths whose fix gets its reachability impact in the API's drops (the newest first):
 * each compiles the engine with the fix added, 0.1-0.5 s at 15,000 pods (drops-report.ts).
 */
export const MAX_IMPACT_PATHS = 20;
/**
 * From this many stored edges the daemon computes the whole-store views (namespace traffic, the
 * cluster map, drops) in the worker as it starts, so their first
 * request finds them done: at 100,000 edges each takes seconds to tens of seconds cold.
 */
export const DEFAULT_PREWARM_MIN_EDGES = 10_000;
/**
 * The analysis worker's heap limit in MiB (limits.analysisHeapMb). deploy/base's 512 MiB memory
 * limit holds it with the main thread's --max-old-space-size=160, the body caches and a reserve
 * (src/config/memory-budget.ts). At the issue 24 scale (100,000 edges, 15,000 pods) the worker's
 * drops and diagnostics fit in it (its heap is ~230 MB after the drops; a run under a 192 MiB cap
 * passes, with more garbage collection).
 */
export const DEFAULT_ANALYSIS_HEAP_MB = 192;
/** Proven recommendations and their JSON views kept: each can hold megabytes at cluster scale. */
export const RECOMMENDATIONS_KEPT = 16;
export const DEFAULT_CACHE_MAX_STALE_MS = 2000;
/**
 * A body computed longer ago than this is not served stale (X-Data-Stale, Age) while a newer one is
 * computed: the request waits for it (limits.staleMaxAgeMs). The background refresher keeps the
 * whole-store views well within it while it keeps up (view-refresher.ts).
 */
export const DEFAULT_STALE_MAX_AGE_MS = 10 * 60_000;
/** A small store's recomputation finishes within this: its views never look stale. */
export const DEFAULT_STALE_GRACE_MS = 250;
/** Rendered flows pages kept (a 1000-edge page is ~0.4 MiB). */
export const CURRENT_BODIES_MAX = 64;
/** The rendered-body caches' byte budget (limits.bodyCacheBytes): 3/4 computed views, 1/4 pages of current data. */
export const DEFAULT_BODY_CACHE_BYTES = 64 * 1024 * 1024;
/** What a cached body holds beyond its bytes (key, ETag, entry objects), roughly. */
export const BODY_OVERHEAD_BYTES = 512;
export const bodySize = (body: RenderedBody): number => body.bytes.length + BODY_OVERHEAD_BYTES;

/** What the analysis service reads and how it is bounded. */
export interface AnalysisOptions {
  readonly store: FlowStore;
  /** The daemon's readiness: a damaged store turns a failed view into 503 database_corrupt. */
  readonly readiness: () => Pick<ReadinessReport, 'store'>;
  readonly logger?: ErrorLogger;
  /** The cluster as last seen (snapshot file or live inventory); undefined when there is none. */
  readonly clusterSnapshot?: () => ClusterSnapshot | undefined;
  /** Wall clock for "the last hour" style figures and the caches (tests pin it). */
  readonly now?: () => number;
  /** Reuse a cached computation for this long even if new flows arrived (default 2000 ms). */
  readonly cacheMaxStaleMs?: number;
  /** Changes whenever the store's data changes (the publishing store's batch count); without it the store's totals are polled. */
  readonly dataVersion?: () => string;
  /** After new data, the request that starts a view's recomputation waits this long for it before getting the previous body (default 250 ms). */
  readonly staleGraceMs?: number;
  /** A body older than this is not served stale: the request waits for the new one (default 10 min). */
  readonly staleMaxAgeMs?: number;
  /** The store's database file: the heavy analyses then run in a worker thread on a read-only connection to it. */
  readonly dbFile?: string;
  /** Starts the worker thread (default: the analysis worker; tests watch the thread). */
  readonly startWorker?: (file: string, limits: WorkerLimits) => Worker;
  /** The worker thread's heap limit in MiB (limits.analysisHeapMb; default DEFAULT_ANALYSIS_HEAP_MB). */
  readonly workerHeapMb?: number;
  /** Bound on the exposure computation of one recommendation (engine evaluations). */
  readonly maxExposureEvaluations?: number;
  /** Above this many stored edges the whole-cluster recommendation is refused (limits.wholeClusterEdgesMax; default 10,000). */
  readonly wholeClusterEdgesMax?: number;
  /** prewarm() computes the whole-store views only from this many stored edges (default 10,000). */
  readonly prewarmMinEdges?: number;
  /** Bound on the bytes of rendered response bodies kept for reuse (limits.bodyCacheBytes; default 64 MiB). */
  readonly bodyCacheBytes?: number;
}
