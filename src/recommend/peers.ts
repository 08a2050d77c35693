// The far side of a rule: a workload (podSelector + namespaceSelector on the namespace name) or an
// address block (ipBlock, exact /32 or /128 unless aggregation to a shorter prefix is asked for).
// Special endpoints (API server, nodes, hostNetwork pods) become ipBlocks with their own class so
// they get their own comment and warning; what cannot be expressed is said, never dropped silently.
import type { EdgePeer } from '../flows/edge.js';
import type { NetworkPolicyPeer } from '../policy/model.js';
import { isLabelKey, isLabelValue } from '../policy/k8s-names.js';
import { cidrOf, formatCidr, parseIp } from '../net/ip.js';
import type { PeerClass, WarningCode } from './proposal.js';
import type { WorkloadIndex, WorkloadInfo } from './workloads.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface AggregationOptions {
  /** Prefix length for external IPv4 addresses (32 = exact). */
  readonly ipv4PrefixLength: number;
  /** Prefix length for external IPv6 addresses (128 = exact). */
  readonly ipv6PrefixLength: number;
}

export const EXACT_AGGREGATION: AggregationOptions = { ipv4PrefixLength: 32, ipv6PrefixLength: 128 };

/** Cilium reserved identities without a NetworkPolicy peer; the cilium flavour names them as entities. */
export type ReservedEntity = 'ingress' | 'health' | 'init' | 'unmanaged';

export type PeerTarget =
  | { readonly type: 'workload'; readonly key: string; readonly workload: WorkloadInfo }
  | {
      readonly type: 'cidr';
      readonly key: string;
      readonly cidr: string;
      readonly peerClass: Exclude<PeerClass, 'workload' | 'dns' | 'entity' | 'public' | 'network-set'>;
    }
  /** Every endpoint of default/kubernetes (cilium: the kube-apiserver entity). */
  | { readonly type: 'apiserver'; readonly key: string; readonly cidrs: readonly string[] }
  /** Every node address of the snapshot (cilium: the host and remote-node entities). */
  | { readonly type: 'nodes'; readonly key: string; readonly cidrs: readonly string[] }
  /** Any address (0.0.0.0/0 and ::/0; cilium: the world entity): a workload port that serves the public. */
  | { readonly type: 'public'; readonly key: string }
  /** A reserved identity: only the cilium flavour can name it (k8s/calico leave that direction unisolated). */
  | { readonly type: 'entity'; readonly key: string; readonly entity: ReservedEntity }
  /**
   * A Calico NetworkSet or GlobalNetworkSet named as the peer (Goldmane, flow logs): its nets when
   * the snapshot has it (ipBlocks), its labels for a Calico selector (calico-policy.ts).
   */
  | {
      readonly type: 'network-set';
      readonly key: string;
      readonly setKind: 'NetworkSet' | 'GlobalNetworkSet';
      readonly namespace?: string;
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly cidrs: readonly string[];
    };

export const PUBLIC_TARGET: PeerTarget = Object.freeze({ type: 'public', key: 'public/any' });
export const PUBLIC_CIDRS: readonly string[] = Object.freeze(['0.0.0.0/0', '::/0']);

function frozenEntityTarget(entity: ReservedEntity): PeerTarget {
  return Object.freeze({ type: 'entity', key: `entity/${entity}`, entity });
}
const ENTITY_TARGETS: Readonly<Record<ReservedEntity, PeerTarget>> = Object.freeze({
  ingress: frozenEntityTarget('ingress'),
  health: frozenEntityTarget('health'),
  init: frozenEntityTarget('init'),
  unmanaged: frozenEntityTarget('unmanaged'),
});
function entityTarget(entity: ReservedEntity): PeerTarget {
  return ENTITY_TARGETS[entity];
}

export type PeerResolution =
  | { readonly ok: true; readonly targets: readonly PeerTarget[] }
  | { readonly ok: false; readonly code: WarningCode; readonly reason: string };

/** The CIDR for an address; exact unless `prefixLength` aggregation applies (external peers only). */
export function cidrFor(ip: string, aggregate: AggregationOptions | undefined): string | undefined {
  const address = parseIp(ip);
  if (address === undefined) return undefined;
  const full = address.family === 4 ? 32 : 128;
  const wanted =
    aggregate === undefined
      ? full
      : address.family === 4
        ? aggregate.ipv4PrefixLength
        : aggregate.ipv6PrefixLength;
  return formatCidr(cidrOf(address, Math.min(full, Math.max(0, wanted))));
}

function cidrTarget(
  ip: string | undefined,
  peerClass: Exclude<PeerClass, 'workload' | 'dns' | 'entity' | 'public' | 'network-set'>,
  aggregate: AggregationOptions | undefined,
  what: string,
): PeerResolution {
  if (ip === undefined)
    return {
      ok: false,
      code: peerClass === 'kube-apiserver' ? 'kube-apiserver' : 'node-traffic',
      reason: `${what} without an address cannot be expressed as an ipBlock`,
    };
  const cidr = cidrFor(ip, aggregate);
  if (cidr === undefined)
    return { ok: false, code: 'unresolved-endpoint', reason: `${what} has an invalid address` };
  return { ok: true, targets: [{ type: 'cidr', key: `cidr/${cidr}`, cidr, peerClass }] };
}

/**
 * A Calico-named NetworkSet peer, as the cluster snapshot has it: its nets (ipBlocks for k8s and
 * cilium) and labels (the calico flavour's selector). Not in the snapshot: not expressed (the
 * calico flavour could select it by the labels Calico reported, but k8s and cilium cannot write
 * it at all, and one proposal serves every flavour).
 */
function networkSetTarget(peer: EdgePeer, index: WorkloadIndex): PeerResolution {
  const setKind = peer.workloadKind === 'GlobalNetworkSet' ? 'GlobalNetworkSet' : 'NetworkSet';
  const name = peer.workload ?? '';
  const what = `Calico ${setKind} ${peer.namespace !== undefined ? `${peer.namespace}/` : ''}${name}`;
  const known = index.networkSet(setKind, peer.namespace, name);
  if (known === undefined || known.nets.length === 0) {
    return {
      ok: false,
      code: 'unresolved-endpoint',
      reason: `${what} ${known === undefined ? 'is not in the cluster snapshot' : 'has no valid nets'}: its addresses are unknown, so no rule can name it (add it to --cluster)`,
    };
  }
  const labels: Record<string, string> = {};
  // Selector syntax is built from these: only what Kubernetes label syntax allows.
  for (const [k, v] of Object.entries(known.labels)) if (isLabelKey(k) && isLabelValue(v)) labels[k] = v;
  const key = `network-set/${setKind}/${peer.namespace ?? ''}/${name}`;
  return {
    ok: true,
    targets: [
      {
        type: 'network-set',
        key,
        setKind,
        ...(peer.namespace !== undefined ? { namespace: peer.namespace } : {}),
        name,
        labels,
        cidrs: known.nets,
      },
    ],
  };
}

/** Resolves one side of an observed edge to the policy peers that admit it. */
export function resolvePeer(
  peer: EdgePeer,
  index: WorkloadIndex,
  aggregate: AggregationOptions,
): PeerResolution {
  switch (peer.kind) {
    case 'pod': {
      if (peer.namespace === undefined || peer.workload === undefined) {
        return {
          ok: false,
          code: 'unresolved-endpoint',
          reason: 'a pod without namespace and workload cannot be selected',
        };
      }
      const workload = index.byKey.get(`${peer.namespace}/${peer.workload}`);
      if (workload === undefined)
        return { ok: false, code: 'unresolved-endpoint', reason: 'workload not indexed' };
      if (index.isHostNetwork(workload)) {
        const targets = index.nodeIpsOf(workload).flatMap((ip): PeerTarget[] => {
          const cidr = cidrFor(ip, undefined);
          return cidr === undefined
            ? []
            : [{ type: 'cidr', key: `cidr/${cidr}`, cidr, peerClass: 'host-network' }];
        });
        if (targets.length === 0)
          return {
            ok: false,
            code: 'host-network',
            reason: `${workload.key} uses the host network and has no known node address`,
          };
        return { ok: true, targets };
      }
      if (Object.keys(workload.selector.matchLabels).length === 0) {
        return {
          ok: false,
          code: 'unselectable-workload',
          reason: `${workload.key} has no stable label to select it by`,
        };
      }
      return { ok: true, targets: [{ type: 'workload', key: `workload/${workload.key}`, workload }] };
    }
    case 'world':
      // Calico names (a NetworkSet, the `pub`/`pvt` networks) carry no address to write down.
      if (
        peer.ip === undefined &&
        (peer.workloadKind === 'NetworkSet' || peer.workloadKind === 'GlobalNetworkSet') &&
        peer.workload !== undefined
      ) {
        return networkSetTarget(peer, index);
      }
      if (peer.ip === undefined && peer.workload !== undefined) {
        return {
          ok: false,
          code: 'unresolved-endpoint',
          reason: `Calico ${peer.workloadKind ?? 'peer'} ${peer.namespace !== undefined ? `${peer.namespace}/` : ''}${peer.workload} has no address to write as an ipBlock`,
        };
      }
      if (isApiServer(peer.ip, index)) return { ok: true, targets: [index.apiServerTarget()] };
      return cidrTarget(peer.ip, 'external', aggregate, 'an external endpoint');
    case 'kube-apiserver':
      // With the snapshot's default/kubernetes endpoints: all of them, not only the one observed.
      if (index.apiServerAddresses().length > 0) return { ok: true, targets: [index.apiServerTarget()] };
      return cidrTarget(peer.ip, 'kube-apiserver', undefined, 'the Kubernetes API server');
    case 'host':
    case 'remote-node': {
      // Cilium without the kube-apiserver identity reports a control-plane node as host/remote-node.
      if (isApiServer(peer.ip, index)) return { ok: true, targets: [index.apiServerTarget()] };
      // Traffic from one node (NodePort SNAT, kubelet probes) comes from any node tomorrow: with
      // the snapshot's Node addresses, admit them all, not the one seen.
      const nodeIps = index.nodeAddresses();
      if (nodeIps.length > 0 && peer.ip !== undefined && nodeIps.includes(peer.ip))
        return { ok: true, targets: [index.nodesTarget()] };
      return cidrTarget(peer.ip, 'node', undefined, 'a node');
    }
    case 'ingress':
    case 'health':
      return { ok: true, targets: [entityTarget(peer.kind)] };
    case 'init':
    case 'unmanaged': {
      // A pod Cilium does not manage (yet) is still a pod: the snapshot may name it exactly.
      const resolved = index.resolveIp(peer.ip);
      if (resolved !== undefined) return resolvePeer(resolved, index, aggregate);
      return { ok: true, targets: [entityTarget(peer.kind)] };
    }
    case 'cluster':
    case 'unknown': {
      const resolved = index.resolveIp(peer.ip);
      if (resolved !== undefined) return resolvePeer(resolved, index, aggregate);
      return {
        ok: false,
        code: 'unresolved-endpoint',
        reason: `in-cluster address ${peer.ip ?? '(none)'} was not resolved to a pod; a pod IP is not a stable policy peer`,
      };
    }
  }
}

function isApiServer(ip: string | undefined, index: WorkloadIndex): boolean {
  return ip !== undefined && index.apiServerAddresses().includes(ip);
}

/** The one `apiserver` target of the default/kubernetes endpoints. */
export function apiServerTargetOf(ips: readonly string[]): PeerTarget {
  const cidrs = ips.flatMap((ip) => cidrFor(ip, undefined) ?? []);
  return Object.freeze({ type: 'apiserver', key: 'apiserver/all', cidrs: Object.freeze(cidrs) });
}

/** The one `nodes` target of a snapshot's node addresses (one rule, every node a peer of it). */
export function nodesTargetOf(ips: readonly string[]): PeerTarget {
  const cidrs = ips.flatMap((ip) => cidrFor(ip, undefined) ?? []);
  return Object.freeze({ type: 'nodes', key: 'nodes/all', cidrs: Object.freeze(cidrs) });
}

/** The NetworkPolicy peer objects for a target (none for an entity: NetworkPolicy cannot name it). */
export function policyPeersOf(target: PeerTarget): NetworkPolicyPeer[] {
  if (target.type === 'public') return PUBLIC_CIDRS.map((cidr) => ({ ipBlock: { cidr } }));
  if (target.type === 'nodes' || target.type === 'apiserver')
    return target.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  if (target.type === 'entity') return [];
  if (target.type === 'network-set') return target.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return [policyPeerOf(target)];
}

/** The NetworkPolicy peer object for a workload or CIDR target. */
export function policyPeerOf(target: Extract<PeerTarget, { type: 'workload' | 'cidr' }>): NetworkPolicyPeer {
  if (target.type === 'cidr') return { ipBlock: { cidr: target.cidr } };
  return {
    podSelector: { matchLabels: { ...target.workload.selector.matchLabels } },
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: target.workload.namespace } },
  };
}

export function describeTarget(target: PeerTarget): string {
  switch (target.type) {
    case 'workload':
      return `${target.workload.key} (${target.workload.kind})`;
    case 'cidr':
      return target.cidr;
    case 'public':
      return 'any address (0.0.0.0/0, ::/0)';
    case 'nodes':
      return `every node address (${target.cidrs.length} in the snapshot)`;
    case 'apiserver':
      return `the Kubernetes API server (${target.cidrs.length} endpoints of default/kubernetes)`;
    case 'entity':
      return `Cilium reserved identity ${target.entity}`;
    case 'network-set':
      return `Calico ${target.setKind} ${target.namespace !== undefined ? `${target.namespace}/` : ''}${target.name} (${target.cidrs.join(', ')})`;
  }
}
