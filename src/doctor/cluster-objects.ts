// Cluster policies judged on their own: a policy whose subject selects no pod (a
// `selector-matches-nothing` finding, with near misses as for NetworkPolicies), and priorities that
// shadow each other (`redundant`): a policy none of whose rules in a direction can ever decide
// because a policy before it in the tier selects every pod it selects and ends that direction with
// a rule that matches everything, and two policies of equal priority that select the same pods
// and act differently (the API leaves their order to the implementation).
import type { ClusterPeer, ClusterPolicy, ClusterRule } from '../policy/cluster/cluster-policy.js';
import { tierOrder } from '../policy/cluster/cluster-stage.js';
import type { LabelSelector, Labels } from '../policy/model.js';
import { compileSelector, formatSelector } from '../policy/selectors.js';
import { clean, limited, podKey, type DoctorContext } from './context.js';
import { correctSelector } from './near-miss.js';
import type { Finding } from './types.js';

const nameOf = (p: ClusterPolicy): string => `${p.kind} ${p.name}`;

function subjectPods(context: DoctorContext, policy: ClusterPolicy): Set<string> {
  const nsLabels = new Map(context.snapshot.namespaces.map((n) => [n.name, n.labels]));
  const s = policy.subject;
  const ns = compileSelector(s.pods !== undefined ? s.pods.namespaceSelector : s.namespaces);
  const pods = s.pods !== undefined ? compileSelector(s.pods.podSelector) : () => true;
  return new Set(
    context.snapshot.pods
      .filter(
        (pod) =>
          !pod.hostNetwork &&
          ns(nsLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace }) &&
          pods(pod.labels),
      )
      .map(podKey),
  );
}

function nearMiss(
  selector: LabelSelector,
  candidates: readonly { name: string; labels: Labels }[],
): string[] {
  const correction = correctSelector(
    selector,
    candidates.map((c) => c.labels),
  );
  if (correction === undefined)
    return ['no near miss among the labels present (one edit, case, app vs app.kubernetes.io/name)'];
  const meant = correction.matches.map((i) => candidates[i]?.name ?? '').filter((n) => n !== '');
  return [
    ...correction.reasons.map((r) => clean(r)),
    `{${clean(formatSelector(correction.selector))}} would match ${limited(meant, 10).join(', ')}`,
  ];
}

function selectsNothing(context: DoctorContext, policy: ClusterPolicy): Finding | undefined {
  if (subjectPods(context, policy).size > 0) return undefined;
  const namespaces = context.snapshot.namespaces.map((n) => ({ name: n.name, labels: n.labels }));
  const s = policy.subject;
  let what: string;
  let evidence: string[];
  const nsSelector = s.pods !== undefined ? s.pods.namespaceSelector : s.namespaces;
  const matchedNs = namespaces.filter((n) => compileSelector(nsSelector)(n.labels));
  if (matchedNs.length === 0) {
    what = `its subject's namespace selector {${formatSelector(nsSelector)}} matches no namespace`;
    evidence = nearMiss(nsSelector, namespaces);
  } else if (s.pods !== undefined) {
    const inScope = new Set(matchedNs.map((n) => n.name));
    const candidates = context.snapshot.pods
      .filter((p) => !p.hostNetwork && inScope.has(p.namespace))
      .map((p) => ({ name: podKey(p), labels: p.labels }));
    what = `its subject's podSelector {${formatSelector(s.pods.podSelector)}} matches no pod in ${limited([...inScope].sort(), 5).join(', ')}`;
    evidence =
      candidates.length === 0
        ? ['those namespaces have no pod-network pod']
        : nearMiss(s.pods.podSelector, candidates);
  } else {
    what = `the namespaces it selects (${limited(
      matchedNs.map((n) => n.name),
      5,
    ).join(', ')}) have no pod-network pod`;
    evidence = [];
  }
  return {
    kind: 'selector-matches-nothing',
    severity: 'medium',
    namespace: '',
    cause: 'cluster-policy-subject',
    objects: [nameOf(policy)],
    summary: `${nameOf(policy)}: ${clean(what)}`,
    evidence: [clean(what), ...evidence],
    fix: `correct spec.subject of ${clean(nameOf(policy))} against kubectl get namespaces,pods -A --show-labels`,
  };
}

const isEmpty = (s: LabelSelector): boolean =>
  Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;

/** What a peer matches whatever the connection: every address, every pod, or not everything. */
function reach(peer: ClusterPeer): 'all' | 'pods' | undefined {
  if (peer.kind === 'networks')
    return peer.cidrs.includes('0.0.0.0/0') && peer.cidrs.includes('::/0') ? 'all' : undefined;
  if (peer.kind === 'namespaces') return isEmpty(peer.selector) ? 'pods' : undefined;
  if (peer.kind === 'pods')
    return isEmpty(peer.pods.namespaceSelector) && isEmpty(peer.pods.podSelector) ? 'pods' : undefined;
  return undefined;
}

/** The first rule with no ports whose peers reach everything (or every pod), and how far. */
function catchAll(rules: readonly ClusterRule[]): { rule: ClusterRule; scope: 'all' | 'pods' } | undefined {
  for (const rule of rules) {
    if (rule.ports !== undefined) continue;
    const scopes = rule.peers.map(reach);
    if (scopes.includes('all')) return { rule, scope: 'all' };
    if (scopes.includes('pods')) return { rule, scope: 'pods' };
  }
  return undefined;
}

/** Whether every rule only ever matches pods (so a catch-all for pods ends it). */
const podsOnly = (rules: readonly ClusterRule[]): boolean =>
  rules.every((r) => r.peers.every((p) => p.kind === 'namespaces' || p.kind === 'pods'));

function shadowing(context: DoctorContext, policies: readonly ClusterPolicy[]): Finding[] {
  const findings: Finding[] = [];
  const pods = new Map(policies.map((p) => [p, subjectPods(context, p)]));
  const covers = (a: ClusterPolicy, b: ClusterPolicy) => {
    const bp = pods.get(b) as Set<string>;
    const ap = pods.get(a) as Set<string>;
    return bp.size > 0 && [...bp].every((k) => ap.has(k));
  };
  const overlap = (a: ClusterPolicy, b: ClusterPolicy) =>
    [...(pods.get(a) as Set<string>)].some((k) => (pods.get(b) as Set<string>).has(k));
  for (const [i, later] of policies.entries()) {
    for (const earlier of policies.slice(0, i)) {
      if (earlier.tier !== later.tier) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        if (later[direction].length === 0) continue;
        const ender = catchAll(earlier[direction]);
        if (
          ender !== undefined &&
          (ender.scope === 'all' || podsOnly(later[direction])) &&
          covers(earlier, later) &&
          earlier.priority !== later.priority
        ) {
          findings.push({
            kind: 'redundant',
            severity: 'low',
            namespace: '',
            cause: 'cluster-priority-shadowed',
            objects: [nameOf(later), nameOf(earlier)],
            summary: `${nameOf(later)}: no ${direction} rule can ever decide; ${nameOf(earlier)} comes first and ends ${direction} for every pod it selects`,
            evidence: [
              `${nameOf(earlier)} (priority ${earlier.priority ?? '-'}) selects every pod ${nameOf(later)} (priority ${later.priority ?? '-'}) selects`,
              `its ${direction} rule ${earlier[direction].indexOf(ender.rule)}${ender.rule.name !== undefined ? ` "${clean(ender.rule.name)}"` : ''} (${ender.rule.action}) matches every ${ender.scope === 'all' ? 'address' : 'pod'} on every port${ender.scope === 'pods' ? `, and every ${direction} rule of ${nameOf(later)} only matches pods` : ''}`,
            ],
            fix: `give ${clean(nameOf(later))} a lower priority number than ${clean(nameOf(earlier))}, or remove it`,
          });
        }
        const actions = (p: ClusterPolicy) =>
          new Set(p[direction].map((r) => (r.action === 'Accept' ? 'Allow' : r.action)));
        const differ =
          [...actions(later)].some((a) => !actions(earlier).has(a)) ||
          [...actions(earlier)].some((a) => !actions(later).has(a));
        if (
          earlier.priority !== undefined &&
          earlier.priority === later.priority &&
          earlier[direction].length > 0 &&
          differ &&
          overlap(earlier, later)
        ) {
          findings.push({
            kind: 'redundant',
            severity: 'medium',
            namespace: '',
            cause: 'cluster-priority-tie',
            objects: [nameOf(earlier), nameOf(later)],
            summary: `${nameOf(earlier)} and ${nameOf(later)} share priority ${earlier.priority} in the ${earlier.tier} tier, select the same pods and act differently on ${direction}: which decides is up to the implementation`,
            evidence: [
              `both select ${limited(
                [...(pods.get(earlier) as Set<string>)].filter((k) =>
                  (pods.get(later) as Set<string>).has(k),
                ),
                5,
              ).join(', ')}`,
              'the API: "the implementation can apply any of the matching policies … there is no way for the user to reliably determine which one it will choose"',
            ],
            fix: `give ${clean(nameOf(earlier))} and ${clean(nameOf(later))} different priorities`,
          });
        }
      }
    }
  }
  return findings;
}

export function findClusterPolicyObjects(context: DoctorContext): Finding[] {
  const policies = context.snapshot.cni?.clusterPolicies ?? [];
  if (policies.length === 0 || context.namespace !== undefined) return [];
  const ordered = [
    ...tierOrder(policies.filter((p) => p.tier === 'Admin')),
    ...tierOrder(policies.filter((p) => p.tier === 'Baseline')),
  ];
  return [
    ...ordered.map((p) => selectsNothing(context, p)).filter((f): f is Finding => f !== undefined),
    ...shadowing(context, ordered),
  ];
}
