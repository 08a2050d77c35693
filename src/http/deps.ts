// What the HTTP app needs from the daemon. The composition root builds it; tests build it from
// real parts (a store on a temp file, a real registry). Add a dependency here when a route needs one.
import type { Registry } from 'prom-client';
import type { LimitsConfig } from '../config/schema.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { AlertStore } from '../store/alerts.js';
import type { StagedStore } from '../store/staged-store.js';
import type { ReadinessOptions } from '../staged/readiness.js';
import type { WriteAuthorizer } from './write-auth.js';
import type { InventoryStatus } from '../k8s/inventory.js';
import type { SourceStatus } from '../sources/source.js';
import type { FlowStore } from '../store/types.js';
import type { ApiAuth } from './auth.js';
import type { AnalysisRunner } from './analysis-runner.js';
import type { AnalysisWorkerStatus } from './analysis-worker-runner.js';
import type { ErrorLogger } from './errors.js';

export interface ReadinessReport {
  readonly ready: boolean;
  /** Why not ready, when not. */
  readonly reason?: string;
  /** damaged: the database failed its integrity check or a read found it corrupt (API answers 503 database_corrupt). */
  readonly store: 'opening' | 'open' | 'closed' | 'damaged';
  readonly sources: readonly SourceStatus[];
  /** The live Kubernetes inventory, when the daemon runs with one (ready after the first full list). */
  readonly inventory?: InventoryStatus;
  /** The analysis worker thread (restarted with a backoff after a failure); does not affect `ready`. */
  readonly analysisWorker?: AnalysisWorkerStatus;
}

export interface AppDeps {
  readonly store: FlowStore;
  readonly auth: ApiAuth;
  readonly registry: Registry;
  readonly readiness: () => ReadinessReport;
  readonly limits: Pick<LimitsConfig, 'pageSizeMax' | 'pageSizeDefault' | 'requestBodyBytes'>;
  readonly logger?: ErrorLogger;
  /** The cluster as last seen (snapshot file or live inventory); undefined when there is none. */
  readonly clusterSnapshot?: () => ClusterSnapshot | undefined;
  /** Alerts raised on blocked paths, with their delivery state. */
  readonly alerts?: AlertStore;
  /** Wall clock for "the last hour" style figures (tests pin it). */
  readonly now?: () => number;
  /** Reuse a cached computation for this long even if new flows arrived (default 2000 ms). */
  readonly cacheMaxStaleMs?: number;
  /** Changes whenever the store's data changes (the publishing store's batch count); without it the store's totals are polled. */
  readonly dataVersion?: () => string;
  /** After new data, the request that starts a view's recomputation waits this long for it before getting the previous body (default 250 ms). */
  readonly staleGraceMs?: number;
  /** The store's database file: the heavy analyses then run in a worker thread on a read-only connection to it. */
  readonly dbFile?: string;
  /** The runner of the heavy analyses, built and closed by the daemon; without it the app makes one from dbFile. */
  readonly analysisRunner?: AnalysisRunner;
  /** Bound on the exposure computation of one recommendation (engine evaluations). */
  readonly maxExposureEvaluations?: number;
  /** Above this many stored edges the whole-cluster recommendation is refused (limits.wholeClusterEdgesMax; default 10,000). */
  readonly wholeClusterEdgesMax?: number;
  /** Bound on the bytes of rendered response bodies kept for reuse (limits.bodyCacheBytes; default 64 MiB). */
  readonly bodyCacheBytes?: number;
  /** The built dashboard's directory (default dist/web; tests give their own). */
  readonly webDir?: string;
  /** Shadow mode's staged sets (absent: the /api/v1/staged routes answer 503). */
  readonly staged?: StagedStore;
  /** The daemon's clock for staging times and readiness (default `now`, then Date.now). */
  readonly stagedNow?: () => number;
  /** Readiness thresholds of staged sets (default DEFAULT_READINESS). */
  readonly stagedReadiness?: ReadinessOptions;
  /** Who may change state (write-auth.ts); absent: allowed only with auth.mode none. */
  readonly writeAuth?: WriteAuthorizer;
  /** Every change is logged here with the identity that made it. */
  readonly auditLogger?: { info(obj: object, msg?: string): void };
  /** Staged-set changes made through the API (the stream's and the daemon's evaluator's cue). */
  readonly onStagedChange?: (event: {
    readonly action: 'stage' | 'promote' | 'retire';
    readonly id: number;
    readonly namespace: string;
    readonly by: string;
  }) => void;
}
