// The two namespace-wide policies every managed namespace gets: DNS egress to the cluster DNS
// pods and NodeLocal DNSCache (dns-servers.ts), and the default deny of both directions
// (applied last, after the allows).
import type { Labels, NetworkPolicy, NetworkPolicyPeer } from '../policy/model.js';
import type { DnsServers } from './dns-servers.js';
import { NAMESPACE_NAME_LABEL } from './peers.js';
import { ANNOTATION_PREFIX, GENERATED_BY, type ProposedPolicy, type RuleEvidence } from './proposal.js';

export const FALLBACK_DNS_LABELS: Labels = Object.freeze({ 'k8s-app': 'kube-dns' });
export const MANAGED_BY_LABELS: Labels = Object.freeze({ 'app.kubernetes.io/managed-by': 'netpol-advisor' });

export interface DnsEvidence {
  connections: number;
  firstSeenMs: number;
  lastSeenMs: number;
  readonly samplePods: Set<string>;
}

/** The DNS policy toward the kube-system pods with `dnsLabels` (the doctor's fixes start from it). */
export function dnsPolicy(
  namespace: string,
  dnsLabels: Labels,
  dnsSource: string,
  evidence: DnsEvidence | undefined,
  windowAnnotation: string,
): ProposedPolicy {
  const servers: DnsServers = {
    namespace: 'kube-system',
    labels: dnsLabels,
    source: dnsSource,
    nodeLocalCidrs: [],
    nodeLocalPods: [],
    isDnsEdge: () => false,
  };
  return dnsPolicyFor(namespace, servers, evidence, windowAnnotation);
}

/** The namespace's DNS egress policy toward the DNS servers found (cluster DNS and NodeLocal). */
export function dnsPolicyFor(
  namespace: string,
  dns: DnsServers,
  evidence: DnsEvidence | undefined,
  windowAnnotation: string,
): ProposedPolicy {
  const connections = evidence?.connections ?? 0;
  const nodeLocal = dns.nodeLocalCidrs.length > 0 || dns.nodeLocalPods.length > 0;
  const dnsSource = `${dns.source}${nodeLocal ? `; NodeLocal DNSCache ${[...dns.nodeLocalCidrs, ...dns.nodeLocalPods.map((p) => `${p.namespace} k8s-app=node-local-dns`)].join(', ')}` : ''}`;
  const to: NetworkPolicyPeer[] = [
    {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } },
      podSelector: { matchLabels: { ...dns.labels } },
    },
    ...dns.nodeLocalPods.map((p) => ({
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } },
      podSelector: { matchLabels: { ...p.labels } },
    })),
    ...dns.nodeLocalCidrs.map((cidr) => ({ ipBlock: { cidr } })),
  ];
  const rule: RuleEvidence = {
    direction: 'egress',
    index: 0,
    peerClass: 'dns',
    peer: `DNS (${dnsSource})`,
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
    connections,
    firstSeenMs: evidence?.firstSeenMs ?? Number.NaN,
    lastSeenMs: evidence?.lastSeenMs ?? Number.NaN,
    samplePods: [...(evidence?.samplePods ?? [])].sort().slice(0, 5),
    names: [],
    cidrs: dns.nodeLocalCidrs,
    reasons: [],
    comment: `DNS: every pod of ${namespace} may query the cluster DNS (${dnsSource}) on UDP and TCP 53; ${connections} lookups observed`,
  };
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'allow-dns-egress',
      namespace,
      labels: MANAGED_BY_LABELS,
      annotations: {
        [`${ANNOTATION_PREFIX}generated-by`]: GENERATED_BY,
        [`${ANNOTATION_PREFIX}observed-window`]: windowAnnotation,
        [`${ANNOTATION_PREFIX}connections`]: String(connections),
        [`${ANNOTATION_PREFIX}why`]: 'every pod needs name resolution; TCP 53 for large answers and retries',
      },
    },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to,
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
  return { role: 'dns', policy, rules: [rule] };
}

/** The default deny; `open` directions are left out (undefined when nothing is left to deny). */
export function defaultDenyPolicy(
  namespace: string,
  windowAnnotation: string,
  open: readonly ('ingress' | 'egress')[] = [],
): ProposedPolicy | undefined {
  const policyTypes = (['Ingress', 'Egress'] as const).filter(
    (type) => !open.includes(type === 'Ingress' ? 'ingress' : 'egress'),
  );
  if (policyTypes.length === 0) return undefined;
  const why =
    open.length === 0
      ? 'deny every path not observed; apply after the allow policies of this namespace'
      : `deny every path not observed, except ${open.join(' and ')}: a workload of this namespace talks to a Cilium reserved identity NetworkPolicy cannot name (see the warnings)`;
  return {
    role: 'default-deny',
    rules: [],
    policy: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'default-deny',
        namespace,
        labels: MANAGED_BY_LABELS,
        annotations: {
          [`${ANNOTATION_PREFIX}generated-by`]: GENERATED_BY,
          [`${ANNOTATION_PREFIX}observed-window`]: windowAnnotation,
          [`${ANNOTATION_PREFIX}why`]: why,
        },
      },
      spec: { podSelector: {}, policyTypes: [...policyTypes] },
    },
  };
}
