// The host endpoint as Cilium's host firewall sees it (docs.cilium.io security/host-firewall and
// policy/host; pkg/endpoint InitWithNodeLabels): every node has one endpoint for its host network
// namespace, hostNetwork pods included, with the identity `reserved:host` plus the Node object's
// labels that pass the identity-relevant label filter (pkg/labelsfilter). With Cilium's default
// filter that drops `kubernetes.io/*` (hostname, os, arch), `*beta.kubernetes.io/*`, `k8s.io/*`
// and a few bookkeeping keys, so a nodeSelector on `kubernetes.io/hostname` selects no node.
// Host policies (CiliumClusterwideNetworkPolicy with `nodeSelector`) select host endpoints only;
// endpointSelector policies and NetworkPolicies never do.
import type { Labels } from '../model.js';
import { normaliseKey } from './cilium-labels.js';

/** The key `reserved:host` normalises to: present only on host endpoints. */
const HOST_KEY = normaliseKey('reserved:host');

/**
 * Cilium's default identity label filter (pkg/labelsfilter defaultLabelPrefixCfg): a key is kept
 * unless an ignore pattern matches at its start, or an include pattern matches a longer prefix.
 */
const INCLUDE = [
  /^io\.kubernetes\.pod\.namespace/,
  /^io\.cilium\.k8s\.namespace\.labels/,
  /^app\.kubernetes\.io/,
  /^io\.cilium\.k8s\.policy\.cluster/,
];
const IGNORE = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^annotation.*/,
  /^etcd_node/,
];

function matchLength(patterns: readonly RegExp[], key: string, shortest: boolean): number {
  let best = 0;
  for (const pattern of patterns) {
    const length = pattern.exec(key)?.[0].length;
    if (length === undefined) continue;
    if (best === 0 || (shortest ? length < best : length > best)) best = length;
  }
  return best;
}

/** Whether Cilium's default label filter keeps `key` as identity-relevant. */
export function isIdentityLabel(key: string): boolean {
  const ignored = matchLength(IGNORE, key, true);
  return ignored === 0 || matchLength(INCLUDE, key, false) > ignored;
}

/** The labels a nodeSelector is matched against: the node's identity labels plus `reserved:host`. */
export function hostEndpointLabels(nodeLabels: Labels): Labels {
  const out: Record<string, string> = { [HOST_KEY]: '' };
  for (const [key, value] of Object.entries(nodeLabels)) if (isIdentityLabel(key)) out[key] = value;
  return out;
}

/** Said on every verdict a host policy took part in: the snapshot cannot show the agent's setting. */
export const HOST_FIREWALL_ASSUMPTION =
  'host policies are enforced only with the host firewall enabled (hostFirewall.enabled), which the snapshot cannot show: assumed enabled';
