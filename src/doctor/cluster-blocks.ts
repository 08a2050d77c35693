// Cluster policies deciding observed traffic against what the namespace owners wrote: an
// Admin-tier Deny that overrides a NetworkPolicy allow ("your NetworkPolicy allows this but a
// cluster policy denies it"), and an Admin-tier Pass with no NetworkPolicy behind it after which
// the Baseline tier denies. Both are `default-deny-blocks` findings (what blocks), one per
// deciding rule and namespace, with `cause` saying which. The NetworkPolicy side is judged by an
// engine over the same snapshot without its cluster policies.
import { describePath } from '../drops/classify.js';
import { compilePolicies, type Decision, type PolicyEngine } from '../policy/engine.js';
import type { ClusterDecider, DecidingRule } from '../policy/policy-family.js';
import {
  clean,
  evaluateEdge,
  inScope,
  limited,
  touchesScope,
  unique,
  type DoctorContext,
} from './context.js';
import type { DoctorEdge, Finding } from './types.js';

type Cause = 'admin-deny-overrides-networkpolicy' | 'pass-to-baseline-deny';

interface Group {
  readonly cause: Cause;
  readonly namespace: string;
  readonly decider: ClusterDecider;
  readonly pass: DecidingRule | undefined;
  readonly edges: DoctorEdge[];
  readonly networkPolicies: Set<string>;
  readonly subjects: Set<string>;
}

function ruleText(d: ClusterDecider): string {
  return `${d.kind} ${d.name} ${d.direction}[${d.ruleIndex}]${d.ruleName !== undefined ? ` "${d.ruleName}"` : ''} (${d.tier} tier${d.priority !== undefined ? `, priority ${d.priority}` : ''}, ${d.action})`;
}

export function findClusterPolicyBlocks(context: DoctorContext): Finding[] {
  const cni = context.snapshot.cni;
  if (cni?.clusterPolicies === undefined || cni.clusterPolicies.length === 0) return [];
  let npOnly: PolicyEngine | undefined;
  const npDecision = (edge: DoctorEdge): Decision | string => {
    npOnly ??= compilePolicies({ ...context.snapshot, cni: { ...cni, clusterPolicies: [] } });
    return evaluateEdge(npOnly, edge);
  };
  const groups = new Map<string, Group>();
  for (const edge of context.edges) {
    if (!touchesScope(context, edge)) continue;
    const decision = evaluateEdge(context.engine, edge);
    if (typeof decision === 'string') continue;
    for (const direction of ['egress', 'ingress'] as const) {
      const d = decision[direction];
      const by = d.decidedBy?.cluster;
      if (d.allowed || by === undefined || by.action !== 'Deny') continue;
      const subject = direction === 'egress' ? edge.source : edge.destination;
      if (subject.kind !== 'pod' || subject.namespace === undefined || !inScope(context, subject.namespace))
        continue;
      const np = npDecision(edge);
      if (typeof np === 'string') continue;
      const pass = d.passedBy?.find((p) => p.cluster?.tier === 'Admin');
      let cause: Cause;
      if (by.tier === 'Admin' && np[direction].isolated && np[direction].allowed)
        cause = 'admin-deny-overrides-networkpolicy';
      else if (by.tier === 'Baseline' && pass !== undefined && !np[direction].isolated)
        cause = 'pass-to-baseline-deny';
      else continue;
      const key = `${cause}|${subject.namespace}|${by.kind}|${by.name}|${direction}|${by.ruleIndex}|${pass?.object ?? ''}|${pass?.rule ?? ''}`;
      let group = groups.get(key);
      if (group === undefined)
        groups.set(
          key,
          (group = {
            cause,
            namespace: subject.namespace,
            decider: by,
            pass,
            edges: [],
            networkPolicies: new Set(),
            subjects: new Set(),
          }),
        );
      group.edges.push(edge);
      for (const ref of np[direction].allowedBy) group.networkPolicies.add(ref.policy);
      group.subjects.add(`${subject.namespace}/${subject.workload ?? '?'}`);
    }
  }
  return [...groups.values()].map((g) => findingOf(g));
}

function findingOf(g: Group): Finding {
  const rule = ruleText(g.decider);
  const object = `${g.decider.kind} ${g.decider.name}`;
  const paths = limited(g.edges).map(
    (edge) => `observed: ${clean(describePath(edge))} (${edge.count}x, ${edge.verdict})`,
  );
  if (g.cause === 'admin-deny-overrides-networkpolicy') {
    const nps = unique(g.networkPolicies);
    return {
      kind: 'default-deny-blocks',
      severity: 'high',
      namespace: g.namespace,
      cause: g.cause,
      objects: [object, ...nps, ...unique(g.subjects)],
      summary: `your NetworkPolicy allows this but a cluster policy denies it: ${clean(rule)} denies ${g.edges.length} observed path(s) that ${nps.join(', ')} allow${nps.length === 1 ? 's' : ''}`,
      evidence: [
        `${clean(rule)} decides before any NetworkPolicy: the Admin tier is evaluated first and its Deny is final`,
        `${nps.join(', ')} admit${nps.length === 1 ? 's' : ''} these paths on the ${g.decider.direction} side of ${g.namespace}`,
        ...paths,
      ],
      fix: `no NetworkPolicy can override an Admin-tier Deny: if this traffic is wanted, change ${clean(object)} (narrow ${g.decider.direction}[${g.decider.ruleIndex}], or put an Accept or Pass rule for it before that rule, or in a policy with a lower priority number); if the deny is intended, remove the NetworkPolicy rule that suggests otherwise`,
    };
  }
  const pass = g.pass;
  const passText = pass === undefined ? 'an Admin-tier Pass' : `${pass.object} ${pass.rule}`;
  return {
    kind: 'default-deny-blocks',
    severity: 'high',
    namespace: g.namespace,
    cause: g.cause,
    objects: [...(pass !== undefined ? [pass.object] : []), object, ...unique(g.subjects)],
    summary: `${clean(passText)} hands ${g.edges.length} observed path(s) to NetworkPolicies, but none selects ${g.namespace}'s pods for ${g.decider.direction}, so ${clean(rule)} denies them`,
    evidence: [
      `${clean(passText)} passes the decision on to the NetworkPolicy tier`,
      `no NetworkPolicy isolates these pods for ${g.decider.direction}, so the Baseline tier decides`,
      `${clean(rule)} matches them`,
      ...paths,
    ],
    fix: `if this traffic is wanted, add a NetworkPolicy in ${g.namespace} that allows it (a NetworkPolicy decides before the Baseline tier), or an Accept for it in ${clean(object)} before ${g.decider.direction}[${g.decider.ruleIndex}]`,
  };
}
