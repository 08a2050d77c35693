// `recommend --cluster-policies anp|cnp`: the cluster guardrails (src/recommend/cluster-guardrails.ts)
// beside the namespace proposals, proven by replay (cluster-guardrails-proof.ts) with the same exit
// rules: a violation or an invalid emitted object is exit 1 and nothing of the guardrails is
// printed. Output: appended to the YAML stream, `cluster-guardrails/` with --out, and
// `clusterGuardrails` in --json. With --out the guardrails are their own kustomization beside the
// folder's, not one of its resources: they decide for every namespace, so applying them is a
// separate, deliberate `kubectl apply -k DIR/cluster-guardrails` (docs/cli.md and the CLI say so).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { peerText } from '../flows/peer-text.js';
import type { ClusterSnapshot } from '../policy/model.js';
import {
  recommendGuardrails,
  type GuardrailFlavor,
  type Guardrails,
} from '../recommend/cluster-guardrails.js';
import { proveGuardrails, type GuardrailProof } from '../recommend/cluster-guardrails-proof.js';
import type { ObservedEdge, Recommendation } from '../recommend/proposal.js';
import { proposedPolicies } from '../recommend/proof.js';
import { toYamlStream } from '../recommend/yaml-export.js';
import { UsageError } from './args.js';

export const GUARDRAILS_DIR = 'cluster-guardrails';
export const GUARDRAILS_FILE = 'cluster-guardrails.yaml';

export function parseGuardrailFlavor(value: string | undefined): GuardrailFlavor | undefined {
  if (value === undefined) return undefined;
  if (value === 'anp' || value === 'cnp') return value;
  throw new UsageError(
    `--cluster-policies: expected anp (AdminNetworkPolicy, v1alpha1) or cnp (ClusterNetworkPolicy, v1alpha2), got ${JSON.stringify(value.slice(0, 40))}`,
  );
}

export interface GuardrailRun {
  readonly guardrails: Guardrails;
  readonly proof: GuardrailProof;
  readonly ok: boolean;
}

export function buildGuardrails(
  flavor: GuardrailFlavor,
  edges: () => Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  recommendation: Recommendation,
  namespace: string | undefined,
): GuardrailRun {
  const guardrails = recommendGuardrails(edges(), snapshot, flavor, namespace);
  const declared = new Set(recommendation.uncovered.map((u) => u.edgeId));
  const proof = proveGuardrails(guardrails, edges, snapshot, proposedPolicies(recommendation), declared);
  const ok = proof.violations.length === 0 && proof.problems.length === 0;
  if (!ok) {
    process.stderr.write(
      `netpol-advisor recommend: BUG: the cluster guardrails would drop ${proof.violations.length} observed forwarded flow(s) or are invalid (${proof.problems.length} problem(s)); refusing to print them:\n`,
    );
    for (const p of proof.problems.slice(0, 20)) process.stderr.write(`  ${p.replace(/\p{Cc}/gu, '?')}\n`);
    for (const v of proof.violations.slice(0, 20)) {
      const d = v.decision;
      process.stderr.write(
        `  ${`${peerText(v.edge.source)} -> ${peerText(v.edge.destination)} ${v.edge.protocol}/${v.edge.port ?? '-'}`.replace(/\p{Cc}/gu, '?')}: ${d.egress.allowed ? d.ingress.reason : d.egress.reason}\n`,
      );
    }
  }
  return { guardrails, proof, ok };
}

export function guardrailsYaml(run: GuardrailRun): string {
  return toYamlStream(run.guardrails.objects.map((object) => ({ object })));
}

export function guardrailsJson(run: GuardrailRun): unknown {
  const { guardrails, proof } = run;
  return {
    flavor: guardrails.flavor,
    objects: guardrails.objects,
    warnings: guardrails.warnings,
    paths: guardrails.paths,
    proof: { replayed: proof.replayed, allowed: proof.allowed, dropped: 0 },
  };
}

/** `DIR/cluster-guardrails/`: the objects and a kustomization.yaml naming them. */
export async function writeGuardrailsFiles(dir: string, run: GuardrailRun): Promise<void> {
  const sub = path.join(dir, GUARDRAILS_DIR);
  await mkdir(sub, { recursive: true });
  await writeFile(path.join(sub, GUARDRAILS_FILE), guardrailsYaml(run));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [GUARDRAILS_FILE],
  };
  await writeFile(path.join(sub, 'kustomization.yaml'), toYamlStream([{ object: kustomization }]));
}

export function guardrailsSummary(run: GuardrailRun): string {
  const { guardrails, proof } = run;
  return `cluster guardrails (${guardrails.flavor}): ${guardrails.objects.length} object(s) admitting ${guardrails.paths} observed cross-namespace path(s); replayed ${proof.replayed} observed flows with them: ${proof.allowed} allowed, 0 dropped by them${guardrails.warnings.length > 0 ? `; ${guardrails.warnings.length} warning(s)` : ''}`;
}
