// A deliberately naive evaluator of the network-policy-api tier order, written from the API
// reference text (apis/v1alpha1, apis/v1alpha2) over the raw objects, sharing nothing with
// src/policy/cluster: every query rescans every object. Admin tier by ascending priority (the
// generator never makes two Admin priorities equal; ties are the named tests' business), each
// policy's rules in written order, first match decides, Pass leaves the tier; then
// NetworkPolicies (cni-reference.ts); then the Baseline tier (ClusterNetworkPolicies by priority,
// then the BaselineAdminNetworkPolicy); then allow.
import {
  inCidr,
  k8sSelector,
  npDirection,
  type RefEndpoint,
  type RefPod,
  type RefQuery,
} from './cni-reference.js';

type Obj = Readonly<Record<string, unknown>>;
const o = (x: unknown): Obj => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : {});
const objs = (x: unknown): Obj[] => (Array.isArray(x) ? x.map(o) : []);

/** Every reference pod serves `web` on TCP 80 and `dns` on UDP 53. */
const NAMED: Readonly<Record<string, { port: number; protocol: string }>> = {
  web: { port: 80, protocol: 'TCP' },
  dns: { port: 53, protocol: 'UDP' },
};

function selectsPod(
  subjectOrPeer: Obj,
  pod: RefPod,
  nsLabels: (ns: string) => Record<string, string>,
): boolean {
  if (subjectOrPeer['namespaces'] !== undefined)
    return k8sSelector(subjectOrPeer['namespaces'], nsLabels(pod.namespace));
  const pods = o(subjectOrPeer['pods']);
  return (
    k8sSelector(pods['namespaceSelector'] ?? {}, nsLabels(pod.namespace)) &&
    k8sSelector(pods['podSelector'], pod.labels)
  );
}

function peerMatches(
  peer: Obj,
  other: RefEndpoint,
  nsLabels: (ns: string) => Record<string, string>,
): boolean {
  if (peer['networks'] !== undefined)
    return (peer['networks'] as string[]).some((c) => inCidr('pod' in other ? other.pod.ip : other.ip, c));
  if (peer['domainNames'] !== undefined) {
    if ('pod' in other) return false;
    return (peer['domainNames'] as string[]).some((d) =>
      other.names.some((n) =>
        d.startsWith('*.') ? n.endsWith(d.slice(1)) && n.length > d.length - 1 : n === d,
      ),
    );
  }
  return 'pod' in other && selectsPod(peer, other.pod, nsLabels);
}

function portMatches(rule: Obj, q: RefQuery, destinationIsPod: boolean): boolean {
  const v2 = rule['protocols'] !== undefined;
  const list = objs(v2 ? rule['protocols'] : rule['ports']);
  if (rule['protocols'] === undefined && rule['ports'] === undefined) return true;
  return list.some((p) => {
    const name = (v2 ? p['destinationNamedPort'] : p['namedPort']) as string | undefined;
    if (name !== undefined)
      return destinationIsPod && NAMED[name]?.port === q.port && NAMED[name]?.protocol === q.protocol;
    if (v2) {
      const proto = (['tcp', 'udp', 'sctp'] as const).find((k) => p[k] !== undefined) as string;
      const dp = o(o(p[proto])['destinationPort']);
      if (proto.toUpperCase() !== q.protocol) return false;
      const range = o(dp['range']);
      return dp['number'] !== undefined
        ? dp['number'] === q.port
        : q.port >= (range['start'] as number) && q.port <= (range['end'] as number);
    }
    const one = o(p['portNumber'] ?? p['portRange']);
    if (((one['protocol'] as string | undefined) ?? 'TCP') !== q.protocol) return false;
    return p['portNumber'] !== undefined
      ? one['port'] === q.port
      : q.port >= (one['start'] as number) && q.port <= (one['end'] as number);
  });
}

/** One tier, one direction: 'allow' | 'deny' | 'pass' | undefined (no rule matched). */
function tierVerdict(
  policies: readonly Obj[],
  dir: 'ingress' | 'egress',
  subject: RefPod,
  peer: RefEndpoint,
  q: RefQuery,
  nsLabels: (ns: string) => Record<string, string>,
): 'allow' | 'deny' | 'pass' | undefined {
  const destinationIsPod = 'pod' in q.to;
  for (const policy of policies) {
    const spec = o(policy['spec']);
    if (!selectsPod(o(spec['subject']), subject, nsLabels)) continue;
    for (const rule of objs(spec[dir])) {
      const peers = objs(rule[dir === 'egress' ? 'to' : 'from']);
      if (!peers.some((p) => peerMatches(p, peer, nsLabels)) || !portMatches(rule, q, destinationIsPod))
        continue;
      const action = rule['action'];
      return action === 'Deny' ? 'deny' : action === 'Pass' ? 'pass' : 'allow';
    }
  }
  return undefined;
}

const priority = (p: Obj): number => (o(p['spec'])['priority'] as number | undefined) ?? 1001;
const byPriority = (list: Obj[]): Obj[] => [...list].sort((a, b) => priority(a) - priority(b));

export function clusterReference(
  cluster: readonly Obj[],
  nps: readonly Obj[],
  nsLabels: (ns: string) => Record<string, string>,
  q: RefQuery,
): boolean {
  const tierOf = (p: Obj): string =>
    p['kind'] === 'AdminNetworkPolicy'
      ? 'Admin'
      : p['kind'] === 'BaselineAdminNetworkPolicy'
        ? 'Baseline'
        : String(o(p['spec'])['tier']);
  const admin = byPriority(cluster.filter((p) => tierOf(p) === 'Admin'));
  const baseline = byPriority(cluster.filter((p) => tierOf(p) === 'Baseline'));
  const direction = (dir: 'ingress' | 'egress'): boolean => {
    const subjectEnd = dir === 'egress' ? q.from : q.to;
    const peer = dir === 'egress' ? q.to : q.from;
    if (!('pod' in subjectEnd)) return true;
    const subject = subjectEnd.pod;
    const a = tierVerdict(admin, dir, subject, peer, q, nsLabels);
    if (a === 'allow' || a === 'deny') return a === 'allow';
    const np = npDirection(nps, nsLabels, dir, subject, peer, q, true);
    if (np !== undefined) return np;
    const b = tierVerdict(baseline, dir, subject, peer, q, nsLabels);
    return b !== 'deny';
  };
  return direction('egress') && direction('ingress');
}
