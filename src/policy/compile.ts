// Compiles a snapshot's NetworkPolicies once: policy selectors resolved to the pods they
// isolate (per pod, per direction), rule peers resolved to pod sets, ports and CIDRs parsed.
// The engine (engine.ts) then answers each query from these indexes without rescanning.
import { formatIp, parseIp } from '../net/ip.js';
import type { ClusterSnapshot, Labels, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PodInfo } from './model.js';
import { compilePeer, type CompiledPeer, type PeerContext } from './peers.js';
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

export interface CompiledSnapshot {
  readonly policies: readonly CompiledPolicy[];
  readonly policiesByNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
  /** By pod index: the policies that isolate the pod in each direction. */
  readonly ingressByPod: readonly (readonly CompiledPolicy[])[];
  readonly egressByPod: readonly (readonly CompiledPolicy[])[];
  readonly podIndexByKey: ReadonlyMap<string, number>;
  /** namespace → pod name → pod index (no string building on the query path). */
  readonly podIndexByName: ReadonlyMap<string, ReadonlyMap<string, number>>;
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
    const ports = rule.ports === undefined || rule.ports.length === 0 ? undefined : rule.ports.map(compilePort);
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
  pods.forEach((pod: PodInfo, index) => {
    podIndexByKey.set(`${pod.namespace}/${pod.name}`, index);
    let byName = podIndexByName.get(pod.namespace);
    if (byName === undefined) podIndexByName.set(pod.namespace, (byName = new Map<string, number>()));
    byName.set(pod.name, index);
    if (!namespaceLabels.has(pod.namespace)) namespaceLabels.set(pod.namespace, { [NAMESPACE_NAME_LABEL]: pod.namespace });
    if (pod.hostNetwork) {
      for (const ip of pod.ips) {
        const key = canonicalIp(ip);
        if (key !== undefined && !nodeByIp.has(key)) nodeByIp.set(key, `hostNetwork pod ${pod.namespace}/${pod.name}`);
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

  const podSetCache = new Map<string, Uint8Array>();
  const namespaceNames = [...namespaceLabels.keys()];
  const resolvePods = (sameNamespace: string | undefined, namespaceMatches: LabelPredicate | undefined, podMatches: LabelPredicate, cacheKey: string): Uint8Array => {
    const cached = podSetCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const set = new Uint8Array(pods.length);
    const namespaces = sameNamespace !== undefined ? [sameNamespace]
      : namespaceNames.filter((ns) => (namespaceMatches as LabelPredicate)(namespaceLabelsOf(namespaceLabels, ns)));
    for (const ns of namespaces) {
      for (const index of podsByNamespace.get(ns) ?? []) {
        if (podMatches((pods[index] as PodInfo).labels)) set[index] = 1;
      }
    }
    podSetCache.set(cacheKey, set);
    return set;
  };

  const ingressByPod: CompiledPolicy[][] = pods.map(() => []);
  const egressByPod: CompiledPolicy[][] = pods.map(() => []);
  const policiesByNamespace = new Map<string, CompiledPolicy[]>();
  const compiled: CompiledPolicy[] = [];
  for (const policy of snapshot.policies) {
    const namespace = policy.metadata.namespace;
    const context: PeerContext = { policyNamespace: namespace, resolvePods };
    const directions = policyDirections(policy);
    const entry: CompiledPolicy = {
      id: `${namespace}/${policy.metadata.name}`,
      namespace,
      selects: compileSelector(policy.spec.podSelector),
      ingress: directions.ingress ? compileRules(policy.spec.ingress, (i) => policy.spec.ingress?.[i]?.from, context) : undefined,
      egress: directions.egress ? compileRules(policy.spec.egress, (i) => policy.spec.egress?.[i]?.to, context) : undefined,
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
  return { policies: compiled, policiesByNamespace, ingressByPod, egressByPod, podIndexByKey, podIndexByName, podIndexByIp, nodeByIp, namespaceLabels };
}
