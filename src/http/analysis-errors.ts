// What a request whose analysis failed answers (with no previous value to serve instead): the
// route's own HttpError as is; a damaged database as database_corrupt whatever the runner says
// (found at start, by a read here, or by the worker's own read), as every other route does; the
// worker's heap limit reached as analysis_out_of_memory naming the limit; anything else as
// not_ready, details in the server log.
import { AnalysisOutOfMemoryError } from './analysis-worker-start.js';
import type { ReadinessReport } from './deps.js';
import { corruptDatabase, HttpError, type ErrorLogger } from './errors.js';
import { DatabaseCorruptError } from '../store/store-errors.js';

export interface FailureContext {
  readonly readiness: () => Pick<ReadinessReport, 'store'>;
  readonly logger?: ErrorLogger;
}

/** The HttpError a failed computation of `view` answers with (logged unless it is the route's own). */
export function analysisFailure(error: unknown, view: string, context: FailureContext): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DatabaseCorruptError || context.readiness().store === 'damaged')
    return corruptDatabase();
  if (error instanceof AnalysisOutOfMemoryError) {
    context.logger?.error({ err: error, view }, 'computing a view ran out of memory');
    return new HttpError(
      'analysis_out_of_memory',
      `${view}: the analysis ran out of memory: it needs more than the analysis worker's heap limit (${error.heapMb ?? "V8's default"} MiB, limits.analysisHeapMb); the worker was restarted. Raise limits.analysisHeapMb together with the pod's memory limit, or ask for less (one namespace)`,
      { cause: error },
    );
  }
  context.logger?.error(
    { err: error, view },
    'computing a view failed and there is no previous one to serve',
  );
  return new HttpError(
    'not_ready',
    `${view}: not available yet: computing it failed (details in the server log); retry later`,
    { cause: error },
  );
}
