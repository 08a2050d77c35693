// How the cost of the commands users run grows (issue 22): the built CLI (dist/, `npm run bench`
// builds it) spawned as a user runs it, timed by GNU time (wall, CPU, peak RSS), medians of
// several runs, one markdown table row per size.
// - `recommend --out DIR` over a real SQLite store of 10,000 / 100,000 (/ 1,000,000) generated edges
//   (bench/cluster-edges.ts: edges/10 workloads, workloads/50 namespaces), whole cluster.
// - `eval --queries` on a generated snapshot of 500 / 5,000 / 50,000 pods (pods/5 policies) with
//   200,000 queries, output to a file; the rate after start-up is queries / (time of the batch −
//   time of a one-query file), wall and CPU. At the middle size also --ndjson and --explain.
// Run: npx tsx bench/cli-scale.ts [--runs N] [--recommend 10000,100000] [--eval 500,5000] [--queries N]
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedEdgeStore } from './cluster-edges.js';
import { writeEvalCluster } from './eval-cluster.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    // 1,000,000 is opt-in (`--recommend 10000,100000,1000000`): minutes and several GiB per run
    // (docs/benchmarks.md), too much for a default run on a shared machine.
    recommend: { type: 'string', default: '10000,100000' },
    eval: { type: 'string', default: '500,5000,50000' },
    queries: { type: 'string', default: '200000' },
  },
});
const RUNS = Number(values.runs);
const sizes = (text: string): number[] =>
  text
    .split(',')
    .filter((s) => s !== '')
    .map(Number);
const QUERIES = Number(values.queries);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin/netpol-advisor.js');
const out = path.join(root, 'bench/out');
mkdirSync(out, { recursive: true });
if (!existsSync(path.join(root, 'dist/cli/main.js')))
  throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');

interface Measure {
  wallSec: number;
  cpuSec: number;
  peakMiB: number;
}

/** Spawns the CLI under GNU time, its stdout written to `stdoutFile` (as a user redirecting it). */
function timed(args: readonly string[], stdoutFile: string): Measure {
  const timeFile = path.join(out, 'time.txt');
  const fd = openSync(stdoutFile, 'w');
  try {
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %U %S %M', '-o', timeFile, process.execPath, cli, ...args],
      { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.status !== 0)
      throw new Error(`${args.join(' ')}: exit ${result.status}: ${result.stderr.slice(-2000)}`);
  } finally {
    closeSync(fd);
  }
  const [wall, user, sys, rssKiB] =
    readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  return { wallSec: wall ?? NaN, cpuSec: (user ?? NaN) + (sys ?? NaN), peakMiB: (rssKiB ?? NaN) / 1024 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `load average at start ${load()}; ${RUNS} runs per row, medians (wall / CPU = user + system / peak RSS)`,
);

if (sizes(values.recommend).length > 0) {
  console.log(
    '\n| recommend --out, whole cluster | edges stored | wall s | CPU s | peak RSS MiB | output MiB | runs (wall) |\n| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const edges of sizes(values.recommend)) {
    const db = path.join(out, `cli-edges-${edges}.db`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    const stored = seedEdgeStore(db, edges);
    const dir = path.join(out, `recommend-${edges}`);
    const runs: Measure[] = [];
    for (let run = 0; run < RUNS; run++) {
      rmSync(dir, { recursive: true, force: true });
      runs.push(
        timed(
          ['recommend', '--db', db, '--out', dir, '--accept-unsafe'],
          path.join(out, 'recommend-stdout.txt'),
        ),
      );
    }
    const yamlBytes = readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
    console.log(
      `| ${edges.toLocaleString('en')} edges | ${stored.toLocaleString('en')} | ${f1(median(runs.map((r) => r.wallSec)))} | ${f1(median(runs.map((r) => r.cpuSec)))} | ${median(runs.map((r) => r.peakMiB)).toFixed(0)} | ${(yamlBytes / 2 ** 20).toFixed(0)} | ${runs.map((r) => f1(r.wallSec)).join(', ')} |`,
    );
  }
  console.log(`load average ${load()}`);
}

if (sizes(values.eval).length > 0) {
  console.log(
    `\n| eval --queries (${QUERIES.toLocaleString('en')}) | form | one query: wall s / peak MiB | batch: wall s / CPU s / peak MiB | queries/s after start-up, wall | per CPU-s | output bytes/query |\n| --- | --- | --- | --- | --- | --- | --- |`,
  );
  const middle = sizes(values.eval)[Math.floor(sizes(values.eval).length / 2)];
  for (const pods of sizes(values.eval)) {
    const snapshot = path.join(out, `eval-${pods}.json`);
    const queries = path.join(out, `eval-${pods}-queries.json`);
    const one = path.join(out, `eval-${pods}-one.json`);
    writeEvalCluster(snapshot, queries, pods, QUERIES);
    writeFileSync(one, JSON.stringify((JSON.parse(readFileSync(queries, 'utf8')) as unknown[]).slice(0, 1)));
    const forms: [string, string[]][] = [
      ['lines', []],
      ...(pods === middle
        ? ([
            ['--ndjson', ['--ndjson']],
            ['--explain', ['--explain']],
          ] as [string, string[]][])
        : []),
    ];
    for (const [form, extra] of forms) {
      const result = path.join(out, `eval-${pods}-out.txt`);
      const single: Measure[] = [];
      const batch: Measure[] = [];
      for (let run = 0; run < RUNS; run++) {
        single.push(
          timed(
            ['eval', '--cluster', snapshot, '--queries', one, ...extra],
            path.join(out, 'eval-one-out.txt'),
          ),
        );
        batch.push(timed(['eval', '--cluster', snapshot, '--queries', queries, ...extra], result));
      }
      const wall = median(batch.map((m) => m.wallSec)) - median(single.map((m) => m.wallSec));
      const cpu = median(batch.map((m) => m.cpuSec)) - median(single.map((m) => m.cpuSec));
      console.log(
        `| ${pods.toLocaleString('en')} pods, ${Math.round(pods / 5).toLocaleString('en')} policies | ${form} | ${f2(median(single.map((m) => m.wallSec)))} / ${median(single.map((m) => m.peakMiB)).toFixed(0)} | ${f2(median(batch.map((m) => m.wallSec)))} / ${f2(median(batch.map((m) => m.cpuSec)))} / ${median(batch.map((m) => m.peakMiB)).toFixed(0)} | ${Math.round(QUERIES / wall).toLocaleString('en')} | ${Math.round(QUERIES / cpu).toLocaleString('en')} | ${Math.round(statSync(result).size / QUERIES)} |`,
      );
    }
  }
  console.log(`load average ${load()}`);
}
