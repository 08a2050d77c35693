// --flavor cilium: CiliumNetworkPolicy (cilium.io/v2). External peers whose DNS names were
// observed become toFQDNs rules, which only work when the DNS traffic goes through Cilium's DNS
// proxy, so the DNS policy of a namespace with such a rule carries the `rules.dns` L7 rule (and
// only then). The API server and nodes become
// entities (kube-apiserver, host/remote-node), which Cilium keeps up to date itself. The default
// deny stays a plain NetworkPolicy, which Cilium enforces alongside its own.
import type { NetworkPolicyPeer, NetworkPolicyPort } from '../policy/model.js';
import { headerOf, type ExportObject } from './flavor.js';
import { NAMESPACE_NAME_LABEL } from './peers.js';
import {
  policiesFor,
  type NamespaceRecommendation,
  type ProposedPolicy,
  type RuleEvidence,
} from './proposal.js';
import { policyPorts } from './workload-policies.js';

const CILIUM_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

function toPorts(ports: readonly NetworkPolicyPort[] | undefined, dns = false): Record<string, unknown>[] {
  const list = (ports ?? []).map((p) => ({
    port: String(p.port),
    ...(p.endPort !== undefined ? { endPort: p.endPort } : {}),
    protocol: p.protocol ?? 'TCP',
  }));
  return [{ ports: list, ...(dns ? { rules: { dns: [{ matchPattern: '*' }] } } : {}) }];
}

function endpointSelector(peer: NetworkPolicyPeer): Record<string, unknown> {
  const namespace = peer.namespaceSelector?.matchLabels?.[NAMESPACE_NAME_LABEL];
  return {
    matchLabels: {
      ...(peer.podSelector?.matchLabels ?? {}),
      ...(namespace !== undefined ? { [CILIUM_NAMESPACE_LABEL]: namespace } : {}),
    },
  };
}

function peerPart(
  direction: 'ingress' | 'egress',
  peer: NetworkPolicyPeer,
  evidence: RuleEvidence | undefined,
): Record<string, unknown> {
  const from = direction === 'ingress';
  switch (evidence?.peerClass) {
    case 'kube-apiserver':
      return { [from ? 'fromEntities' : 'toEntities']: ['kube-apiserver'] };
    case 'node':
    case 'host-network':
      return { [from ? 'fromEntities' : 'toEntities']: ['host', 'remote-node'] };
    case 'public':
      return { [from ? 'fromEntities' : 'toEntities']: ['world'] };
    case 'entity':
      return { [from ? 'fromEntities' : 'toEntities']: [evidence.entity ?? 'all'] };
    case 'network-set':
      return { [from ? 'fromCIDR' : 'toCIDR']: [...evidence.cidrs] };
    case 'external':
      if (!from && evidence.names.length > 0)
        return { toFQDNs: evidence.names.map((name) => ({ matchName: name })) };
      return { [from ? 'fromCIDR' : 'toCIDR']: [peer.ipBlock?.cidr ?? ''] };
    default:
      return { [from ? 'fromEndpoints' : 'toEndpoints']: [endpointSelector(peer)] };
  }
}

/** Whether a namespace has a toFQDNs rule: only then does its DNS traffic need Cilium's DNS proxy. */
function needsDnsProxy(policies: readonly ProposedPolicy[]): boolean {
  return policies.some((p) =>
    p.rules.some((r) => r.direction === 'egress' && r.peerClass === 'external' && r.names.length > 0),
  );
}

function convert(p: ProposedPolicy, namespace: string, dnsProxy: boolean): ExportObject {
  const header = headerOf(p.role, p.policy.metadata.name, namespace);
  if (p.role === 'default-deny')
    return { object: p.policy as unknown as Record<string, unknown>, rules: [], header };
  const spec: Record<string, unknown> = {
    endpointSelector: { matchLabels: { ...(p.policy.spec.podSelector.matchLabels ?? {}) } },
  };
  if (p.role === 'dns') {
    // Pod peers (cluster DNS, NodeLocal pods) by endpoint selector, NodeLocal addresses by CIDR;
    // the `rules.dns` proxy rule only where a toFQDNs rule of the namespace needs it.
    const rule = p.policy.spec.egress?.[0];
    const peers = rule?.to ?? [];
    const cidrs = peers.flatMap((peer) => (peer.ipBlock === undefined ? [] : [peer.ipBlock.cidr]));
    const egress: Record<string, unknown>[] = [
      {
        toEndpoints: peers.filter((peer) => peer.ipBlock === undefined).map(endpointSelector),
        toPorts: toPorts(rule?.ports, dnsProxy),
      },
    ];
    if (cidrs.length > 0) egress.push({ toCIDR: cidrs, toPorts: toPorts(rule?.ports, dnsProxy) });
    spec['egress'] = egress;
  } else {
    // Evidence rule i is spec rule i; entity rules (NetworkPolicy cannot name them) follow the
    // spec rules and take their ports from the evidence.
    const direction = p.role === 'allow-ingress' ? 'ingress' : 'egress';
    const specRules = (direction === 'ingress' ? p.policy.spec.ingress : p.policy.spec.egress) ?? [];
    // Rules whose peer part comes out the same (toFQDNs of several addresses of one name, the
    // world entity of two CIDRs …) are one rule with their ports merged: no rule twice.
    const byPeer = new Map<string, { peer: Record<string, unknown>; ports: NetworkPolicyPort[] }>();
    p.rules.forEach((evidence, i) => {
      const rule = specRules[i];
      const peer =
        rule === undefined
          ? {}
          : (('from' in rule ? rule.from[0] : 'to' in rule ? rule.to[0] : undefined) ?? {});
      const ports = rule?.ports ?? policyPorts(evidence.ports);
      const part = peerPart(direction, peer, evidence);
      const key = JSON.stringify(part);
      const entry = byPeer.get(key);
      if (entry === undefined) byPeer.set(key, { peer: part, ports: [...ports] });
      else
        for (const port of ports)
          if (
            !entry.ports.some(
              (q) => q.protocol === port.protocol && q.port === port.port && q.endPort === port.endPort,
            )
          )
            entry.ports.push(port);
    });
    spec[direction] = [...byPeer.values()].map((entry) => ({ ...entry.peer, toPorts: toPorts(entry.ports) }));
  }
  return {
    object: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: p.policy.metadata, spec },
    rules: p.rules,
    header,
  };
}

export function ciliumObjects(ns: NamespaceRecommendation): ExportObject[] {
  const policies = policiesFor(ns, 'cilium');
  const dnsProxy = needsDnsProxy(policies);
  return policies.map((p) => convert(p, ns.namespace, dnsProxy));
}
