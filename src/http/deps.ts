// What the HTTP app needs from the daemon. The composition root builds it; tests build it from
// real parts (a store on a temp file, a real registry). Add a dependency here when a route needs one.
import type { Registry } from 'prom-client';
import type { LimitsConfig } from '../config/schema.js';
import type { SourceStatus } from '../sources/source.js';
import type { FlowStore } from '../store/types.js';
import type { ApiAuth } from './auth.js';
import type { ErrorLogger } from './errors.js';

export interface ReadinessReport {
  readonly ready: boolean;
  /** Why not ready, when not. */
  readonly reason?: string;
  readonly store: 'opening' | 'open' | 'closed';
  readonly sources: readonly SourceStatus[];
}

export interface AppDeps {
  readonly store: FlowStore;
  readonly auth: ApiAuth;
  readonly registry: Registry;
  readonly readiness: () => ReadinessReport;
  readonly limits: Pick<LimitsConfig, 'pageSizeMax' | 'pageSizeDefault' | 'requestBodyBytes'>;
  readonly logger?: ErrorLogger;
}
