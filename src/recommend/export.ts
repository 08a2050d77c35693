// The three export forms of a recommendation: a multi-document YAML stream (stdout), a folder
// (one file per namespace, kustomization.yaml, verify.sh, README.md) and JSON. Pure: the CLI
// writes the files this returns.
import { calicoObjects } from './calico-policy.js';
import { ciliumObjects } from './cilium-policy.js';
import { k8sObjects, type ExportObject, type Flavor } from './flavor.js';
import { policyName } from './names.js';
import { describeReplayedDrop, type RecommendationProof } from './proof.js';
import { isoTime, policiesFor, type NamespaceRecommendation, type Recommendation } from './proposal.js';
import { verifyScript } from './verify-script.js';
import { toYamlStream } from './yaml-export.js';

export interface ExportOptions {
  readonly flavor: Flavor;
  /** Calico only: StagedNetworkPolicy instead of NetworkPolicy. */
  readonly staged: boolean;
}

export function objectsOf(ns: NamespaceRecommendation, options: ExportOptions): ExportObject[] {
  if (options.flavor === 'cilium') return ciliumObjects(ns);
  if (options.flavor === 'calico') return calicoObjects(ns, options.staged);
  return k8sObjects(ns);
}

export function yamlStream(recommendation: Recommendation, options: ExportOptions): string {
  return [...yamlStreamChunks(recommendation, options)].join('');
}

/** The YAML stream one namespace at a time, for a writer that need not hold all of it. */
export function* yamlStreamChunks(recommendation: Recommendation, options: ExportOptions): Generator<string> {
  for (const ns of recommendation.namespaces) yield toYamlStream(objectsOf(ns, options));
}

/** File name for a namespace: namespaces are DNS labels, but never trust that for a path. */
export function namespaceFile(namespace: string): string {
  return `${policyName(namespace)}.yaml`;
}

function proofLines(proof: RecommendationProof | undefined): string[] {
  if (proof === undefined) return ['- replay proof: not run'];
  const exposure = (count: RecommendationProof['exposureBefore']) =>
    count === undefined ? 'not computed (too large)' : `${count.reachable} of ${count.total}`;
  return [
    `- replay proof: ${proof.replayed} observed forwarded edges replayed, ${proof.allowed} allowed, ${proof.violations.length} would be dropped unexpectedly, ${proof.knownGaps} known gaps (see warnings), ${proof.skipped} not replayable`,
    ...(proof.alreadyDenied.length > 0
      ? [
          `- already denied by the policies in force, before and after this proposal (${proof.alreadyDenied.length}): ${proof.alreadyDenied
            .slice(0, 50)
            .map(describeReplayedDrop)
            .map((d) => `${d.path} (${d.reason})`)
            .join('; ')}`,
        ]
      : []),
    `- already covered by existing policies: ${proof.coveredByExisting}; newly allowed: ${proof.newlyAllowed}`,
    `- (pod pair, port) combinations reachable before: ${exposure(proof.exposureBefore)}; after: ${exposure(proof.exposureAfter)}`,
    ...(proof.flavor !== 'k8s'
      ? [
          `- replayed as the ${proof.flavor} objects written here${proof.flavor === 'calico' ? ' (staged ones as if promoted)' : ''}`,
        ]
      : []),
    ...(proof.ignored.length > 0
      ? [
          `- NOT EVALUATED by the replay (${proof.ignored.length}): ${proof.ignored
            .slice(0, 50)
            .map(
              (o) => `${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name} (${o.reason})`,
            )
            .join('; ')}`,
        ]
      : []),
    ...(proof.tighten.length > 0
      ? [
          '',
          '## Existing rules no observed traffic used (candidates to tighten)',
          '',
          ...proof.tighten.slice(0, 200).map((t) => `- ${t.message}`),
        ]
      : []),
  ];
}

function readme(
  recommendation: Recommendation,
  options: ExportOptions,
  proof: RecommendationProof | undefined,
): string {
  const window =
    recommendation.window === null
      ? 'nothing observed'
      : `${isoTime(recommendation.window.firstSeenMs)} to ${isoTime(recommendation.window.lastSeenMs)}`;
  const lines = [
    '# NetworkPolicies proposed by netpol-advisor',
    '',
    `Flavor: ${options.flavor}${options.flavor === 'calico' && options.staged ? ' (staged: evaluated, not enforced)' : ''}. Observation window: ${window}.`,
    `Evidence: ${recommendation.edgesUsed} forwarded edges; ${recommendation.edgesIgnored} dropped/audit/error edges were reported, not allowed.`,
    '',
    'Apply one namespace file at a time with `kubectl apply -f NAMESPACE.yaml`: inside each file the allow',
    'policies come first and the default deny last, so nothing observed is cut off while applying.',
    'Then run `sh verify.sh`: every "allow" check must connect and every "deny" check must be refused or time out;',
    'a check that cannot run (no probe, no permission, no running pod) fails the script with its reason.',
    'The probes are ephemeral debug containers (PROBE_IMAGE, busybox by default) or, where those are not',
    "available, short-lived probe pods with the source workload's labels. The deny check to 1.1.1.1:443",
    'proves something only where the cluster has egress to the internet at all.',
    ...(options.flavor === 'calico' && options.staged
      ? [
          '',
          'STAGED: staged policies are not enforced, so until they are promoted every "deny" check is EXPECTED',
          'TO CONNECT (verify.sh checks them that way). After promoting, run `PROMOTED=1 sh verify.sh`.',
        ]
      : []),
    '',
    '## Proof',
    '',
    ...proofLines(proof),
    '',
    '## Namespaces',
    '',
    ...recommendation.namespaces.map((ns) => {
      const emitted = policiesFor(ns, options.flavor);
      return `- ${namespaceFile(ns.namespace)}: ${emitted.length} policies (${emitted.map((p) => p.policy.metadata.name).join(', ')}), ${ns.warnings.length} warnings${ns.unsafe.length > 0 ? `, NOT SAFE TO APPLY: ${ns.unsafe.length} observed path(s) would be denied` : ''}`;
    }),
    ...(recommendation.unsafe.length === 0
      ? []
      : [
          '',
          '## NOT SAFE TO APPLY: observed paths these policies would deny',
          '',
          ...recommendation.unsafe.map((u) => `- ${u.namespace}: ${u.path} [${u.code}] ${u.reason}`),
        ]),
    '',
    '## Workloads observed',
    '',
    ...recommendation.workloads.map(
      (w) =>
        `- ${w.namespace}/${w.name} (${w.kind}): ${w.connections} connections over ${w.observedSec}s${w.lowConfidence ? ' — LOW CONFIDENCE: observe longer before enforcing' : ''}`,
    ),
    '',
    '## Warnings',
    '',
    ...(recommendation.warnings.length === 0
      ? ['none']
      : recommendation.warnings.map(
          (w) =>
            `- [${w.code}] ${w.namespace ?? '-'}${w.subject !== undefined ? ` ${w.subject}` : ''}: ${w.message}`,
        )),
    '',
  ];
  // Flow data may carry control characters; keep the README plain text.
  return lines.join('\n').replace(/(?!\n)\p{Cc}/gu, '?');
}

export function exportFiles(
  recommendation: Recommendation,
  options: ExportOptions,
  proof: RecommendationProof | undefined,
): Map<string, string> {
  return new Map(exportFileEntries(recommendation, options, proof));
}

/** The folder's files one at a time (name, content), so a writer holds one namespace's YAML at once. */
export function* exportFileEntries(
  recommendation: Recommendation,
  options: ExportOptions,
  proof: RecommendationProof | undefined,
): Generator<[string, string]> {
  for (const ns of recommendation.namespaces) yield namespaceFileEntry(ns, options);
  yield* folderIndexEntries(recommendation, options, proof);
}

/** One namespace's file of the folder (name, content); `objects`: its objectsOf when already built. */
export function namespaceFileEntry(
  ns: NamespaceRecommendation,
  options: ExportOptions,
  objects: readonly ExportObject[] = objectsOf(ns, options),
): [string, string] {
  return [namespaceFile(ns.namespace), toYamlStream(objects)];
}

/**
 * The folder's files after the namespaces' (kustomization.yaml, verify.sh, README.md): they read
 * the namespaces' names, policy names, tests, warnings and unsafe paths, never the rule evidence.
 */
export function* folderIndexEntries(
  recommendation: Recommendation,
  options: ExportOptions,
  proof: RecommendationProof | undefined,
): Generator<[string, string]> {
  const resources = recommendation.namespaces.map((ns) => namespaceFile(ns.namespace));
  yield [
    'kustomization.yaml',
    toYamlStream([
      { object: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources } },
    ]),
  ];
  yield [
    'verify.sh',
    verifyScript(recommendation.namespaces, { staged: options.flavor === 'calico' && options.staged }),
  ];
  yield ['README.md', readme(recommendation, options, proof)];
}

export function exportJson(
  recommendation: Recommendation,
  options: ExportOptions,
  proof: RecommendationProof | undefined,
): unknown {
  const namespaces: Record<string, unknown> = {};
  for (const ns of recommendation.namespaces) {
    namespaces[ns.namespace] = {
      policies: objectsOf(ns, options).map((o) => o.object),
      evidence: ns.policies.map((p) => ({
        policy: p.policy.metadata.name,
        role: p.role,
        workload: p.workload ?? null,
        rules: p.rules,
      })),
      tests: ns.tests,
      warnings: ns.warnings,
      safe: ns.unsafe.length === 0,
      unsafe: ns.unsafe,
    };
  }
  return {
    safe: recommendation.unsafe.length === 0,
    unsafe: recommendation.unsafe,
    namespaces,
    workloads: recommendation.workloads,
    warnings: recommendation.warnings,
    window:
      recommendation.window === null
        ? null
        : {
            firstSeen: isoTime(recommendation.window.firstSeenMs),
            lastSeen: isoTime(recommendation.window.lastSeenMs),
          },
    proof:
      proof === undefined
        ? null
        : {
            replayed: proof.replayed,
            allowed: proof.allowed,
            violations: proof.violations.length,
            knownGaps: proof.knownGaps,
            skipped: proof.skipped,
            alreadyDenied: proof.alreadyDenied.length,
            alreadyDeniedPaths: proof.alreadyDenied.slice(0, 500).map(describeReplayedDrop),
            coveredByExisting: proof.coveredByExisting,
            newlyAllowed: proof.newlyAllowed,
            tighten: proof.tighten,
            exposureBefore: proof.exposureBefore ?? null,
            exposureAfter: proof.exposureAfter ?? null,
            // Only when the replay left something out (keeps the common output unchanged).
            ...(proof.ignored.length > 0
              ? { ignored: proof.ignored.map(({ appliesTo: _a, ...rest }) => rest) }
              : {}),
            ...(proof.notEvaluated > 0 ? { notEvaluated: proof.notEvaluated } : {}),
          },
  };
}
