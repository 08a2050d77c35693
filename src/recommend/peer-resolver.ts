// Peer resolution for the recommender's per-edge stage, memoised: selectors are final before the
// edges are read, so the selected-side problem of a workload and the resolution of a peer
// (workload or address, per direction) are the same for every edge and computed once.
import { resolvePeer, type AggregationOptions, type PeerResolution } from './peers.js';
import type { ObservedEdge } from './proposal.js';
import type { NotExpressible } from './recommend-warnings.js';
import type { WorkloadIndex, WorkloadInfo } from './workloads.js';

/** Why the selected side of a policy cannot carry one (hostNetwork, no stable label). */
function selfProblem(workload: WorkloadInfo, index: WorkloadIndex): NotExpressible | undefined {
  if (index.isHostNetwork(workload))
    return {
      ok: false,
      code: 'host-network',
      reason: `${workload.key} uses the host network; NetworkPolicy does not apply to it`,
    };
  if (Object.keys(workload.selector.matchLabels).length === 0)
    return {
      ok: false,
      code: 'unselectable-workload',
      reason: `${workload.key} has no stable label to select it by`,
    };
  return undefined;
}

export class PeerResolver {
  private readonly selfProblems = new Map<WorkloadInfo, NotExpressible | undefined>();
  private readonly workloadResolutions = new Map<WorkloadInfo, PeerResolution>();
  private readonly addressResolutions = new Map<string, PeerResolution>();

  constructor(
    private readonly index: WorkloadIndex,
    private readonly egressAggregation: AggregationOptions,
    private readonly ingressAggregation: AggregationOptions,
  ) {}

  selfProblemOf(workload: WorkloadInfo): NotExpressible | undefined {
    if (this.selfProblems.has(workload)) return this.selfProblems.get(workload);
    const problem = selfProblem(workload, this.index);
    this.selfProblems.set(workload, problem);
    return problem;
  }

  /** `peerIsSource`: the peer is an ingress source (aggregated with the ingress options). */
  resolve(peer: ObservedEdge['source'], peerIsSource: boolean): PeerResolution {
    const aggregation = peerIsSource ? this.ingressAggregation : this.egressAggregation;
    if (peer.kind === 'pod') {
      const workload =
        peer.namespace !== undefined && peer.workload !== undefined
          ? this.index.get(peer.namespace, peer.workload)
          : undefined;
      if (workload === undefined) return resolvePeer(peer, this.index, aggregation);
      let resolution = this.workloadResolutions.get(workload);
      if (resolution === undefined)
        this.workloadResolutions.set(workload, (resolution = resolvePeer(peer, this.index, aggregation)));
      return resolution;
    }
    if (peer.ip === undefined) return resolvePeer(peer, this.index, aggregation);
    const key = `${peerIsSource ? 'in' : 'out'} ${peer.kind} ${peer.ip}`;
    let resolution = this.addressResolutions.get(key);
    if (resolution === undefined)
      this.addressResolutions.set(key, (resolution = resolvePeer(peer, this.index, aggregation)));
    return resolution;
  }
}
