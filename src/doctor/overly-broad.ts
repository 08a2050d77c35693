// Finding 6b, overly-broad: policies allowing more than was ever observed. Each observed forwarded
// edge is evaluated by the engine to learn which rules admitted it (the recommender's "tighten"
// semantics: a rule no observed connection used); a rule that admits every peer (no from/to,
// `{}` selectors, 0.0.0.0/0) or every port is broad even when used. The fix is the policy with
// its broad rules replaced by the recommender's rules for exactly the traffic they admitted,
// offered only when the engine confirms it opens nothing.
import { describePath } from '../drops/classify.js';
import type { EdgePeer } from '../flows/edge.js';
import { compilePolicies } from '../policy/engine.js';
import type {
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
} from '../policy/model.js';
import { isEmptySelector } from '../policy/selectors.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import {
  clean,
  evaluateEdge,
  inScope,
  limited,
  selectedPods,
  touchesScope,
  type DoctorContext,
} from './context.js';
import { probeIps, probePorts } from './probes.js';
import { policyId, type DoctorEdge, type Finding } from './types.js';

type Direction = 'ingress' | 'egress';
type Rule = NetworkPolicyIngressRule | NetworkPolicyEgressRule;
const MAX_VERIFY_EVALUATIONS = 400_000;

function peersOf(rule: Rule): readonly NetworkPolicyPeer[] | undefined {
  const peers = 'from' in rule ? rule.from : 'to' in rule ? rule.to : undefined;
  return peers === undefined || peers.length === 0 ? undefined : peers;
}

/** Why a rule admits more than specific peers and ports, or undefined. */
export function broadness(rule: Rule): string | undefined {
  const reasons: string[] = [];
  const peers = peersOf(rule);
  if (peers === undefined) reasons.push('every peer, inside and outside the cluster');
  else {
    for (const peer of peers) {
      if (
        peer.ipBlock !== undefined &&
        /\/0$/.test(peer.ipBlock.cidr) &&
        (peer.ipBlock.except ?? []).length === 0
      )
        reasons.push(`every address (${peer.ipBlock.cidr})`);
      else if (
        peer.namespaceSelector !== undefined &&
        isEmptySelector(peer.namespaceSelector) &&
        (peer.podSelector === undefined || isEmptySelector(peer.podSelector))
      )
        reasons.push('every pod of every namespace');
    }
  }
  if ((rule.ports ?? []).length === 0) reasons.push('every port');
  return reasons.length === 0 ? undefined : reasons.join(', ');
}

function touches(peer: EdgePeer, workloads: ReadonlySet<string>): boolean {
  return peer.kind === 'pod' && workloads.has(`${peer.namespace ?? ''}/${peer.workload ?? ''}`);
}

export function findOverlyBroad(context: DoctorContext): Finding[] {
  const { snapshot, engine } = context;
  const hits = new Map<string, DoctorEdge[]>();
  for (const edge of context.edges) {
    // A NetworkPolicy of the namespace in scope admits only edges with a pod of it on one side.
    if (edge.verdict !== 'forwarded' || !touchesScope(context, edge)) continue;
    const decision = evaluateEdge(engine, edge, context.pods);
    if (typeof decision === 'string') continue;
    for (const direction of ['egress', 'ingress'] as const) {
      for (const ref of decision[direction].allowedBy) {
        const key = `${direction}|${ref.policy}|${ref.rule}`;
        const list = hits.get(key);
        if (list === undefined) hits.set(key, [edge]);
        else list.push(edge);
      }
    }
  }
  const findings: Finding[] = [];
  for (const policy of snapshot.policies) {
    if (!inScope(context, policy.metadata.namespace)) continue;
    const id = policyId(policy);
    const pods = selectedPods(snapshot, policy);
    const workloads = new Set(pods.map((pod) => `${pod.namespace}/${pod.workload.name}`));
    const evidence: string[] = [];
    const flagged = new Map<Direction, Set<number>>([
      ['ingress', new Set()],
      ['egress', new Set()],
    ]);
    const admitted = new Map<Direction, DoctorEdge[]>([
      ['ingress', []],
      ['egress', []],
    ]);
    for (const direction of ['ingress', 'egress'] as const) {
      const observedHere = context.edges.some(
        (edge) =>
          edge.verdict === 'forwarded' &&
          touches(direction === 'ingress' ? edge.destination : edge.source, workloads),
      );
      (policy.spec[direction] ?? []).forEach((rule, index) => {
        const used = hits.get(`${direction}|${id}|${index}`) ?? [];
        const broad = broadness(rule);
        if (used.length === 0 && observedHere) {
          evidence.push(`${direction} rule ${index} admitted no observed connection`);
          flagged.get(direction)?.add(index);
        } else if (used.length > 0 && broad !== undefined) {
          const observed = [...new Set(used.map((edge) => clean(describePath(edge))))];
          evidence.push(
            `${direction} rule ${index} admits ${broad}; observed only ${observed.length} path(s): ${limited(observed, 5).join('; ')}`,
          );
          flagged.get(direction)?.add(index);
          admitted.get(direction)?.push(...used);
        }
      });
    }
    if (evidence.length === 0) continue;
    const fix = tightened(context, policy, flagged, admitted);
    findings.push({
      kind: 'overly-broad',
      severity: 'low',
      namespace: policy.metadata.namespace,
      objects: [id],
      summary: `${id} allows more than was ever observed`,
      evidence,
      fix:
        fix !== undefined
          ? [fix]
          : 'narrow the rules listed to the peers and ports observed (see `netpol-advisor recommend`)',
      ...(fix !== undefined
        ? {
            fixNote: `replaces ${id}; every observed connection stays allowed and nothing new is opened (checked with the engine)`,
          }
        : {}),
    });
  }
  return findings;
}

/** The policy with flagged rules replaced by the recommender's rules for what they admitted; undefined unless it opens nothing. */
function tightened(
  context: DoctorContext,
  policy: NetworkPolicy,
  flagged: ReadonlyMap<Direction, ReadonlySet<number>>,
  admitted: ReadonlyMap<Direction, readonly DoctorEdge[]>,
): NetworkPolicy | undefined {
  const { snapshot } = context;
  const workloads = new Set(
    selectedPods(snapshot, policy).map((pod) => `${pod.namespace}/${pod.workload.name}`),
  );
  const spec: { -readonly [K in keyof NetworkPolicy['spec']]: NetworkPolicy['spec'][K] } = { ...policy.spec };
  for (const direction of ['ingress', 'egress'] as const) {
    const marks = flagged.get(direction) ?? new Set<number>();
    if (marks.size === 0) continue;
    const kept: Rule[] = (policy.spec[direction] ?? []).filter((_rule, index) => !marks.has(index));
    const edges = admitted.get(direction) ?? [];
    if (edges.length > 0) {
      const recommendation = recommendPolicies(
        edges,
        snapshot,
        {
          ...DEFAULT_RECOMMEND_OPTIONS,
          namespace: policy.metadata.namespace,
          excludedNamespaces: [],
          minConnections: 0,
          minObservedSec: 0,
        },
        { snapshotPods: context.workloads },
      );
      if (recommendation.uncovered.length > 0) return undefined;
      for (const proposal of recommendation.namespaces.flatMap((ns) => ns.policies)) {
        const relevant =
          (proposal.role === `allow-${direction}` &&
            proposal.workload !== undefined &&
            workloads.has(proposal.workload)) ||
          (direction === 'egress' && proposal.role === 'dns' && (proposal.rules[0]?.connections ?? 0) > 0);
        if (!relevant) continue;
        for (const rule of proposal.policy.spec[direction] ?? []) {
          if (!kept.some((k) => JSON.stringify(k) === JSON.stringify(rule))) kept.push(rule);
        }
      }
    }
    if (direction === 'ingress') spec.ingress = kept;
    else spec.egress = kept;
  }
  const candidate: NetworkPolicy = { ...policy, spec };
  return opensNothing(context, policy, candidate) ? candidate : undefined;
}

function opensNothing(context: DoctorContext, before: NetworkPolicy, after: NetworkPolicy): boolean {
  const { snapshot } = context;
  const afterEngine = compilePolicies({
    ...snapshot,
    policies: snapshot.policies.map((p) => (p === before ? after : p)),
  });
  const pods = selectedPods(snapshot, before);
  const peers = [
    ...snapshot.pods
      .filter((pod) => !pod.hostNetwork)
      .map((pod) => ({ kind: 'pod' as const, namespace: pod.namespace, name: pod.name })),
    ...probeIps([before, after], context.edges).map((ip) => ({ kind: 'ip' as const, ip })),
  ];
  const ports = probePorts(snapshot, [before, after], context.edges);
  if (pods.length * peers.length * ports.length * 2 > MAX_VERIFY_EVALUATIONS) return false;
  for (const pod of pods) {
    const subject = { kind: 'pod' as const, namespace: pod.namespace, name: pod.name };
    for (const peer of peers) {
      for (const { port, protocol } of ports) {
        for (const q of [
          { from: peer, to: subject },
          { from: subject, to: peer },
        ]) {
          if (
            !context.engine.isAllowed({ ...q, port, protocol }) &&
            afterEngine.isAllowed({ ...q, port, protocol })
          )
            return false;
        }
      }
    }
  }
  // Every observed connection the policy admitted before is still allowed.
  for (const edge of context.edges) {
    if (edge.verdict !== 'forwarded') continue;
    const was = evaluateEdge(context.engine, edge, context.pods);
    const now = evaluateEdge(afterEngine, edge, context.pods);
    if (
      typeof was !== 'string' &&
      typeof now !== 'string' &&
      was.verdict === 'allow' &&
      now.verdict === 'deny'
    )
      return false;
  }
  return true;
}
