// What the HTTP app needs from the daemon. The composition root builds it; tests build it from
// real parts (a store on a temp file, a real registry). Add a dependency here when a route needs one.
import type { Registry } from 'prom-client';
import type { LimitsConfig } from '../config/schema.js';
import type { AlertStore } from '../store/alerts.js';
import type { StagedStore } from '../store/staged-store.js';
import type { ReadinessOptions } from '../staged/readiness.js';
import type { WriteAuthorizer } from './write-auth.js';
import type { InventoryStatus } from '../k8s/inventory.js';
import type { SourceStatus } from '../sources/source.js';
import type { FlowStore } from '../store/types.js';
import type { IngestTotalsReport } from '../ingest/ingest-totals.js';
import type { ApiAuth } from './auth.js';
import type { ApiAnalysis } from './analysis.js';
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
  /** What the daemon's writers committed since it started, with the events that made no edge by why. */
  readonly ingest?: IngestTotalsReport;
}

export interface AppDeps {
  readonly store: FlowStore;
  readonly auth: ApiAuth;
  readonly registry: Registry;
  readonly readiness: () => ReadinessReport;
  readonly limits: Pick<LimitsConfig, 'pageSizeMax' | 'pageSizeDefault' | 'requestBodyBytes'>;
  readonly logger?: ErrorLogger;
  /**
   * The analysis service (analysis.ts): the computed views, their caches and the analysis
   * worker. Its owner (the daemon, a test, the bench) builds it and closes it; the app never does.
   */
  readonly analysis: ApiAnalysis;
  /** Alerts raised on blocked paths, with their delivery state. */
  readonly alerts?: AlertStore;
  /** The built dashboard's directory (default dist/web; tests give their own). */
  readonly webDir?: string;
  /** Shadow mode's staged sets (absent: the /api/v1/staged routes answer 503). */
  readonly staged?: StagedStore;
  /** The daemon's clock for staging times and readiness (default the analysis service's clock). */
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
