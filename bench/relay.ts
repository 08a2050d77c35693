// End-to-end live ingest benchmark: a local fake Hubble Relay (bench/relay-h2-server.ts, real
// gRPC framing over HTTP/2 on 127.0.0.1) → HubbleRelaySource (grpc-js, proto-loader decode,
// de-dup cursor, normalizeHubbleFlow) → Pipeline (bounded queue, backpressure) → BatchWriter →
// SQLite store in a temp dir. Measures flows/s from stream open to the last flow committed.
// Usage: node --import tsx bench/relay.ts [--flows 200000] [--runs 3] [--workloads 500] [--batch 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchWriter, DEFAULT_BATCH_SIZE } from '../src/ingest/batch-writer.js';
import { systemClock } from '../src/lib/clock.js';
import { HubbleRelaySource } from '../src/sources/hubble-relay.js';
import { NO_FILTERS } from '../src/sources/hubble-relay-filters.js';
import { Pipeline } from '../src/ingest/pipeline.js';
import { openStore } from '../src/store/store.js';
import { tcpSyn } from '../test/fakes/fake-relay.js';
import { encodeResponses, startH2Relay } from './relay-h2-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const flows = arg('flows', 200_000);
const runs = arg('runs', 3);
const workloads = arg('workloads', 500);
const T0 = Date.UTC(2026, 4, 1);

// Distinct source pods/ports so aggregation produces realistic edge counts, not one hot row.
const items = Array.from({ length: flows }, (_, i) => {
  const r = tcpSyn(T0 + Math.floor(i / 10), {
    srcPort: 1024 + (i % 50_000),
    dstPort: 8000 + (i % 7),
    nanos: (i % 10) * 1000,
  });
  const w = i % workloads;
  const flow = r.flow as { source: { pod_name: string; labels: string[]; workloads: { name: string }[] } };
  flow.source = {
    ...flow.source,
    pod_name: `client-${w}-abcde`,
    labels: [`k8s:app=client-${w}`, 'k8s:io.kubernetes.pod.namespace=shop'],
    workloads: [{ name: `client-${w}` }],
  };
  return r;
});
const frames = encodeResponses(items);
const bytes = frames.reduce((n, f) => n + f.length, 0);

const results: number[] = [];
const cpuResults: number[] = [];
for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-relay-bench-'));
  const store = openStore(path.join(dir, 'flows.db'));
  const writer = new BatchWriter({
    store,
    batchSize: arg('batch', DEFAULT_BATCH_SIZE),
    flushIntervalMs: 1000,
  });
  const pipeline = new Pipeline({
    writer,
    queueCapacity: 50_000,
    drainChunk: 5_000,
    flushIntervalMs: 1000,
    clock: systemClock,
  });
  pipeline.start();
  const relay = await startH2Relay(frames);
  const source = new HubbleRelaySource({ name: 'bench', address: relay.address, filters: NO_FILTERS });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await source.start(pipeline);
  while (pipeline.stats().written < flows) await new Promise((r) => setTimeout(r, 2));
  writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of this process (our client, the pipeline, SQLite and the fake relay, which runs
  // in the same process): wall time is meaningless on a shared, overloaded machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  results.push(flows / seconds);
  cpuResults.push(flows / cpuSeconds);
  const st = source.status();
  await source.stop();
  await pipeline.stop();
  await relay.close();
  const totals = store.totals();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  console.error(
    `run ${run + 1}: ${(flows / seconds).toFixed(0)} flows/s wall, ${(flows / cpuSeconds).toFixed(0)} flows per CPU-second (${seconds.toFixed(2)} s; pauses ${st.pauses}; dup ${st.duplicates}; stored accepted ${JSON.stringify(totals).slice(0, 120)})`,
  );
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  JSON.stringify({
    bench: 'relay',
    flows,
    runs,
    frameMiB: +(bytes / 2 ** 20).toFixed(1),
    medianFlowsPerSecWall: Math.round(median(results)),
    medianFlowsPerCpuSec: Math.round(median(cpuResults)),
    wall: results.map(Math.round),
    perCpuSec: cpuResults.map(Math.round),
  }),
);
