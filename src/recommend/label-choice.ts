// Which labels select a workload: stable ones only (never the per-revision or per-pod labels
// controllers stamp on pods), preferring the conventional identity labels. With the pods of a
// snapshot the choice is verified: the selector must pick every pod of the workload and no other
// pod of its namespace; labels are added until it does, and a warning says when it cannot.
import type { Labels } from '../policy/model.js';

/** Labels that change with every rollout, pod or job run: a selector on them breaks tomorrow. */
const VOLATILE_KEYS = new Set([
  'pod-template-hash',
  'rollouts-pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
  'batch.kubernetes.io/job-completion-index',
]);

/** Keys that are not pod labels at all (Cilium's identity-derived labels kept by some parsers). */
const FOREIGN_KEY_PREFIXES = ['io.kubernetes.', 'io.cilium.', 'io.cilium/'];

/** Preference order for the first pick, after the app.kubernetes.io/name group. */
const PREFERRED_KEYS = [
  'app',
  'k8s-app',
  'name',
  'app.kubernetes.io/instance',
  'component',
  'app.kubernetes.io/component',
  'tier',
  'role',
];

const NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes label key syntax: optional DNS-subdomain prefix ≤ 253, `/`, name ≤ 63. */
export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (name.length === 0 || name.length > 63 || !NAME_RE.test(name)) return false;
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  return prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN_RE.test(prefix);
}

/** Kubernetes label value syntax: empty, or ≤ 63 chars of [A-Za-z0-9-_.] starting and ending alphanumeric. */
export function isValidLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME_RE.test(value));
}

export function isVolatileLabel(key: string, value: string): boolean {
  if (VOLATILE_KEYS.has(key)) return true;
  // Jobs spawned by a CronJob are named <cronjob>-<scheduled minute>; the label changes every run.
  if ((key === 'job-name' || key === 'batch.kubernetes.io/job-name') && /-\d{5,}$/.test(value)) return true;
  return FOREIGN_KEY_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** Labels usable in a selector: valid Kubernetes syntax and not volatile. */
export function stableLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key];
    if (
      value === undefined ||
      !isValidLabelKey(key) ||
      !isValidLabelValue(value) ||
      isVolatileLabel(key, value)
    )
      continue;
    out[key] = value;
  }
  return out;
}

/** The key/value pairs present in every label set (an empty input gives an empty result). */
export function commonLabels(sets: readonly Labels[]): Record<string, string> {
  const [first, ...rest] = sets;
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(first)) {
    if (rest.every((set) => set[key] === value)) out[key] = value;
  }
  return out;
}

export function selectorMatches(selector: Labels, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}

function rank(key: string): number {
  if (key === 'app.kubernetes.io/name') return 0;
  const index = PREFERRED_KEYS.indexOf(key);
  return index < 0 ? PREFERRED_KEYS.length + 1 : index + 1;
}

/** Candidate keys in the order they are tried when more labels are needed. */
function orderedKeys(candidates: Labels): string[] {
  return Object.keys(candidates).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function initialPick(candidates: Labels): Record<string, string> {
  const pick: Record<string, string> = {};
  const name = candidates['app.kubernetes.io/name'];
  if (name !== undefined) {
    pick['app.kubernetes.io/name'] = name;
    for (const key of ['app.kubernetes.io/instance', 'app.kubernetes.io/component']) {
      const value = candidates[key];
      if (value !== undefined) pick[key] = value;
    }
    return pick;
  }
  for (const key of PREFERRED_KEYS) {
    const value = candidates[key];
    if (value !== undefined) return { [key]: value };
  }
  // No conventional identity label: every stable label together is the safest guess.
  return { ...candidates };
}

export interface SelectorChoice {
  readonly matchLabels: Readonly<Record<string, string>>;
  /** true: verified against a snapshot; false: verified and not exact; undefined: not verifiable. */
  readonly exact: boolean | undefined;
  readonly warnings: readonly string[];
}

export interface SelectorInput {
  /** Labels seen for the workload's pods (already intersected over observations). */
  readonly labels: Labels;
  /** From a snapshot: the labels of each pod of the workload. */
  readonly workloadPods?: readonly Labels[];
  /** From a snapshot: the labels of every other pod in the same namespace. */
  readonly otherPods?: readonly Labels[];
}

/** Picks the smallest stable selector for a workload, verified against a snapshot when given. */
export function chooseSelector(input: SelectorInput): SelectorChoice {
  const verified = input.workloadPods !== undefined && input.workloadPods.length > 0;
  const candidates = stableLabels(verified ? commonLabels(input.workloadPods ?? []) : input.labels);
  if (Object.keys(candidates).length === 0) {
    return {
      matchLabels: {},
      exact: verified ? false : undefined,
      warnings: ['no stable label identifies this workload; it cannot be selected safely'],
    };
  }
  const pick = initialPick(candidates);
  if (!verified) return { matchLabels: pick, exact: undefined, warnings: [] };
  let others = (input.otherPods ?? []).filter((labels) => selectorMatches(pick, labels));
  for (const key of orderedKeys(candidates)) {
    if (others.length === 0) break;
    if (key in pick) continue;
    const value = candidates[key] as string;
    const remaining = others.filter((labels) => labels[key] === value);
    if (remaining.length === others.length) continue; // adds nothing: keep the selector small
    pick[key] = value;
    others = remaining;
  }
  if (others.length > 0) {
    return {
      matchLabels: pick,
      exact: false,
      warnings: [
        `selector also matches ${others.length} pod(s) of other workloads in the namespace; no stable label tells them apart`,
      ],
    };
  }
  return { matchLabels: pick, exact: true, warnings: [] };
}
