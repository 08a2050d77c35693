// The dashboard's first paint of a namespace of about 1,000 proposed policies (issue 22 item 4:
// under 200 KiB fetched). bench/cluster-scale.ts writes one namespace of 500 workloads (1,000
// pods) with 3 outgoing paths each: the recommender proposes two policies per workload; the real
// `serve` and Debian's Chromium (bench/dashboard-browser.ts) load the namespace's Recommendations
// page cold once, then warm RUNS times. Per load: time to content (navigation to data-ready),
// bytes over the wire in total and for the API alone, the largest response and the DOM size.
//   npm run build && npx tsx bench/dashboard-namespace.ts [--workloads N] [--runs N]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterSnapshot, namespaceName, writeStore, type ClusterShape } from './cluster-scale.js';
import { launchBrowser, load, startServe, vmHwmKiB, type Load } from './dashboard-browser.js';

const { values } = parseArgs({ options: { workloads: { type: 'string' }, runs: { type: 'string' } } });
const workloads = Number(values.workloads ?? 500);
const runs = Number(values.runs ?? 5);
const shape: ClusterShape = {
  namespaces: 1,
  workloadsPerNamespace: workloads,
  edges: workloads * 3,
  dropped: Math.ceil(workloads / 100),
};
const NS = namespaceName(0);
const HASH = `#/recommendations?namespace=${NS}`;
const GOAL_KIB = 200;

const kib = (n: number): string => (n / 1024).toFixed(1);
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-bench-dashboard-ns-'));
  try {
    writeStore(path.join(dir, 'advisor.db'), shape, Date.now());
    const snapshot = clusterSnapshot(shape);
    writeFileSync(path.join(dir, 'cluster.json'), snapshot.json);
    const serve = await startServe(dir);
    const summary = (await (
      await fetch(`${serve.base}/api/v1/recommendations/summary?namespace=${NS}`)
    ).json()) as { namespaces: { policies: unknown[] }[] };
    const policies = summary.namespaces[0]?.policies.length ?? 0;
    console.log(
      `namespace ${NS}: ${workloads} workloads, ${snapshot.pods} pods, ${shape.edges} edges, ${policies} proposed policies; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    const context = await launchBrowser(path.join(dir, 'profile'));
    // The summary above computed the proposal: "cold" is a new browser profile, not a cold daemon.
    const first = await load(context, serve.base, HASH);
    const warm: Load[] = [];
    for (let i = 0; i < runs; i++) warm.push(await load(context, serve.base, HASH));
    await context.close();
    const hwm = vmHwmKiB(serve.pid);
    await serve.stop();
    console.log('| load | ms | fetched KiB (API KiB) | largest response KiB | DOM elements | state |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    const row = (name: string, l: Load): void =>
      console.log(
        `| ${name} | ${l.ms.toFixed(0)} | ${kib(l.bytes)} (${kib(l.apiBytes)}) | ${kib(l.largest)} (\`${l.largestUrl.slice(0, 60)}\`) | ${l.dom} | ${l.state} |`,
      );
    row('first (empty browser cache)', first);
    warm.forEach((l, i) => row(`again ${i + 1}`, l));
    console.log(
      `\nfirst paint: ${kib(first.bytes)} KiB fetched (goal < ${GOAL_KIB}: ${first.bytes < GOAL_KIB * 1024 ? 'met' : 'NOT met'}), ${first.ms.toFixed(0)} ms; again: median ${median(warm.map((l) => l.ms)).toFixed(0)} ms, ${kib(median(warm.map((l) => l.bytes)))} KiB; daemon peak RSS ${(hwm / 1024).toFixed(0)} MiB`,
    );
    if (first.bytes >= GOAL_KIB * 1024) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
