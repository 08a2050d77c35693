// The analysis worker's state as metrics, read from the runner at scrape time (metrics.ts holds
// the daemon's other metrics; this file only adds these to the same registry):
// netpol_advisor_analysis_worker_up (0 while it is backing off after a failure, else 1),
// netpol_advisor_analysis_worker_restarts_total, …_out_of_memory_total and …_consecutive_failures.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AnalysisWorkerStatus } from './analysis-worker-runner.js';

export function registerAnalysisWorkerMetrics(registry: Registry, status: () => AnalysisWorkerStatus): void {
  new Gauge({
    name: 'netpol_advisor_analysis_worker_up',
    help: 'The analysis worker thread is usable (0: it failed and a restart is pending)',
    registers: [registry],
    collect() {
      this.set(status().state === 'backoff' ? 0 : 1);
    },
  });
  // A counter that follows the runner's own count (it only grows): incremented by the difference.
  let reported = 0;
  new Counter({
    name: 'netpol_advisor_analysis_worker_restarts_total',
    help: 'Analysis worker threads started again after a failure',
    registers: [registry],
    collect() {
      const restarts = status().restarts;
      if (restarts > reported) this.inc(restarts - reported);
      reported = Math.max(reported, restarts);
    },
  });
  let reportedOom = 0;
  new Counter({
    name: 'netpol_advisor_analysis_worker_out_of_memory_total',
    help: 'Analysis worker threads stopped for reaching their heap limit (limits.analysisHeapMb)',
    registers: [registry],
    collect() {
      const count = status().outOfMemory;
      if (count > reportedOom) this.inc(count - reportedOom);
      reportedOom = Math.max(reportedOom, count);
    },
  });
  new Gauge({
    name: 'netpol_advisor_analysis_worker_consecutive_failures',
    help: 'Analysis worker failures since it last answered a job',
    registers: [registry],
    collect() {
      this.set(status().consecutiveFailures);
    },
  });
}
