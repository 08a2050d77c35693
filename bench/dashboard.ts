// Dashboard benchmark at the cluster scale of issue 24 (docs/benchmarks.md "Dashboard at cluster
// scale"): bench/cluster-scale.ts writes 200 namespaces, 5,000 workloads, ~15,000 pods, 100,000
// edges and 1,800 dropped paths; the real `serve` runs as a child process with the shipped heap
// limit (deploy/base's NODE_OPTIONS, --max-old-space-size=160) and Debian's Chromium (playwright-core,
// --headless --no-sandbox --disable-gpu --disable-background-networking) loads every page twice:
// cold (the daemon's caches empty for that page) and warm. Per load: time to content (navigation
// to the page's data-ready mark), bytes fetched over the wire (CDP encodedDataLength, compressed
// as sent), the largest response and the DOM size; at the end the daemon's peak RSS (VmHWM).
// Goals (issue 24): content within 3 s warm and 10 s cold, no response over 5 MB, RSS within the
// 512 MiB limit.   Usage: npm run build && npx tsx bench/dashboard.ts [--namespaces N]
// [--pages '#/map,#/map?namespace=team-007'] (only those pages, comma-separated)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterSnapshot, ISSUE_24_SHAPE, namespaceName, writeStore } from './cluster-scale.js';
import { launchBrowser, load, startServe, vmHwmKiB } from './dashboard-browser.js';

const { values } = parseArgs({ options: { namespaces: { type: 'string' }, pages: { type: 'string' } } });
const shape =
  values.namespaces !== undefined
    ? { ...ISSUE_24_SHAPE, namespaces: Number(values.namespaces), edges: Number(values.namespaces) * 500 }
    : ISSUE_24_SHAPE;
const NS = namespaceName(7);
const ALL_PAGES = [
  '#/overview',
  `#/map?namespace=${NS}`,
  '#/map',
  `#/flows?namespace=${NS}`,
  '#/recommendations',
  `#/recommendations?namespace=${NS}`,
  '#/drops',
  `#/diagnostics?namespace=${NS}`,
  '#/diagnostics',
  '#/staged',
];
const PAGES = values.pages !== undefined ? values.pages.split(',') : ALL_PAGES;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-bench-dashboard-'));
  try {
    writeStore(path.join(dir, 'advisor.db'), shape, Date.now());
    const snapshot = clusterSnapshot(shape);
    writeFileSync(path.join(dir, 'cluster.json'), snapshot.json);
    console.log(
      `cluster: ${shape.namespaces} namespaces, ${shape.namespaces * shape.workloadsPerNamespace} workloads, ${snapshot.pods} pods, ${shape.edges} edges, ${shape.dropped} dropped paths; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    const serve = await startServe(dir);
    const context = await launchBrowser(path.join(dir, 'profile'));
    console.log(
      '| page | cold ms | warm ms | bytes fetched cold / warm (KiB) | largest response (KiB) | DOM elements | state |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    let worstWarm = 0;
    let worstCold = 0;
    let largestAll = 0;
    for (const hash of PAGES) {
      const cold = await load(context, serve.base, hash);
      const warm = await load(context, serve.base, hash);
      worstCold = Math.max(worstCold, cold.ms);
      worstWarm = Math.max(worstWarm, warm.ms);
      largestAll = Math.max(largestAll, cold.largest, warm.largest);
      const kib = (n: number): string => (n / 1024).toFixed(1);
      console.log(
        `| \`${hash}\` | ${cold.ms.toFixed(0)} | ${warm.ms.toFixed(0)} | ${kib(cold.bytes)} / ${kib(warm.bytes)} | ${kib(cold.largest)} (\`${cold.largestUrl.slice(0, 60)}\`) | ${warm.dom} | ${cold.state}/${warm.state} |`,
      );
    }
    await context.close();
    const hwm = vmHwmKiB(serve.pid);
    await serve.stop();
    console.log(
      `\nworst cold ${worstCold.toFixed(0)} ms (goal 10,000), worst warm ${worstWarm.toFixed(0)} ms (goal 3,000), largest response ${(largestAll / 1024 / 1024).toFixed(2)} MiB (goal 5), daemon peak RSS ${(hwm / 1024).toFixed(0)} MiB (limit 512)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
