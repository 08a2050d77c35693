// API load benchmark (docs/benchmarks.md "API"): 100 namespaces and 100,000 edges in a real
// SQLite store, the real app on loopback, and each dashboard page's API call driven by 50
// concurrent keep-alive clients (a bounded request count per route, after one cold request that
// fills the caches). Reports the cold time and p50/p99/max per route; target p99 < 200 ms.
// Usage: npx tsx bench/api.ts [--requests N] [--concurrency C]
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { EdgeDelta, EdgePeer } from '../src/flows/edge.js';
import { edgeKey } from '../src/flows/edge.js';
import { buildApp } from '../src/http/app.js';
import { EventBus } from '../src/http/event-bus.js';
import { createMetrics } from '../src/http/metrics.js';
import { publishingStore } from '../src/http/publishing-store.js';
import { openAlertStore } from '../src/store/alerts.js';
import { openStore } from '../src/store/store.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '50' } } });
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const NAMESPACES = 100;
const WORKLOADS = 10;
const EDGES = 100_000;

function pod(ns: number, w: number): EdgePeer {
  return { kind: 'pod', namespace: `ns-${ns}`, workload: `app-${w}`, workloadKind: 'Deployment' };
}

function seed(file: string, nowMs: number): void {
  const store = openStore(file);
  let deltas: EdgeDelta[] = [];
  for (let i = 0; i < EDGES; i++) {
    const ns = i % NAMESPACES;
    const srcW = Math.floor(i / NAMESPACES) % WORKLOADS;
    const k = Math.floor(i / (NAMESPACES * WORKLOADS));
    // 80% within the namespace, 20% to another; ports spread so every edge is distinct.
    const dstNs = k % 5 === 0 ? (ns + 1 + (k % 7)) % NAMESPACES : ns;
    const source = pod(ns, srcW);
    const destination = pod(dstNs, (srcW + 1 + (k % (WORKLOADS - 1))) % WORKLOADS);
    const port = 1000 + k;
    const verdict = i % 50 === 0 ? 'dropped' : 'forwarded';
    deltas.push({
      key: edgeKey(source, destination, 'TCP', port, verdict), source, destination, protocol: 'TCP', port, verdict,
      count: 1 + (i % 17), firstSeenMs: nowMs - 7_200_000, lastSeenMs: nowMs - (i % 3600) * 1000,
      sourceLabels: { app: `app-${srcW}` }, destinationLabels: { app: destination.workload ?? '' },
      sourcePods: new Set([`app-${srcW}-abc12`]), destinationPods: new Set([`${destination.workload ?? ''}-def34`]),
      sourceNames: new Set(), destinationNames: new Set(),
      dropReasons: new Map(verdict === 'dropped' ? [['POLICY_DENIED', 1]] : []), deniedBy: new Set(), allowedBy: new Set(),
    });
    if (deltas.length === 5000) {
      store.writeBatch({ deltas, accepted: deltas.length, rejectedByReason: {} });
      deltas = [];
    }
  }
  if (deltas.length > 0) store.writeBatch({ deltas, accepted: deltas.length, rejectedByReason: {} });
  store.close();
}

/** Body bytes of the last response per route (reported beside the latencies). */
const bodyBytes = new Map<string, number>();

function request(agent: http.Agent, port: number, route: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: route, agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => {
        bodyBytes.set(route, bytes);
        if (res.statusCode === 200) resolve(performance.now() - started);
        else reject(new Error(`${route}: ${res.statusCode ?? 0}`));
      });
    });
    req.on('error', reject);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-bench-api-'));
  const file = path.join(dir, 'flows.db');
  const nowMs = Date.now();
  const seedStart = performance.now();
  seed(file, nowMs);
  console.log(`seeded ${EDGES} edges in ${NAMESPACES} namespaces in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  // As in the daemon: the store behind the publishing wrapper, whose batch count is the data version.
  const store = publishingStore(openStore(file), new EventBus());
  const alerts = openAlertStore(file);
  const app = buildApp({
    store, dataVersion: store.version, alerts, auth: { mode: 'none' }, registry: createMetrics({ queueCapacity: 1 }).registry,
    readiness: () => ({ ready: true, store: 'open', sources: [] }),
    limits: { pageSizeMax: 1000, pageSizeDefault: 100, requestBodyBytes: 1 << 20 },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.keepAliveTimeout = 60_000;
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const routes = [
    '/api/v1/namespaces?limit=100',
    '/api/v1/graph?namespace=ns-7',
    '/api/v1/graph',
    '/api/v1/flows?namespace=ns-7&limit=100',
    '/api/v1/recommendations?namespace=ns-7',
    '/api/v1/drops?namespace=ns-7',
    '/api/v1/alerts',
  ];
  console.log(`\n${CONCURRENCY} concurrent clients, ${REQUESTS} requests per route (after one cold request)\n`);
  console.log('| route | cold (ms) | p50 (ms) | p99 (ms) | max (ms) | req/s | body (KiB) | CPU/request (ms) | longest loop stall (ms) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const route of routes) {
    const cold = await request(agent, port, route);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const latencies: number[] = [];
    let issued = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (issued < REQUESTS) {
        issued++;
        latencies.push(await request(agent, port, route));
      }
    }));
    const wallSec = (performance.now() - started) / 1000;
    loop.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / latencies.length;
    latencies.sort((a, b) => a - b);
    console.log(`| \`${route}\` | ${cold.toFixed(0)} | ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)} | ${(latencies.at(-1) ?? 0).toFixed(1)} | ${(latencies.length / wallSec).toFixed(0)} | ${((bodyBytes.get(route) ?? 0) / 1024).toFixed(1)} | ${cpuMsPerRequest.toFixed(2)} | ${(loop.max / 1e6).toFixed(0)} |`);
  }
  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  alerts.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
