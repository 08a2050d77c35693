// Replay: every observed forwarded edge evaluated by the policy engine under a policy set. This is
// the proof that a recommendation drops no legitimate traffic, and what `simulate` reports for
// any user-written policy set. With a snapshot an edge's workload is replayed as one of its pods;
// without, as a pod-like endpoint carrying the labels observed on the edge.
import type { PolicyEngine, QueryEndpoint, Decision } from '../policy/engine.js';
import type { ReplayedPod } from '../policy/ignored-selection.js';
import { EMPTY_SNAPSHOT, type ClusterSnapshot, type PodInfo, type PolicyProtocol } from '../policy/model.js';
import type { ObservedEdge } from './proposal.js';

export interface ReplayedEdge {
  readonly edge: ObservedEdge;
  readonly decision: Decision;
}

export interface SkippedEdge {
  readonly edgeId: number;
  readonly reason: string;
}

export interface ReplayResult {
  readonly replayed: number;
  readonly allowed: number;
  /** Forwarded edges the policy set would drop. */
  readonly dropped: readonly ReplayedEdge[];
  /** Edges that cannot be replayed (ICMP, no address, no labels); not counted as drops. */
  readonly skipped: readonly SkippedEdge[];
  /** How many replayed decisions each existing rule admitted: `direction|policy|rule` → count (empty with `ruleHits: false`). */
  readonly ruleHits: ReadonlyMap<string, number>;
}

const MAX_SKIPPED_KEPT = 1000;

/**
 * Without a cluster snapshot: one pod-like stand-in per workload seen in the edges, carrying the
 * first labels observed for it, so the engine can index policies per pod instead of matching
 * selectors per query. Exact for the recommender's selectors, which only use labels common to
 * every observation of the workload. Fed edge by edge (`add`), so it can ride along another pass.
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
    if (this.pods.has(key)) return;
    this.pods.set(key, { namespace: peer.namespace, name: peer.workload, labels, ips: [], hostNetwork: false, ports: [], workload: { kind: peer.workloadKind ?? 'Pod', name: peer.workload } });
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

export class EndpointResolver {
  /**
   * namespace → workload → the query endpoint of its first pod: built once and returned for every
   * edge (no key string or endpoint object per edge). Frozen: the engine only reads it.
   */
  private readonly podOfWorkload = new Map<string, Map<string, QueryEndpoint>>();

  constructor(snapshot: ClusterSnapshot | undefined) {
    for (const pod of snapshot?.pods ?? []) {
      let workloads = this.podOfWorkload.get(pod.namespace);
      if (workloads === undefined) this.podOfWorkload.set(pod.namespace, (workloads = new Map<string, QueryEndpoint>()));
      if (!workloads.has(pod.workload.name)) workloads.set(pod.workload.name, Object.freeze({ kind: 'pod', namespace: pod.namespace, name: pod.name }));
    }
  }

  /** `names`: the DNS names the edge recorded for this side (Cilium toFQDNs rules match them). */
  endpointOf(peer: ObservedEdge['source'], labels: Readonly<Record<string, string>>, names: readonly string[] = []): QueryEndpoint | string {
    if (peer.kind === 'pod') {
      if (peer.namespace === undefined || peer.workload === undefined) return 'pod without namespace/workload';
      const pod = this.podOfWorkload.get(peer.namespace)?.get(peer.workload);
      if (pod !== undefined) return pod;
      return { kind: 'workload', namespace: peer.namespace, labels };
    }
    if (peer.ip === undefined) return `${peer.kind} endpoint without an address`;
    // The flow source's class of the address (kube-apiserver, host, remote-node, world) lets
    // entity rules match it even when the snapshot does not list the address.
    return { kind: 'ip', ip: peer.ip, ...(names.length > 0 ? { names } : {}), hint: peer.kind };
  }
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
  private readonly ruleHits = new Map<string, number>();
  private readonly countHits: boolean;

  /** `onDecision`: called with every full decision made (all of them when counting rule hits). */
  constructor(private readonly engine: PolicyEngine, private readonly resolver: EndpointResolver, options: ReplayOptions = {}, private readonly onDecision?: (edge: ObservedEdge, decision: Decision) => void) {
    this.countHits = options.ruleHits ?? true;
  }

  private skip(edgeId: number, reason: string): void {
    if (this.skipped.length < MAX_SKIPPED_KEPT) this.skipped.push({ edgeId, reason });
  }

  private hit(key: string): void {
    this.ruleHits.set(key, (this.ruleHits.get(key) ?? 0) + 1);
  }

  add(edge: ObservedEdge): void {
    if (edge.verdict !== 'forwarded') return;
    const protocol = policyProtocol(edge.protocol);
    if (protocol === undefined || edge.port === null) { this.skip(edge.id, `${edge.protocol} has no port to replay`); return; }
    const from = this.resolver.endpointOf(edge.source, edge.sourceLabels, edge.sourceNames);
    const to = this.resolver.endpointOf(edge.destination, edge.destinationLabels, edge.destinationNames);
    if (typeof from === 'string' || typeof to === 'string') { this.skip(edge.id, typeof from === 'string' ? from : (to as string)); return; }
    const query = { from, to, port: edge.port, protocol };
    let decision: Decision;
    try {
      if (!this.countHits && this.engine.isAllowed(query)) {
        this.replayed++;
        this.allowed++;
        return;
      }
      decision = this.engine.evaluate(query);
    } catch (error) {
      this.skip(edge.id, error instanceof Error ? error.message : String(error));
      return;
    }
    this.replayed++;
    if (this.countHits) {
      for (const ref of decision.egress.allowedBy) this.hit(`egress|${ref.policy}|${ref.rule}`);
      for (const ref of decision.ingress.allowedBy) this.hit(`ingress|${ref.policy}|${ref.rule}`);
    }
    this.onDecision?.(edge, decision);
    if (decision.verdict === 'allow') this.allowed++;
    else this.dropped.push({ edge, decision });
  }

  result(): ReplayResult {
    return { replayed: this.replayed, allowed: this.allowed, dropped: this.dropped, skipped: this.skipped, ruleHits: this.ruleHits };
  }
}

export function replayEdges(edges: Iterable<ObservedEdge>, engine: PolicyEngine, resolver: EndpointResolver, options: ReplayOptions = {}): ReplayResult {
  const replay = new Replay(engine, resolver, options);
  for (const edge of edges) replay.add(edge);
  return replay.result();
}

/** The distinct pods (as the replay resolves them) on the forwarded edges, for ignored-object checks. */
export function replayedPods(edges: Iterable<ObservedEdge>, snapshot: ClusterSnapshot, resolver: EndpointResolver): ReplayedPod[] {
  const namespaceLabels = new Map(snapshot.namespaces.map((ns) => [ns.name, ns.labels]));
  const podIndex = new Map(snapshot.pods.map((pod) => [`${pod.namespace}/${pod.name}`, pod]));
  const out = new Map<string, ReplayedPod>();
  for (const edge of edges) {
    if (edge.verdict !== 'forwarded') continue;
    for (const [peer, labels] of [[edge.source, edge.sourceLabels], [edge.destination, edge.destinationLabels]] as const) {
      if (peer.kind !== 'pod') continue;
      const endpoint = resolver.endpointOf(peer, labels);
      if (typeof endpoint === 'string' || endpoint.kind === 'ip') continue;
      const nsLabels = namespaceLabels.get(endpoint.namespace) ?? { 'kubernetes.io/metadata.name': endpoint.namespace };
      if (endpoint.kind === 'pod') {
        const key = `${endpoint.namespace}/${endpoint.name}`;
        const pod = podIndex.get(key);
        if (pod !== undefined && !out.has(key)) out.set(key, { namespace: pod.namespace, labels: pod.labels, namespaceLabels: nsLabels, ...(pod.serviceAccount !== undefined ? { serviceAccount: pod.serviceAccount } : {}) });
      } else {
        const key = `${endpoint.namespace}/${JSON.stringify(endpoint.labels)}`;
        if (!out.has(key)) out.set(key, { namespace: endpoint.namespace, labels: endpoint.labels, namespaceLabels: nsLabels });
      }
    }
  }
  return [...out.values()];
}
