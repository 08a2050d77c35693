// Whether a policy object the engine ignored applies to pods a replay went through: then the
// replay's verdicts for those pods may be wrong, and `simulate` says so in its exit status. An
// object whose selector we cannot read (`unknown`) is assumed to select every pod: silence about
// an unmodelled policy is the failure this exists to prevent.
import { calicoLabelsOf } from './calico/calico-stage.js';
import { parseCalicoSelector } from './calico/selector.js';
import { ciliumLabelsOf, compileCiliumSelector } from './cilium/cilium-labels.js';
import type { IgnoredObject } from './cni-objects.js';
import type { Labels } from './model.js';

export interface ReplayedPod {
  readonly namespace: string;
  readonly labels: Labels;
  readonly namespaceLabels: Labels;
  readonly serviceAccount?: string;
}

export interface IgnoredReport extends IgnoredObject {
  /** How many of the replayed pods it selects (or may select). */
  readonly selectsReplayedPods: number;
}

function selector(object: IgnoredObject): ((pod: ReplayedPod) => boolean) | undefined {
  const applies = object.appliesTo;
  // A host policy selects no pod; the engine reports the host paths it meets as not evaluated.
  if (applies.kind === 'none' || applies.kind === 'cilium-nodes') return undefined;
  if (applies.kind === 'unknown') return () => true;
  const namespace = object.namespace;
  if (applies.kind === 'cilium') {
    const matches = compileCiliumSelector(applies.selector, namespace);
    return (pod) =>
      matches(ciliumLabelsOf(pod.labels, pod.namespace, pod.namespaceLabels, pod.serviceAccount));
  }
  const parsed = parseCalicoSelector(applies.selector);
  return (pod) =>
    (namespace === undefined || pod.namespace === namespace) &&
    (!parsed.ok || parsed.matches(calicoLabelsOf(pod.labels, pod.namespace, pod.serviceAccount)));
}

export function reportIgnored(
  ignored: readonly IgnoredObject[],
  pods: readonly ReplayedPod[],
): IgnoredReport[] {
  return ignored.map((object) => {
    const matches = selector(object);
    let count = 0;
    if (matches !== undefined) for (const pod of pods) if (matches(pod)) count++;
    return { ...object, selectsReplayedPods: count };
  });
}

export function formatIgnored(report: IgnoredReport): string {
  const where = report.namespace !== undefined ? `${report.namespace}/` : '';
  const selects =
    report.appliesTo.kind === 'none'
      ? 'selects no pod'
      : report.appliesTo.kind === 'cilium-nodes'
        ? 'selects host endpoints, no pod: the paths to and from them are NOT EVALUATED'
        : report.selectsReplayedPods > 0
          ? `${report.appliesTo.kind === 'unknown' ? 'may select' : 'selects'} ${report.selectsReplayedPods} replayed pod(s)`
          : 'selects no replayed pod';
  return `IGNORED ${report.kind} ${where}${report.name}: ${report.reason} (${selects})`.replace(
    /\p{Cc}/gu,
    '?',
  );
}
