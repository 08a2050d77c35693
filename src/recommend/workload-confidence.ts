// How sure the recommender is of each managed workload's policy: its observation window and
// connection count against the options' minimums, and the warnings about workloads that cannot
// be isolated as observed (never seen, too little seen, no exact selector, host network).
import type { WorkloadObservation } from './proposal.js';
import type { RecommendOptions } from './recommend.js';
import type { Warnings } from './recommend-warnings.js';
import { compareText, type WorkloadIndex } from './workloads.js';

export interface WorkloadConfidence {
  readonly observations: WorkloadObservation[];
  /** Keys of the workloads whose policies are marked low confidence. */
  readonly lowConfidence: Set<string>;
  /** The namespaces that get policies: those with a managed workload. */
  readonly namespaces: Set<string>;
}

export function assessWorkloads(
  index: WorkloadIndex,
  isManaged: (namespace: string) => boolean,
  options: RecommendOptions,
  warnings: Warnings,
): WorkloadConfidence {
  const observations: WorkloadObservation[] = [];
  const lowConfidence = new Set<string>();
  const namespaces = new Set<string>();
  for (const workload of [...index.byKey.values()].sort((a, b) => compareText(a.key, b.key))) {
    if (!isManaged(workload.namespace)) continue;
    namespaces.add(workload.namespace);
    const seen = workload.connections > 0;
    const observedSec = seen
      ? Math.max(0, Math.round((workload.lastSeenMs - workload.firstSeenMs) / 1000))
      : 0;
    const low =
      !seen || observedSec < options.minObservedSec || workload.connections < options.minConnections;
    if (low) lowConfidence.add(workload.key);
    observations.push({
      namespace: workload.namespace,
      name: workload.name,
      kind: workload.kind,
      connections: workload.connections,
      firstSeenMs: seen ? workload.firstSeenMs : Number.NaN,
      lastSeenMs: seen ? workload.lastSeenMs : Number.NaN,
      observedSec,
      lowConfidence: low,
      selector: workload.selector.matchLabels,
      selectorExact: workload.selector.exact,
    });
    if (!seen)
      warnings.add({
        code: 'unobserved-workload',
        namespace: workload.namespace,
        subject: workload.key,
        message: `${workload.kind}/${workload.name} has pods but no observed traffic: the default deny will isolate it completely`,
      });
    else if (low)
      warnings.add({
        code: 'low-confidence',
        namespace: workload.namespace,
        subject: workload.key,
        message: `${workload.kind}/${workload.name} observed for ${observedSec}s with ${workload.connections} connection(s): too little to be sure its policy is complete`,
      });
    for (const message of workload.selector.warnings) {
      warnings.add({
        code:
          workload.selector.exact === false && Object.keys(workload.selector.matchLabels).length > 0
            ? 'selector-not-exact'
            : 'unselectable-workload',
        namespace: workload.namespace,
        subject: workload.key,
        message,
      });
    }
    if (index.isHostNetwork(workload))
      warnings.add({
        code: 'host-network',
        namespace: workload.namespace,
        subject: workload.key,
        message: `${workload.kind}/${workload.name} uses the host network: NetworkPolicy does not isolate it, so it gets no policy of its own`,
      });
  }
  return { observations, lowConfidence, namespaces };
}
