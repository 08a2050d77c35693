// NetworkPolicyPeer matching. A peer with podSelector and/or namespaceSelector selects pods only
// (podSelector alone: pods of the policy's own namespace; namespaceSelector alone: every pod of
// the matching namespaces; both: AND). An ipBlock selects addresses: its CIDR minus `except`.
// Whether an ipBlock also selects pods whose IP falls inside it is left to the plugin by the
// spec; the e2e conformance tests expect it to (our default), Cilium does not (an option).
import { cidrContains, parseCidr, type Cidr, type IpAddress } from '../net/ip.js';
import type { ContainerPort, Labels, NetworkPolicyPeer } from './model.js';
import { compileSelector, type LabelPredicate } from './selectors.js';

/** A query endpoint after resolution against the snapshot. */
export type ResolvedEndpoint =
  | {
      readonly kind: 'pod';
      /** Index in the snapshot's pods, or -1 for a pod-like workload endpoint not in it. */
      readonly podIndex: number;
      readonly namespace: string;
      readonly labels: Labels;
      readonly namespaceLabels: Labels;
      readonly ports: readonly ContainerPort[];
      readonly ips: readonly IpAddress[];
      /** Parallel to `ips`: the IPv4 address as an unsigned 32-bit number, -1 for IPv6. */
      readonly ipv4: readonly number[];
      readonly display: string;
    }
  | {
      readonly kind: 'node' | 'external';
      readonly ips: readonly IpAddress[];
      readonly ipv4: readonly number[];
      readonly display: string;
      readonly note: string;
    };

/** The `ipv4` field of a ResolvedEndpoint, computed once when the endpoint is resolved. */
export function ipv4Numbers(ips: readonly IpAddress[]): number[] {
  return ips.map((ip) => (ip.family === 4 ? Number(ip.value) : -1));
}

/**
 * Pre-resolved membership by pod index: a bitmap (1 = selected), or, for a selection that is a
 * small part of a large snapshot, the selected indexes. A bitmap per distinct selector grows as
 * pods × selectors: 100,000 workload selectors over 100,000 pods would be 10 GB.
 */
export type PodMembership = Uint8Array | ReadonlySet<number>;

export interface PodPeer {
  readonly kind: 'pods';
  readonly podSet: PodMembership;
  /** Kept to judge workload endpoints that are not in the snapshot. */
  readonly sameNamespace: string | undefined;
  readonly namespaceMatches: LabelPredicate | undefined;
  readonly podMatches: LabelPredicate;
}

export interface IpBlockPeer {
  readonly kind: 'ipBlock';
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
  /**
   * IPv4 blocks as 32-bit numbers (network, mask; -1 network for IPv6), so the common IPv4
   * test is integer arithmetic rather than BigInt masks built per query.
   */
  readonly v4Network: number;
  readonly v4Mask: number;
  readonly exceptV4: readonly { readonly network: number; readonly mask: number }[];
}

function v4Of(cidr: Cidr): { network: number; mask: number } {
  if (cidr.family !== 4) return { network: -1, mask: 0 };
  return {
    network: Number(cidr.network),
    mask: cidr.prefixLength === 0 ? 0 : (~0 << (32 - cidr.prefixLength)) >>> 0,
  };
}

export type CompiledPeer = PodPeer | IpBlockPeer;

export interface PeerContext {
  readonly policyNamespace: string;
  /**
   * Compiled peers by what they are compiled from, shared by every rule of one compile: a
   * workload's peer recurs in each policy of the workloads it talks to (138,000 peers at 100,000
   * edges, ~10,000 distinct), and each compiled peer holds its selector closures and pod set.
   * Peers are read-only, so sharing one is the same as holding equal copies.
   */
  readonly sharedPeers?: Map<string, CompiledPeer>;
  /** Resolves (and caches) the pod set of a pod/namespace selector pair. */
  resolvePods(
    sameNamespace: string | undefined,
    namespaceMatches: LabelPredicate | undefined,
    podMatches: LabelPredicate,
    cacheKey: string,
    /** The namespace selector's own key: peers with the same one share its namespaces. */
    namespaceKey: string,
  ): PodMembership;
}

/** Compiles one peer; undefined when it can select nothing (an invalid, empty peer). */
export function compilePeer(peer: NetworkPolicyPeer, context: PeerContext): CompiledPeer | undefined {
  if (peer.ipBlock !== undefined) {
    const key = `ip${JSON.stringify([peer.ipBlock.cidr, peer.ipBlock.except ?? []])}`;
    const shared = context.sharedPeers?.get(key);
    if (shared !== undefined) return shared;
    const cidr = parseCidr(peer.ipBlock.cidr);
    if (cidr === undefined) return undefined;
    const except: Cidr[] = [];
    for (const text of peer.ipBlock.except ?? []) {
      const parsed = parseCidr(text);
      if (parsed !== undefined) except.push(parsed);
    }
    const v4 = v4Of(cidr);
    const compiled: IpBlockPeer = {
      kind: 'ipBlock',
      cidr,
      except,
      v4Network: v4.network,
      v4Mask: v4.mask,
      exceptV4: except.map(v4Of),
    };
    context.sharedPeers?.set(key, compiled);
    return compiled;
  }
  if (peer.podSelector === undefined && peer.namespaceSelector === undefined) return undefined;
  const sameNamespace = peer.namespaceSelector === undefined ? context.policyNamespace : undefined;
  const namespaceKey = JSON.stringify(peer.namespaceSelector ?? null);
  // JSON texts hold no raw NUL, so the parts cannot run into each other.
  const cacheKey = `${JSON.stringify(sameNamespace ?? null)}\u0000${namespaceKey}\u0000${JSON.stringify(peer.podSelector ?? {})}`;
  const shared = context.sharedPeers?.get(cacheKey);
  if (shared !== undefined) return shared;
  const podMatches = compileSelector(peer.podSelector ?? {});
  const namespaceMatches =
    peer.namespaceSelector === undefined ? undefined : compileSelector(peer.namespaceSelector);
  const podSet = context.resolvePods(sameNamespace, namespaceMatches, podMatches, cacheKey, namespaceKey);
  const compiled: PodPeer = { kind: 'pods', podSet, sameNamespace, namespaceMatches, podMatches };
  context.sharedPeers?.set(cacheKey, compiled);
  return compiled;
}

export function ipBlockContains(block: IpBlockPeer, address: IpAddress): boolean {
  if (!cidrContains(block.cidr, address)) return false;
  for (const except of block.except) if (cidrContains(except, address)) return false;
  return true;
}

/** ipBlockContains for an IPv4 address given as an unsigned 32-bit number. */
function ipBlockContainsV4(block: IpBlockPeer, address: number): boolean {
  if (block.v4Network < 0 || (address & block.v4Mask) >>> 0 !== block.v4Network) return false;
  for (const except of block.exceptV4) if ((address & except.mask) >>> 0 === except.network) return false;
  return true;
}

export function peerMatches(
  peer: CompiledPeer,
  endpoint: ResolvedEndpoint,
  ipBlockMatchesPods: boolean,
): boolean {
  if (peer.kind === 'pods') {
    if (endpoint.kind !== 'pod') return false;
    if (endpoint.podIndex >= 0) {
      const set = peer.podSet;
      return set instanceof Uint8Array ? set[endpoint.podIndex] === 1 : set.has(endpoint.podIndex);
    }
    if (peer.sameNamespace !== undefined && peer.sameNamespace !== endpoint.namespace) return false;
    if (peer.namespaceMatches !== undefined && !peer.namespaceMatches(endpoint.namespaceLabels)) return false;
    return peer.podMatches(endpoint.labels);
  }
  if (endpoint.kind === 'pod' && !ipBlockMatchesPods) return false;
  const { ips, ipv4 } = endpoint;
  for (let i = 0; i < ips.length; i++) {
    const v4 = ipv4[i] as number;
    if (v4 >= 0 ? ipBlockContainsV4(peer, v4) : ipBlockContains(peer, ips[i] as IpAddress)) return true;
  }
  return false;
}
