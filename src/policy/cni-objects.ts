// The CNI-specific policy objects a snapshot can carry besides networking.k8s.io NetworkPolicies:
// Cilium (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and Calico
// (projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy, Staged*, Tier), validated into plain
// data by cilium/parse-cilium.ts and calico/parse-calico.ts. Also the objects nothing evaluates
// (IgnoredObject): every replaying command lists them, because a verdict that silently left out
// a policy is a lie.
import type { ClusterPolicy } from './cluster/cluster-policy.js';
import type { LabelSelectorRequirement, NetworkPolicy, PolicyProtocol } from './model.js';

/** A Cilium EndpointSelector: keys may carry a source prefix (`k8s:`, `any:`). */
export interface CiliumSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface CiliumPort {
  /** A number as text, "0" (every port) or a named port. */
  readonly port: string;
  readonly endPort?: number;
  readonly protocol: PolicyProtocol | 'ANY';
}

export interface CiliumPortRule {
  /** Empty: every port. */
  readonly ports: readonly CiliumPort[];
  /** L7 rule kinds present (`http`, `kafka`, `dns`, `l7`): not part of the L3/L4 verdict. */
  readonly l7: readonly string[];
}

export interface CiliumCidr {
  readonly cidr: string;
  readonly except: readonly string[];
}
export interface CiliumFqdn {
  readonly matchName?: string;
  readonly matchPattern?: string;
}
export interface CiliumServiceRef {
  readonly name?: string;
  readonly namespace?: string;
  readonly selector?: CiliumSelector;
}

/** One ingress/egress (or *Deny) rule: the L3 peer fields are ORed, toPorts restricts them. */
export interface CiliumRule {
  readonly endpoints?: readonly CiliumSelector[];
  readonly entities?: readonly string[];
  readonly cidrs?: readonly CiliumCidr[];
  readonly services?: readonly CiliumServiceRef[];
  readonly fqdns?: readonly CiliumFqdn[];
  /** Absent: every port. */
  readonly toPorts?: readonly CiliumPortRule[];
}

export interface CiliumPolicy {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** Undefined for the clusterwide kind. */
  readonly namespace: string | undefined;
  readonly name: string;
  /** `specs[i]` when the object lists several rules, else undefined. */
  readonly specIndex: number | undefined;
  /**
   * The endpoints it selects. For a host policy (`nodeSelector`) this is `reserved:host`, which no
   * pod carries: such a policy selects host endpoints only, by `nodeSelector`.
   */
  readonly endpointSelector: CiliumSelector;
  /** A host policy (CiliumClusterwideNetworkPolicy only): the nodes whose host endpoint it selects. */
  readonly nodeSelector?: CiliumSelector;
  readonly ingress: readonly CiliumRule[] | undefined;
  readonly ingressDeny: readonly CiliumRule[] | undefined;
  readonly egress: readonly CiliumRule[] | undefined;
  readonly egressDeny: readonly CiliumRule[] | undefined;
  readonly enableDefaultDeny: { readonly ingress?: boolean; readonly egress?: boolean };
}

export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

export interface CalicoPortRange {
  readonly from: number;
  readonly to: number;
  readonly name?: string;
}

export interface CalicoEntity {
  readonly nets?: readonly string[];
  readonly notNets?: readonly string[];
  readonly selector?: string;
  readonly notSelector?: string;
  readonly namespaceSelector?: string;
  readonly ports?: readonly CalicoPortRange[];
  readonly notPorts?: readonly CalicoPortRange[];
  readonly serviceAccountNames?: readonly string[];
  readonly service?: { readonly name: string; readonly namespace: string };
}

export interface CalicoRule {
  readonly action: CalicoAction;
  /** IANA protocol number, undefined: any. */
  readonly protocol?: number;
  readonly notProtocol?: number;
  readonly ipVersion?: 4 | 6;
  readonly source: CalicoEntity;
  readonly destination: CalicoEntity;
  /** The rule carries an `http` match: L7, not part of the L3/L4 verdict. */
  readonly l7: boolean;
}

export type CalicoKind =
  'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy';

export interface CalicoPolicy {
  readonly kind: CalicoKind;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly tier: string;
  /** Undefined: after every ordered policy of the tier. */
  readonly order: number | undefined;
  readonly selector: string;
  readonly namespaceSelector: string | undefined;
  /** Service-account names the subject's service account must be one of (from a `name ==`/`in` selector). */
  readonly serviceAccountSelector: string | undefined;
  readonly types: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly CalicoRule[];
  readonly egress: readonly CalicoRule[];
  /** Staged kinds only: what promoting does to the enforced policy of the same name. */
  readonly stagedAction?: 'Set' | 'Delete';
}

export interface CalicoTier {
  readonly name: string;
  readonly order: number | undefined;
  readonly defaultAction: 'Deny' | 'Pass';
}

export interface IgnoredObject {
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly reason: string;
  /**
   * Which pods it would apply to, as far as we can tell: a Kubernetes-style selector within a
   * namespace, a Calico selector expression, or `unknown` (assume it may select any pod).
   */
  readonly appliesTo:
    | { readonly kind: 'cilium'; readonly selector: CiliumSelector }
    /** A Cilium host policy: the host endpoints of the nodes its nodeSelector matches (no pod). */
    | { readonly kind: 'cilium-nodes'; readonly selector: CiliumSelector }
    | { readonly kind: 'calico'; readonly selector: string }
    | { readonly kind: 'none' }
    | { readonly kind: 'unknown' };
  /**
   * For a Calico NetworkSet or GlobalNetworkSet: its labels and valid `spec.nets`, so a peer
   * Calico named after it (Goldmane, flow logs) can be written as a selector or as its CIDRs.
   */
  readonly networkSet?: {
    readonly labels: Readonly<Record<string, string>>;
    readonly nets: readonly string[];
  };
}

export interface CniPolicies {
  readonly cilium: readonly CiliumPolicy[];
  readonly calico: readonly CalicoPolicy[];
  readonly tiers: readonly CalicoTier[];
  /** StagedKubernetesNetworkPolicy (Calico): NetworkPolicies that are not enforced until promoted. */
  readonly stagedKubernetes: readonly {
    readonly policy: NetworkPolicy;
    readonly stagedAction: 'Set' | 'Delete';
  }[];
  readonly ignored: readonly IgnoredObject[];
  /** AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy (network-policy-api). */
  readonly clusterPolicies?: readonly ClusterPolicy[];
}

/** Whether a snapshot carries cluster-scoped policies (the engine then adds their tiers). */
export function hasClusterPolicies(cni: CniPolicies | undefined): boolean {
  return cni?.clusterPolicies !== undefined && cni.clusterPolicies.length > 0;
}

export const EMPTY_CNI: CniPolicies = Object.freeze({
  cilium: [],
  calico: [],
  tiers: [],
  stagedKubernetes: [],
  ignored: [],
});

export function hasCniPolicies(cni: CniPolicies | undefined): cni is CniPolicies {
  return cni !== undefined && (cni.cilium.length > 0 || cni.calico.length > 0);
}

export function objectName(object: {
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
}): string {
  return `${object.kind} ${object.namespace !== undefined ? `${object.namespace}/` : ''}${object.name}`;
}
