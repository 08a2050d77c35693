// Finding 1, default-deny-blocks: a namespace isolated for ingress or egress where observed
// traffic drops by policy and no rule of the snapshot's policies admits it. The fix is what the
// recommender proposes for exactly those paths — the allow policies of the denying side only
// (adding an egress policy to a pod only its peer's ingress denies would isolate it anew) —
// followed by the isolating default-deny policies, which must come after them.
import { isPolicyDropEdge } from '../drops/detect.js';
import { describePath } from '../drops/classify.js';
import type { NetworkPolicy } from '../policy/model.js';
import { isEmptySelector } from '../policy/selectors.js';
import { DEFAULT_RECOMMEND_OPTIONS, recommendPolicies } from '../recommend/recommend.js';
import {
  clean,
  evaluateEdge,
  inScope,
  limited,
  touchesScope,
  unique,
  type DoctorContext,
} from './context.js';
import { isDnsEdge } from './dns-targets.js';
import { policyId, type DoctorEdge, type Finding } from './types.js';

interface Group {
  readonly namespace: string;
  readonly direction: 'ingress' | 'egress';
  readonly edges: DoctorEdge[];
  readonly subjects: Set<string>;
  readonly isolatedBy: Set<string>;
  connections: number;
}

/** A policy that only isolates: empty rules in the given direction. */
function isDenyOnly(policy: NetworkPolicy, direction: 'ingress' | 'egress'): boolean {
  return (policy.spec[direction] ?? []).length === 0;
}

export function findDefaultDenyBlocks(context: DoctorContext): Finding[] {
  const groups = new Map<string, Group>();
  for (const edge of context.edges) {
    if (!touchesScope(context, edge) || !isPolicyDropEdge(edge) || isDnsEdge(context.snapshot, edge))
      continue;
    const decision = evaluateEdge(context.engine, edge, context.pods);
    if (typeof decision === 'string' || decision.verdict === 'allow') continue;
    for (const direction of ['egress', 'ingress'] as const) {
      // A cluster policy's verdict is cluster-blocks.ts's business: no NetworkPolicy fix applies as such.
      if (decision[direction].allowed || decision[direction].decidedBy?.cluster !== undefined) continue;
      const subject = direction === 'egress' ? edge.source : edge.destination;
      if (subject.kind !== 'pod' || subject.namespace === undefined || subject.workload === undefined)
        continue;
      if (!inScope(context, subject.namespace)) continue;
      const key = `${subject.namespace}|${direction}`;
      let group = groups.get(key);
      if (group === undefined)
        groups.set(
          key,
          (group = {
            namespace: subject.namespace,
            direction,
            edges: [],
            subjects: new Set(),
            isolatedBy: new Set(),
            connections: 0,
          }),
        );
      group.edges.push(edge);
      group.subjects.add(`${subject.namespace}/${subject.workload}`);
      for (const id of decision[direction].isolatedBy) group.isolatedBy.add(id);
      group.connections += edge.count;
    }
  }
  const findings: Finding[] = [];
  for (const group of [...groups.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.direction.localeCompare(b.direction),
  )) {
    // The blocked paths as if they had been forwarded: the recommender's evidence of wanted traffic.
    const wanted = group.edges.map((edge) => ({ ...edge, verdict: 'forwarded' as const }));
    const recommendation = recommendPolicies(
      wanted,
      context.snapshot,
      {
        ...DEFAULT_RECOMMEND_OPTIONS,
        namespace: group.namespace,
        excludedNamespaces: [],
        minConnections: 0,
        minObservedSec: 0,
      },
      { snapshotPods: context.workloads },
    );
    const allows = recommendation.namespaces
      .flatMap((ns) => ns.policies)
      .filter(
        (p) =>
          p.role === `allow-${group.direction}` && p.workload !== undefined && group.subjects.has(p.workload),
      )
      .map((p) => p.policy);
    const denies = context.snapshot.policies.filter(
      (p) =>
        group.isolatedBy.has(policyId(p)) &&
        isEmptySelector(p.spec.podSelector) &&
        isDenyOnly(p, group.direction),
    );
    const uncovered = recommendation.warnings.filter(
      (w) => w.code !== 'not-forwarded' && w.code !== 'low-confidence' && w.code !== 'unobserved-workload',
    );
    const isolatedBy = unique(group.isolatedBy);
    const evidence = [
      `${group.edges.length} path(s), ${group.connections} connection(s) dropped by policy on the ${group.direction} side of ${group.namespace}; no rule of ${isolatedBy.join(', ')} admits them`,
      ...limited(group.edges).map(
        (edge) =>
          `dropped: ${clean(describePath(edge))} (${edge.count}x, last ${new Date(edge.lastSeenMs).toISOString()})`,
      ),
      ...uncovered.slice(0, 5).map((w) => `not expressible: ${clean(w.message)}`),
    ];
    findings.push({
      kind: 'default-deny-blocks',
      severity: 'high',
      namespace: group.namespace,
      objects: [...isolatedBy, ...unique(group.subjects)],
      summary: `${group.direction} of ${group.namespace} is isolated and ${group.edges.length} observed path(s) now drop`,
      evidence,
      fix:
        allows.length > 0
          ? [...allows, ...denies]
          : 'no allow rule could be derived for these paths (see the evidence)',
      ...(allows.length > 0
        ? {
            fixNote: `apply the ${allows.length} allow polic${allows.length === 1 ? 'y' : 'ies'} before the deny${denies.length > 0 ? ` (${denies.map(policyId).join(', ')}, listed last, unchanged)` : ''}`,
          }
        : {}),
    });
  }
  return findings;
}
