// The API under load while the daemon ingests (issue 22 item 4: p99 < 200 ms on every route,
// during ingest), through the path users take: the built CLI's `serve` in its own process on a
// real SQLite store seeded with 100,000 edges (bench/cluster-edges.ts: 10,000 workloads in 200
// namespaces), its `type: file` source following a Hubble exporter file that this process appends
// generated lines to at a steady rate (bench/generate-flows.ts), and the load generator forked
// in a third process (bench/api-client.ts). Per route, side by side: a timed run with the file
// quiet, then a timed run while lines are appended; each run reports p50/p99/max, the daemon's
// CPU per request (/proc) and, under ingest, the lines the daemon accepted per second over the window.
// Usage: npm run build && npx tsx bench/api-ingest.ts [--rate 10000] [--requests 500] [--concurrency 50] [--edges 100000]
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, percentile } from './api-driver.js';
import { seedEdgeStore } from './cluster-edges.js';
import { generateHubbleLines } from './generate-flows.js';
import { startServeProcess, writeServeConfig } from './serve-process.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '50' },
    edges: { type: 'string', default: '100000' },
    'batch-size': { type: 'string' },
  },
});
const RATE = Number(values.rate);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const EDGES = Number(values.edges);
const TICK_MS = 100;
/** Node flags for the daemon alone (e.g. BENCH_SERVE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" to profile it). */
const SERVE_FLAGS = (process.env.BENCH_SERVE_FLAGS ?? '').split(' ').filter((f) => f !== '');

interface Daemon {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startServe(dir: string, flowsFile: string): Promise<Daemon> {
  const config = writeServeConfig(dir, 'advisor.db', [
    'logLevel: info',
    'sources:',
    '  - type: file',
    '    name: bench',
    '    format: hubble',
    `    path: ${JSON.stringify(flowsFile)}`,
    'kubernetes:',
    '  enabled: false',
    ...(values['batch-size'] !== undefined
      ? ['limits:', `  batchSize: ${Number(values['batch-size'])}`]
      : []),
  ]);
  const serve = await startServeProcess(config, { nodeFlags: SERVE_FLAGS });
  return {
    port: Number(new URL(serve.base).port),
    pid: serve.pid,
    stop: async () => {
      await serve.stop();
    },
  };
}

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The daemon's counters this bench reads from /metrics (its event-loop lag resets on every scrape). */
interface Scrape {
  readonly accepted: number;
  readonly batches: number;
  readonly batchSeconds: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
}

async function scrape(port: number): Promise<Scrape> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string): number => {
    const match = new RegExp(`^netpol_advisor_${name} ([0-9.e+-]+)`, 'm').exec(text);
    return match === null ? 0 : Number(match[1]);
  };
  return {
    accepted: value('events_accepted_total'),
    batches: value('batch_duration_seconds_count'),
    batchSeconds: value('batch_duration_seconds_sum'),
    lagP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: value('nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

/** Appends generated Hubble lines to the followed file, RATE per second in TICK_MS slices, while on. */
class Appender {
  private readonly lines = generateHubbleLines({
    flows: Number.MAX_SAFE_INTEGER,
    startMs: Date.now() - 3_600_000,
  });
  private timer: NodeJS.Timeout | undefined;
  written = 0;

  constructor(private readonly file: string) {}

  start(): void {
    const perTick = Math.round((RATE * TICK_MS) / 1000);
    let due = performance.now();
    const tick = (): void => {
      let chunk = '';
      for (let i = 0; i < perTick; i++) chunk += `${this.lines.next().value as string}\n`;
      appendFileSync(this.file, chunk);
      this.written += perTick;
      due += TICK_MS;
      this.timer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

interface Run {
  readonly latencies: number[];
  readonly cpuMsPerRequest: number;
}

async function timedRun(client: Client, daemon: Daemon, route: string): Promise<Run> {
  const cpu = cpuSeconds(daemon.pid);
  const reply = await client.ask({
    type: 'timed',
    port: daemon.port,
    route,
    concurrency: CONCURRENCY,
    requests: REQUESTS,
  });
  const used = cpuSeconds(daemon.pid) - cpu;
  return {
    latencies: reply.latencies,
    cpuMsPerRequest: (used * 1000) / reply.latencies.length,
  };
}

function cells(run: Run): string {
  const l = [...run.latencies].sort((a, b) => a - b);
  return `${percentile(l, 50).toFixed(1)} / ${percentile(l, 99).toFixed(1)} / ${(l.at(-1) ?? 0).toFixed(0)} / ${run.cpuMsPerRequest.toFixed(2)}`;
}

/** Waits until the daemon has accepted every line written (the quiet runs start with nothing queued). */
async function drained(daemon: Daemon, appender: Appender): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await scrape(daemon.port)).accepted < appender.written) {
    if (Date.now() > deadline) throw new Error('the daemon did not catch up with the file within 120 s');
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'npa-bench-api-ingest-'));
  const flowsFile = path.join(dir, 'flows.jsonl');
  writeFileSync(flowsFile, '');
  const seeded = seedEdgeStore(path.join(dir, 'advisor.db'), EDGES);
  const daemon = await startServe(dir, flowsFile);
  const client = new Client();
  const appender = new Appender(flowsFile);
  const routes = [
    '/api/v1/namespaces?limit=100',
    '/api/v1/graph?namespace=ns7',
    '/api/v1/graph?level=namespace',
    '/api/v1/flows?namespace=ns7&limit=100',
    '/api/v1/recommendations/summary?namespace=ns7',
    '/api/v1/drops?namespace=ns7',
    '/api/v1/diagnostics?namespace=ns7',
    '/api/v1/alerts',
  ];
  console.log(
    `serve on ${seeded} seeded edges; ${CONCURRENCY} keep-alive clients in a separate process, ${REQUESTS} timed requests per run; ingest: ${RATE} Hubble lines/s appended to the followed file; load average ${loadavg()[0]?.toFixed(1)}\n`,
  );
  console.log(
    '| route | quiet p50 / p99 / max (ms) / daemon CPU per request (ms) | during ingest p50 / p99 / max / CPU per request | lines accepted per s over the ingest window | batches written, mean write (ms) | daemon event-loop lag during the run, p99 / max (ms) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  const p99s: number[] = [];
  for (const route of routes) {
    await client.ask({ type: 'cold', port: daemon.port, route, concurrency: CONCURRENCY });
    await client.ask({ type: 'warm', port: daemon.port, route, concurrency: CONCURRENCY });
    await drained(daemon, appender);
    const quiet = await timedRun(client, daemon, route);
    const before = await scrape(daemon.port);
    const ingestStarted = performance.now();
    appender.start();
    await sleep(2000); // the first batches land before the timed run starts
    await scrape(daemon.port); // resets the event-loop lag histogram: the next scrape covers the run
    const busy = await timedRun(client, daemon, route);
    const during = await scrape(daemon.port);
    await sleep(1000); // the last batch of the window lands
    appender.stop();
    const after = await scrape(daemon.port);
    const acceptedPerSec = (after.accepted - before.accepted) / ((performance.now() - ingestStarted) / 1000);
    const batches = after.batches - before.batches;
    const meanWriteMs = batches > 0 ? ((after.batchSeconds - before.batchSeconds) * 1000) / batches : 0;
    p99s.push(
      percentile(
        [...busy.latencies].sort((a, b) => a - b),
        99,
      ),
    );
    console.log(
      `| \`${route}\` | ${cells(quiet)} | ${cells(busy)} | ${acceptedPerSec.toFixed(0)} | ${batches}, ${meanWriteMs.toFixed(0)} | ${during.lagP99Ms.toFixed(0)} / ${during.lagMaxMs.toFixed(0)} |`,
    );
  }
  console.log(
    `\nworst p99 during ingest ${Math.max(...p99s).toFixed(1)} ms (target < 200 ms); ${appender.written} lines appended; load average ${loadavg()[0]?.toFixed(1)}`,
  );
  await client.close();
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
}

await main();
