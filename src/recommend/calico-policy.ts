// --flavor calico: projectcalico.org/v3 NetworkPolicy, or StagedNetworkPolicy (`staged`) to dry-run
// first: Felix evaluates staged policies and reports their verdicts as pending in flow logs
// without enforcing them. Calico selectors are expressions; label keys and values reaching here
// passed Kubernetes label syntax (label-choice.ts), so single-quoting them is safe.
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../policy/model.js';
import { headerOf, type ExportObject } from './flavor.js';
import { NAMESPACE_NAME_LABEL } from './peers.js';
import {
  ANNOTATION_PREFIX,
  policiesFor,
  type NamespaceRecommendation,
  type ProposedPolicy,
  type RuleEvidence,
} from './proposal.js';

export function calicoSelector(selector: LabelSelector | undefined): string {
  const entries = Object.entries(selector?.matchLabels ?? {});
  if (entries.length === 0) return 'all()';
  return entries.map(([key, value]) => `${key} == '${value}'`).join(' && ');
}

function entity(peer: NetworkPolicyPeer, ports: (number | string)[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (peer.ipBlock !== undefined) out['nets'] = [peer.ipBlock.cidr];
  if (peer.podSelector !== undefined) out['selector'] = calicoSelector(peer.podSelector);
  const namespace = peer.namespaceSelector?.matchLabels?.[NAMESPACE_NAME_LABEL];
  if (namespace !== undefined) out['namespaceSelector'] = `${NAMESPACE_NAME_LABEL} == '${namespace}'`;
  if (ports !== undefined) out['ports'] = ports;
  return out;
}

type NetworkSetRef = NonNullable<RuleEvidence['networkSet']>;

/**
 * A Calico NetworkSet peer by selector on its labels: a namespaced policy's rule selector matches
 * network sets of its own namespace, `namespaceSelector` another namespace's, `global()` the
 * GlobalNetworkSets. The nets stay in the set, so the rule follows it when they change.
 */
function networkSetEntity(
  set: NetworkSetRef,
  policyNamespace: string,
  ports: (number | string)[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { selector: calicoSelector({ matchLabels: { ...set.labels } }) };
  if (set.kind === 'GlobalNetworkSet') out['namespaceSelector'] = 'global()';
  else if (set.namespace !== undefined && set.namespace !== policyNamespace)
    out['namespaceSelector'] = `${NAMESPACE_NAME_LABEL} == '${set.namespace}'`;
  if (ports !== undefined) out['ports'] = ports;
  return out;
}

/** One Calico rule per protocol: a Calico rule matches a single protocol. */
function rulesOf(
  direction: 'ingress' | 'egress',
  peers: readonly NetworkPolicyPeer[],
  ports: readonly NetworkPolicyPort[] | undefined,
  evidence: RuleEvidence | undefined,
  set?: { readonly ref: NetworkSetRef; readonly namespace: string },
): Record<string, unknown>[] {
  const byProtocol = new Map<string, (number | string)[]>();
  for (const port of ports ?? []) {
    const list = byProtocol.get(port.protocol ?? 'TCP') ?? [];
    // Calico writes a port range as "start:end".
    if (typeof port.port === 'number')
      list.push(port.endPort !== undefined ? `${port.port}:${port.endPort}` : port.port);
    byProtocol.set(port.protocol ?? 'TCP', list);
  }
  // Each Calico rule carries the evidence of the rule it came from (Rule.metadata.annotations).
  const metadata =
    evidence === undefined
      ? {}
      : { metadata: { annotations: { [`${ANNOTATION_PREFIX}evidence`]: evidence.comment.slice(0, 4096) } } };
  const out: Record<string, unknown>[] = [];
  for (const [protocol, numbers] of byProtocol) {
    if (set !== undefined) {
      out.push(
        direction === 'ingress'
          ? {
              ...metadata,
              action: 'Allow',
              protocol,
              source: networkSetEntity(set.ref, set.namespace, undefined),
              destination: { ports: numbers },
            }
          : {
              ...metadata,
              action: 'Allow',
              protocol,
              destination: networkSetEntity(set.ref, set.namespace, numbers),
            },
      );
      continue;
    }
    for (const peer of peers) {
      out.push(
        direction === 'ingress'
          ? {
              ...metadata,
              action: 'Allow',
              protocol,
              source: entity(peer, undefined),
              destination: { ports: numbers },
            }
          : { ...metadata, action: 'Allow', protocol, destination: entity(peer, numbers) },
      );
    }
  }
  return out;
}

function convert(p: ProposedPolicy, namespace: string, staged: boolean): ExportObject {
  const spec: Record<string, unknown> = {
    selector: calicoSelector(p.policy.spec.podSelector),
    types: [...(p.policy.spec.policyTypes ?? [])],
  };
  // Evidence rule i is spec rule i for the allow policies: a NetworkSet rule is written as a
  // selector on the set's labels (when it has any) instead of its nets.
  const evidenceOf = (direction: 'ingress' | 'egress', i: number): RuleEvidence | undefined =>
    p.rules.find((rule) => rule.direction === direction && rule.index === i);
  const setOf = (
    direction: 'ingress' | 'egress',
    i: number,
  ): { ref: NetworkSetRef; namespace: string } | undefined => {
    const ref = p.role === `allow-${direction}` ? evidenceOf(direction, i)?.networkSet : undefined;
    return ref !== undefined && Object.keys(ref.labels).length > 0 ? { ref, namespace } : undefined;
  };
  const ingress = (p.policy.spec.ingress ?? []).flatMap((rule, i) =>
    rulesOf('ingress', rule.from ?? [], rule.ports, evidenceOf('ingress', i), setOf('ingress', i)),
  );
  const egress = (p.policy.spec.egress ?? []).flatMap((rule, i) =>
    rulesOf('egress', rule.to ?? [], rule.ports, evidenceOf('egress', i), setOf('egress', i)),
  );
  if (ingress.length > 0) spec['ingress'] = ingress;
  if (egress.length > 0) spec['egress'] = egress;
  if (staged) spec['stagedAction'] = 'Set';
  return {
    object: {
      apiVersion: 'projectcalico.org/v3',
      kind: staged ? 'StagedNetworkPolicy' : 'NetworkPolicy',
      metadata: p.policy.metadata,
      spec,
    },
    // Calico splits rules per protocol, so rule indexes no longer match: each rule carries its
    // evidence in its own metadata.annotations instead of YAML comments.
    rules: [],
    header: headerOf(p.role, p.policy.metadata.name, namespace),
  };
}

export function calicoObjects(ns: NamespaceRecommendation, staged: boolean): ExportObject[] {
  return policiesFor(ns, 'calico').map((p) => convert(p, ns.namespace, staged));
}
