// Cilium label lists (and security identities) → Kubernetes pod labels and the endpoint kind they
// imply (formats.md §1.4). Only `k8s:` labels are pod labels (prefix stripped); Cilium's own
// `io.cilium.k8s.*` keys and `io.kubernetes.pod.namespace` are dropped; `reserved:` labels and
// reserved identities name the kind; `cidr:`/`fqdn:` identities are outside the cluster (world).
import type { EndpointKind } from './flow.js';
import { addLabel, type DropCounter } from './bounds.js';
import { Invalid } from './invalid.js';

/** Reserved identities (formats.md §1.4) → kind. */
const KIND_BY_IDENTITY: readonly (EndpointKind | undefined)[] = [
  undefined,
  'host',
  'world',
  'unmanaged',
  'health',
  'init',
  'remote-node',
  'kube-apiserver',
  'ingress',
  'world',
  'world',
];
/** Identities with bit 24 set are node-local CIDR/FQDN identities: addresses outside the cluster. */
const LOCAL_IDENTITY_MIN = 1 << 24;

/** `reserved:` label names → kind. */
const KIND_BY_RESERVED = new Map<string, EndpointKind>([
  ['kube-apiserver', 'kube-apiserver'],
  ['host', 'host'],
  ['remote-node', 'remote-node'],
  ['world', 'world'],
  ['world-ipv4', 'world'],
  ['world-ipv6', 'world'],
  ['health', 'health'],
  ['ingress', 'ingress'],
  ['init', 'init'],
  ['unmanaged', 'unmanaged'],
]);
/** When an endpoint carries several reserved labels (the API server on a node is both). */
// A pod name outranks init/unmanaged (a pod whose identity is not known yet is still that pod).
export const KIND_PRIORITY: readonly EndpointKind[] = [
  'kube-apiserver',
  'host',
  'remote-node',
  'world',
  'ingress',
  'health',
  'pod',
  'init',
  'unmanaged',
  'cluster',
];

const MAX_LABEL_STRING_CHARS = 400;

export interface LabelInfo {
  readonly raw: readonly unknown[];
  readonly labels: Readonly<Record<string, string>>;
  /** Best kind the labels (and identity) imply, as an index into KIND_PRIORITY; -1 for none. */
  readonly rank: number;
  readonly dropped: number;
}

function rankOf(kind: EndpointKind): number {
  return KIND_PRIORITY.indexOf(kind);
}

export function better(rank: number, kind: EndpointKind): number {
  const r = rankOf(kind);
  return rank < 0 || r < rank ? r : rank;
}

/** Parses a Cilium label list (and identity) into pod labels and the kind they imply. */
function labelInfoOf(
  side: string,
  identity: number | undefined,
  rawLabels: readonly unknown[],
): LabelInfo | Invalid {
  const counter: DropCounter = { dropped: 0 };
  const labels: Record<string, string> = {};
  let count = 0;
  let rank = -1;
  if (identity !== undefined) {
    const reserved = KIND_BY_IDENTITY[identity];
    if (reserved !== undefined) rank = better(rank, reserved);
    else if (identity >= LOCAL_IDENTITY_MIN) rank = better(rank, 'world');
  }
  for (const label of rawLabels) {
    if (typeof label !== 'string') return new Invalid('invalid_field', `${side}.labels holds a non-string`);
    if (label.length > MAX_LABEL_STRING_CHARS) {
      counter.dropped++;
      continue;
    }
    const eq = label.indexOf('=');
    const colon = label.indexOf(':');
    let keyStart = 0;
    if (colon >= 0 && (eq < 0 || colon < eq)) {
      const source = label.slice(0, colon);
      if (source === 'reserved') {
        const reserved = KIND_BY_RESERVED.get(eq < 0 ? label.slice(colon + 1) : label.slice(colon + 1, eq));
        if (reserved !== undefined) rank = better(rank, reserved);
        continue;
      }
      if (source === 'cidr' || source === 'fqdn') {
        rank = better(rank, 'world');
        continue;
      }
      if (source !== 'k8s') continue; // container:, unspec:, any: … are not Kubernetes labels
      keyStart = colon + 1;
    }
    if (eq < 0) continue;
    const key = label.slice(keyStart, eq);
    if (key.startsWith('io.cilium.') || key === 'io.kubernetes.pod.namespace') continue;
    count = addLabel(labels, count, key, label.slice(eq + 1), counter);
  }
  return { raw: rawLabels, labels: Object.freeze(labels), rank, dropped: counter.dropped };
}

// Endpoints of one identity repeat in almost every flow: remember the parsed labels per
// identity and reuse them when the raw label list is identical (checked string by string, so
// a different cluster reusing the number cannot get wrong labels). Bounded; cleared when full.
const LABEL_CACHE_MAX = 4096;

function sameStrings(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function cachedLabelInfo(
  side: string,
  identity: number | undefined,
  rawLabels: readonly unknown[],
  labelCache: Map<number, LabelInfo>,
): LabelInfo | Invalid {
  if (identity === undefined) return labelInfoOf(side, identity, rawLabels);
  const hit = labelCache.get(identity);
  if (hit !== undefined && sameStrings(hit.raw, rawLabels)) return hit;
  const info = labelInfoOf(side, identity, rawLabels);
  if (info instanceof Invalid) return info;
  if (labelCache.size >= LABEL_CACHE_MAX) labelCache.clear();
  labelCache.set(identity, info);
  return info;
}
