// Cluster-scoped policy of SIG Network's network-policy-api as plain data: AdminNetworkPolicy and
// BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and their successor
// ClusterNetworkPolicy (v1alpha2, `tier: Admin | Baseline`). Both versions are validated into this
// one shape by parse-cluster-policy.ts and evaluated by cluster-stage.ts; the action keeps the
// word the object used (v1alpha1 `Allow`, v1alpha2 `Accept`) so output names what the user wrote.
import type { LabelSelector, PolicyProtocol } from '../model.js';

export type ClusterPolicyKind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';
export type ClusterTier = 'Admin' | 'Baseline';
export type ClusterRuleAction = 'Allow' | 'Accept' | 'Deny' | 'Pass';

export interface NamespacedPods {
  readonly namespaceSelector: LabelSelector;
  readonly podSelector: LabelSelector;
}

/** Exactly one of the two (the API's MinProperties=MaxProperties=1). */
export type ClusterSubject =
  | { readonly namespaces: LabelSelector; readonly pods?: undefined }
  | { readonly pods: NamespacedPods; readonly namespaces?: undefined };

export type ClusterPeer =
  | { readonly kind: 'namespaces'; readonly selector: LabelSelector }
  | { readonly kind: 'pods'; readonly pods: NamespacedPods }
  | { readonly kind: 'nodes'; readonly selector: LabelSelector }
  | { readonly kind: 'networks'; readonly cidrs: readonly string[] }
  /** Lower case, without a trailing dot; `*.` only as a prefix. */
  | { readonly kind: 'domainNames'; readonly names: readonly string[] }
  /**
   * A peer with no field this version knows (a newer CRD's field): the API says to fail closed,
   * i.e. an Allow/Accept rule matches nothing and a Deny/Pass rule denies everything.
   */
  | { readonly kind: 'unknown'; readonly fields: readonly string[] };

export type ClusterPort =
  /** A port (`from === to`) or an inclusive range. */
  | { readonly kind: 'number'; readonly protocol: PolicyProtocol; readonly from: number; readonly to: number }
  /** A container port of the destination pod, by name (its protocol is the container port's). */
  | { readonly kind: 'named'; readonly name: string };

export interface ClusterRule {
  /** `name` as written (≤ 100 characters), when given. */
  readonly name: string | undefined;
  readonly action: ClusterRuleAction;
  readonly peers: readonly ClusterPeer[];
  /** undefined: every port and protocol. */
  readonly ports: readonly ClusterPort[] | undefined;
}

export interface ClusterPolicy {
  readonly kind: ClusterPolicyKind;
  readonly name: string;
  readonly tier: ClusterTier;
  /** 0-1000, lower first; undefined for a BaselineAdminNetworkPolicy (there is only one). */
  readonly priority: number | undefined;
  readonly subject: ClusterSubject;
  readonly ingress: readonly ClusterRule[];
  readonly egress: readonly ClusterRule[];
}

/** `AdminNetworkPolicy name`, the way every output names the object. */
export function clusterPolicyName(policy: { readonly kind: string; readonly name: string }): string {
  return `${policy.kind} ${policy.name}`;
}

/** The action's effect: Allow and Accept are the same verdict under two API versions. */
export function actionVerdict(action: ClusterRuleAction): 'allow' | 'deny' | 'pass' {
  return action === 'Deny' ? 'deny' : action === 'Pass' ? 'pass' : 'allow';
}
