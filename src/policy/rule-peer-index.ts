// The rule peers of a compiled snapshot in one fixed walk (policy, direction, rule, peer), and
// which of them match an endpoint, as the ascending list of their positions: what the engine's
// equivalenceKey compares. For a pod of the snapshot a pod peer matches exactly when its pod set
// holds the pod, so those positions come from an index built once (pod → positions), and only the
// ipBlock peers are tested per endpoint; other endpoints test every peer. Same positions either
// way: a key per endpoint costs its matches, not the whole cluster's peer list.
import type { CompiledPolicy } from './compile.js';
import { peerMatches, type CompiledPeer, type ResolvedEndpoint } from './peers.js';

export class RulePeerIndex {
  private readonly peers: readonly CompiledPeer[];
  private byPod: number[][] | undefined;
  private ipBlocks: number[] | undefined;

  constructor(
    policies: readonly CompiledPolicy[],
    private readonly podCount: number,
  ) {
    this.peers = policies.flatMap((policy) =>
      [policy.ingress, policy.egress].flatMap((rules) => (rules ?? []).flatMap((rule) => rule.peers ?? [])),
    );
  }

  private build(): { byPod: number[][]; ipBlocks: number[] } {
    const byPod: number[][] = Array.from({ length: this.podCount }, () => []);
    const ipBlocks: number[] = [];
    this.peers.forEach((peer, position) => {
      if (peer.kind === 'ipBlock') {
        ipBlocks.push(position);
        return;
      }
      const set = peer.podSet;
      if (set instanceof Uint8Array) {
        for (let pod = 0; pod < set.length; pod++) if (set[pod] === 1) byPod[pod]?.push(position);
      } else for (const pod of set) byPod[pod]?.push(position);
    });
    this.byPod = byPod;
    this.ipBlocks = ipBlocks;
    return { byPod, ipBlocks };
  }

  /** `p,` for each position p of a peer matching the endpoint, ascending. */
  matchingPositions(resolved: ResolvedEndpoint, ipBlockMatchesPods: boolean): string {
    let matches = '';
    if (resolved.kind !== 'pod' || resolved.podIndex < 0 || resolved.podIndex >= this.podCount) {
      for (let position = 0; position < this.peers.length; position++)
        if (peerMatches(this.peers[position] as CompiledPeer, resolved, ipBlockMatchesPods))
          matches += `${position},`;
      return matches;
    }
    const { byPod, ipBlocks } =
      this.byPod !== undefined && this.ipBlocks !== undefined
        ? { byPod: this.byPod, ipBlocks: this.ipBlocks }
        : this.build();
    const pods = byPod[resolved.podIndex] ?? [];
    // Both lists ascend: merge the pod peers with the ipBlock peers that match.
    let next = 0;
    for (const position of ipBlocks) {
      if (!peerMatches(this.peers[position] as CompiledPeer, resolved, ipBlockMatchesPods)) continue;
      while (next < pods.length && (pods[next] as number) < position) matches += `${pods[next++] as number},`;
      matches += `${position},`;
    }
    while (next < pods.length) matches += `${pods[next++] as number},`;
    return matches;
  }
}
