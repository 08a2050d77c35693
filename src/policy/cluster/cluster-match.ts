// Compiled peers and ports of cluster policies (network-policy-api): `namespaces` and `pods` select
// non-host-network pods (pre-resolved per snapshot pod), `nodes` selects the IPs of the matching
// nodes, `networks` selects addresses whoever holds them (pods included, as the API warns),
// `domainNames` the names the connection was reached by (`*.` one or more whole labels). A peer
// with no field we know fails closed (the rule's compile decides what that means). Ports: a
// number or range of one protocol, or a container port of the destination pod by name.
import { cidrContains, parseCidr, type Cidr, type IpAddress } from '../../net/ip.js';
import type { ContainerPort, Labels, PolicyProtocol } from '../model.js';
import type { FamilyEndpoint } from '../policy-family.js';
import { compileSelector, type LabelPredicate } from '../selectors.js';
import type { ClusterPeer, ClusterPort, NamespacedPods } from './cluster-policy.js';

export type CompiledClusterPeer =
  | {
      readonly kind: 'pods';
      readonly podSet: Uint8Array;
      readonly namespaces: LabelPredicate;
      readonly pods: LabelPredicate;
    }
  | { readonly kind: 'nodes'; readonly nodes: LabelPredicate }
  /** `v4`: the IPv4 CIDRs as 32-bit network/mask pairs (the common test without BigInt); `v6`: the rest. */
  | {
      readonly kind: 'networks';
      readonly v4: readonly { readonly network: number; readonly mask: number }[];
      readonly v6: readonly Cidr[];
    }
  | { readonly kind: 'domainNames'; readonly names: readonly ((name: string) => boolean)[] }
  | { readonly kind: 'unknown' };

/** What a compile needs of the snapshot: every pod's labels and namespace labels, node labels. */
export interface PeerUniverse {
  readonly pods: readonly {
    readonly labels: Labels;
    readonly namespaceLabels: Labels;
    readonly hostNetwork: boolean;
  }[];
  readonly nodeLabels: ReadonlyMap<string, Labels>;
}

const MATCH_ALL: LabelPredicate = () => true;

function podPredicates(
  pods: NamespacedPods | undefined,
  namespaces: Parameters<typeof compileSelector>[0] | undefined,
): { namespaces: LabelPredicate; pods: LabelPredicate } {
  if (pods !== undefined)
    return { namespaces: compileSelector(pods.namespaceSelector), pods: compileSelector(pods.podSelector) };
  return { namespaces: namespaces === undefined ? MATCH_ALL : compileSelector(namespaces), pods: MATCH_ALL };
}

/** The pods a subject or peer of `namespaces`/`pods` selects, by snapshot pod index. */
export function podSetOf(
  universe: PeerUniverse,
  namespaces: LabelPredicate,
  pods: LabelPredicate,
): Uint8Array {
  const set = new Uint8Array(universe.pods.length);
  universe.pods.forEach((pod, i) => {
    if (!pod.hostNetwork && namespaces(pod.namespaceLabels) && pods(pod.labels)) set[i] = 1;
  });
  return set;
}

export function compileDomain(pattern: string): (name: string) => boolean {
  if (!pattern.startsWith('*.')) return (name) => name === pattern;
  const suffix = pattern.slice(1);
  return (name) => name.length > suffix.length && name.endsWith(suffix);
}

export function compileClusterPeer(peer: ClusterPeer, universe: PeerUniverse): CompiledClusterPeer {
  switch (peer.kind) {
    case 'namespaces':
    case 'pods': {
      const p =
        peer.kind === 'pods' ? podPredicates(peer.pods, undefined) : podPredicates(undefined, peer.selector);
      return { kind: 'pods', podSet: podSetOf(universe, p.namespaces, p.pods), ...p };
    }
    case 'nodes':
      return { kind: 'nodes', nodes: compileSelector(peer.selector) };
    case 'networks': {
      const cidrs = peer.cidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      const v4 = cidrs
        .filter((c) => c.family === 4)
        .map((c) => ({
          network: Number(c.network),
          mask: c.prefixLength === 0 ? 0 : (~0 << (32 - c.prefixLength)) >>> 0,
        }));
      return { kind: 'networks', v4, v6: cidrs.filter((c) => c.family !== 4) };
    }
    case 'domainNames':
      return { kind: 'domainNames', names: peer.names.map(compileDomain) };
    case 'unknown':
      return { kind: 'unknown' };
  }
}

/** Whether the compiled peer selects `peer` (`unknown` never does: the rule decides). */
export function clusterPeerMatches(
  compiled: CompiledClusterPeer,
  peer: FamilyEndpoint,
  nodeLabels: ReadonlyMap<string, Labels>,
): boolean {
  const r = peer.resolved;
  switch (compiled.kind) {
    case 'pods':
      if (r.kind !== 'pod') return false;
      if (r.podIndex >= 0) return compiled.podSet[r.podIndex] === 1;
      return compiled.namespaces(r.namespaceLabels) && compiled.pods(r.labels);
    case 'nodes': {
      if (r.kind !== 'node' || peer.nodeName === undefined) return false;
      const labels = nodeLabels.get(peer.nodeName);
      return labels !== undefined && compiled.nodes(labels);
    }
    case 'networks':
      for (let i = 0; i < r.ips.length; i++) {
        const v4 = r.ipv4[i] as number;
        if (v4 >= 0) {
          for (const c of compiled.v4) if ((v4 & c.mask) >>> 0 === c.network) return true;
        } else {
          for (const cidr of compiled.v6) if (cidrContains(cidr, r.ips[i] as IpAddress)) return true;
        }
      }
      return false;
    case 'domainNames':
      for (const name of peer.names) for (const m of compiled.names) if (m(name)) return true;
      return false;
    case 'unknown':
      return false;
  }
}

export function clusterPortsMatch(
  ports: readonly ClusterPort[] | undefined,
  port: number,
  protocol: PolicyProtocol,
  destinationPorts: readonly ContainerPort[] | undefined,
): boolean {
  if (ports === undefined) return true;
  for (const p of ports) {
    if (p.kind === 'number') {
      if (p.protocol === protocol && port >= p.from && port <= p.to) return true;
      continue;
    }
    for (const cp of destinationPorts ?? [])
      if (cp.name === p.name && cp.protocol === protocol && cp.containerPort === port) return true;
  }
  return false;
}
