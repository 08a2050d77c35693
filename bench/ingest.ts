// Ingest throughput and memory (issue 2, "Speed and memory"): Hubble JSON lines into a real
// SQLite file through the production pipeline (file reader → parser → batch writer → store),
// against a bare loop over the same file in the same process that only splits lines, decodes
// them and JSON.parses them. Reports medians of several runs, their ratio, and peak RSS.
//   node --import tsx bench/ingest.ts [--flows N] [--runs R] [--batch-size B]
import { rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_LINE_BYTES_DEFAULT } from '../src/flows/flow.js';
import { ingestParserFor } from '../src/flows/parsers.js';
import { DEFAULT_BATCH_SIZE } from '../src/ingest/batch-writer.js';
import { readFile } from '../src/ingest/file-reader.js';
import { ingestInput } from '../src/ingest/file-ingest.js';
import { openStore } from '../src/store/store.js';
import { benchFlowsFile, numberOption } from './generate-flows.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => numberOption(args, name, fallback);
const flows = option('--flows', 1_000_000);
const runs = option('--runs', 3);
const batchSize = option('--batch-size', DEFAULT_BATCH_SIZE);

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const file = benchFlowsFile(outDir, flows);
const bytes = statSync(file).size;

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

interface Rates {
  /** Per wall-clock second. */
  readonly wall: number;
  /** Per second of this process's CPU time (user + system): what one core gives when not shared. */
  readonly cpu: number;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function bareLoop(): Promise<Rates> {
  let parsed = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await readFile({
    path: file,
    startOffset: 0,
    maxLineBytes: MAX_LINE_BYTES_DEFAULT,
    line(line) {
      if (line.length === 0) return;
      const value: unknown = JSON.parse(
        Buffer.from(line.buffer, line.byteOffset, line.length).toString('utf8'),
      );
      if (value !== null) parsed++;
    },
    oversized() {},
  });
  const seconds = (performance.now() - started) / 1000;
  if (parsed !== flows) throw new Error(`bare loop parsed ${parsed} of ${flows}`);
  return { wall: flows / seconds, cpu: flows / cpuSeconds(cpu0) };
}

async function ingestRun(run: number): Promise<{ rate: Rates; edges: number }> {
  const db = path.join(outDir, `bench-${run}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const store = openStore(db);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const totals = await ingestInput({
    store,
    parser: ingestParserFor('hubble'),
    input: { path: file },
    batchSize,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(cpu0);
  const edges = store.totals().edges;
  store.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  if (totals.accepted !== flows)
    throw new Error(
      `ingest accepted ${totals.accepted} of ${flows} (rejected ${JSON.stringify(totals.rejectedByReason)})`,
    );
  return { rate: { wall: flows / seconds, cpu: flows / cpu }, edges };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const bare: Rates[] = [];
const ingest: Rates[] = [];
let edges = 0;
let ingestPeakRss = 0;
for (let run = 0; run < runs; run++) {
  const b = await bareLoop();
  bare.push(b);
  peakRss = process.memoryUsage().rss;
  const result = await ingestRun(run);
  ingestPeakRss = Math.max(ingestPeakRss, peakRss, process.memoryUsage().rss);
  ingest.push(result.rate);
  edges = result.edges;
  process.stdout.write(
    `run ${run + 1}: bare ${fmt(b.wall)} lines/s (${fmt(b.cpu)} per CPU-s), ingest ${fmt(result.rate.wall)} flows/s (${fmt(result.rate.cpu)} per CPU-s)\n`,
  );
}
clearInterval(sampler);
const bareWall = median(bare.map((r) => r.wall));
const bareCpu = median(bare.map((r) => r.cpu));
const ingestWall = median(ingest.map((r) => r.wall));
const ingestCpu = median(ingest.map((r) => r.cpu));
process.stdout.write(
  [
    `file: ${flows} Hubble flows, ${(bytes / 1048576).toFixed(0)} MiB, ${edges} edges; batch size ${batchSize}; ${runs} runs; load average ${loadavg()[0]?.toFixed(1)}`,
    `bare loop (read + split + decode + JSON.parse): median ${fmt(bareWall)} lines/s wall, ${fmt(bareCpu)} lines per CPU-second`,
    `ingest into SQLite:                              median ${fmt(ingestWall)} flows/s wall, ${fmt(ingestCpu)} flows per CPU-second`,
    `ratio of the medians: ${(ingestWall / bareWall).toFixed(2)} wall, ${(ingestCpu / bareCpu).toFixed(2)} CPU (target >= 0.70)`,
    // Each run measures the bare loop and then ingest back to back, so the ratio within a run
    // is the fairest comparison on a machine whose speed drifts between runs.
    `median of the per-run ratios: ${median(ingest.map((r, i) => r.wall / (bare[i]?.wall ?? Number.NaN))).toFixed(2)} wall, ${median(ingest.map((r, i) => r.cpu / (bare[i]?.cpu ?? Number.NaN))).toFixed(2)} CPU (per run: ${ingest.map((r, i) => (r.cpu / (bare[i]?.cpu ?? Number.NaN)).toFixed(2)).join(', ')})`,
    `peak RSS during ingest: ${(ingestPeakRss / 1048576).toFixed(0)} MiB (target < 300 MiB)`,
  ].join('\n') + '\n',
);
