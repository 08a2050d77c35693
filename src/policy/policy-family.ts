// The seam between the engine and the policy families it combines. A family (NetworkPolicy as a
// CNI enforces it, Cilium, Calico tiers; later AdminNetworkPolicy before them and
// BaselineAdminNetworkPolicy after) is a *stage*: given one direction of one connection it
// answers allow, deny, pass (go on to the next stage) or none (no opinion: nothing of it selects
// the subject), plus the object and rule that decided. The engine asks the stages in order; the
// first allow or deny is the verdict; when every stage passes or has no opinion the connection is
// allowed (Kubernetes' default for a pod nothing isolates; Calico's profile after the last Pass).
import type { PolicyProtocol } from './model.js';
import type { ResolvedEndpoint } from './peers.js';

/**
 * A direction the engine will not decide because the snapshot lacks what the verdict depends on
 * (a host endpoint whose node it cannot name …): said, never guessed. Replays list such a path as
 * not evaluated; `eval` reports it as an error.
 */
export class NotEvaluatedError extends Error {
  override readonly name = 'NotEvaluatedError';
}

export interface RuleRef {
  policy: string;
  rule: number;
}

/** An endpoint as a family sees it: the engine's resolution plus what the query carried. */
export interface FamilyEndpoint {
  readonly resolved: ResolvedEndpoint;
  /** DNS names the connection's peer was reached by (edges store them), lower case, no trailing dot. */
  readonly names: readonly string[];
  /** What the flow source said the address is (`kube-apiserver`, `host`, `remote-node`, `world` …). */
  readonly hint: string | undefined;
  /** The node the pod runs on, or the node that owns the address. */
  readonly nodeName: string | undefined;
  readonly serviceAccount: string | undefined;
}

export interface DirectionQuery {
  readonly direction: 'ingress' | 'egress';
  /** The endpoint whose policies apply (source for egress, destination for ingress). */
  readonly subject: FamilyEndpoint;
  readonly peer: FamilyEndpoint;
  readonly source: FamilyEndpoint;
  readonly destination: FamilyEndpoint;
  readonly port: number;
  readonly protocol: PolicyProtocol;
}

export type StageVerdict = 'allow' | 'deny' | 'pass' | 'none';

/** What decided: `object` is `Kind namespace/name` (or `namespace/name` for a NetworkPolicy). */
export interface DecidingRule {
  readonly object: string;
  /** `ingress[2]`, `egressDeny[0]`, `end of tier default`, `default deny` … */
  readonly rule: string;
  readonly action: 'Allow' | 'Deny' | 'Pass';
  /** Set when a cluster-scoped policy (AdminNetworkPolicy, ClusterNetworkPolicy …) decided. */
  readonly cluster?: ClusterDecider;
}

/** The cluster policy and rule that decided, as the API names them. */
export interface ClusterDecider {
  readonly kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';
  readonly name: string;
  readonly tier: 'Admin' | 'Baseline';
  /** Undefined for a BaselineAdminNetworkPolicy. */
  readonly priority: number | undefined;
  readonly direction: 'ingress' | 'egress';
  readonly ruleIndex: number;
  readonly ruleName: string | undefined;
  /** As the object wrote it (v1alpha1 Allow, v1alpha2 Accept). */
  readonly action: 'Allow' | 'Accept' | 'Deny' | 'Pass';
}

export interface StageDecision {
  readonly verdict: StageVerdict;
  readonly decidedBy: DecidingRule | undefined;
  /** Objects that put the subject into default deny for this direction. */
  readonly isolatedBy: readonly string[];
  /** Every allow rule that admitted the connection (NetworkPolicy-style list for rule hits). */
  readonly allowedBy: readonly RuleRef[];
  /** What the verdict could not take into account (`L7 not evaluated` …). */
  readonly notes: readonly string[];
  /** The Pass rules of earlier stages that handed the connection on to this verdict. */
  readonly passedBy?: readonly DecidingRule[];
}

export interface PolicyStage {
  readonly name: string;
  decide(query: DirectionQuery): StageDecision;
}

export const NO_OPINION: StageDecision = Object.freeze({
  verdict: 'none',
  decidedBy: undefined,
  isolatedBy: [],
  allowedBy: [],
  notes: [],
});

/** Asks the stages in order: the first allow/deny wins; pass and none go on; the end allows. */
export function combineStages(
  stages: readonly PolicyStage[],
  query: DirectionQuery,
): { final: StageDecision; passedThrough: boolean } {
  let passedThrough = false;
  // Allocated only when a stage passes or has something to carry on (most queries: never).
  let isolatedBy: string[] | undefined;
  let notes: string[] | undefined;
  let passedBy: DecidingRule[] | undefined;
  for (const stage of stages) {
    const decision = stage.decide(query);
    if (decision.verdict === 'allow' || decision.verdict === 'deny') {
      if (isolatedBy === undefined && notes === undefined && passedBy === undefined)
        return { final: decision, passedThrough };
      return {
        final: {
          ...decision,
          isolatedBy: [...(isolatedBy ?? []), ...decision.isolatedBy],
          notes: [...(notes ?? []), ...decision.notes],
          ...(passedBy !== undefined ? { passedBy } : {}),
        },
        passedThrough,
      };
    }
    if (decision.verdict === 'pass') {
      passedThrough = true;
      if (decision.decidedBy !== undefined) (passedBy ??= []).push(decision.decidedBy);
    }
    if (decision.isolatedBy.length > 0) (isolatedBy ??= []).push(...decision.isolatedBy);
    if (decision.notes.length > 0) (notes ??= []).push(...decision.notes);
  }
  return {
    final: {
      verdict: 'none',
      decidedBy: undefined,
      isolatedBy: isolatedBy ?? [],
      allowedBy: [],
      notes: notes ?? [],
      ...(passedBy !== undefined ? { passedBy } : {}),
    },
    passedThrough,
  };
}
