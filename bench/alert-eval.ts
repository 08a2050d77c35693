// Benchmark of one alert evaluation's report (src/alerts/alert-reports.ts) against the `drops`
// report over every edge, on a real SQLite store of 100,000 edges (50 namespaces, 5% policy
// drops spread over 16 hours, forwarded history behind them; 50 pod paths and 20 paths from
// outside addresses dropping within the 10-minute window). Both must give the same reports; the
// alert path runs on the daemon's event loop every evaluateIntervalSec (default 30 s).
// Medians of several runs, CPU beside wall time (the machine is shared).
// Run: npx tsx bench/alert-eval.ts [--runs N]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { alertReports } from '../src/alerts/alert-reports.js';
import { buildDropReports } from '../src/drops/report.js';
import { aggregateFlows } from '../src/flows/edge.js';
import { NO_POLICIES, type Endpoint, type Flow } from '../src/flows/flow.js';
import { openAlertStore } from '../src/store/alerts.js';
import { openStore } from '../src/store/store.js';

const EDGES = 100_000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const SINCE = NOW - 10 * 60_000;

function pod(namespace: string, name: string): Endpoint {
  return {
    kind: 'pod',
    namespace,
    pod: `${name}-0`,
    workload: { kind: 'Deployment', name },
    labels: { app: name },
    names: [],
    ip: '10.0.0.1',
  };
}

function flow(source: Endpoint, destination: Endpoint, port: number, dropped: boolean, timeMs: number): Flow {
  return {
    timeMs,
    source,
    destination,
    protocol: 'TCP',
    sourcePort: 40000,
    destinationPort: port,
    direction: 'egress',
    verdict: dropped ? 'dropped' : 'forwarded',
    ...(dropped ? { dropReason: 'POLICY_DENIED' } : {}),
    isPolicyDrop: dropped,
    policies: NO_POLICIES,
    isReply: false,
    isConnectionStart: true,
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-alert-eval-'));
try {
  const file = path.join(dir, 'bench.db');
  const store = openStore(file);
  const alerts = openAlertStore(file);
  const flows: Flow[] = [];
  for (let i = 0; i < EDGES - 20; i++) {
    const dropped = i % 20 === 0;
    const recent = dropped && i % 2000 === 0;
    flows.push(
      flow(
        pod(`ns${i % 50}`, `w${i % 2000}`),
        pod(`ns${(i * 7) % 50}`, `d${(i * 13) % 3000}`),
        1000 + (i % 37),
        dropped,
        recent ? NOW - 60_000 : NOW - (20 + (i % 1000)) * 60_000,
      ),
    );
  }
  for (let i = 0; i < 20; i++) {
    flows.push(
      flow(
        { kind: 'world', ip: `203.0.113.${i}`, labels: {}, names: [] },
        pod('ns0', 'w0'),
        443,
        true,
        NOW - 30_000,
      ),
    );
  }
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: flows.length, rejectedByReason: {} });
  const edges = store.totals().edges;
  const all: number[] = [];
  const allCpu: number[] = [];
  const alertPath: number[] = [];
  const alertCpu: number[] = [];
  let same = true;
  let reports = 0;
  for (let r = 0; r < RUNS; r++) {
    let cpu = process.cpuUsage();
    let t = performance.now();
    const expected = buildDropReports(store.iterateEdges(), { sinceMs: SINCE, impact: false }).items;
    all.push(performance.now() - t);
    allCpu.push(cpuMs(cpu));
    cpu = process.cpuUsage();
    t = performance.now();
    const actual = alertReports(store, alerts, SINCE, undefined);
    alertPath.push(performance.now() - t);
    alertCpu.push(cpuMs(cpu));
    same &&= JSON.stringify(actual) === JSON.stringify(expected);
    reports = actual.length;
  }
  alerts.close();
  store.close();
  console.log(
    JSON.stringify({
      bench: 'alert-eval',
      edges,
      reports,
      sameReports: same,
      runs: RUNS,
      allEdgesMedianMs: Math.round(median(all)),
      allEdgesCpuMs: Math.round(median(allCpu)),
      alertPathMedianMs: Math.round(median(alertPath)),
      alertPathCpuMs: Math.round(median(alertCpu)),
      loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    }),
  );
  if (!same) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
