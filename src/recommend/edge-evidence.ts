// The recommender's per-edge stage: each forwarded edge with a managed end becomes evidence for
// the rules of the workloads at its ends (egress at the source, ingress at the destination), DNS
// evidence of its namespace, or an uncovered path with its reason (and, when the default deny
// would cut it, an unsafe one). Selectors are final before this runs, so the selected-side
// problem of a workload and the resolution of a peer are computed once, not per edge.
import { mayBeReplyReadBackwards, pairKeyOf, reversePairKeyOf } from '../flows/reply-read-backwards.js';
import type { DnsServers } from './dns-servers.js';
import type { DnsEvidence } from './namespace-policies.js';
import { EXACT_AGGREGATION, type PeerResolution } from './peers.js';
import { PeerResolver } from './peer-resolver.js';
import type { ObservedEdge, UncoveredEdge, UnsafePath } from './proposal.js';
import { reasonsFor, type PathEnd } from './reasons.js';
import type { RecommendOptions } from './recommend.js';
import { describeSubject, specialWarning, type NotExpressible, type Warnings } from './recommend-warnings.js';
import { addObservation, addSmallest, type WorkloadPolicyAcc } from './workload-policies.js';
import type { WorkloadIndex, WorkloadInfo } from './workloads.js';

type Peer = ObservedEdge['source'];

/** Which workloads get policies: namespaces not excluded, and the one asked for if any. */
export interface ManagedScope {
  readonly excluded: Set<string>;
  isManaged(namespace: string | undefined): namespace is string;
  managedWorkload(peer: Peer): WorkloadInfo | undefined;
}

const NO_REASONS: readonly string[] = Object.freeze([]);

function endOf(peer: Peer): PathEnd {
  if (peer.kind === 'pod' && peer.namespace !== undefined && peer.workload !== undefined)
    return { namespace: peer.namespace, workload: peer.workload };
  return { ip: peer.ip ?? '' };
}

export class EdgeEvidence {
  readonly accs = new Map<string, WorkloadPolicyAcc>();
  readonly dnsEvidence = new Map<string, DnsEvidence>();
  readonly uncovered = new Map<number, UncoveredEdge>();
  /**
   * Observed paths the proposal would deny (the managed side is isolated by the default deny and
   * no rule can name the path): the namespace is not safe to apply. Keyed per namespace and path.
   */
  readonly unsafe = new Map<string, UnsafePath>();
  /** Workloads with a peer only Cilium can name, per direction: k8s/calico must leave them unisolated. */
  readonly unisolated = { ingress: new Set<string>(), egress: new Set<string>() };

  private readonly peers: PeerResolver;
  private readonly noReasons: boolean;
  /**
   * Pairs with a connection start seen: an established-only edge running the other way to an
   * ephemeral port is that connection's reply side read the wrong way round, not a connection.
   */
  private readonly startedPairs = new Set<string>();

  constructor(
    forwarded: readonly ObservedEdge[],
    private readonly index: WorkloadIndex,
    private readonly scope: ManagedScope,
    private readonly dns: DnsServers,
    private readonly options: RecommendOptions,
    private readonly warnings: Warnings,
  ) {
    this.peers = new PeerResolver(
      index,
      options.aggregation,
      options.ingressAggregation ?? EXACT_AGGREGATION,
    );
    this.noReasons = options.reasons.length === 0;
    for (const edge of forwarded) if (edge.count > 0) this.startedPairs.add(pairKeyOf(edge));
  }

  add(edge: ObservedEdge): void {
    const srcWorkload = this.scope.managedWorkload(edge.source);
    const dstWorkload = this.scope.managedWorkload(edge.destination);
    if (srcWorkload === undefined && dstWorkload === undefined) return;
    if (edge.count === 0) {
      const namespace = srcWorkload?.namespace ?? dstWorkload?.namespace ?? '';
      if (this.isReplyReadBackwards(edge, namespace)) return;
    }
    if (
      edge.port === null ||
      (edge.protocol !== 'TCP' && edge.protocol !== 'UDP' && edge.protocol !== 'SCTP')
    ) {
      this.markInexpressibleProtocol(edge, edge.port, srcWorkload, dstWorkload);
      return;
    }
    const reasons = this.noReasons
      ? NO_REASONS
      : reasonsFor(
          this.options.reasons,
          endOf(edge.source),
          endOf(edge.destination),
          edge.protocol,
          edge.port,
        );
    if (srcWorkload !== undefined) this.addSide(edge, edge.port, srcWorkload, 'egress', reasons);
    if (dstWorkload !== undefined) this.addSide(edge, edge.port, dstWorkload, 'ingress', reasons);
  }

  /**
   * An edge seen only mid-stream: the reply side of a connection seen starting the other way
   * (true: skip it), or a connection established before observation (allowed, with a warning).
   * Only an edge whose every established event was oriented by ports and flags can be a reply
   * read backwards (flows/reply-read-backwards.ts): one the source oriented (Hubble is_reply
   * false, a Calico record) is a connection, also toward a high port (a gRPC server on 50051).
   */
  private isReplyReadBackwards(edge: ObservedEdge, namespace: string): boolean {
    if (mayBeReplyReadBackwards(edge) && this.startedPairs.has(reversePairKeyOf(edge))) {
      const message =
        'mid-stream packets toward an ephemeral port of a peer whose connections the other way were seen starting: taken as replies of those connections, not allowed';
      this.warnings.add({
        code: 'established-before-observation',
        namespace,
        subject: describeSubject(edge),
        message,
      });
      // Declared, so the replay proof counts it as a known gap, not a connection the proposal cuts
      // (conntrack passes replies); never an unsafe path.
      this.uncovered.set(edge.id, {
        edgeId: edge.id,
        code: 'established-before-observation',
        reason: message,
      });
      return true;
    }
    this.warnings.add({
      code: 'established-before-observation',
      namespace,
      subject: describeSubject(edge),
      message: `no connection start seen, only ${edge.established ?? 0} mid-stream packet(s), L7 record(s) or flow record(s) of connections established before observation: allowed, oriented by the reply flag and ports (Calico: as reported, by the initiator)`,
    });
    return false;
  }

  /** ICMP and portless protocols: both managed sides are isolated by their default deny and lose the path. */
  private markInexpressibleProtocol(
    edge: ObservedEdge,
    port: number | null,
    srcWorkload: WorkloadInfo | undefined,
    dstWorkload: WorkloadInfo | undefined,
  ): void {
    const problem: NotExpressible =
      port === null
        ? {
            ok: false,
            code: 'icmp',
            reason: `${edge.protocol} cannot be expressed in a NetworkPolicy; isolated pods lose it on most CNIs`,
          }
        : { ok: false, code: 'no-port', reason: `protocol ${edge.protocol} cannot be expressed` };
    for (const side of [srcWorkload, dstWorkload])
      if (side !== undefined)
        this.markUncovered(
          edge,
          side.namespace,
          problem,
          describeSubject(edge),
          !this.index.isHostNetwork(side),
        );
  }

  /**
   * One managed end of the edge: an egress rule of the source workload (or, for DNS, evidence of
   * its namespace's DNS policy) or an ingress rule of the destination workload; or, when the
   * workload cannot be selected or the peer cannot be named, an uncovered path.
   */
  private addSide(
    edge: ObservedEdge,
    port: number,
    workload: WorkloadInfo,
    direction: 'ingress' | 'egress',
    reasons: readonly string[],
  ): void {
    const self = this.peers.selfProblemOf(workload);
    if (self !== undefined) {
      this.markUncovered(edge, workload.namespace, self, workload.key, self.code !== 'host-network');
      return;
    }
    if (direction === 'egress' && this.dns.isDnsEdge(edge)) {
      this.addDnsEvidence(edge, workload.namespace);
      return;
    }
    const egress = direction === 'egress';
    const resolution = this.peers.resolve(egress ? edge.destination : edge.source, !egress);
    if (!resolution.ok) {
      this.markUncovered(edge, workload.namespace, resolution, describeSubject(edge));
      return;
    }
    for (const target of resolution.targets) {
      if (target.type === 'entity') this.noteEntity(workload, direction, target.entity, edge);
      addObservation(
        this.accOf(workload)[direction],
        target,
        edge.protocol,
        port,
        edge.count,
        edge.firstSeenMs,
        edge.lastSeenMs,
        egress ? edge.destinationPods : edge.sourcePods,
        egress ? edge.destinationNames : edge.sourceNames,
        reasons,
        edge.established,
      );
      this.warnSpecialPeer(target, workload.namespace, edge);
    }
  }

  private warnSpecialPeer(
    target: Extract<PeerResolution, { ok: true }>['targets'][number],
    namespace: string,
    edge: ObservedEdge,
  ): void {
    if (target.type === 'cidr' && target.peerClass !== 'external')
      this.warnings.add(specialWarning(target.peerClass, namespace, describeSubject(edge)));
    else if (target.type === 'apiserver')
      this.warnings.add(specialWarning('kube-apiserver-endpoints', namespace, describeSubject(edge)));
  }

  private addDnsEvidence(edge: ObservedEdge, namespace: string): void {
    let evidence = this.dnsEvidence.get(namespace);
    if (evidence === undefined)
      this.dnsEvidence.set(
        namespace,
        (evidence = {
          connections: 0,
          firstSeenMs: edge.firstSeenMs,
          lastSeenMs: edge.lastSeenMs,
          samplePods: new Set(),
        }),
      );
    evidence.connections += edge.count;
    evidence.firstSeenMs = Math.min(evidence.firstSeenMs, edge.firstSeenMs);
    evidence.lastSeenMs = Math.max(evidence.lastSeenMs, edge.lastSeenMs);
    for (const pod of edge.sourcePods) addSmallest(evidence.samplePods, pod, 5);
  }

  private accOf(workload: WorkloadInfo): WorkloadPolicyAcc {
    let acc = this.accs.get(workload.key);
    if (acc === undefined)
      this.accs.set(workload.key, (acc = { workload, ingress: new Map(), egress: new Map() }));
    return acc;
  }

  private markUncovered(
    edge: ObservedEdge,
    namespace: string,
    resolution: NotExpressible,
    subject: string,
    denied = true,
  ): void {
    if (!this.uncovered.has(edge.id))
      this.uncovered.set(edge.id, { edgeId: edge.id, code: resolution.code, reason: resolution.reason });
    this.warnings.add({ code: resolution.code, namespace, subject, message: resolution.reason });
    const path = describeSubject(edge);
    if (denied && !this.unsafe.has(`${namespace}|${path}`))
      this.unsafe.set(`${namespace}|${path}`, {
        namespace,
        path,
        code: resolution.code,
        reason: resolution.reason,
      });
  }

  private noteEntity(
    workload: WorkloadInfo,
    direction: 'ingress' | 'egress',
    entity: string,
    edge: ObservedEdge,
  ): void {
    this.unisolated[direction].add(workload.key);
    this.warnings.add({
      code: 'reserved-identity',
      namespace: workload.namespace,
      subject: describeSubject(edge),
      message: `Cilium reserved identity "${entity}" has no NetworkPolicy peer: the cilium flavour names it (${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: [${entity}]); the k8s and calico flavours leave ${workload.key} and namespace ${workload.namespace} without ${direction} isolation`,
    });
  }
}
