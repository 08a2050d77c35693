// Shadow mode's cost on ingest (issue 20: "must not slow ingest by more than 10%"): the same
// generated Hubble file ingested through the production pipeline into a fresh SQLite file, plain
// and with the live evaluation of active staged sets wrapped around the store (ShadowRecorder, as
// the daemon runs it), alternating per run. Two staged scenarios:
//   recommended: every namespace staged with its own recommendation (computed beforehand from a
//                plain ingest of the same file): nearly every path judged, few would-drops;
//   deny-all:    every namespace staged with a default deny: every path judged and a would-drop
//                (the worst case for the store's would-drop writes).
//   node --import tsx bench/staged.ts [--flows N] [--runs R]
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestParserFor } from '../src/flows/parsers.js';
import type { NetworkPolicy } from '../src/policy/model.js';
import { proposedPolicies } from '../src/recommend/proof.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../src/recommend/recommend.js';
import { ingestInput } from '../src/ingest/file-ingest.js';
import { ShadowRecorder } from '../src/store/staged-shadow.js';
import { StagedStore } from '../src/store/staged-store.js';
import { openStore } from '../src/store/store.js';
import { benchFlowsFile, numberOption } from './generate-flows.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => numberOption(args, name, fallback);
const flows = option('--flows', 1_000_000);
const runs = option('--runs', 3);
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
const file = benchFlowsFile(outDir, flows);

type StagedSets = ReadonlyMap<string, readonly NetworkPolicy[]>;

function freshDb(name: string): string {
  const db = path.join(outDir, name);
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  return db;
}

interface Run {
  readonly wallSec: number;
  readonly cpuSec: number;
  readonly wouldDropPaths: number;
  readonly judged: number;
}

async function ingest(staged: StagedSets | undefined): Promise<Run> {
  const db = freshDb('staged-bench.db');
  const store = openStore(db);
  const stagedStore = new StagedStore(db);
  for (const [namespace, policies] of staged ?? [])
    stagedStore.stage({ namespace, flavor: 'k8s', origin: 'given', policies, by: 'bench', nowMs: 0 });
  const recorder = new ShadowRecorder({ staged: stagedStore, snapshot: () => undefined, now: () => 1 });
  const target = staged === undefined ? store : recorder.wrap(store);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const totals = await ingestInput({
    store: target,
    parser: ingestParserFor('hubble'),
    input: { path: file },
  });
  const wallSec = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu0);
  if (totals.accepted !== flows) throw new Error(`accepted ${totals.accepted} of ${flows}`);
  if (recorder.failures > 0) throw new Error(`${recorder.failures} batches failed evaluation`);
  let wouldDropPaths = 0;
  let judged = 0;
  for (const set of stagedStore.activeSets()) {
    const traffic = stagedStore.traffic(set.id);
    wouldDropPaths += traffic.wouldDropPaths;
    judged += traffic.connections;
  }
  stagedStore.close();
  store.close();
  freshDb('staged-bench.db');
  return { wallSec, cpuSec: (used.user + used.system) / 1e6, wouldDropPaths, judged };
}

async function recommendedSets(): Promise<StagedSets> {
  const db = freshDb('staged-seed.db');
  const store = openStore(db);
  await ingestInput({ store, parser: ingestParserFor('hubble'), input: { path: file } });
  const recommendation = recommendPolicies(store.iterateEdges(), undefined, DEFAULT_RECOMMEND_OPTIONS);
  store.close();
  freshDb('staged-seed.db');
  const sets = new Map<string, NetworkPolicy[]>();
  for (const policy of proposedPolicies(recommendation)) {
    const list = sets.get(policy.metadata.namespace) ?? [];
    list.push(policy);
    sets.set(policy.metadata.namespace, list);
  }
  return sets;
}

function denyAllSets(namespaces: Iterable<string>): StagedSets {
  return new Map(
    [...namespaces].map((namespace) => [
      namespace,
      [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny-all', namespace },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        } satisfies NetworkPolicy,
      ],
    ]),
  );
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const recommended = await recommendedSets();
const scenarios: [string, StagedSets | undefined][] = [
  ['plain', undefined],
  ['recommended', recommended],
  ['deny-all', denyAllSets(recommended.keys())],
];
const results = new Map<string, Run[]>(scenarios.map(([name]) => [name, []]));
for (let run = 0; run < runs; run++) {
  for (const [name, sets] of scenarios) {
    const result = await ingest(sets);
    results.get(name)?.push(result);
    process.stdout.write(
      `run ${run + 1} ${name.padEnd(11)}: ${result.wallSec.toFixed(2)} s wall, ${result.cpuSec.toFixed(2)} CPU-s, ${result.judged} connections judged, ${result.wouldDropPaths} would-drop paths\n`,
    );
  }
}
const plain = results.get('plain') ?? [];
process.stdout.write(
  `${flows} flows, ${recommended.size} namespaces staged, ${runs} runs, load average ${loadavg()[0]?.toFixed(1)}\n`,
);
for (const [name] of scenarios.slice(1)) {
  const staged = results.get(name) ?? [];
  // Per run the plain and staged ingests run back to back: the ratio within a run is the fairest.
  const wall = median(staged.map((r, i) => r.wallSec / (plain[i]?.wallSec ?? Number.NaN)));
  const cpu = median(staged.map((r, i) => r.cpuSec / (plain[i]?.cpuSec ?? Number.NaN)));
  process.stdout.write(
    `${name}: median per-run slowdown ${((wall - 1) * 100).toFixed(1)}% wall, ${((cpu - 1) * 100).toFixed(1)}% CPU (target <= 10%)\n`,
  );
}
