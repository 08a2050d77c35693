// Replay: every observed forwarded edge evaluated by the policy engine under a policy set. This is
// the proof that a recommendation drops no legitimate traffic, and what `simulate` reports for
// any user-written policy set. With a snapshot an edge's workload is replayed as the pods that
// made its flows (one per distinct pod shape; else one of its pods);
// without, as a pod-like endpoint carrying the labels observed on the edge.
import type { PolicyEngine, QueryEndpoint, Decision } from '../policy/engine.js';
import { NotEvaluatedError } from '../policy/policy-family.js';
import type { ReplayedPod } from '../policy/ignored-selection.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot, type PodInfo, type PolicyProtocol } from '../policy/model.js';
import { EndpointResolver } from './endpoint-resolver.js';
import { hasLabels } from './workloads.js';
import type { ObservedEdge } from './proposal.js';

export { EndpointResolver };

export interface ReplayedEdge {
  readonly edge: ObservedEdge;
  readonly decision: Decision;
}

export interface SkippedEdge {
  readonly edgeId: number;
  readonly reason: string;
  /** Set when the engine would not decide a policy the path meets (NotEvaluatedError), not merely unreplayable. */
  readonly notEvaluated?: true;
}

export interface ReplayResult {
  readonly replayed: number;
  readonly allowed: number;
  /** Forwarded edges the policy set would drop. */
  readonly dropped: readonly ReplayedEdge[];
  /** Edges that cannot be replayed (ICMP, no address, no labels); not counted as drops. */
  readonly skipped: readonly SkippedEdge[];
  /** How many of the skipped edges meet a policy the engine would not decide (all counted, not only those kept). */
  readonly notEvaluated: number;
  /** How many replayed decisions each existing rule admitted: `direction|policy|rule` → count (empty with `ruleHits: false`). */
  readonly ruleHits: ReadonlyMap<string, number>;
}

const MAX_SKIPPED_KEPT = 1000;

/**
 * Without a cluster snapshot: one pod-like stand-in per workload seen in the edges, carrying the
 * first non-empty labels observed for it, so the engine can index policies per pod instead of
 * matching selectors per query. Exact for the recommender's selectors, which only use labels common
 * to every observation of the workload that carried labels (a record without labels says nothing
 * about them), whatever the order of the edges. Fed edge by edge (`add`), so it can ride along
 * another pass.
 */
export class SyntheticSnapshot {
  private readonly pods = new Map<string, PodInfo>();

  add(edge: ObservedEdge): void {
    if (edge.verdict !== 'forwarded') return;
    this.addPeer(edge.source, edge.sourceLabels);
    this.addPeer(edge.destination, edge.destinationLabels);
  }

  private addPeer(peer: ObservedEdge['source'], labels: Readonly<Record<string, string>>): void {
    if (peer.kind !== 'pod' || peer.namespace === undefined || peer.workload === undefined) return;
    const key = `${peer.namespace}/${peer.workload}`;
    const known = this.pods.get(key);
    if (known !== undefined) {
      if (!hasLabels(known.labels) && hasLabels(labels)) this.pods.set(key, { ...known, labels });
      return;
    }
    this.pods.set(key, {
      namespace: peer.namespace,
      name: peer.workload,
      labels,
      ips: [],
      hostNetwork: false,
      ports: [],
      workload: { kind: peer.workloadKind ?? 'Pod', name: peer.workload },
    });
  }

  snapshot(): ClusterSnapshot {
    return { ...EMPTY_SNAPSHOT, pods: [...this.pods.values()] };
  }
}

export function syntheticSnapshot(edges: Iterable<ObservedEdge>): ClusterSnapshot {
  const builder = new SyntheticSnapshot();
  for (const edge of edges) builder.add(edge);
  return builder.snapshot();
}

function policyProtocol(protocol: string): PolicyProtocol | undefined {
  return protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP' ? protocol : undefined;
}

export interface ReplayOptions {
  /**
   * Count the rules that admitted each edge (`ruleHits`; default true). That needs the engine's
   * full decision per edge; without it the verdict comes from `engine.isAllowed` (no decision
   * built) and only dropped edges are evaluated in full, to explain them; `ruleHits` stays empty.
   */
  readonly ruleHits?: boolean;
}

/**
 * One replay fed edge by edge, so a caller can run several over a single pass of the store. Only
 * forwarded edges are replayed (others are skipped silently: they are not evidence).
 */
export class Replay {
  private replayed = 0;
  private allowed = 0;
  private readonly dropped: ReplayedEdge[] = [];
  private readonly skipped: SkippedEdge[] = [];
  private notEvaluated = 0;
  private readonly ruleHits = new Map<string, number>();
  private readonly countHits: boolean;

  /**
   * `onDecision`: called once per replayed edge that got a full decision (all of them when counting
   * rule hits): the first drop among its pod pairs, else its first decision.
   */
  constructor(
    private readonly engine: PolicyEngine,
    private readonly resolver: EndpointResolver,
    options: ReplayOptions = {},
    private readonly onDecision?: (edge: ObservedEdge, decision: Decision) => void,
  ) {
    this.countHits = options.ruleHits ?? true;
  }

  private skip(edgeId: number, reason: string, notEvaluated = false): void {
    if (notEvaluated) this.notEvaluated++;
    if (this.skipped.length < MAX_SKIPPED_KEPT)
      this.skipped.push({ edgeId, reason, ...(notEvaluated ? { notEvaluated: true as const } : {}) });
  }

  private hit(key: string): void {
    this.ruleHits.set(key, (this.ruleHits.get(key) ?? 0) + 1);
  }

  add(edge: ObservedEdge): void {
    if (edge.verdict !== 'forwarded') return;
    const protocol = policyProtocol(edge.protocol);
    if (protocol === undefined || edge.port === null) {
      this.skip(edge.id, `${edge.protocol} has no port to replay`);
      return;
    }
    const froms = this.resolver.endpointsOf(
      edge.source,
      edge.sourceLabels,
      edge.sourceNames,
      edge.sourcePods,
    );
    const tos = this.resolver.endpointsOf(
      edge.destination,
      edge.destinationLabels,
      edge.destinationNames,
      edge.destinationPods,
    );
    if (typeof froms === 'string' || typeof tos === 'string') {
      this.skip(edge.id, typeof froms === 'string' ? froms : (tos as string));
      return;
    }
    // Allowed only when every observed pod pair is (one pair for most edges); the first drop explains it.
    let decided: Decision | undefined;
    let denied: Decision | undefined;
    let failed: string | undefined;
    let failedNotEvaluated = false;
    for (const from of froms) {
      for (const to of tos) {
        const query = { from, to, port: edge.port, protocol };
        try {
          if (!this.countHits && this.engine.isAllowed(query)) continue;
          const decision = this.engine.evaluate(query);
          if (this.countHits) {
            for (const ref of decision.egress.allowedBy) this.hit(`egress|${ref.policy}|${ref.rule}`);
            for (const ref of decision.ingress.allowedBy) this.hit(`ingress|${ref.policy}|${ref.rule}`);
          }
          decided ??= decision;
          if (decision.verdict !== 'allow') denied ??= decision;
        } catch (error) {
          if (failed === undefined) {
            failed = error instanceof Error ? error.message : String(error);
            failedNotEvaluated = error instanceof NotEvaluatedError;
          }
        }
      }
    }
    if (failed !== undefined && denied === undefined) {
      this.skip(edge.id, failed, failedNotEvaluated);
      return;
    }
    this.replayed++;
    const decision = denied ?? decided;
    if (decision !== undefined) this.onDecision?.(edge, decision);
    if (denied === undefined) this.allowed++;
    else this.dropped.push({ edge, decision: denied });
  }

  result(): ReplayResult {
    return {
      replayed: this.replayed,
      allowed: this.allowed,
      dropped: this.dropped,
      skipped: this.skipped,
      notEvaluated: this.notEvaluated,
      ruleHits: this.ruleHits,
    };
  }
}

export function replayEdges(
  edges: Iterable<ObservedEdge>,
  engine: PolicyEngine,
  resolver: EndpointResolver,
  options: ReplayOptions = {},
): ReplayResult {
  const replay = new Replay(engine, resolver, options);
  for (const edge of edges) replay.add(edge);
  return replay.result();
}

/** The distinct pods (as the replay resolves them) on the forwarded edges, for ignored-object checks. */
export function replayedPods(
  edges: Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot,
  resolver: EndpointResolver,
): ReplayedPod[] {
  const namespaceLabels = new Map(snapshot.namespaces.map((ns) => [ns.name, ns.labels]));
  const podIndex = new Map(snapshot.pods.map((pod) => [`${pod.namespace}/${pod.name}`, pod]));
  const out = new Map<string, ReplayedPod>();
  const add = (endpoint: QueryEndpoint): void => {
    if (endpoint.kind === 'ip') return;
    const nsLabels = namespaceLabels.get(endpoint.namespace) ?? {
      'kubernetes.io/metadata.name': endpoint.namespace,
    };
    if (endpoint.kind === 'pod') {
      const key = `${endpoint.namespace}/${endpoint.name}`;
      const pod = podIndex.get(key);
      if (pod !== undefined && !out.has(key))
        out.set(key, {
          namespace: pod.namespace,
          labels: pod.labels,
          namespaceLabels: nsLabels,
          ...(pod.serviceAccount !== undefined ? { serviceAccount: pod.serviceAccount } : {}),
        });
    } else {
      const key = `${endpoint.namespace}/${JSON.stringify(endpoint.labels)}`;
      if (!out.has(key))
        out.set(key, { namespace: endpoint.namespace, labels: endpoint.labels, namespaceLabels: nsLabels });
    }
  };
  for (const edge of edges) {
    if (edge.verdict !== 'forwarded') continue;
    for (const [peer, labels, pods] of [
      [edge.source, edge.sourceLabels, edge.sourcePods],
      [edge.destination, edge.destinationLabels, edge.destinationPods],
    ] as const) {
      if (peer.kind !== 'pod') continue;
      const endpoints = resolver.endpointsOf(peer, labels, [], pods);
      if (typeof endpoints !== 'string') for (const endpoint of endpoints) add(endpoint);
    }
  }
  return [...out.values()];
}
