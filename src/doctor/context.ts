// What every diagnosis shares: the compiled engine over the snapshot, edge → engine query (the
// drops core's endpoint resolution), which namespaces are in scope, and `applyPolicies` — the
// `kubectl apply` semantics the fixes are written for (same namespace/name replaces).
import { blockedPathOf } from '../drops/detect.js';
import { evaluatePath, isPathAllowed, PeerPods } from '../drops/explain.js';
import { compilePolicies, type Decision, type PolicyEngine } from '../policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../policy/model.js';
import { compileSelector } from '../policy/selectors.js';
import { snapshotPods, type SnapshotPods } from '../recommend/snapshot-workloads.js';
import { policyDirections } from '../policy/compile.js';
import { NO_EXTRAS, policyId, type ClusterExtras, type DoctorEdge, type DoctorInput } from './types.js';

/** Bound on the objects and evidence lines named by one finding (all attacker-controlled). */
export const MAX_LISTED = 20;

export interface DoctorContext {
  readonly edges: readonly DoctorEdge[];
  readonly snapshot: ClusterSnapshot;
  readonly engine: PolicyEngine;
  /** The snapshot's pods by namespace (every engine over the same pods uses it). */
  readonly pods: PeerPods;
  /** The snapshot's workloads and selectors, for the recommender's fixes (one per run at least). */
  readonly workloads: SnapshotPods;
  readonly extras: ClusterExtras;
  readonly namespace: string | undefined;
}

export function contextOf(input: DoctorInput & { snapshot: ClusterSnapshot }): DoctorContext {
  return {
    edges: input.edges,
    snapshot: input.snapshot,
    engine: input.compiled?.engine ?? compilePolicies(input.snapshot),
    pods: input.compiled?.pods ?? new PeerPods(input.snapshot.pods),
    workloads: snapshotPods(input.snapshot, input.compiled?.workloads),
    extras: input.extras ?? NO_EXTRAS,
    namespace: input.namespace,
  };
}

export function inScope(context: { namespace: string | undefined }, namespace: string | undefined): boolean {
  return context.namespace === undefined || context.namespace === namespace;
}

/**
 * Whether an edge can make a finding in scope: a diagnosis about one namespace names the source or
 * the destination as its subject, so the other edges are skipped before the engine evaluates them
 * (at 100,000 edges the evaluations were most of a namespace's diagnostics).
 */
export function touchesScope(context: { namespace: string | undefined }, edge: DoctorEdge): boolean {
  return (
    context.namespace === undefined ||
    edge.source.namespace === context.namespace ||
    edge.destination.namespace === context.namespace
  );
}

/** The engine's decision for an observed edge, or why it cannot be evaluated. */
export function evaluateEdge(engine: PolicyEngine, edge: DoctorEdge, pods?: PeerPods): Decision | string {
  return evaluatePath(engine, blockedPathOf(edge), pods);
}

/** Whether the engine allows an observed edge (undefined: it cannot be evaluated), without the decision. */
export function isEdgeAllowed(engine: PolicyEngine, edge: DoctorEdge, pods?: PeerPods): boolean | undefined {
  return isPathAllowed(engine, blockedPathOf(edge), pods);
}

export function podKey(pod: PodInfo): string {
  return `${pod.namespace}/${pod.name}`;
}

/** The pod-network pods a policy selects (hostNetwork pods are never selected). */
export function selectedPods(snapshot: ClusterSnapshot, policy: NetworkPolicy): PodInfo[] {
  const selects = compileSelector(policy.spec.podSelector);
  return snapshot.pods.filter(
    (pod) => pod.namespace === policy.metadata.namespace && !pod.hostNetwork && selects(pod.labels),
  );
}

/** Pods isolated in `direction` and the policies isolating them. */
export function isolatingPolicies(
  snapshot: ClusterSnapshot,
  namespace: string,
  direction: 'ingress' | 'egress',
): NetworkPolicy[] {
  return snapshot.policies.filter(
    (p) => p.metadata.namespace === namespace && policyDirections(p)[direction],
  );
}

/** Applies fix objects the way `kubectl apply` would: an object with an existing name replaces it. */
export function applyPolicies(
  policies: readonly NetworkPolicy[],
  fix: readonly NetworkPolicy[],
): NetworkPolicy[] {
  const byId = new Map<string, NetworkPolicy>();
  for (const policy of policies) byId.set(policyId(policy), policy);
  for (const policy of fix) byId.set(policyId(policy), policy);
  return [...byId.values()];
}

export function limited<T>(items: readonly T[], max = MAX_LISTED): T[] {
  return items.slice(0, max);
}

export function unique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

/** A text safe to print: control characters replaced, bounded. */
export function clean(text: string, maxChars = 300): string {
  const safe = text.replace(/\p{Cc}/gu, '?');
  return safe.length > maxChars ? `${safe.slice(0, maxChars)}…` : safe;
}
