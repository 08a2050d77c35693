// Finding 3, selector-matches-nothing: a policy whose podSelector selects no pod of its
// namespace, or a rule peer whose namespaceSelector matches no namespace or whose podSelector
// matches no pod where it looks. With a near miss (near-miss.ts) the finding names the pods (or
// namespaces) it probably meant and the fix is the policy with the corrected selector.
import { NAMESPACE_NAME_LABEL } from '../policy/compile.js';
import type {
  LabelSelector,
  Labels,
  NamespaceInfo,
  NetworkPolicy,
  NetworkPolicyPeer,
  PodInfo,
} from '../policy/model.js';
import { compileSelector, formatSelector, isEmptySelector } from '../policy/selectors.js';
import { clean, inScope, limited, podKey, type DoctorContext } from './context.js';
import { correctSelector } from './near-miss.js';
import { policyId, type Finding } from './types.js';

type Direction = 'ingress' | 'egress';

function replacePeer(
  policy: NetworkPolicy,
  direction: Direction,
  rule: number,
  peer: number,
  value: NetworkPolicyPeer,
): NetworkPolicy {
  const rules = (policy.spec[direction] ?? []).map((r, i) => {
    if (i !== rule) return r;
    const peers = ('from' in r ? r.from : 'to' in r ? r.to : undefined) ?? [];
    const replaced = peers.map((p, j) => (j === peer ? value : p));
    return direction === 'ingress' ? { ...r, from: replaced } : { ...r, to: replaced };
  });
  return { ...policy, spec: { ...policy.spec, [direction]: rules } };
}

interface Miss {
  readonly what: string;
  readonly selector: LabelSelector;
  readonly candidates: readonly { readonly name: string; readonly labels: Labels }[];
  readonly rebuild: (corrected: LabelSelector) => NetworkPolicy;
  readonly elsewhere?: string;
}

function namespacesMatching(namespaces: readonly NamespaceInfo[], selector: LabelSelector): NamespaceInfo[] {
  const matches = compileSelector(selector);
  return namespaces.filter((ns) => matches(ns.labels));
}

function podsIn(pods: readonly PodInfo[], namespaces: ReadonlySet<string>): PodInfo[] {
  return pods.filter((pod) => !pod.hostNetwork && namespaces.has(pod.namespace));
}

function missesOf(context: DoctorContext, policy: NetworkPolicy): Miss[] {
  const { snapshot } = context;
  const namespace = policy.metadata.namespace;
  const misses: Miss[] = [];
  const podCandidates = (pods: readonly PodInfo[]) =>
    pods.map((pod) => ({ name: podKey(pod), labels: pod.labels }));
  const own = podsIn(snapshot.pods, new Set([namespace]));
  const selects = compileSelector(policy.spec.podSelector);
  if (
    !isEmptySelector(policy.spec.podSelector) &&
    own.length > 0 &&
    !own.some((pod) => selects(pod.labels))
  ) {
    const elsewhere = snapshot.pods.filter(
      (pod) => !pod.hostNetwork && pod.namespace !== namespace && selects(pod.labels),
    );
    misses.push({
      what: `its podSelector {${formatSelector(policy.spec.podSelector)}} selects no pod of ${namespace}`,
      selector: policy.spec.podSelector,
      candidates: podCandidates(own),
      rebuild: (corrected) => ({ ...policy, spec: { ...policy.spec, podSelector: corrected } }),
      ...(elsewhere.length > 0
        ? {
            elsewhere: `pods of other namespaces match it (${limited(elsewhere.map(podKey), 5).join(', ')}): a NetworkPolicy only selects pods of its own namespace`,
          }
        : {}),
    });
  }
  const namespaces =
    snapshot.namespaces.length > 0
      ? snapshot.namespaces
      : [...new Set(snapshot.pods.map((p) => p.namespace))].map((name) => ({
          name,
          labels: { [NAMESPACE_NAME_LABEL]: name },
        }));
  for (const direction of ['ingress', 'egress'] as const) {
    (policy.spec[direction] ?? []).forEach((rule, r) => {
      const peers = ('from' in rule ? rule.from : 'to' in rule ? rule.to : undefined) ?? [];
      peers.forEach((peer, p) => {
        if (peer.ipBlock !== undefined) return;
        const where = `${direction} rule ${r} peer ${p}`;
        let scope: Set<string> = new Set([namespace]);
        if (peer.namespaceSelector !== undefined) {
          const matched = namespacesMatching(namespaces, peer.namespaceSelector);
          if (matched.length === 0) {
            misses.push({
              what: `${where}: its namespaceSelector {${formatSelector(peer.namespaceSelector)}} matches no namespace`,
              selector: peer.namespaceSelector,
              candidates: namespaces.map((ns) => ({ name: ns.name, labels: ns.labels })),
              rebuild: (corrected) =>
                replacePeer(policy, direction, r, p, { ...peer, namespaceSelector: corrected }),
            });
            return;
          }
          scope = new Set(matched.map((ns) => ns.name));
        }
        if (peer.podSelector === undefined || isEmptySelector(peer.podSelector)) return;
        const candidates = podsIn(snapshot.pods, scope);
        const matches = compileSelector(peer.podSelector);
        if (candidates.length === 0 || candidates.some((pod) => matches(pod.labels))) return;
        misses.push({
          what: `${where}: its podSelector {${formatSelector(peer.podSelector)}} matches no pod in ${[...scope].sort().join(', ')}`,
          selector: peer.podSelector,
          candidates: podCandidates(candidates),
          rebuild: (corrected) => replacePeer(policy, direction, r, p, { ...peer, podSelector: corrected }),
        });
      });
    });
  }
  return misses;
}

export function findSelectorsMatchingNothing(context: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  for (const policy of context.snapshot.policies) {
    if (!inScope(context, policy.metadata.namespace)) continue;
    for (const miss of missesOf(context, policy)) {
      const correction = correctSelector(
        miss.selector,
        miss.candidates.map((c) => c.labels),
      );
      const meant =
        correction === undefined
          ? []
          : correction.matches.map((i) => miss.candidates[i]?.name ?? '').filter((n) => n !== '');
      findings.push({
        kind: 'selector-matches-nothing',
        severity: 'medium',
        namespace: policy.metadata.namespace,
        objects: [policyId(policy), ...limited(meant)],
        summary: `${policyId(policy)}: ${clean(miss.what)}`,
        evidence: [
          clean(miss.what),
          ...(correction !== undefined
            ? [
                ...correction.reasons.map((r) => clean(r)),
                `{${clean(formatSelector(correction.selector))}} would match ${limited(meant, 10).join(', ')}`,
              ]
            : ['no near miss among the labels present (one edit, case, app vs app.kubernetes.io/name)']),
          ...(miss.elsewhere !== undefined ? [clean(miss.elsewhere)] : []),
        ],
        fix:
          correction !== undefined
            ? [miss.rebuild(correction.selector)]
            : 'check the selector against the labels of the pods (kubectl get pods --show-labels) and namespaces it should match',
      });
    }
  }
  return findings;
}
