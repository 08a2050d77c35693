// The JSON views of one proven recommendation (GET /api/v1/recommendations and its summary and
// per-policy routes): the full body (every policy's YAML, objects and evidence), the summary
// derived from it (per policy: name, kind, rule count and evidence totals; no YAML, no rules) so
// a namespace of 1,000 policies paints from a small body, and one policy's detail fetched when
// the reader opens it. Plain data in, plain data out; nothing here is HTTP.
import type { NetworkPolicy } from '../policy/model.js';
import { objectsOf, type ExportOptions } from '../recommend/export.js';
import { describeReplayedDrop, type RecommendationProof } from '../recommend/proof.js';
import { policiesFor, type Recommendation } from '../recommend/proposal.js';
import { verifyScript } from '../recommend/verify-script.js';
import { toYamlStream } from '../recommend/yaml-export.js';

/** A recommendation and its replay proof (recommend/proof.ts), as the API computes them together. */
export interface ProvenRecommendation {
  readonly recommendation: Recommendation;
  readonly proof: RecommendationProof;
}

export interface DiffEntry {
  readonly policy: string;
  readonly change: 'added' | 'changed' | 'unchanged' | 'kept';
  readonly detail: string;
}

export interface PolicyJson {
  readonly name: string;
  readonly role: string;
  readonly workload: string | null;
  readonly yaml: string;
  readonly objects: readonly unknown[];
  readonly rules: readonly {
    readonly direction: string;
    readonly connections: number;
    readonly peer: string;
  }[];
}

export interface NamespaceJson {
  readonly namespace: string;
  readonly safe: boolean;
  readonly unsafe: readonly unknown[];
  readonly policies: readonly PolicyJson[];
  readonly diff: readonly DiffEntry[];
  readonly tests: readonly unknown[];
  readonly warnings: readonly unknown[];
}

export interface RecommendationJson {
  readonly namespace: string | null;
  readonly safe: boolean;
  readonly unsafe: readonly unknown[];
  readonly flavor: string;
  readonly namespaces: readonly NamespaceJson[];
  readonly exposure: { readonly before: unknown; readonly after: unknown; readonly reduction: number | null };
  readonly proof: Readonly<Record<string, unknown>>;
  readonly tighten: readonly unknown[];
  readonly verifyScript: string;
  readonly warnings: readonly unknown[];
  readonly window: { readonly firstSeen: string; readonly lastSeen: string } | null;
}

/** Added / changed / unchanged per proposed policy, and existing policies the proposal keeps. */
function diffAgainst(existing: readonly NetworkPolicy[], proposed: readonly NetworkPolicy[]): DiffEntry[] {
  const byName = new Map(existing.map((p) => [p.metadata.name, p]));
  const out: DiffEntry[] = [];
  for (const policy of proposed) {
    const before = byName.get(policy.metadata.name);
    if (before === undefined)
      out.push({ policy: policy.metadata.name, change: 'added', detail: 'new policy' });
    else if (JSON.stringify(before.spec) === JSON.stringify(policy.spec))
      out.push({
        policy: policy.metadata.name,
        change: 'unchanged',
        detail: 'identical spec already applied',
      });
    else
      out.push({
        policy: policy.metadata.name,
        change: 'changed',
        detail: 'replaces the existing policy of the same name',
      });
    byName.delete(policy.metadata.name);
  }
  for (const name of byName.keys())
    out.push({
      policy: name,
      change: 'kept',
      detail: 'existing policy, left in place (policies are additive)',
    });
  return out;
}

function reduction(proof: RecommendationProof): number | null {
  const before = proof.exposureBefore;
  const after = proof.exposureAfter;
  if (before === undefined || after === undefined || before.reachable === 0) return null;
  return (before.reachable - after.reachable) / before.reachable;
}

export function recommendationJson(
  proven: ProvenRecommendation,
  existing: readonly NetworkPolicy[],
  namespace: string | undefined,
  options: ExportOptions,
): RecommendationJson {
  const { recommendation, proof } = proven;
  return {
    namespace: namespace ?? null,
    safe: recommendation.unsafe.length === 0,
    unsafe: recommendation.unsafe,
    flavor: options.flavor,
    namespaces: recommendation.namespaces.map((ns) => ({
      namespace: ns.namespace,
      safe: ns.unsafe.length === 0,
      unsafe: ns.unsafe,
      policies: policiesFor(ns, options.flavor).map((p) => {
        const objects = objectsOf({ ...ns, policies: [p] }, options);
        return {
          name: p.policy.metadata.name,
          role: p.role,
          workload: p.workload ?? null,
          yaml: toYamlStream(objects),
          objects: objects.map((o) => o.object),
          rules: p.rules,
        };
      }),
      diff: diffAgainst(
        existing.filter((p) => p.metadata.namespace === ns.namespace),
        policiesFor(ns, options.flavor).map((p) => p.policy),
      ),
      tests: ns.tests,
      warnings: ns.warnings,
    })),
    exposure: {
      before: proof.exposureBefore ?? null,
      after: proof.exposureAfter ?? null,
      reduction: reduction(proof),
    },
    proof: {
      replayed: proof.replayed,
      allowed: proof.allowed,
      violations: proof.violations.length,
      knownGaps: proof.knownGaps,
      alreadyDenied: proof.alreadyDenied.length,
      alreadyDeniedPaths: proof.alreadyDenied.slice(0, 500).map(describeReplayedDrop),
      skipped: proof.skipped,
      coveredByExisting: proof.coveredByExisting,
      newlyAllowed: proof.newlyAllowed,
    },
    tighten: proof.tighten.slice(0, 500),
    verifyScript: verifyScript(recommendation.namespaces),
    warnings: recommendation.warnings,
    window:
      recommendation.window === null
        ? null
        : {
            firstSeen: new Date(recommendation.window.firstSeenMs).toISOString(),
            lastSeen: new Date(recommendation.window.lastSeenMs).toISOString(),
          },
  };
}

/** The UTF-8 length of `text` without encoding it (a lone surrogate counts 3, as its U+FFFD). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export interface PolicySummaryJson {
  readonly name: string;
  readonly role: string;
  readonly workload: string | null;
  readonly rules: number;
  readonly ingressRules: number;
  readonly egressRules: number;
  readonly connections: number;
  readonly peers: number;
  readonly yamlBytes: number;
}

export interface RecommendationSummaryJson extends Omit<RecommendationJson, 'namespaces' | 'verifyScript'> {
  readonly namespaces: readonly (Omit<NamespaceJson, 'policies' | 'tests'> & {
    readonly policies: readonly PolicySummaryJson[];
    readonly tests: number;
  })[];
  /** null above SUMMARY_VERIFY_SCRIPT_MAX_BYTES. */
  readonly verifyScript: string | null;
  readonly verifyScriptBytes: number;
}

/** One policy's line in the summary: what the table shows, without the YAML and the rules. */
export function policySummary(policy: PolicyJson): PolicySummaryJson {
  let ingressRules = 0;
  let connections = 0;
  const peers = new Set<string>();
  for (const rule of policy.rules) {
    if (rule.direction === 'ingress') ingressRules++;
    connections += rule.connections;
    peers.add(rule.peer);
  }
  return {
    name: policy.name,
    role: policy.role,
    workload: policy.workload,
    rules: policy.rules.length,
    ingressRules,
    egressRules: policy.rules.length - ingressRules,
    connections,
    peers: peers.size,
    yamlBytes: utf8Bytes(policy.yaml),
  };
}

/** Largest verify script the summary carries (a larger one: the full view or the export). */
export const SUMMARY_VERIFY_SCRIPT_MAX_BYTES = 64 * 1024;

/** The summary view: the full view with each policy as its summary line and the tests counted. */
export function recommendationSummary(full: RecommendationJson): RecommendationSummaryJson {
  const verifyScriptBytes = utf8Bytes(full.verifyScript);
  return {
    ...full,
    verifyScript: verifyScriptBytes <= SUMMARY_VERIFY_SCRIPT_MAX_BYTES ? full.verifyScript : null,
    verifyScriptBytes,
    namespaces: full.namespaces.map((ns) => ({
      ...ns,
      tests: ns.tests.length,
      policies: ns.policies.map(policySummary),
    })),
  };
}

/** One proposed policy of a namespace, whole (YAML, objects, rules with their evidence). */
export function policyDetail(
  full: RecommendationJson,
  namespace: string,
  name: string,
): PolicyJson | undefined {
  return full.namespaces.find((ns) => ns.namespace === namespace)?.policies.find((p) => p.name === name);
}
