// Where the cluster DNS is: kube-dns/CoreDNS pods (`k8s-app: kube-dns`) on 53, OpenShift's
// dns-default pods (`dns.operator.openshift.io/daemonset-dns: default`) on 5353 (the Service maps
// 53 to it, and policy sees the pod port), and NodeLocal DNSCache on 169.254.20.10:53 when its
// pods run or traffic to that address was observed. Without any of them, the conventional
// kube-system `k8s-app: kube-dns` is assumed.
import { blockedPathOf } from '../drops/detect.js';
import { dnsEvidence, NODELOCAL_DNS_IP } from '../drops/classify.js';
import { dnsAddressesOf } from '../drops/report.js';
import type { QueryEndpoint } from '../policy/engine.js';
import type { ClusterSnapshot, Labels } from '../policy/model.js';
import type { DoctorEdge } from './types.js';

export const KUBE_DNS_LABEL = ['k8s-app', 'kube-dns'] as const;
export const OPENSHIFT_DNS_LABEL = ['dns.operator.openshift.io/daemonset-dns', 'default'] as const;
const NODELOCAL_LABEL = ['k8s-app', 'node-local-dns'] as const;

export interface DnsTarget {
  readonly description: string;
  readonly endpoint: QueryEndpoint;
  readonly port: number;
  /** The peer a rule needs: DNS pods by namespace and label, or the NodeLocal address. */
  readonly peer: { readonly namespace: string; readonly labels: Labels } | { readonly ip: string };
}

export function findDnsTargets(snapshot: ClusterSnapshot, edges: readonly DoctorEdge[]): DnsTarget[] {
  const targets: DnsTarget[] = [];
  const seen = new Set<string>();
  for (const pod of snapshot.pods) {
    if (pod.hostNetwork) continue;
    for (const [[key, value], port, what] of [
      [KUBE_DNS_LABEL, 53, 'kube-dns/CoreDNS'],
      [OPENSHIFT_DNS_LABEL, 5353, 'OpenShift dns-default'],
    ] as const) {
      if (pod.labels[key] !== value || seen.has(`${pod.namespace}|${key}`)) continue;
      seen.add(`${pod.namespace}|${key}`);
      targets.push({
        description: `${what} pods ${pod.namespace}/{${key}=${value}} on port ${port}`,
        endpoint: { kind: 'pod', namespace: pod.namespace, name: pod.name },
        port,
        peer: { namespace: pod.namespace, labels: { [key]: value } },
      });
    }
  }
  const nodeLocal =
    snapshot.pods.some((pod) => pod.labels[NODELOCAL_LABEL[0]] === NODELOCAL_LABEL[1]) ||
    edges.some((edge) => edge.destination.ip === NODELOCAL_DNS_IP && edge.port === 53);
  if (nodeLocal) {
    targets.push({
      description: `NodeLocal DNSCache ${NODELOCAL_DNS_IP} on port 53`,
      endpoint: { kind: 'ip', ip: NODELOCAL_DNS_IP },
      port: 53,
      peer: { ip: NODELOCAL_DNS_IP },
    });
  }
  if (targets.length === 0) {
    targets.push({
      description: 'kube-system/{k8s-app=kube-dns} (the conventional DNS labels; no DNS pod in the snapshot)',
      endpoint: {
        kind: 'workload',
        namespace: 'kube-system',
        labels: { [KUBE_DNS_LABEL[0]]: KUBE_DNS_LABEL[1] },
      },
      port: 53,
      peer: { namespace: 'kube-system', labels: { [KUBE_DNS_LABEL[0]]: KUBE_DNS_LABEL[1] } },
    });
  }
  return targets;
}

/** Whether an observed edge is a DNS query to the cluster DNS. */
export function isDnsEdge(snapshot: ClusterSnapshot | undefined, edge: DoctorEdge): boolean {
  if (edge.protocol !== 'UDP' && edge.protocol !== 'TCP') return false;
  if (edge.port === 5353 && edge.destinationLabels[OPENSHIFT_DNS_LABEL[0]] === OPENSHIFT_DNS_LABEL[1])
    return true;
  return dnsEvidence(blockedPathOf(edge), dnsAddressesOf(snapshot)) !== undefined;
}
