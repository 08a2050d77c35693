// Cilium's view of an endpoint's labels and its EndpointSelector matching. A pod's identity labels
// are its Kubernetes labels (source `k8s`) plus `io.kubernetes.pod.namespace`, its namespace's
// labels as `io.cilium.k8s.namespace.labels.<key>`, `io.cilium.k8s.policy.serviceaccount` and
// `io.cilium.k8s.policy.cluster`. Selector keys may name a source (`k8s:app`, `any:app`): both
// match a Kubernetes label; other sources (`reserved:`, `cidr:`, `fqdn:`) never match a pod.
import type { CiliumSelector } from '../cni-objects.js';
import type { Labels, LabelSelectorRequirement } from '../model.js';
import { compileSelector, type LabelPredicate } from '../selectors.js';

export const CILIUM_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
/** A key no label map has: where a selector names a non-Kubernetes source. */
const NEVER_KEY = '\u0000not-a-k8s-label';

/** `k8s:app` → `app`; `reserved:host` → a key no pod has. */
export function normaliseKey(key: string): string {
  const colon = key.indexOf(':');
  if (colon < 0) return key;
  const source = key.slice(0, colon);
  if (source === 'k8s' || source === 'any') return key.slice(colon + 1);
  return `${NEVER_KEY}${key}`;
}

function normalise(selector: CiliumSelector): {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
} {
  const matchLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    matchLabels[normaliseKey(key)] = value;
  const matchExpressions = (selector.matchExpressions ?? []).map((r) => ({ ...r, key: normaliseKey(r.key) }));
  return { matchLabels, matchExpressions };
}

/** Whether the selector constrains the pod namespace itself (then a CNP does not add its own). */
export function mentionsNamespace(selector: CiliumSelector): boolean {
  const { matchLabels, matchExpressions } = normalise(selector);
  return (
    Object.hasOwn(matchLabels, CILIUM_NAMESPACE_KEY) ||
    matchExpressions.some((r) => r.key === CILIUM_NAMESPACE_KEY)
  );
}

/**
 * Compiles an EndpointSelector. `namespace`: the namespace a CiliumNetworkPolicy confines it to
 * (undefined: clusterwide, or the selector names a namespace itself).
 */
export function compileCiliumSelector(
  selector: CiliumSelector,
  namespace: string | undefined,
): LabelPredicate {
  const normalised = normalise(selector);
  if (namespace !== undefined) normalised.matchLabels[CILIUM_NAMESPACE_KEY] = namespace;
  return compileSelector(normalised);
}

export function ciliumLabelsOf(
  labels: Labels,
  namespace: string,
  namespaceLabels: Labels,
  serviceAccount: string | undefined,
): Labels {
  const out: Record<string, string> = {
    ...labels,
    [CILIUM_NAMESPACE_KEY]: namespace,
    [CLUSTER_KEY]: 'default',
  };
  for (const [key, value] of Object.entries(namespaceLabels)) out[`${NAMESPACE_LABELS_PREFIX}${key}`] = value;
  if (serviceAccount !== undefined) out[SERVICE_ACCOUNT_KEY] = serviceAccount;
  return out;
}

const DNS_CHARS = '[-a-zA-Z0-9_]';

/** A toFQDNs entry as a test on a lower-case name without the trailing dot. */
export function compileFqdn(entry: {
  readonly matchName?: string;
  readonly matchPattern?: string;
}): (name: string) => boolean {
  if (entry.matchName !== undefined) {
    const want = normaliseName(entry.matchName);
    return (name) => name === want;
  }
  const pattern = normaliseName(entry.matchPattern ?? '');
  // Upstream (pkg/fqdn/matchpattern): a lone `*` matches every name; elsewhere `*` stands for
  // DNS characters within one label, so `*.example.com` does not match `a.b.example.com`.
  if (pattern === '*') return () => true;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join(`${DNS_CHARS}*`);
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
