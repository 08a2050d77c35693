// Dashboard benchmark at the cluster scale of issue 24 (docs/benchmarks.md "Dashboard at cluster
// scale"): bench/cluster-scale.ts writes 200 namespaces, 5,000 workloads, ~15,000 pods, 100,000
// edges and 1,800 dropped paths; the real `serve` runs as a child process with the shipped heap
// limit (NODE_OPTIONS=--max-old-space-size=384, deploy/base) and Debian's Chromium (playwright-core,
// --headless --no-sandbox --disable-gpu --disable-background-networking) loads every page twice:
// cold (the daemon's caches empty for that page) and warm. Per load: time to content (navigation
// to the page's data-ready mark), bytes fetched over the wire (CDP encodedDataLength, compressed
// as sent), the largest response and the DOM size; at the end the daemon's peak RSS (VmHWM).
// Goals (issue 24): content within 3 s warm and 10 s cold, no response over 5 MB, RSS within the
// 512 MiB limit.   Usage: npm run build && npx tsx bench/dashboard.ts [--namespaces N]
// [--pages '#/map,#/map?namespace=team-007'] (only those pages, comma-separated)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { clusterSnapshot, ISSUE_24_SHAPE, namespaceName, writeStore } from './cluster-scale.js';

const { values } = parseArgs({ options: { namespaces: { type: 'string' }, pages: { type: 'string' } } });
const shape =
  values.namespaces !== undefined
    ? { ...ISSUE_24_SHAPE, namespaces: Number(values.namespaces), edges: Number(values.namespaces) * 500 }
    : ISSUE_24_SHAPE;
const ROOT = path.resolve(import.meta.dirname, '..');
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

interface Load {
  readonly ms: number;
  readonly bytes: number;
  readonly largest: number;
  readonly largestUrl: string;
  readonly dom: number;
  readonly state: string;
}

async function startServe(dir: string): Promise<{ base: string; pid: number; stop: () => Promise<void> }> {
  const config = path.join(dir, 'config.yaml');
  writeFileSync(path.join(dir, 'empty.jsonl'), '');
  writeFileSync(
    config,
    [
      'listen: "127.0.0.1:0"',
      `db: ${JSON.stringify(path.join(dir, 'advisor.db'))}`,
      'logLevel: info',
      'sources:',
      '  - type: file',
      '    name: none',
      '    format: hubble',
      `    path: ${JSON.stringify(path.join(dir, 'empty.jsonl'))}`,
      'kubernetes:',
      '  enabled: false',
      `  snapshot: ${JSON.stringify(path.join(dir, 'cluster.json'))}`,
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=384', path.join(ROOT, 'bin/netpol-advisor.js'), 'serve', '--config', config],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const line = output.split('\n').find((l) => l.includes('"listening"'));
    const address = line !== undefined ? (JSON.parse(line) as { address?: string }).address : undefined;
    if (address !== undefined) {
      const base = `http://${address}`;
      for (;;) {
        if ((await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      return {
        base,
        pid: child.pid ?? 0,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function load(context: BrowserContext, base: string, hash: string): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  let bytes = 0;
  let largest = 0;
  let largestUrl = '';
  cdp.on('Network.responseReceived', (e: { requestId: string; response: { url: string } }) =>
    urls.set(e.requestId, e.response.url),
  );
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    if (e.encodedDataLength > largest) {
      largest = e.encodedDataLength;
      largestUrl = urls.get(e.requestId) ?? '';
    }
  });
  const started = performance.now();
  await page.goto(`${base}/${hash}`);
  const handle = await page.waitForSelector('.page[data-ready="true"], .page[data-ready="error"]', {
    timeout: 600_000,
  });
  const ms = performance.now() - started;
  const state = (await handle.getAttribute('data-ready')) ?? '';
  await new Promise((r) => setTimeout(r, 300));
  const dom = await page.evaluate<number>("document.getElementsByTagName('*').length");
  await page.close();
  return { ms, bytes, largest, largestUrl: largestUrl.replace(base, ''), dom, state };
}

function vmHwmKiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

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
    const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
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
