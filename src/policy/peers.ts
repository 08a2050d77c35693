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
    readonly display: string;
  }
  | { readonly kind: 'node' | 'external'; readonly ips: readonly IpAddress[]; readonly display: string; readonly note: string };

export interface PodPeer {
  readonly kind: 'pods';
  /** Pre-resolved membership by pod index (1 = selected). */
  readonly podSet: Uint8Array;
  /** Kept to judge workload endpoints that are not in the snapshot. */
  readonly sameNamespace: string | undefined;
  readonly namespaceMatches: LabelPredicate | undefined;
  readonly podMatches: LabelPredicate;
}

export interface IpBlockPeer {
  readonly kind: 'ipBlock';
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

export type CompiledPeer = PodPeer | IpBlockPeer;

export interface PeerContext {
  readonly policyNamespace: string;
  /** Resolves (and caches) the pod set of a pod/namespace selector pair. */
  resolvePods(sameNamespace: string | undefined, namespaceMatches: LabelPredicate | undefined, podMatches: LabelPredicate, cacheKey: string): Uint8Array;
}

/** Compiles one peer; undefined when it can select nothing (an invalid, empty peer). */
export function compilePeer(peer: NetworkPolicyPeer, context: PeerContext): CompiledPeer | undefined {
  if (peer.ipBlock !== undefined) {
    const cidr = parseCidr(peer.ipBlock.cidr);
    if (cidr === undefined) return undefined;
    const except: Cidr[] = [];
    for (const text of peer.ipBlock.except ?? []) {
      const parsed = parseCidr(text);
      if (parsed !== undefined) except.push(parsed);
    }
    return { kind: 'ipBlock', cidr, except };
  }
  if (peer.podSelector === undefined && peer.namespaceSelector === undefined) return undefined;
  const podMatches = compileSelector(peer.podSelector ?? {});
  const namespaceMatches = peer.namespaceSelector === undefined ? undefined : compileSelector(peer.namespaceSelector);
  const sameNamespace = peer.namespaceSelector === undefined ? context.policyNamespace : undefined;
  const cacheKey = `${sameNamespace ?? '*'}\u0000${JSON.stringify(peer.namespaceSelector ?? null)}\u0000${JSON.stringify(peer.podSelector ?? {})}`;
  const podSet = context.resolvePods(sameNamespace, namespaceMatches, podMatches, cacheKey);
  return { kind: 'pods', podSet, sameNamespace, namespaceMatches, podMatches };
}

export function ipBlockContains(block: IpBlockPeer, address: IpAddress): boolean {
  if (!cidrContains(block.cidr, address)) return false;
  for (const except of block.except) if (cidrContains(except, address)) return false;
  return true;
}

export function peerMatches(peer: CompiledPeer, endpoint: ResolvedEndpoint, ipBlockMatchesPods: boolean): boolean {
  if (peer.kind === 'pods') {
    if (endpoint.kind !== 'pod') return false;
    if (endpoint.podIndex >= 0) return peer.podSet[endpoint.podIndex] === 1;
    if (peer.sameNamespace !== undefined && peer.sameNamespace !== endpoint.namespace) return false;
    if (peer.namespaceMatches !== undefined && !peer.namespaceMatches(endpoint.namespaceLabels)) return false;
    return peer.podMatches(endpoint.labels);
  }
  if (endpoint.kind === 'pod' && !ipBlockMatchesPods) return false;
  for (const ip of endpoint.ips) if (ipBlockContains(peer, ip)) return true;
  return false;
}
