// The proof shown with every recommendation: replaying all observed forwarded edges against the
// existing + proposed policies must drop none of them except the ones the recommender already
// declared it cannot express (ICMP, unresolved addresses …). Also: what existing policies already
// covered, which existing rules no observed edge used (candidates to tighten), and the exposure
// reduction, (pod pair, port) combinations reachable before and after.
import { compilePolicies } from '../policy/engine.js';
import type { IgnoredObject } from '../policy/cni-objects.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import type { ExportOptions } from './export.js';
import { flavorSnapshot } from './flavor-snapshot.js';
import { countExposure, type ExposureCount, type ExposureSubject } from './exposure.js';
import { policiesFor, type ObservedEdge, type PortEvidence, type Recommendation } from './proposal.js';
import { EndpointResolver, replayEdges, syntheticSnapshot, type ReplayedEdge } from './replay.js';
import { compareText } from './workloads.js';

export interface TightenCandidate {
  readonly policy: string;
  readonly direction: 'ingress' | 'egress';
  readonly rule: number;
  readonly message: string;
}

export interface RecommendationProof {
  readonly replayed: number;
  readonly allowed: number;
  /** Dropped edges the recommender did not declare: a bug, the caller must fail loudly. */
  readonly violations: readonly ReplayedEdge[];
  /** Dropped edges the recommender declared it cannot express (warned about). */
  readonly knownGaps: number;
  readonly skipped: number;
  /** Edges already explicitly allowed by existing policies (the rest is new). */
  readonly coveredByExisting: number;
  readonly newlyAllowed: number;
  readonly tighten: readonly TightenCandidate[];
  readonly exposureBefore: ExposureCount | undefined;
  readonly exposureAfter: ExposureCount | undefined;
  /** The flavour the proposal was replayed in (the one it is emitted in). */
  readonly flavor: ExportOptions['flavor'];
  /** Policy objects (existing or emitted) the replay could not evaluate. */
  readonly ignored: readonly IgnoredObject[];
}

export interface ProofOptions {
  readonly maxExposureEvaluations: number;
  /** Only consider existing policies of these namespaces for the tighten list (all when absent). */
  readonly namespaces?: readonly string[];
  /** The export flavour: the proposal is replayed as the objects it is emitted as (default k8s). */
  readonly export?: ExportOptions;
}

export function proposedPolicies(recommendation: Recommendation): NetworkPolicy[] {
  // NetworkPolicy semantics: what the k8s flavour emits (calico emits the same objects).
  return recommendation.namespaces.flatMap((ns) => policiesFor(ns, 'k8s').map((p) => p.policy));
}

function exposureSubjects(edges: Iterable<ObservedEdge>, snapshot: ClusterSnapshot | undefined): { subjects: ExposureSubject[]; ports: PortEvidence[] } {
  const subjects = new Map<string, ExposureSubject>();
  const ports = new Map<string, PortEvidence>();
  for (const edge of edges) {
    if (edge.verdict !== 'forwarded' || edge.port === null || (edge.protocol !== 'TCP' && edge.protocol !== 'UDP' && edge.protocol !== 'SCTP')) continue;
    ports.set(`${edge.protocol}/${edge.port}`, { protocol: edge.protocol, port: edge.port });
    if (snapshot !== undefined) continue;
    for (const [peer, labels] of [[edge.source, edge.sourceLabels], [edge.destination, edge.destinationLabels]] as const) {
      if (peer.kind !== 'pod' || peer.namespace === undefined || peer.workload === undefined) continue;
      const key = `${peer.namespace}/${peer.workload}`;
      if (!subjects.has(key)) subjects.set(key, { key, pods: 1, endpoint: { kind: 'workload', namespace: peer.namespace, labels } });
    }
  }
  if (snapshot !== undefined) {
    const counts = new Map<string, { pod: { namespace: string; name: string }; pods: number }>();
    for (const pod of snapshot.pods) {
      if (pod.hostNetwork) continue;
      const key = `${pod.namespace}/${pod.workload.name}`;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { pod: { namespace: pod.namespace, name: pod.name }, pods: 1 });
      else entry.pods++;
    }
    for (const [key, entry] of counts) subjects.set(key, { key, pods: entry.pods, endpoint: { kind: 'pod', ...entry.pod } });
  }
  return {
    subjects: [...subjects.values()].sort((a, b) => compareText(a.key, b.key)),
    ports: [...ports.values()].sort((a, b) => compareText(a.protocol, b.protocol) || a.port - b.port),
  };
}

/** Replays `edges()` (called several times: pass a re-iterable source) against before/after. */
export function proveRecommendation(recommendation: Recommendation, edges: () => Iterable<ObservedEdge>, snapshot: ClusterSnapshot | undefined, options: ProofOptions): RecommendationProof {
  const base = snapshot ?? syntheticSnapshot(edges());
  const resolver = new EndpointResolver(base);
  const before = compilePolicies(base);
  const flavor = options.export?.flavor ?? 'k8s';
  // Staged Calico output is replayed as if promoted: the proof is about what it will enforce.
  const after = flavor === 'k8s'
    ? compilePolicies({ ...base, policies: [...base.policies, ...proposedPolicies(recommendation)] })
    : compilePolicies(flavorSnapshot(base, recommendation, options.export as ExportOptions), { promoteStaged: true });
  // Only the verdicts matter here (and the decisions of dropped edges): no rule hits.
  const replayAfter = replayEdges(edges(), after, resolver, { ruleHits: false });
  const declared = new Set(recommendation.uncovered.map((u) => u.edgeId));
  const violations = replayAfter.dropped.filter((d) => !declared.has(d.edge.id));

  const replayBefore = replayEdges(edges(), before, resolver);
  let coveredByExisting = 0;
  // An edge is already covered when existing policies isolate a side and still admit it.
  for (const edge of edges()) {
    if (edge.verdict !== 'forwarded' || edge.port === null) continue;
    const from = resolver.endpointOf(edge.source, edge.sourceLabels, edge.sourceNames);
    const to = resolver.endpointOf(edge.destination, edge.destinationLabels, edge.destinationNames);
    if (typeof from === 'string' || typeof to === 'string' || (edge.protocol !== 'TCP' && edge.protocol !== 'UDP' && edge.protocol !== 'SCTP')) continue;
    if (base.policies.length === 0) break;
    try {
      const decision = before.evaluate({ from, to, port: edge.port, protocol: edge.protocol });
      if (decision.verdict === 'allow' && (decision.egress.isolated || decision.ingress.isolated)) coveredByExisting++;
    } catch {
      // Unknown endpoints were already counted as skipped by the replay.
    }
  }

  const scope = options.namespaces === undefined ? undefined : new Set(options.namespaces);
  const tighten: TightenCandidate[] = [];
  for (const policy of base.policies) {
    if (scope !== undefined && !scope.has(policy.metadata.namespace)) continue;
    const id = `${policy.metadata.namespace}/${policy.metadata.name}`;
    for (const direction of ['ingress', 'egress'] as const) {
      (policy.spec[direction] ?? []).forEach((_rule, index) => {
        if ((replayBefore.ruleHits.get(`${direction}|${id}|${index}`) ?? 0) === 0) {
          tighten.push({ policy: id, direction, rule: index, message: `${id} ${direction} rule ${index} admitted no observed connection` });
        }
      });
    }
  }

  const { subjects, ports } = exposureSubjects(edges(), base);
  return {
    replayed: replayAfter.replayed,
    allowed: replayAfter.allowed,
    violations,
    knownGaps: replayAfter.dropped.length - violations.length,
    skipped: replayAfter.skipped.length,
    coveredByExisting,
    newlyAllowed: replayAfter.allowed - coveredByExisting,
    tighten,
    exposureBefore: countExposure(before, subjects, ports, options.maxExposureEvaluations),
    exposureAfter: countExposure(after, subjects, ports, options.maxExposureEvaluations),
    flavor,
    ignored: after.ignored,
  };
}
