// --flavor calico: projectcalico.org/v3 NetworkPolicy, or StagedNetworkPolicy (`staged`) to dry-run
// first: Felix evaluates staged policies and reports their verdicts as pending in flow logs
// without enforcing them. Calico selectors are expressions; label keys and values reaching here
// passed Kubernetes label syntax (label-choice.ts), so single-quoting them is safe.
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../policy/model.js';
import { headerOf, type ExportObject } from './flavor.js';
import { NAMESPACE_NAME_LABEL } from './peers.js';
import { policiesFor, type NamespaceRecommendation, type ProposedPolicy } from './proposal.js';

export function calicoSelector(selector: LabelSelector | undefined): string {
  const entries = Object.entries(selector?.matchLabels ?? {});
  if (entries.length === 0) return 'all()';
  return entries.map(([key, value]) => `${key} == '${value}'`).join(' && ');
}

function entity(peer: NetworkPolicyPeer, ports: number[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (peer.ipBlock !== undefined) out['nets'] = [peer.ipBlock.cidr];
  if (peer.podSelector !== undefined) out['selector'] = calicoSelector(peer.podSelector);
  const namespace = peer.namespaceSelector?.matchLabels?.[NAMESPACE_NAME_LABEL];
  if (namespace !== undefined) out['namespaceSelector'] = `${NAMESPACE_NAME_LABEL} == '${namespace}'`;
  if (ports !== undefined) out['ports'] = ports;
  return out;
}

/** One Calico rule per protocol: a Calico rule matches a single protocol. */
function rulesOf(direction: 'ingress' | 'egress', peers: readonly NetworkPolicyPeer[], ports: readonly NetworkPolicyPort[] | undefined): Record<string, unknown>[] {
  const byProtocol = new Map<string, number[]>();
  for (const port of ports ?? []) {
    const list = byProtocol.get(port.protocol ?? 'TCP') ?? [];
    if (typeof port.port === 'number') list.push(port.port);
    byProtocol.set(port.protocol ?? 'TCP', list);
  }
  const out: Record<string, unknown>[] = [];
  for (const [protocol, numbers] of byProtocol) {
    for (const peer of peers) {
      out.push(direction === 'ingress'
        ? { action: 'Allow', protocol, source: entity(peer, undefined), destination: { ports: numbers } }
        : { action: 'Allow', protocol, destination: entity(peer, numbers) });
    }
  }
  return out;
}

function convert(p: ProposedPolicy, namespace: string, staged: boolean): ExportObject {
  const spec: Record<string, unknown> = {
    selector: calicoSelector(p.policy.spec.podSelector),
    types: [...(p.policy.spec.policyTypes ?? [])],
  };
  const ingress = (p.policy.spec.ingress ?? []).flatMap((rule) => rulesOf('ingress', rule.from ?? [], rule.ports));
  const egress = (p.policy.spec.egress ?? []).flatMap((rule) => rulesOf('egress', rule.to ?? [], rule.ports));
  if (ingress.length > 0) spec['ingress'] = ingress;
  if (egress.length > 0) spec['egress'] = egress;
  if (staged) spec['stagedAction'] = 'Set';
  return {
    object: { apiVersion: 'projectcalico.org/v3', kind: staged ? 'StagedNetworkPolicy' : 'NetworkPolicy', metadata: p.policy.metadata, spec },
    // Calico splits rules per protocol, so rule indexes no longer match: evidence stays in the header.
    rules: [],
    header: `${headerOf(p.role, p.policy.metadata.name, namespace)}; ${p.rules.slice(0, 20).map((r) => r.comment).join(' | ')}`,
  };
}

export function calicoObjects(ns: NamespaceRecommendation, staged: boolean): ExportObject[] {
  return policiesFor(ns, 'calico').map((p) => convert(p, ns.namespace, staged));
}
