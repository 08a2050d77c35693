// The doctor's vocabulary: a finding (kind, severity, the objects involved as `namespace/name`,
// the evidence and the fix) as the contract's `doctor --json` prints it, the observed edge it
// reads (structural: the store's EdgeRecord fits) and the cluster facts the typed snapshot lacks.
import type { ObservedEdge as DropsEdge } from '../drops/types.js';
import type { PeerPods } from '../drops/explain.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import type { SnapshotPods } from '../recommend/snapshot-workloads.js';

export type FindingKind =
  | 'default-deny-blocks'
  | 'dns-blocked'
  | 'selector-matches-nothing'
  | 'allowed-despite-deny'
  | 'non-policy-drops'
  | 'unprotected-pods'
  | 'overly-broad'
  | 'redundant';

export const FINDING_KINDS: readonly FindingKind[] = [
  'default-deny-blocks',
  'dns-blocked',
  'selector-matches-nothing',
  'allowed-despite-deny',
  'non-policy-drops',
  'unprotected-pods',
  'overly-broad',
  'redundant',
];

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** The namespace the finding is about ('' when it spans none, e.g. drops between external addresses). */
  readonly namespace: string;
  /** The policies and pods (or workloads) involved, as `namespace/name`. */
  readonly objects: readonly string[];
  /** One line saying what is wrong. */
  readonly summary: string;
  /** Why: the facts that decided the finding, most important first. */
  readonly evidence: readonly string[];
  /** NetworkPolicy objects to apply, in order (kubectl apply semantics: same name replaces), or text. */
  readonly fix: readonly NetworkPolicy[] | string;
  /** What to do besides applying the objects (deletions, order), when there is something. */
  readonly fixNote?: string;
  /** Which case of the kind, for findings about cluster-scoped policy (`admin-deny-overrides-networkpolicy` …). */
  readonly cause?: string;
}

/** A stored edge as the doctor reads it (src/store EdgeRecord satisfies it). */
export interface DoctorEdge extends DropsEdge {
  readonly id: number;
}

/** A CNI-specific policy object seen in the snapshot (the engine does not evaluate these). */
export interface CniPolicyRef {
  readonly kind: string;
  readonly apiVersion: string;
  /** Absent for cluster-wide kinds (CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy). */
  readonly namespace?: string;
  readonly name: string;
}

/** Facts from the raw snapshot objects that the typed ClusterSnapshot does not carry. */
export interface ClusterExtras {
  readonly cniPolicies: readonly CniPolicyRef[];
  /** NetworkPolicy `namespace/name` → metadata.creationTimestamp in ms. */
  readonly policyCreatedMs: ReadonlyMap<string, number>;
}

export const NO_EXTRAS: ClusterExtras = Object.freeze({
  cniPolicies: [],
  policyCreatedMs: new Map<string, number>(),
});

export interface DoctorInput {
  readonly edges: readonly DoctorEdge[];
  /** Without a snapshot only the findings that need no policy evaluation are made. */
  readonly snapshot?: ClusterSnapshot;
  readonly extras?: ClusterExtras;
  /** Only findings about this namespace. */
  readonly namespace?: string;
  /** The snapshot's compiled engine and pod indexes, when the caller already has them (same snapshot). */
  readonly compiled?: {
    readonly engine: PolicyEngine;
    readonly pods: PeerPods;
    readonly workloads?: SnapshotPods;
  };
}

export function policyId(policy: NetworkPolicy): string {
  return `${policy.metadata.namespace}/${policy.metadata.name}`;
}
