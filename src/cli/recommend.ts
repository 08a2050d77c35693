// `netpol-advisor recommend`: observed edges (+ an optional cluster snapshot) → least-privilege
// policies, proven by replay before anything is shown. Thin: reads the store, the snapshot and the
// reasons file, calls the pure recommender (src/recommend) and writes what it returns.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { loadClusterSnapshot } from '../k8s/snapshot-file.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { parseYamlDocuments } from '../policy/yaml-documents.js';
import {
  exportFileEntries,
  exportJson,
  folderIndexEntries,
  yamlStreamChunks,
  type ExportOptions,
} from '../recommend/export.js';
import { FLAVORS, isFlavor } from '../recommend/flavor.js';
import { describeReplayedDrop, proveRecommendation, type RecommendationProof } from '../recommend/proof.js';
import type { ReasonRule } from '../recommend/reasons.js';
import {
  DEFAULT_RECOMMEND_OPTIONS,
  recommendPolicies,
  type RecommendOptions,
} from '../recommend/recommend.js';
import { SyntheticSnapshot } from '../recommend/replay.js';
import { openReadStore } from './open-db.js';
import { StagedFolder } from './recommend-folder.js';
import type { FlowStore } from '../store/types.js';
import { defaultDbPath, parseCommandArgs, parseIntegerOption, UsageError } from './args.js';
import type { Command } from './main.js';
import {
  buildGuardrails,
  GUARDRAILS_DIR,
  guardrailsJson,
  guardrailsSummary,
  guardrailsYaml,
  parseGuardrailFlavor,
  writeGuardrailsFiles,
} from './recommend-guardrails.js';

const HELP = `usage: netpol-advisor recommend [--db FILE] [--cluster SNAPSHOT] [--namespace NS] [--flavor k8s|cilium|calico]
                                 [--staged] [--out DIR] [--json] [--reasons FILE] [options]

Proposes least-privilege NetworkPolicies from the observed (forwarded) traffic: per namespace a
default deny, DNS egress, and one allow policy per workload and direction. Before printing, every
observed flow is replayed through the policy engine against the existing + proposed policies; if
any would be dropped the command fails (exit 1) instead of printing an unsafe proposal.

options:
  --db FILE                the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  --cluster SNAPSHOT       kubectl get … -o json|yaml output, or manifests: verifies selectors, resolves
                           unlabelled addresses, diffs against existing policies (repeatable)
  --namespace NS           only propose policies for NS
  --flavor F               k8s (default), cilium (CiliumNetworkPolicy, toFQDNs) or calico
  --staged                 with --flavor calico: StagedNetworkPolicy (a dry run Calico reports on)
  --cluster-policies V     also propose cluster guardrails: cnp (ClusterNetworkPolicy v1alpha2: Baseline
                           cross-namespace deny + Accept per observed path, Admin Accept for shared
                           services) or anp (AdminNetworkPolicy v1alpha1); default off
  --out DIR                write one file per namespace, kustomization.yaml, verify.sh, README.md
  --json                   JSON: per namespace {policies, evidence, tests, warnings}, plus the proof
  --reasons FILE           YAML/JSON list of {from, to, port?, protocol?, reason}: business reasons
                           (from/to: ns/workload, ns/*, *, an IP or a CIDR)
  --ipv4-prefix N          aggregate external IPv4 egress destinations to /N (default 32: exact)
  --ipv6-prefix N          aggregate external IPv6 egress destinations to /N (default 128: exact)
  --ingress-ipv4-prefix N  aggregate external IPv4 ingress sources to /N (default 32: exact)
  --ingress-ipv6-prefix N  aggregate external IPv6 ingress sources to /N (default 128: exact)
  --public-ingress-min-clients N
                           a workload port reached from N distinct public addresses is admitted from
                           any address (default 10; LoadBalancer/NodePort targets and ingress
                           controllers always are)
  --accept-unsafe          print the proposal even when it would deny observed paths it cannot
                           express (ICMP, unresolved addresses …); without it that is exit 1
  --min-observed-sec N     flag workloads observed for less than N seconds (default 3600)
  --min-connections N      flag workloads with fewer connections (default 5)
  --max-exposure-evals N   bound on the exposure computation (default 2000000)
  -h, --help               this help
`;

const reasonSchema = z
  .object({
    from: z.string().max(512).optional(),
    to: z.string().max(512).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    protocol: z.string().max(8).optional(),
    reason: z.string().min(1).max(1024),
  })
  .strict();
const reasonsFileSchema = z.union([
  z.array(reasonSchema).max(10_000),
  z.object({ reasons: z.array(reasonSchema).max(10_000) }).strict(),
]);

export async function readReasons(file: string): Promise<ReasonRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--reasons ${file}: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`,
      { cause: error },
    );
  }
  // Core-schema YAML only, one document (yaml-documents.ts).
  const documents = parseYamlDocuments(text);
  const problem = documents.problems[0];
  if (problem !== undefined)
    throw new UsageError(
      `--reasons ${file}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}`,
    );
  if (documents.values.length > 1)
    throw new UsageError(`--reasons ${file}: expected one YAML document, got ${documents.values.length}`);
  const parsed: unknown = documents.values[0]?.value ?? null;
  const result = reasonsFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`--reasons ${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const list = Array.isArray(result.data) ? result.data : result.data.reasons;
  return list.map((r) => ({
    reason: r.reason,
    ...(r.from !== undefined ? { from: r.from } : {}),
    ...(r.to !== undefined ? { to: r.to } : {}),
    ...(r.port !== undefined ? { port: r.port } : {}),
    ...(r.protocol !== undefined ? { protocol: r.protocol } : {}),
  }));
}

export async function loadSnapshotOption(
  paths: readonly string[] | undefined,
): Promise<ClusterSnapshot | undefined> {
  if (paths === undefined || paths.length === 0) return undefined;
  const loaded = await loadClusterSnapshot(paths);
  if (!loaded.ok)
    throw new UsageError(
      `--cluster: ${loaded.problems[0] ?? 'invalid snapshot'}${loaded.problems.length > 1 ? ` (and ${loaded.problems.length - 1} more problems)` : ''}`,
    );
  return loaded.snapshot;
}

export function openExistingStore(db: string): Promise<FlowStore> {
  return openReadStore(db);
}

/**
 * Distinct JSON texts per column kind whose parsed values a read of the store shares. The
 * recommender keeps the forwarded records until its per-edge stage, so each kept record should
 * share its workloads' labels, pods and names (1,000,000 edges have ~100,000 workloads); a
 * one-shot command can afford the map, which never holds more entries than the store has edges.
 */
const RECOMMEND_INTERNED_MAX = 1 << 20;

function* tap<T>(items: Iterable<T>, see: (item: T) => void): Generator<T> {
  for (const item of items) {
    see(item);
    yield item;
  }
}

function summary(proof: RecommendationProof): string {
  const exposure = (c: RecommendationProof['exposureBefore']) =>
    c === undefined ? 'n/a' : `${c.reachable}/${c.total}`;
  const ignored =
    proof.ignored.length === 0
      ? ''
      : `; ${proof.ignored.length} policy object(s) NOT EVALUATED by the replay: ${proof.ignored
          .slice(0, 10)
          .map(
            (o) => `${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name} (${o.reason})`,
          )
          .join('; ')}`.replace(/\p{Cc}/gu, '?');
  const notEvaluated =
    proof.notEvaluated === 0
      ? ''
      : `; ${proof.notEvaluated} observed path(s) NOT EVALUATED (a Cilium host policy and a host address no Node has: see simulate)`;
  const already =
    proof.alreadyDenied.length === 0
      ? ''
      : `, ${proof.alreadyDenied.length} already denied by the policies in force`;
  return `replayed ${proof.replayed} observed flows${proof.flavor !== 'k8s' ? ` as ${proof.flavor} objects` : ''}: ${proof.allowed} allowed, 0 dropped by the proposal${already}, ${proof.knownGaps} known gaps; reachable (pod pair, port): before ${exposure(proof.exposureBefore)}, after ${exposure(proof.exposureAfter)}${ignored}${notEvaluated}`;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    db: { type: 'string' },
    cluster: { type: 'string', multiple: true },
    namespace: { type: 'string' },
    flavor: { type: 'string' },
    staged: { type: 'boolean' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    reasons: { type: 'string' },
    'ipv4-prefix': { type: 'string' },
    'ipv6-prefix': { type: 'string' },
    'ingress-ipv4-prefix': { type: 'string' },
    'ingress-ipv6-prefix': { type: 'string' },
    'public-ingress-min-clients': { type: 'string' },
    'accept-unsafe': { type: 'boolean' },
    'min-observed-sec': { type: 'string' },
    'min-connections': { type: 'string' },
    'max-exposure-evals': { type: 'string' },
    'cluster-policies': { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const flavor = values.flavor ?? 'k8s';
  if (!isFlavor(flavor))
    throw new UsageError(`--flavor: unknown flavor "${flavor}" (expected ${FLAVORS.join(', ')})`);
  if (values.staged === true && flavor !== 'calico')
    throw new UsageError('--staged: only with --flavor calico');
  const exportOptions: ExportOptions = { flavor, staged: values.staged === true };
  const guardrailFlavor = parseGuardrailFlavor(values['cluster-policies']);
  const options: RecommendOptions = {
    ...DEFAULT_RECOMMEND_OPTIONS,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    aggregation: {
      ipv4PrefixLength:
        values['ipv4-prefix'] !== undefined
          ? parseIntegerOption('ipv4-prefix', values['ipv4-prefix'], 0, 32)
          : 32,
      ipv6PrefixLength:
        values['ipv6-prefix'] !== undefined
          ? parseIntegerOption('ipv6-prefix', values['ipv6-prefix'], 0, 128)
          : 128,
    },
    ingressAggregation: {
      ipv4PrefixLength:
        values['ingress-ipv4-prefix'] !== undefined
          ? parseIntegerOption('ingress-ipv4-prefix', values['ingress-ipv4-prefix'], 0, 32)
          : 32,
      ipv6PrefixLength:
        values['ingress-ipv6-prefix'] !== undefined
          ? parseIntegerOption('ingress-ipv6-prefix', values['ingress-ipv6-prefix'], 0, 128)
          : 128,
    },
    ...(values['public-ingress-min-clients'] !== undefined
      ? {
          publicIngressMinClients: parseIntegerOption(
            'public-ingress-min-clients',
            values['public-ingress-min-clients'],
            1,
            1_000_000,
          ),
        }
      : {}),
    minObservedSec:
      values['min-observed-sec'] !== undefined
        ? parseIntegerOption('min-observed-sec', values['min-observed-sec'], 0, 10 * 365 * 86400)
        : DEFAULT_RECOMMEND_OPTIONS.minObservedSec,
    minConnections:
      values['min-connections'] !== undefined
        ? parseIntegerOption('min-connections', values['min-connections'], 0, Number.MAX_SAFE_INTEGER)
        : DEFAULT_RECOMMEND_OPTIONS.minConnections,
    reasons: values.reasons !== undefined ? await readReasons(values.reasons) : [],
  };
  const maxExposureEvaluations =
    values['max-exposure-evals'] !== undefined
      ? parseIntegerOption('max-exposure-evals', values['max-exposure-evals'], 0, Number.MAX_SAFE_INTEGER)
      : 2_000_000;
  const snapshot = await loadSnapshotOption(values.cluster);
  const store = await openExistingStore(values.db ?? defaultDbPath());
  // --out without --json: each namespace's file is written as it is proposed (recommend-folder.ts).
  const folder =
    values.out !== undefined && values.json !== true
      ? await StagedFolder.open(path.resolve(values.out), exportOptions)
      : undefined;
  let committed = false;
  try {
    const edges = () => store.iterateEdges({}, { internedMax: RECOMMEND_INTERNED_MAX });
    // Without a snapshot the proof replays against one built from the edges: built on the
    // recommender's pass, so the store is read twice in all (recommend, then every proof check).
    const synthetic = snapshot === undefined ? new SyntheticSnapshot() : undefined;
    const recommendation = recommendPolicies(
      synthetic === undefined ? edges() : tap(edges(), (edge) => synthetic.add(edge)),
      snapshot,
      options,
      {},
      folder?.sink,
    );
    const proof = proveRecommendation(recommendation, edges, snapshot, {
      ...(synthetic !== undefined ? { synthetic: synthetic.snapshot() } : {}),
      maxExposureEvaluations,
      namespaces: recommendation.namespaces.map((ns) => ns.namespace),
      export: exportOptions,
      ...(folder !== undefined && flavor !== 'k8s' ? { emitted: folder.emitted } : {}),
    });
    if (proof.violations.length > 0) {
      process.stderr.write(
        `netpol-advisor recommend: BUG: the proposal would drop ${proof.violations.length} observed forwarded flow(s); refusing to print it:\n`,
      );
      for (const d of proof.violations.slice(0, 20).map(describeReplayedDrop))
        process.stderr.write(`  ${d.path}: ${d.reason}\n`);
      return 1;
    }
    if (proof.alreadyDenied.length > 0) {
      // Not the proposal's doing (it changes nothing there), but observed traffic that is blocked now.
      process.stderr.write(
        `netpol-advisor recommend: ${proof.alreadyDenied.length} observed forwarded flow(s) are already denied by the policies in force (not by this proposal; see \`netpol-advisor drops\`):\n`,
      );
      for (const d of proof.alreadyDenied.slice(0, 20).map(describeReplayedDrop))
        process.stderr.write(`  ${d.path}: ${d.reason}\n`);
      if (proof.alreadyDenied.length > 20)
        process.stderr.write(`  … ${proof.alreadyDenied.length - 20} more (see --json)\n`);
    }
    // A proposal that would deny an observed path it cannot express is never printed with exit 0.
    const unsafe = recommendation.unsafe;
    const accepted = values['accept-unsafe'] === true;
    if (unsafe.length > 0) {
      process.stderr.write(
        `netpol-advisor recommend: NOT SAFE TO APPLY: the proposal would deny ${unsafe.length} observed path(s) it cannot express${accepted ? ' (accepted with --accept-unsafe)' : '; pass --accept-unsafe to print it anyway'}:\n`,
      );
      for (const u of unsafe.slice(0, 50))
        process.stderr.write(
          `  ${u.namespace}: ${u.path.replace(/\p{Cc}/gu, '?')} [${u.code}] ${u.reason.replace(/\p{Cc}/gu, '?')}\n`,
        );
      if (unsafe.length > 50) process.stderr.write(`  … ${unsafe.length - 50} more (see --json)\n`);
      if (!accepted) {
        // JSON carries the unsafe fields for tooling; manifests are withheld so a pipe into kubectl applies nothing.
        if (values.json === true)
          process.stdout.write(
            `${JSON.stringify(exportJson(recommendation, exportOptions, proof), null, 2)}\n`,
          );
        return 1;
      }
    }
    const guardrails =
      guardrailFlavor === undefined
        ? undefined
        : buildGuardrails(guardrailFlavor, edges, snapshot, recommendation, values.namespace);
    if (guardrails !== undefined && !guardrails.ok) return 1;
    const withGuardrails = (json: unknown): unknown =>
      guardrails === undefined
        ? json
        : { ...(json as object), clusterGuardrails: guardrailsJson(guardrails) };
    if (values.out !== undefined) {
      const dir = path.resolve(values.out);
      await mkdir(dir, { recursive: true });
      if (guardrails !== undefined) await writeGuardrailsFiles(dir, guardrails);
      // One file at a time: the whole cluster's YAML is never held at once.
      if (folder !== undefined) {
        await folder.commit();
        committed = true;
      }
      for (const [name, content] of folder !== undefined
        ? folderIndexEntries(recommendation, exportOptions, proof)
        : exportFileEntries(recommendation, exportOptions, proof)) {
        await writeFile(path.join(dir, name), content);
        if (name === 'verify.sh') await chmod(path.join(dir, name), 0o755);
      }
      if (values.json !== true) {
        process.stdout.write(
          `wrote ${recommendation.namespaces.length} namespace file(s), kustomization.yaml, verify.sh and README.md to ${dir}\n`,
        );
        if (guardrails !== undefined)
          process.stdout.write(
            `wrote the cluster guardrails to ${path.join(dir, GUARDRAILS_DIR)}/, their own kustomization (they decide for every namespace, so they are not in ${dir}/kustomization.yaml): kubectl apply -k ${path.join(dir, GUARDRAILS_DIR)}\n`,
          );
      }
    }
    if (values.json === true)
      process.stdout.write(
        `${JSON.stringify(withGuardrails(exportJson(recommendation, exportOptions, proof)), null, 2)}\n`,
      );
    else if (values.out === undefined) {
      for (const chunk of yamlStreamChunks(recommendation, exportOptions)) process.stdout.write(chunk);
      if (guardrails !== undefined) process.stdout.write(guardrailsYaml(guardrails));
    }
    if (guardrails !== undefined) process.stderr.write(`${guardrailsSummary(guardrails)}\n`);
    process.stderr.write(
      `${summary(proof)}; ${recommendation.warnings.length} warning(s)${recommendation.warnings.length > 0 ? ' (see --json or README.md)' : ''}\n`,
    );
    return 0;
  } finally {
    if (folder !== undefined && !committed) await folder.discard();
    store.close();
  }
}

export const recommendCommand: Command = {
  summary: 'propose least-privilege NetworkPolicies from the observed traffic, proven by replay',
  run,
};
