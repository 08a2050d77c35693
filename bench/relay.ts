// End-to-end live ingest benchmark: a local fake Hubble Relay (bench/relay-h2-server.ts, real
// gRPC framing over HTTP/2 on 127.0.0.1, in a child process of its own as a relay pod is) →
// HubbleRelaySource (grpc-js, lean decode, de-dup cursor, normalizeHubbleFlow, a resume mark per
// flow) → Pipeline (bounded queue, backpressure) → BatchWriter → SQLite store in a temp dir, with
// the daemon's default limits (batch, queue, flush interval) and source options. Measures flows/s from
// stream open to the last flow committed, per wall-second and per CPU-second of this process (the
// daemon's share); the relay's CPU is reported beside it. `--in-process` runs the relay in this
// process as earlier versions of this bench did (its CPU then counts in the figure).
// Usage: node --import tsx bench/relay.ts [--flows 200000] [--runs 3] [--workloads 500] [--batch N] [--in-process]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { BatchWriter } from '../src/ingest/batch-writer.js';
import { systemClock } from '../src/lib/clock.js';
import { HubbleRelaySource } from '../src/sources/hubble-relay.js';
import { Pipeline } from '../src/ingest/pipeline.js';
import { resumeKey } from '../src/sources/resume-mark.js';
import { openStore } from '../src/store/store.js';
import { benchRelayItems, encodeResponses, startH2Relay } from './relay-h2-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const flows = arg('flows', 200_000);
const runs = arg('runs', 3);
const workloads = arg('workloads', 500);
const inProcess = process.argv.includes('--in-process');
/** What `serve` runs with when the config sets no limits (src/daemon.ts). */
const limits = configSchema.parse({}).limits;
const batchSize = arg('batch', limits.batchSize);

interface RelayHandle {
  readonly address: string;
  readonly bytes: number;
  /** The relay process's CPU seconds so far (0 in-process: they count in this process's). */
  cpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

function childMessage<T>(
  child: ChildProcess,
  pick: (msg: Record<string, unknown>) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown): void => {
      const value =
        typeof msg === 'object' && msg !== null ? pick(msg as Record<string, unknown>) : undefined;
      if (value === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(value);
    };
    const onExit = (code: number | null): void => reject(new Error(`relay process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startRelay(): Promise<RelayHandle> {
  if (inProcess) {
    const frames = encodeResponses(benchRelayItems(flows, workloads));
    const relay = await startH2Relay(frames);
    return {
      address: relay.address,
      bytes: frames.reduce((n, f) => n + f.length, 0),
      cpuSeconds: () => Promise.resolve(0),
      close: () => relay.close(),
    };
  }
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'relay-h2-server.ts');
  const child = fork(script, ['--serve', '--flows', String(flows), '--workloads', String(workloads)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await childMessage(child, (m) =>
    typeof m['address'] === 'string' ? { address: m['address'], bytes: Number(m['bytes']) } : undefined,
  );
  return {
    ...ready,
    cpuSeconds: async () => {
      const answer = childMessage(child, (m) => m['cpu'] as NodeJS.CpuUsage | undefined);
      child.send('cpu');
      const cpu = await answer;
      return (cpu.user + cpu.system) / 1e6;
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

const relay = await startRelay();
const load = [loadavg()[0] ?? 0];
const results: number[] = [];
const cpuResults: number[] = [];
const relayCpu: number[] = [];
for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-relay-bench-'));
  const store = openStore(path.join(dir, 'flows.db'));
  const writer = new BatchWriter({ store, batchSize, flushIntervalMs: limits.flushIntervalMs });
  const pipeline = new Pipeline({
    writer,
    queueCapacity: limits.queueCapacity,
    drainChunk: batchSize,
    flushIntervalMs: limits.flushIntervalMs,
    clock: systemClock,
  });
  pipeline.start();
  const source = new HubbleRelaySource({
    name: 'bench',
    address: relay.address,
    resumeKey: resumeKey('hubble-relay', 'bench'),
  });
  const relayCpu0 = await relay.cpuSeconds();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await source.start(pipeline);
  while (pipeline.stats().written < flows) await new Promise((r) => setTimeout(r, 2));
  writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of this process (the relay client, the pipeline and SQLite; with --in-process
  // also the fake relay): wall time is meaningless on a shared, overloaded machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const relaySeconds = (await relay.cpuSeconds()) - relayCpu0;
  results.push(flows / seconds);
  cpuResults.push(flows / cpuSeconds);
  relayCpu.push(relaySeconds);
  const st = source.status();
  await source.stop();
  await pipeline.stop();
  const totals = store.totals();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  console.error(
    `run ${run + 1}: ${(flows / seconds).toFixed(0)} flows/s wall, ${(flows / cpuSeconds).toFixed(0)} flows per CPU-second (${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} CPU-s; relay process ${relaySeconds.toFixed(2)} CPU-s; pauses ${st.pauses}; dup ${st.duplicates}; stored ${JSON.stringify(totals).slice(0, 120)})`,
  );
}
await relay.close();
load.push(loadavg()[0] ?? 0);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  JSON.stringify({
    bench: 'relay',
    flows,
    runs,
    batchSize,
    relay: inProcess ? 'in-process' : 'child process',
    frameMiB: +(relay.bytes / 2 ** 20).toFixed(1),
    medianFlowsPerSecWall: Math.round(median(results)),
    medianFlowsPerCpuSec: Math.round(median(cpuResults)),
    wall: results.map(Math.round),
    perCpuSec: cpuResults.map(Math.round),
    relayCpuSec: relayCpu.map((s) => +s.toFixed(2)),
    loadAverage: load.map((l) => +l.toFixed(1)),
  }),
);
