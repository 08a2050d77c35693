// Benchmark of the recommender: 10,000 workloads in 200 namespaces and 100,000 observed edges →
// recommendPolicies (target < 10 s, < 1 GiB resident), then the replay proof of 1,000,000 edges
// through the engine against the proposal (target < 10 s), as the proof does it (verdicts only,
// no rule hits). The 1,000,000 replayed edges are the 100,000 distinct stored edges streamed ten
// times over with fresh ids: a proposal for 1,000,000 distinct edges would need a 1,000,000-edge
// recommend first. The replay keeps no per-query memo (stored edges are unique per endpoint pair,
// port, protocol and verdict, so a memo would only pay off on this repetition): a repeated edge
// costs what a new one does, and the first pass (100,000 distinct edges) is printed on its own.
// Medians of several runs; CPU time is printed beside wall time because the machine is shared.
// Run: npx tsx bench/recommend.ts [--runs N]
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compilePolicies } from '../src/policy/engine.js';
import { proposedPolicies } from '../src/recommend/proof.js';
import type { ObservedEdge, Recommendation } from '../src/recommend/proposal.js';
import { recommendPolicies } from '../src/recommend/recommend.js';
import { EndpointResolver, replayEdges, syntheticSnapshot } from '../src/recommend/replay.js';
import { generateEdges } from './cluster-edges.js';

const WORKLOADS = 10_000;
const EDGES = 100_000;
const REPLAY_EDGES = 1_000_000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const edges = generateEdges(EDGES, 7);
let peakRss = process.memoryUsage().rss;
const recommendMs: number[] = [];
const recommendCpuMs: number[] = [];
const runRss: number[] = [];
recommendPolicies(edges.slice(0, 10), undefined);
const latest: Recommendation[] = [];
for (let run = 0; run < RUNS; run++) {
  latest.length = 0; // the previous run's result is not kept alive during this one
  const start = performance.now();
  const cpu = process.cpuUsage();
  latest.push(recommendPolicies(edges, undefined));
  const used = process.cpuUsage(cpu);
  recommendMs.push(performance.now() - start);
  recommendCpuMs.push((used.user + used.system) / 1000);
  runRss.push(process.memoryUsage().rss);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const recommendation = latest[0];
if (recommendation === undefined) throw new Error('--runs must be at least 1');
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  `recommend: ${WORKLOADS} workloads, ${EDGES} edges → ${proposedPolicies(recommendation).length} policies in ${recommendation.namespaces.length} namespaces; median wall ${seconds(median(recommendMs))} s, CPU ${seconds(median(recommendCpuMs))} s (wall runs: ${recommendMs.map(seconds).join(', ')}; CPU runs: ${recommendCpuMs.map(seconds).join(', ')}); RSS after each run ${runRss.map(mib).join(', ')} MiB`,
);

function* replaySource(): Generator<ObservedEdge> {
  let id = 0;
  for (let pass = 0; id < REPLAY_EDGES; pass++) {
    for (const edge of edges) {
      if (id >= REPLAY_EDGES) return;
      yield { ...edge, id: ++id };
    }
  }
}
const base = syntheticSnapshot(edges);
const engine = compilePolicies({ ...base, policies: proposedPolicies(recommendation) });
const resolver = new EndpointResolver(base);
const replayMs: number[] = [];
const replayCpuMs: number[] = [];
const distinctCpuMs: number[] = [];
let dropped = 0;
let replayed = 0;
for (let run = 0; run < RUNS; run++) {
  let cpu = process.cpuUsage();
  const distinct = replayEdges(edges, engine, resolver, { ruleHits: false });
  let used = process.cpuUsage(cpu);
  distinctCpuMs.push((used.user + used.system) / 1000);
  dropped += distinct.dropped.length;
  const start = performance.now();
  cpu = process.cpuUsage();
  const result = replayEdges(replaySource(), engine, resolver, { ruleHits: false });
  used = process.cpuUsage(cpu);
  replayMs.push(performance.now() - start);
  replayCpuMs.push((used.user + used.system) / 1000);
  dropped += result.dropped.length;
  replayed = result.replayed;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
console.log(`replay of the ${EDGES} distinct edges once: median CPU ${seconds(median(distinctCpuMs))} s`);
console.log(
  `replay: ${REPLAY_EDGES} edges (${EDGES} distinct ×${REPLAY_EDGES / EDGES}; ${replayed} forwarded replayed) against the proposal: median wall ${seconds(median(replayMs))} s, CPU ${seconds(median(replayCpuMs))} s (wall runs: ${replayMs.map(seconds).join(', ')}; CPU runs: ${replayCpuMs.map(seconds).join(', ')}); dropped ${dropped}; peak RSS ${mib(peakRss)} MiB`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
if (dropped !== 0) process.exitCode = 1;
