// Shadow mode's Prometheus metrics, registered on the daemon's registry: would-drop connection
// starts per staged namespace (a counter fed by the live evaluation) and the readiness of each
// active set as a state set (1 on the current verdict), read at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import { READINESS_VERDICTS, readinessOf, type ReadinessOptions } from '../staged/readiness.js';
import type { StagedStore } from '../store/staged-store.js';

export interface StagedMetrics {
  recordWouldDrops(namespace: string, connections: number): void;
}

/** What the readiness gauge reads (the staged-set store; the metrics doc passes an empty one). */
export type StagedReadings = Pick<StagedStore, 'activeSets' | 'traffic'>;

export function createStagedMetrics(
  registry: Registry,
  staged: StagedReadings,
  readiness: ReadinessOptions,
  now: () => number,
): StagedMetrics {
  const wouldDrop = new Counter({
    name: 'netpol_advisor_staged_would_drop_total',
    help: "Connection starts that an active staged set would have dropped (allowed today), by the set's namespace",
    labelNames: ['namespace'],
    registers: [registry],
  });
  new Gauge({
    name: 'netpol_advisor_staged_readiness',
    help: 'Readiness of each active staged set: 1 on its current verdict (ready, watching, would-break), 0 on the others',
    labelNames: ['namespace', 'verdict'],
    registers: [registry],
    collect() {
      this.reset();
      for (const set of staged.activeSets()) {
        const verdict = readinessOf(set, staged.traffic(set.id), readiness, now()).verdict;
        for (const v of READINESS_VERDICTS)
          this.set({ namespace: set.namespace, verdict: v }, v === verdict ? 1 : 0);
      }
    },
  });
  return { recordWouldDrops: (namespace, connections) => wouldDrop.inc({ namespace }, connections) };
}
