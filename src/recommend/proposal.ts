// The recommender's output model: per namespace, the proposed policies with the evidence behind
// each rule, the connectivity tests and the warnings. Flavors, YAML/JSON export, verify.sh and the
// replay proof all read this; nothing here is Kubernetes-flavor specific except `policy`.
import type { ObservedEdge as StoredEdge } from '../flows/edge.js';
import type { Protocol } from '../flows/flow.js';
import type { NetworkPolicy } from '../policy/model.js';

export const ANNOTATION_PREFIX = 'netpol-advisor.io/';
export const GENERATED_BY = 'netpol-advisor recommend';

export type PolicyRole = 'allow-ingress' | 'allow-egress' | 'dns' | 'default-deny';

/** What a rule's peer is, beyond its selector: external addresses and the special cases. */
export type PeerClass =
  | 'workload'
  | 'external'
  | 'kube-apiserver'
  | 'node'
  | 'host-network'
  | 'dns'
  | 'public'
  | 'entity'
  | 'network-set';

export interface PortEvidence {
  readonly protocol: Protocol;
  readonly port: number;
}

export interface RuleEvidence {
  readonly direction: 'ingress' | 'egress';
  /** Index of the rule in spec.ingress / spec.egress. */
  readonly index: number;
  readonly peerClass: PeerClass;
  /** Human description of the peer: `ns/workload`, a CIDR … */
  readonly peer: string;
  readonly ports: readonly PortEvidence[];
  readonly connections: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Sample pods on the peer side. */
  readonly samplePods: readonly string[];
  /** DNS names seen for an external peer. */
  readonly names: readonly string[];
  /** For ipBlock peers: the CIDRs (one per peer in the rule). */
  readonly cidrs: readonly string[];
  /** Business reasons from the user's mapping. */
  readonly reasons: readonly string[];
  /** peerClass `entity`: the Cilium reserved identity (only the cilium flavour can name it). */
  readonly entity?: string;
  /**
   * peerClass `network-set`: the Calico NetworkSet (GlobalNetworkSet without a namespace) Calico
   * named as the peer. The calico flavour selects it by these labels; the others write `cidrs`
   * (its nets, from the cluster snapshot) and cannot express it without them.
   */
  readonly networkSet?: {
    readonly kind: 'NetworkSet' | 'GlobalNetworkSet';
    readonly namespace?: string;
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  /** How the connections were evidenced: `established-before-observation` when no start was seen. */
  readonly evidenceKinds?: readonly string[];
  /** One-line explanation, used as the YAML comment of the rule. */
  readonly comment: string;
}

export interface ProposedPolicy {
  readonly role: PolicyRole;
  /** `ns/name` of the workload the policy selects; absent for namespace-wide policies. */
  readonly workload?: string;
  readonly policy: NetworkPolicy;
  readonly rules: readonly RuleEvidence[];
  /**
   * The flavours that emit this object (absent: all). A workload with a peer only Cilium can
   * name gets its policy for that direction in the cilium flavour only, and the namespace's
   * default deny exists twice: complete for cilium, without that direction for k8s and calico.
   */
  readonly flavors?: readonly ('k8s' | 'cilium' | 'calico')[];
}

export type WarningCode =
  | 'not-forwarded' // dropped/audit/error edges: reported, never allowed
  | 'unresolved-endpoint' // an in-cluster address not resolved to a pod
  | 'icmp' // NetworkPolicy cannot express ICMP
  | 'unselectable-workload' // no stable label selects it
  | 'selector-not-exact' // the selector also picks other pods
  | 'kube-apiserver'
  | 'node-traffic'
  | 'host-network'
  | 'low-confidence'
  | 'unobserved-workload'
  | 'no-port'
  | 'reserved-identity' // a Cilium reserved identity k8s/calico cannot name: that direction stays unisolated
  | 'public-ingress' // a port admitted from any address
  | 'established-before-observation' // allowed from mid-stream evidence, no connection start seen
  | 'invalid-object' // a name or label Kubernetes would refuse: left out (namespace, policy or peer)
  | 'dns-namespace' // a namespace that runs the cluster DNS gets no policies (like kube-system)
  | 'same-selector'; // workloads with exactly the same selector share one policy per direction

export interface Warning {
  readonly code: WarningCode;
  readonly namespace?: string;
  readonly subject?: string;
  readonly message: string;
}

export interface ConnectivityTest {
  readonly expect: 'allow' | 'deny';
  readonly description: string;
  /** argv of the check; verify.sh shell-quotes every element. */
  readonly from: { readonly namespace: string; readonly selector: Readonly<Record<string, string>> };
  readonly to:
    | {
        readonly kind: 'pod';
        readonly namespace: string;
        readonly selector: Readonly<Record<string, string>>;
      }
    | { readonly kind: 'ip'; readonly ip: string }
    | { readonly kind: 'dns' };
  readonly protocol: Protocol;
  readonly port: number;
}

/** An observed path the proposal would deny although it was legitimate: the namespace is not safe to apply. */
export interface UnsafePath {
  readonly namespace: string;
  /** `ns/workload -> ip:1.2.3.4 TCP/443` */
  readonly path: string;
  readonly code: WarningCode;
  readonly reason: string;
}

export interface NamespaceRecommendation {
  readonly namespace: string;
  /** Observed paths this proposal would deny (empty: safe to apply). */
  readonly unsafe: readonly UnsafePath[];
  /** Safe apply order: allow policies, then DNS, then the default deny. */
  readonly policies: readonly ProposedPolicy[];
  readonly tests: readonly ConnectivityTest[];
  readonly warnings: readonly Warning[];
}

export interface WorkloadObservation {
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly connections: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly observedSec: number;
  readonly lowConfidence: boolean;
  readonly selector: Readonly<Record<string, string>>;
  readonly selectorExact: boolean | undefined;
}

/** An observed forwarded edge the proposal cannot express (so replay does not count it as a bug). */
export interface UncoveredEdge {
  readonly edgeId: number;
  readonly code: WarningCode;
  readonly reason: string;
}

export interface Recommendation {
  readonly namespaces: readonly NamespaceRecommendation[];
  readonly workloads: readonly WorkloadObservation[];
  readonly warnings: readonly Warning[];
  readonly window: { readonly firstSeenMs: number; readonly lastSeenMs: number } | null;
  readonly uncovered: readonly UncoveredEdge[];
  /** Every namespace's unsafe paths. */
  readonly unsafe: readonly UnsafePath[];
  readonly edgesUsed: number;
  readonly edgesIgnored: number;
}

/** True when `flavor` emits the proposed policy. */
export function emittedIn(policy: ProposedPolicy, flavor: 'k8s' | 'cilium' | 'calico'): boolean {
  return policy.flavors === undefined || policy.flavors.includes(flavor);
}

/** The namespace's policies as `flavor` emits them, in apply order. */
export function policiesFor(
  ns: NamespaceRecommendation,
  flavor: 'k8s' | 'cilium' | 'calico',
): ProposedPolicy[] {
  return ns.policies.filter((p) => emittedIn(p, flavor));
}

export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/**
 * The fields of a stored edge the recommender reads (the store's EdgeRecord passes straight in).
 */
export type ObservedEdge = Omit<StoredEdge, 'dropReasons' | 'deniedBy' | 'allowedBy'>;
