// Compiles a snapshot's NetworkPolicies once: policy selectors resolved to the pods they
// isolate (per pod, per direction), rule peers resolved to pod sets, ports and CIDRs parsed.
// The engine (engine.ts) then answers each query from these indexes without rescanning.
import { formatIp, parseIp } from '../net/ip.js';
import type {
  ClusterSnapshot,
  Labels,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PodInfo,
  PolicyProtocol,
} from './model.js';
import { compilePeer, type CompiledPeer, type PeerContext, type PodMembership } from './peers.js';
import { compilePort, type CompiledPort } from './ports.js';
import { compileSelector, type LabelPredicate } from './selectors.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface CompiledRule {
  readonly index: number;
  /** undefined: the rule has no (or an empty) `ports` list and admits every port. */
  readonly ports: readonly CompiledPort[] | undefined;
  /** undefined: no (or an empty) `from`/`to` list, every peer including external IPs. */
  readonly peers: readonly CompiledPeer[] | undefined;
}

export interface CompiledPolicy {
  readonly id: string;
  readonly namespace: string;
  readonly selects: LabelPredicate;
  /** Present when the policy affects that direction (policyTypes, explicit or defaulted). */
  readonly ingress: readonly CompiledRule[] | undefined;
  readonly egress: readonly CompiledRule[] | undefined;
}

/** One rule of one policy, as listed for a pod: its ports narrowed to one protocol. */
export interface RuleEntry {
  readonly policyId: string;
  readonly index: number;
  /** undefined: every port (and protocol); otherwise only the rule's ports of the bucket's protocol. */
  readonly ports: readonly CompiledPort[] | undefined;
  readonly peers: readonly CompiledPeer[] | undefined;
}

export interface RuleBucket {
  /** In policy order, then rule order (the order of `allowedBy`). */
  readonly entries: readonly RuleEntry[];
  /** Some entry has neither ports nor peers: it admits every connection of the bucket. */
  readonly admitsAll: boolean;
}

/**
 * One direction of one isolated pod, precomputed: the isolating policies and their rules
 * bucketed by protocol, so a query reads only the rules that can admit its protocol.
 * Shared by every pod that the same policies isolate.
 */
export interface PodDirectionRules {
  readonly isolatedBy: readonly string[];
  readonly tcp: RuleBucket;
  readonly udp: RuleBucket;
  readonly sctp: RuleBucket;
  /** Rules without ports: the only ones that can admit any other protocol value. */
  readonly other: RuleBucket;
}

export interface CompiledSnapshot {
  readonly policies: readonly CompiledPolicy[];
  readonly policiesByNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
  /** By pod index: the policies that isolate the pod in each direction. */
  readonly ingressByPod: readonly (readonly CompiledPolicy[])[];
  readonly egressByPod: readonly (readonly CompiledPolicy[])[];
  /** By pod index: undefined when no policy isolates the pod in that direction. */
  readonly ingressRulesByPod: readonly (PodDirectionRules | undefined)[];
  readonly egressRulesByPod: readonly (PodDirectionRules | undefined)[];
  readonly podIndexByKey: ReadonlyMap<string, number>;
  /** namespace → pod name → pod index (no string building on the query path). */
  readonly podIndexByName: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /**
   * The query path's pod lookup, one map read instead of two: pod name → the last pod index
   * with that name; previousSameName[i] → the previous index with pods[i]'s name (-1: none);
   * podNamespace[i] → pods[i].namespace. Walking the chain finds what podIndexByName would.
   */
  readonly lastPodByName: ReadonlyMap<string, number>;
  readonly previousSameName: Int32Array;
  readonly podNamespace: readonly string[];
  /** Canonical IP text → pod index (pods on the pod network only). */
  readonly podIndexByIp: ReadonlyMap<string, number>;
  /** Canonical IP text → what owns it (a node, or a hostNetwork pod sharing a node's IP). */
  readonly nodeByIp: ReadonlyMap<string, string>;
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
}

/** Which directions a policy affects: policyTypes, or the API server's defaulting. */
export function policyDirections(policy: NetworkPolicy): { ingress: boolean; egress: boolean } {
  const types = policy.spec.policyTypes;
  if (types === undefined || types.length === 0) {
    return { ingress: true, egress: (policy.spec.egress?.length ?? 0) > 0 };
  }
  return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
}

export function canonicalIp(text: string): string | undefined {
  const parsed = parseIp(text);
  return parsed === undefined ? undefined : formatIp(parsed);
}

export function namespaceLabelsOf(labels: ReadonlyMap<string, Labels>, namespace: string): Labels {
  return labels.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

function compileRules(
  rules: readonly { readonly ports?: readonly NetworkPolicyPort[] }[] | undefined,
  peersOf: (rule: number) => readonly NetworkPolicyPeer[] | undefined,
  context: PeerContext,
): CompiledRule[] {
  return (rules ?? []).map((rule, index) => {
    const ports =
      rule.ports === undefined || rule.ports.length === 0 ? undefined : rule.ports.map(compilePort);
    const rawPeers = peersOf(index);
    let peers: CompiledPeer[] | undefined;
    if (rawPeers !== undefined && rawPeers.length > 0) {
      peers = [];
      for (const peer of rawPeers) {
        const compiled = compilePeer(peer, context);
        if (compiled !== undefined) peers.push(compiled);
      }
    }
    return { index, ports, peers };
  });
}

/** Below this many pods every pod set is a bitmap (the engine's fastest test). */
const SPARSE_MIN_PODS = 8192;

/** A bitmap, or the indexes themselves when they are under 1/64 of a large snapshot's pods. */
function podMembership(selected: readonly number[], podCount: number): PodMembership {
  if (podCount >= SPARSE_MIN_PODS && selected.length * 64 < podCount) return new Set(selected);
  const set = new Uint8Array(podCount);
  for (const index of selected) set[index] = 1;
  return set;
}

function bucketOf(
  policies: readonly CompiledPolicy[],
  direction: 'ingress' | 'egress',
  protocol: PolicyProtocol | undefined,
): RuleBucket {
  const entries: RuleEntry[] = [];
  let admitsAll = false;
  for (const policy of policies) {
    for (const rule of policy[direction] ?? []) {
      let ports = rule.ports;
      if (ports !== undefined) {
        if (protocol === undefined) continue;
        // The rule's own list when every port is of the protocol (most rules): one copy per rule, not per pod.
        if (!ports.every((port) => port.protocol === protocol)) {
          ports = ports.filter((port) => port.protocol === protocol);
          if (ports.length === 0) continue;
        }
      } else if (rule.peers === undefined) {
        admitsAll = true;
      }
      entries.push({ policyId: policy.id, index: rule.index, ports, peers: rule.peers });
    }
  }
  return { entries, admitsAll };
}

/** Per pod, the PodDirectionRules of its isolating policies, built once per distinct policy list. */
function directionRulesByPod(
  byPod: readonly (readonly CompiledPolicy[])[],
  direction: 'ingress' | 'egress',
  policyNumber: ReadonlyMap<CompiledPolicy, number>,
): (PodDirectionRules | undefined)[] {
  const shared = new Map<string, PodDirectionRules>();
  return byPod.map((policies) => {
    if (policies.length === 0) return undefined;
    const key = policies.map((policy) => policyNumber.get(policy)).join(',');
    let rules = shared.get(key);
    if (rules === undefined) {
      rules = {
        isolatedBy: policies.map((policy) => policy.id),
        tcp: bucketOf(policies, direction, 'TCP'),
        udp: bucketOf(policies, direction, 'UDP'),
        sctp: bucketOf(policies, direction, 'SCTP'),
        other: bucketOf(policies, direction, undefined),
      };
      shared.set(key, rules);
    }
    return rules;
  });
}

export function compileSnapshot(snapshot: ClusterSnapshot): CompiledSnapshot {
  const pods = snapshot.pods;
  const namespaceLabels = new Map<string, Labels>();
  for (const ns of snapshot.namespaces) namespaceLabels.set(ns.name, ns.labels);
  const podsByNamespace = new Map<string, number[]>();
  const podIndexByKey = new Map<string, number>();
  const podIndexByName = new Map<string, Map<string, number>>();
  const podIndexByIp = new Map<string, number>();
  const nodeByIp = new Map<string, string>();
  for (const node of snapshot.nodes) {
    for (const ip of node.ips) {
      const key = canonicalIp(ip);
      if (key !== undefined) nodeByIp.set(key, `node ${node.name}`);
    }
  }
  const lastPodByName = new Map<string, number>();
  const previousSameName = new Int32Array(pods.length);
  const podNamespace = pods.map((pod) => pod.namespace);
  pods.forEach((pod: PodInfo, index) => {
    podIndexByKey.set(`${pod.namespace}/${pod.name}`, index);
    previousSameName[index] = lastPodByName.get(pod.name) ?? -1;
    lastPodByName.set(pod.name, index);
    let byName = podIndexByName.get(pod.namespace);
    if (byName === undefined) podIndexByName.set(pod.namespace, (byName = new Map<string, number>()));
    byName.set(pod.name, index);
    if (!namespaceLabels.has(pod.namespace))
      namespaceLabels.set(pod.namespace, { [NAMESPACE_NAME_LABEL]: pod.namespace });
    if (pod.hostNetwork) {
      for (const ip of pod.ips) {
        const key = canonicalIp(ip);
        if (key !== undefined && !nodeByIp.has(key))
          nodeByIp.set(key, `hostNetwork pod ${pod.namespace}/${pod.name}`);
      }
      return;
    }
    let list = podsByNamespace.get(pod.namespace);
    if (list === undefined) podsByNamespace.set(pod.namespace, (list = []));
    list.push(index);
    for (const ip of pod.ips) {
      const key = canonicalIp(ip);
      if (key !== undefined && !podIndexByIp.has(key)) podIndexByIp.set(key, index);
    }
  });

  const podSetCache = new Map<string, PodMembership>();
  const namespaceNames = [...namespaceLabels.keys()];
  // Namespace selectors repeat across peers (one per namespace a workload talks to): each is
  // matched against every namespace once, not once per peer.
  const namespacesOfSelector = new Map<string, readonly string[]>();
  const resolvePods = (
    sameNamespace: string | undefined,
    namespaceMatches: LabelPredicate | undefined,
    podMatches: LabelPredicate,
    cacheKey: string,
    namespaceKey: string,
  ): PodMembership => {
    const cached = podSetCache.get(cacheKey);
    if (cached !== undefined) return cached;
    let namespaces: readonly string[] | undefined =
      sameNamespace !== undefined ? [sameNamespace] : namespacesOfSelector.get(namespaceKey);
    if (namespaces === undefined) {
      namespaces = namespaceNames.filter((ns) =>
        (namespaceMatches as LabelPredicate)(namespaceLabelsOf(namespaceLabels, ns)),
      );
      namespacesOfSelector.set(namespaceKey, namespaces);
    }
    const selected: number[] = [];
    for (const ns of namespaces) {
      for (const index of podsByNamespace.get(ns) ?? []) {
        if (podMatches((pods[index] as PodInfo).labels)) selected.push(index);
      }
    }
    const set = podMembership(selected, pods.length);
    podSetCache.set(cacheKey, set);
    return set;
  };

  const ingressByPod: CompiledPolicy[][] = pods.map(() => []);
  const egressByPod: CompiledPolicy[][] = pods.map(() => []);
  const policiesByNamespace = new Map<string, CompiledPolicy[]>();
  const compiled: CompiledPolicy[] = [];
  const sharedPeers = new Map<string, CompiledPeer>();
  for (const policy of snapshot.policies) {
    const namespace = policy.metadata.namespace;
    const context: PeerContext = { policyNamespace: namespace, resolvePods, sharedPeers };
    const directions = policyDirections(policy);
    const entry: CompiledPolicy = {
      id: `${namespace}/${policy.metadata.name}`,
      namespace,
      selects: compileSelector(policy.spec.podSelector),
      ingress: directions.ingress
        ? compileRules(policy.spec.ingress, (i) => policy.spec.ingress?.[i]?.from, context)
        : undefined,
      egress: directions.egress
        ? compileRules(policy.spec.egress, (i) => policy.spec.egress?.[i]?.to, context)
        : undefined,
    };
    compiled.push(entry);
    let list = policiesByNamespace.get(namespace);
    if (list === undefined) policiesByNamespace.set(namespace, (list = []));
    list.push(entry);
    for (const index of podsByNamespace.get(namespace) ?? []) {
      if (!entry.selects((pods[index] as PodInfo).labels)) continue;
      if (entry.ingress !== undefined) (ingressByPod[index] as CompiledPolicy[]).push(entry);
      if (entry.egress !== undefined) (egressByPod[index] as CompiledPolicy[]).push(entry);
    }
  }
  const policyNumber = new Map(compiled.map((policy, number) => [policy, number]));
  return {
    policies: compiled,
    policiesByNamespace,
    ingressByPod,
    egressByPod,
    ingressRulesByPod: directionRulesByPod(ingressByPod, 'ingress', policyNumber),
    egressRulesByPod: directionRulesByPod(egressByPod, 'egress', policyNumber),
    podIndexByKey,
    podIndexByName,
    lastPodByName,
    previousSameName,
    podNamespace,
    podIndexByIp,
    nodeByIp,
    namespaceLabels,
  };
}
