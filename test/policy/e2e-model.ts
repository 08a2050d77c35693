// The Kubernetes e2e netpol model (test/e2e/network/netpol in kubernetes/kubernetes): namespaces
// x, y, z; pods a, b, c in each, labelled pod=<name>, serving 80 and 81 on TCP, UDP and SCTP with
// container ports named serve-<port>-<proto>; and the truth-table helpers the suite uses
// (NewReachability, Expect, ExpectPeer, ExpectAllIngress, ExpectAllEgress).
import type {
  ContainerPort,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  PodInfo,
  PolicyProtocol,
  PolicyType,
  ClusterSnapshot,
} from '../../src/policy/model.js';

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;

function podIp(namespace: string, name: string): string {
  return `10.${NAMESPACES.indexOf(namespace as 'x') + 1}.0.${POD_NAMES.indexOf(name as 'a') + 1}`;
}

export function e2ePorts(): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const port of [80, 81]) {
    for (const protocol of ['TCP', 'UDP', 'SCTP'] as const)
      out.push({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol });
  }
  return out;
}

export function e2eSnapshot(
  policies: NetworkPolicy[],
  podLabels: Record<string, Record<string, string>> = {},
  nsLabels: Record<string, Record<string, string>> = {},
): ClusterSnapshot {
  const pods: PodInfo[] = [];
  for (const ns of NAMESPACES) {
    for (const name of POD_NAMES) {
      pods.push({
        namespace: ns,
        name,
        labels: { pod: name, ...(podLabels[`${ns}/${name}`] ?? {}) },
        ips: [podIp(ns, name)],
        hostNetwork: false,
        ports: e2ePorts(),
        workload: { kind: 'Pod', name },
      });
    }
  }
  return {
    namespaces: NAMESPACES.map((ns) => ({
      name: ns,
      labels: { ns, 'kubernetes.io/metadata.name': ns, ...(nsLabels[ns] ?? {}) },
    })),
    pods,
    services: [],
    policies,
    nodes: [],
  };
}

export { podIp };

/** GenNetworkPolicyWithNameAndPodSelector + SetSpecIngressRules/SetSpecEgressRules. */
export function policy(
  namespace: string,
  name: string,
  podSelector: LabelSelector,
  rules: {
    ingress?: NetworkPolicyIngressRule[];
    egress?: NetworkPolicyEgressRule[];
    policyTypes?: PolicyType[];
  },
): NetworkPolicy {
  // SetSpecIngressRules/SetSpecEgressRules append the policy type, as upstream does.
  const types: PolicyType[] = rules.policyTypes ?? [
    ...(rules.ingress !== undefined ? (['Ingress'] as const) : []),
    ...(rules.egress !== undefined ? (['Egress'] as const) : []),
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { namespace, name },
    spec: {
      podSelector,
      policyTypes: types,
      ...(rules.ingress !== undefined ? { ingress: rules.ingress } : {}),
      ...(rules.egress !== undefined ? { egress: rules.egress } : {}),
    },
  };
}

export const podLabel = (name: string): LabelSelector => ({ matchLabels: { pod: name } });
export const nsLabel = (name: string): LabelSelector => ({
  matchLabels: { 'kubernetes.io/metadata.name': name },
});

interface Peer {
  namespace?: string;
  pod?: string;
}

/** The expected truth table: every pair starts `initial`, then is edited like upstream's Reachability. */
export class Reachability {
  readonly pods: string[] = NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => `${ns}/${p}`));
  private readonly expected = new Map<string, boolean>();
  constructor(initial = true) {
    for (const a of this.pods) for (const b of this.pods) this.expected.set(`${a}>${b}`, initial);
  }
  expect(from: string, to: string, connected: boolean): this {
    this.expected.set(`${from}>${to}`, connected);
    return this;
  }
  private static matches(peer: Peer, pod: string): boolean {
    const [ns, name] = pod.split('/');
    return (
      (peer.namespace === undefined || peer.namespace === ns) && (peer.pod === undefined || peer.pod === name)
    );
  }
  expectPeer(from: Peer, to: Peer, connected: boolean): this {
    for (const a of this.pods)
      for (const b of this.pods)
        if (Reachability.matches(from, a) && Reachability.matches(to, b)) this.expect(a, b, connected);
    return this;
  }
  expectAllIngress(pod: string, connected: boolean): this {
    for (const a of this.pods) this.expect(a, pod, connected);
    return this;
  }
  expectAllEgress(pod: string, connected: boolean): this {
    for (const b of this.pods) this.expect(pod, b, connected);
    return this;
  }
  get(from: string, to: string): boolean {
    return this.expected.get(`${from}>${to}`) ?? false;
  }
}

export interface E2eCheck {
  readonly port: number;
  readonly protocol: PolicyProtocol;
  readonly reachability: Reachability;
}

export interface E2eCase {
  /** The upstream test's name (the `f.It` text), or policy-assistant's. */
  readonly name: string;
  readonly policies: NetworkPolicy[];
  readonly podLabels?: Record<string, Record<string, string>>;
  readonly nsLabels?: Record<string, Record<string, string>>;
  readonly checks: readonly E2eCheck[];
}
