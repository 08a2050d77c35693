// The proof shown with every recommendation: replaying all observed forwarded edges against the
// existing + proposed policies must drop none of them except the ones the recommender already
// declared it cannot express (ICMP, unresolved addresses …) and the ones the policies in force
// already drop (reported apart: the proposal does not change them). Also: what existing policies already
// covered, which existing rules no observed edge used (candidates to tighten), and the exposure
// reduction, (pod pair, port) combinations reachable before and after.
import { peerText } from '../flows/peer-text.js';
import { compilePolicies } from '../policy/engine.js';
import { hasClusterPolicies, hasCniPolicies, type IgnoredObject } from '../policy/cni-objects.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import type { ExportOptions } from './export.js';
import { flavorSnapshot, snapshotWithObjects } from './flavor-snapshot.js';
import { countExposure, type ExposureCount, type ExposureSubject } from './exposure.js';
import { policiesFor, type ObservedEdge, type PortEvidence, type Recommendation } from './proposal.js';
import { EndpointResolver, Replay, syntheticSnapshot, type ReplayedEdge } from './replay.js';
import { compareText, hasLabels } from './workloads.js';

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
  /**
   * Observed forwarded edges the policies in force already drop, before the proposal, in every
   * direction that drops them after it (e.g. a pod that lost a label another namespace's policy
   * admits, after the flows were seen): the proposal neither causes nor fixes that; `drops` explains it.
   */
  readonly alreadyDenied: readonly ReplayedEdge[];
  /** Dropped edges the recommender declared it cannot express (warned about). */
  readonly knownGaps: number;
  readonly skipped: number;
  /** Of the skipped: paths a policy applies to that the snapshot cannot decide (a Cilium host policy, a host address of no known node). */
  readonly notEvaluated: number;
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
  /**
   * Without a snapshot: the synthetic one (replay.ts) when the caller already built it on an
   * earlier pass over the same edges (saves a pass of the store).
   */
  readonly synthetic?: ClusterSnapshot;
  readonly maxExposureEvaluations: number;
  /** Only consider existing policies of these namespaces for the tighten list (all when absent). */
  readonly namespaces?: readonly string[];
  /** The export flavour: the proposal is replayed as the objects it is emitted as (default k8s). */
  readonly export?: ExportOptions;
  /**
   * The emitted objects of a cilium/calico export when the caller already built them (a writer
   * that keeps no rule evidence after writing each namespace): emittedObjects' result.
   */
  readonly emitted?: readonly Record<string, unknown>[];
}

export function proposedPolicies(recommendation: Recommendation): NetworkPolicy[] {
  // NetworkPolicy semantics: what the k8s flavour emits (calico emits the same objects).
  return recommendation.namespaces.flatMap((ns) => policiesFor(ns, 'k8s').map((p) => p.policy));
}

/** The exposure subjects and ports, gathered edge by edge in the proof's single pass. */
class ExposureInputs {
  private readonly subjects = new Map<string, ExposureSubject>();
  private readonly ports = new Map<string, PortEvidence>();

  constructor(private readonly snapshot: ClusterSnapshot | undefined) {}

  add(edge: ObservedEdge): void {
    if (
      edge.verdict !== 'forwarded' ||
      edge.port === null ||
      (edge.protocol !== 'TCP' && edge.protocol !== 'UDP' && edge.protocol !== 'SCTP')
    )
      return;
    const portKey = `${edge.protocol}/${edge.port}`;
    if (!this.ports.has(portKey)) this.ports.set(portKey, { protocol: edge.protocol, port: edge.port });
    if (this.snapshot !== undefined) return;
    for (const [peer, labels] of [
      [edge.source, edge.sourceLabels],
      [edge.destination, edge.destinationLabels],
    ] as const) {
      if (peer.kind !== 'pod' || peer.namespace === undefined || peer.workload === undefined) continue;
      const key = `${peer.namespace}/${peer.workload}`;
      const known = this.subjects.get(key);
      // As the synthetic snapshot: the first labels observed, unless a later record has some.
      if (
        known === undefined ||
        (known.endpoint.kind === 'workload' && !hasLabels(known.endpoint.labels) && hasLabels(labels))
      )
        this.subjects.set(key, {
          key,
          pods: 1,
          endpoint: { kind: 'workload', namespace: peer.namespace, labels },
        });
    }
  }

  result(): { subjects: ExposureSubject[]; ports: PortEvidence[] } {
    if (this.snapshot !== undefined) {
      const counts = new Map<string, { pod: { namespace: string; name: string }; pods: number }>();
      for (const pod of this.snapshot.pods) {
        if (pod.hostNetwork) continue;
        const key = `${pod.namespace}/${pod.workload.name}`;
        const entry = counts.get(key);
        if (entry === undefined)
          counts.set(key, { pod: { namespace: pod.namespace, name: pod.name }, pods: 1 });
        else entry.pods++;
      }
      for (const [key, entry] of counts)
        this.subjects.set(key, { key, pods: entry.pods, endpoint: { kind: 'pod', ...entry.pod } });
    }
    return {
      subjects: [...this.subjects.values()].sort((a, b) => compareText(a.key, b.key)),
      ports: [...this.ports.values()].sort((a, b) => compareText(a.protocol, b.protocol) || a.port - b.port),
    };
  }
}

/**
 * Replays `edges()` against before/after. `edges` is called at most twice (once for a synthetic
 * snapshot when there is none, once for the replays): every check shares one pass of the store.
 */
export function proveRecommendation(
  recommendation: Recommendation,
  edges: () => Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  options: ProofOptions,
): RecommendationProof {
  const base = snapshot ?? options.synthetic ?? syntheticSnapshot(edges());
  const resolver = new EndpointResolver(base);
  const before = compilePolicies(base);
  const flavor = options.export?.flavor ?? 'k8s';
  // Staged Calico output is replayed as if promoted: the proof is about what it will enforce.
  const after =
    flavor === 'k8s'
      ? compilePolicies({ ...base, policies: [...base.policies, ...proposedPolicies(recommendation)] })
      : compilePolicies(
          options.emitted !== undefined
            ? snapshotWithObjects(base, options.emitted)
            : flavorSnapshot(base, recommendation, options.export as ExportOptions),
          { promoteStaged: true },
        );
  // After: only the verdicts matter (and the decisions of dropped edges), no rule hits. Before:
  // the rule hits (for the tighten list) and whether existing policies already covered the edge,
  // i.e. isolate a side and still admit it; with no existing policy there is nothing to learn.
  const replayAfter = new Replay(after, resolver, { ruleHits: false });
  let coveredByExisting = 0;
  // Cilium, Calico and cluster-scoped policies in force count too: a path a host policy already
  // denies is not the proposal's doing.
  const nothingInForce =
    base.policies.length === 0 && !hasCniPolicies(base.cni) && !hasClusterPolicies(base.cni);
  const replayBefore = nothingInForce
    ? undefined
    : new Replay(before, resolver, {}, (_edge, decision) => {
        if (decision.verdict === 'allow' && (decision.egress.isolated || decision.ingress.isolated))
          coveredByExisting++;
      });
  const exposure = new ExposureInputs(base);
  for (const edge of edges()) {
    replayAfter.add(edge);
    replayBefore?.add(edge);
    exposure.add(edge);
  }
  const afterResult = replayAfter.result();
  const beforeResult = replayBefore?.result();
  const declared = new Set(recommendation.uncovered.map((u) => u.edgeId));
  // Adding policies can only deny a direction the policies in force allowed: a direction denied
  // both before and after is not the proposal's doing.
  const deniedBefore = new Map((beforeResult?.dropped ?? []).map((d) => [d.edge.id, d.decision]));
  const preexisting = (d: ReplayedEdge): boolean => {
    const was = deniedBefore.get(d.edge.id);
    return (
      was !== undefined &&
      (d.decision.egress.allowed || !was.egress.allowed) &&
      (d.decision.ingress.allowed || !was.ingress.allowed)
    );
  };
  const violations = afterResult.dropped.filter((d) => !declared.has(d.edge.id) && !preexisting(d));
  const alreadyDenied = afterResult.dropped.filter((d) => !declared.has(d.edge.id) && preexisting(d));
  const ruleHits = beforeResult?.ruleHits ?? new Map<string, number>();

  const scope = options.namespaces === undefined ? undefined : new Set(options.namespaces);
  const tighten: TightenCandidate[] = [];
  for (const policy of base.policies) {
    if (scope !== undefined && !scope.has(policy.metadata.namespace)) continue;
    const id = `${policy.metadata.namespace}/${policy.metadata.name}`;
    for (const direction of ['ingress', 'egress'] as const) {
      (policy.spec[direction] ?? []).forEach((_rule, index) => {
        if ((ruleHits.get(`${direction}|${id}|${index}`) ?? 0) === 0) {
          tighten.push({
            policy: id,
            direction,
            rule: index,
            message: `${id} ${direction} rule ${index} admitted no observed connection`,
          });
        }
      });
    }
  }

  const { subjects, ports } = exposure.result();
  return {
    replayed: afterResult.replayed,
    allowed: afterResult.allowed,
    violations,
    alreadyDenied,
    knownGaps: afterResult.dropped.length - violations.length - alreadyDenied.length,
    skipped: afterResult.skipped.length,
    notEvaluated: afterResult.notEvaluated,
    coveredByExisting,
    newlyAllowed: afterResult.allowed - coveredByExisting,
    tighten,
    exposureBefore: countExposure(before, subjects, ports, options.maxExposureEvaluations),
    exposureAfter: countExposure(after, subjects, ports, options.maxExposureEvaluations),
    flavor,
    ignored: after.ignored,
  };
}

/** A dropped edge as one line a person reads: the path and why it is dropped (control characters as `?`). */
export function describeReplayedDrop(d: ReplayedEdge): { readonly path: string; readonly reason: string } {
  const { edge, decision } = d;
  const clean = (text: string): string => text.replace(/\p{Cc}/gu, '?');
  return {
    path: clean(
      `${peerText(edge.source)} -> ${peerText(edge.destination)} ${edge.protocol}/${edge.port ?? '-'}`,
    ),
    reason: clean(decision.egress.allowed ? decision.ingress.reason : decision.egress.reason),
  };
}
