// A deliberately naive NetworkPolicy evaluator, written straight from the API reference text
// (networking.k8s.io/v1 NetworkPolicy), with no indexing and no sharing with src/policy: every
// query rescans every policy. The property test checks the compiled engine agrees with it.
import type {
  ClusterSnapshot,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PodInfo,
  PolicyProtocol,
} from '../../src/policy/model.js';

type Endpoint = { pod: PodInfo } | { ip: string };

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) n = n * 256 + Number(p);
  return n;
}

/** IPv4 only: the property test generates IPv4 addresses; IPv6 is covered by named tests. */
function inCidr(ip: string, cidr: string): boolean {
  const [base, lenText] = cidr.split('/');
  const a = ipv4ToNumber(ip);
  const b = ipv4ToNumber(base ?? '');
  if (a === undefined || b === undefined) return false;
  const len = Number(lenText);
  const size = 2 ** (32 - len);
  return Math.floor(a / size) === Math.floor(b / size);
}

// "A label selector is a label query over a set of resources. The result of matchLabels and
// matchExpressions are ANDed. An empty label selector matches all objects."
function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = k(labels, req.key);
    const value = labels[req.key];
    if (req.operator === 'In' && !(has && (req.values ?? []).includes(value as string))) return false;
    if (req.operator === 'NotIn' && has && (req.values ?? []).includes(value as string)) return false;
    if (req.operator === 'Exists' && !has) return false;
    if (req.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
function k(labels: Readonly<Record<string, string>>, key: string): boolean {
  return Object.keys(labels).includes(key);
}

function namespaceLabels(snapshot: ClusterSnapshot, ns: string): Record<string, string> {
  const found = snapshot.namespaces.find((n) => n.name === ns);
  return found ? { ...found.labels } : { 'kubernetes.io/metadata.name': ns };
}

// "podSelector … selects particular Pods in the same namespace as the NetworkPolicy …
// namespaceSelector … selects particular namespaces … If both are specified, selects Pods
// matching podSelector in Namespaces matching namespaceSelector."
function peerMatches(
  snapshot: ClusterSnapshot,
  policy: NetworkPolicy,
  peer: NetworkPolicyPeer,
  other: Endpoint,
  ipBlockMatchesPods: boolean,
): boolean {
  if (peer.ipBlock) {
    // A hostNetwork pod has its node's IP and is judged as that IP, never as a pod.
    const ips = 'ip' in other ? [other.ip] : other.pod.hostNetwork || ipBlockMatchesPods ? other.pod.ips : [];
    return ips.some(
      (ip) => inCidr(ip, peer.ipBlock!.cidr) && !(peer.ipBlock!.except ?? []).some((e) => inCidr(ip, e)),
    );
  }
  if (!('pod' in other) || other.pod.hostNetwork) return false;
  const pod = other.pod;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, namespaceLabels(snapshot, pod.namespace))) return false;
  } else if (pod.namespace !== policy.metadata.namespace) return false;
  return selectorMatches(peer.podSelector ?? {}, pod.labels);
}

// "port … If this field is not provided, this matches all port names and numbers. If present,
// only traffic on the specified protocol AND port will be matched." Named ports resolve on the
// destination pod.
function portMatches(
  p: NetworkPolicyPort,
  port: number,
  protocol: PolicyProtocol,
  destination: Endpoint,
): boolean {
  if ((p.protocol ?? 'TCP') !== protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') return port >= p.port && port <= (p.endPort ?? p.port);
  // A hostNetwork pod is a node IP, not a pod: its container port names do not resolve.
  if (!('pod' in destination) || destination.pod.hostNetwork) return false;
  return destination.pod.ports.some(
    (cp) => cp.name === p.port && cp.containerPort === port && cp.protocol === protocol,
  );
}

function affects(policy: NetworkPolicy, direction: 'Ingress' | 'Egress'): boolean {
  const types = policy.spec.policyTypes;
  if (!types || types.length === 0) return direction === 'Ingress' || (policy.spec.egress ?? []).length > 0;
  return types.includes(direction);
}

function sideAllows(
  snapshot: ClusterSnapshot,
  subject: Endpoint,
  other: Endpoint,
  destination: Endpoint,
  direction: 'Ingress' | 'Egress',
  port: number,
  protocol: PolicyProtocol,
  ipBlockMatchesPods: boolean,
): boolean {
  if (!('pod' in subject) || subject.pod.hostNetwork) return true;
  const pod = subject.pod;
  const selecting = snapshot.policies.filter(
    (p) =>
      p.metadata.namespace === pod.namespace &&
      affects(p, direction) &&
      selectorMatches(p.spec.podSelector, pod.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) => {
    const rules =
      direction === 'Ingress'
        ? (policy.spec.ingress ?? []).map((r) => ({ ports: r.ports, peers: r.from }))
        : (policy.spec.egress ?? []).map((r) => ({ ports: r.ports, peers: r.to }));
    return rules.some((rule) => {
      const portOk =
        !rule.ports ||
        rule.ports.length === 0 ||
        rule.ports.some((p) => portMatches(p, port, protocol, destination));
      const peerOk =
        !rule.peers ||
        rule.peers.length === 0 ||
        rule.peers.some((peer) => peerMatches(snapshot, policy, peer, other, ipBlockMatchesPods));
      return portOk && peerOk;
    });
  });
}

export function referenceAllows(
  snapshot: ClusterSnapshot,
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: PolicyProtocol,
  ipBlockMatchesPods = true,
): boolean {
  return (
    sideAllows(snapshot, from, to, to, 'Egress', port, protocol, ipBlockMatchesPods) &&
    sideAllows(snapshot, to, from, to, 'Ingress', port, protocol, ipBlockMatchesPods)
  );
}
