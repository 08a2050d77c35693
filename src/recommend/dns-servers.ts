// Where the pods of a namespace resolve names, from what was observed: the cluster DNS workload
// (the busiest pod answering on port 53 in kube-system, or one that looks like DNS in another
// namespace: OpenShift's openshift-dns, a renamed CoreDNS), and NodeLocal DNSCache (a link-local
// address such as 169.254.20.10, or `k8s-app: node-local-dns` pods). The namespace DNS egress
// rule covers all of them on UDP and TCP 53; queries to them are not per-workload rules.
import { cidrContains, parseCidr, parseIp, type Cidr } from '../net/ip.js';
import type { Labels } from '../policy/model.js';
import { FALLBACK_DNS_LABELS } from './namespace-policies.js';
import { cidrFor } from './peers.js';
import type { ObservedEdge } from './proposal.js';
import { compareText, type WorkloadIndex } from './workloads.js';

export const DEFAULT_DNS_NAMESPACE = 'kube-system';
/** NodeLocal DNSCache's conventional address (its pods are hostNetwork: no pod peer names them). */
export const NODELOCAL_DNS_IP = '169.254.20.10';
const NODELOCAL_LABEL = ['k8s-app', 'node-local-dns'] as const;
const LINK_LOCAL: readonly Cidr[] = ['169.254.0.0/16', 'fe80::/10'].map((text) => parseCidr(text) as Cidr);

export interface DnsServers {
  /** Namespace and labels of the cluster DNS pods (what the rule's pod peer selects). */
  readonly namespace: string;
  readonly labels: Labels;
  /** How the DNS pods were found, for the rule's comment. */
  readonly source: string;
  /** NodeLocal DNSCache addresses (/32, /128) the rule admits too. */
  readonly nodeLocalCidrs: readonly string[];
  /** NodeLocal DNSCache pods on the pod network (not hostNetwork), by namespace and labels. */
  readonly nodeLocalPods: readonly { readonly namespace: string; readonly labels: Labels }[];
  isDnsEdge(edge: ObservedEdge): boolean;
}

export function isDnsPort(edge: ObservedEdge): boolean {
  return edge.port === 53 && (edge.protocol === 'UDP' || edge.protocol === 'TCP');
}

function isLinkLocal(ip: string | undefined): boolean {
  const address = ip === undefined ? undefined : parseIp(ip);
  return (
    address !== undefined &&
    LINK_LOCAL.some((cidr) => cidr.family === address.family && cidrContains(cidr, address))
  );
}

function looksLikeDns(namespace: string, workload: string, labels: Labels): boolean {
  if (namespace === DEFAULT_DNS_NAMESPACE) return true;
  const app = labels['k8s-app'] ?? labels['app.kubernetes.io/name'] ?? labels['app'] ?? '';
  return (
    app === 'kube-dns' ||
    app === 'coredns' ||
    labels['dns.operator.openshift.io/daemonset-dns'] !== undefined ||
    workload.includes('dns')
  );
}

function isNodeLocal(labels: Labels): boolean {
  return labels[NODELOCAL_LABEL[0]] === NODELOCAL_LABEL[1];
}

export function findDnsServers(forwarded: readonly ObservedEdge[], index: WorkloadIndex): DnsServers {
  const counts = new Map<string, { namespace: string; workload: string; connections: number }>();
  const nodeLocalIps = new Set<string>();
  const nodeLocalPods = new Map<string, { namespace: string; labels: Labels }>();
  for (const edge of forwarded) {
    if (!isDnsPort(edge)) continue;
    const d = edge.destination;
    if (d.kind !== 'pod') {
      if (isLinkLocal(d.ip)) nodeLocalIps.add(d.ip as string);
      continue;
    }
    if (d.namespace === undefined || d.workload === undefined) continue;
    if (isNodeLocal(edge.destinationLabels)) {
      nodeLocalPods.set(`${d.namespace}/${d.workload}`, {
        namespace: d.namespace,
        labels: { [NODELOCAL_LABEL[0]]: NODELOCAL_LABEL[1] },
      });
      continue;
    }
    if (!looksLikeDns(d.namespace, d.workload, edge.destinationLabels)) continue;
    const key = `${d.namespace}/${d.workload}`;
    const entry = counts.get(key) ?? { namespace: d.namespace, workload: d.workload, connections: 0 };
    entry.connections += edge.count + (edge.established ?? 0);
    counts.set(key, entry);
  }
  // kube-system first (the default), then the busiest; ties by name for a stable answer.
  const best = [...counts.entries()].sort(
    (a, b) =>
      Number(b[1].namespace === DEFAULT_DNS_NAMESPACE) - Number(a[1].namespace === DEFAULT_DNS_NAMESPACE) ||
      b[1].connections - a[1].connections ||
      compareText(a[0], b[0]),
  )[0]?.[1];
  const workload = best === undefined ? undefined : index.get(best.namespace, best.workload);
  const snapshotDns = index
    .snapshotPods()
    .find(
      (pod) =>
        !pod.hostNetwork &&
        (pod.labels['k8s-app'] === 'kube-dns' ||
          pod.labels['dns.operator.openshift.io/daemonset-dns'] !== undefined),
    );
  if (index.snapshotPods().some((pod) => isNodeLocal(pod.labels) && pod.hostNetwork))
    nodeLocalIps.add(NODELOCAL_DNS_IP);
  for (const pod of index.snapshotPods())
    if (isNodeLocal(pod.labels) && !pod.hostNetwork)
      nodeLocalPods.set(`${pod.namespace}/${pod.workload.name}`, {
        namespace: pod.namespace,
        labels: { [NODELOCAL_LABEL[0]]: NODELOCAL_LABEL[1] },
      });

  let namespace = snapshotDns?.namespace ?? DEFAULT_DNS_NAMESPACE;
  let labels: Labels =
    snapshotDns?.labels['k8s-app'] === 'kube-dns' || snapshotDns === undefined
      ? FALLBACK_DNS_LABELS
      : {
          'dns.operator.openshift.io/daemonset-dns':
            snapshotDns.labels['dns.operator.openshift.io/daemonset-dns'] ?? 'default',
        };
  let source =
    snapshotDns !== undefined
      ? `${namespace} ${Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}, from the snapshot`
      : 'kube-system k8s-app=kube-dns, the conventional label (not observed)';
  if (workload !== undefined && Object.keys(workload.selector.matchLabels).length > 0) {
    namespace = workload.namespace;
    labels = workload.selector.matchLabels;
    source = `${namespace} ${Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}, as observed`;
  }
  const cidrs = [...nodeLocalIps].flatMap((ip) => cidrFor(ip, undefined) ?? []).sort(compareText);
  const cidrSet = new Set([...nodeLocalIps]);
  const chosenName = workload?.name;
  return {
    namespace,
    labels,
    source,
    nodeLocalCidrs: cidrs,
    nodeLocalPods: [...nodeLocalPods.values()].sort((a, b) => compareText(a.namespace, b.namespace)),
    isDnsEdge(edge: ObservedEdge): boolean {
      if (!isDnsPort(edge)) return false;
      const d = edge.destination;
      if (d.kind !== 'pod') return d.ip !== undefined && cidrSet.has(d.ip);
      if (isNodeLocal(edge.destinationLabels)) return true;
      return (
        d.namespace === namespace &&
        (d.workload === chosenName ||
          Object.entries(labels).every(([k, v]) => edge.destinationLabels[k] === v))
      );
    },
  };
}
