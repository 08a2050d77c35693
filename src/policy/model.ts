// The cluster as the core sees it: namespaces, pods, services and networking.k8s.io/v1
// NetworkPolicies. A snapshot file (src/k8s/snapshot-file.ts) and the live inventory
// (src/k8s/inventory.ts) both produce a ClusterSnapshot; everything that reasons about policy
// (engine, recommender, drops, doctor) takes one. NetworkPolicy keeps the Kubernetes API shape so
// what we read and what we emit are the same type.
import type { Workload } from '../flows/flow.js';
import type { CniPolicies } from './cni-objects.js';

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

/** metav1.LabelSelector. An empty selector `{}` matches everything. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface NetworkPolicyPort {
  /** Defaults to TCP when absent. */
  readonly protocol?: PolicyProtocol;
  /** A number or an IANA_SVC_NAME (named container port). Absent: all ports. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface IPBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IPBlock;
}

export interface NetworkPolicyIngressRule {
  /** Absent or empty: all ports. */
  readonly ports?: readonly NetworkPolicyPort[];
  /** Absent or empty: all sources. */
  readonly from?: readonly NetworkPolicyPeer[];
}

export interface NetworkPolicyEgressRule {
  readonly ports?: readonly NetworkPolicyPort[];
  readonly to?: readonly NetworkPolicyPeer[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicySpec {
  readonly podSelector: LabelSelector;
  readonly policyTypes?: readonly PolicyType[];
  readonly ingress?: readonly NetworkPolicyIngressRule[];
  readonly egress?: readonly NetworkPolicyEgressRule[];
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Labels;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface NetworkPolicy {
  readonly apiVersion: 'networking.k8s.io/v1';
  readonly kind: 'NetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: NetworkPolicySpec;
}

export interface NamespaceInfo {
  readonly name: string;
  /** Includes `kubernetes.io/metadata.name` (set by the API server since 1.22; added when absent). */
  readonly labels: Labels;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: PolicyProtocol;
}

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** status.podIPs (or podIP); may be empty for a pending pod. */
  readonly ips: readonly string[];
  /** hostNetwork pods use the node's IP and are not selected as pods by NetworkPolicy peers. */
  readonly hostNetwork: boolean;
  readonly nodeName?: string;
  /** spec.serviceAccountName, when the snapshot says (Calico and Cilium can select on it). */
  readonly serviceAccount?: string;
  readonly ports: readonly ContainerPort[];
  /** The owning workload (ReplicaSet resolved to its Deployment, Job to its CronJob when known). */
  readonly workload: Workload;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: PolicyProtocol;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly selector?: Labels;
  /** spec.type (ClusterIP when absent); LoadBalancer/NodePort targets serve outside clients. */
  readonly type?: string;
  readonly clusterIPs: readonly string[];
  readonly ports: readonly ServicePort[];
}

export interface NodeInfo {
  readonly name: string;
  readonly ips: readonly string[];
  /** metadata.labels, when the snapshot says (cluster policies' `nodes` peers select on them). */
  readonly labels?: Labels;
}

export interface ClusterSnapshot {
  readonly namespaces: readonly NamespaceInfo[];
  readonly pods: readonly PodInfo[];
  readonly services: readonly ServiceInfo[];
  readonly policies: readonly NetworkPolicy[];
  readonly nodes: readonly NodeInfo[];
  /**
   * Cilium and Calico policies (and the policy objects nothing evaluates), when the snapshot has
   * any. Kept through `{ ...snapshot, policies }` copies, so they apply wherever the NPs do.
   */
  readonly cni?: CniPolicies;
  /** The API server's addresses: the endpoints of default/kubernetes (EndpointSlice or Endpoints). */
  readonly apiServerAddresses?: readonly string[];
}

export const EMPTY_SNAPSHOT: ClusterSnapshot = Object.freeze({
  namespaces: [],
  pods: [],
  services: [],
  policies: [],
  nodes: [],
});
