// With an inventory, the real controller behind a Goldmane aggregated pod name. Goldmane names a
// set of pods by their GenerateName (`frontend-7d9f8b6c4-`, `db-`); a pod generated from it is
// named that prefix plus a suffix without a dash (five random characters, or a StatefulSet
// ordinal). So the pods of the inventory are indexed by `namespace/prefix`, and the workload is
// the one the inventory derived from the pod's ownerReferences (ReplicaSet → Deployment, Job →
// CronJob), with the pod's labels. The index is rebuilt only when the inventory hands out a new
// snapshot (snapshots are immutable and replaced on change).
import type { ClusterSnapshot, PodInfo } from '../policy/model.js';
import type { AggregatedWorkloadResolver } from './goldmane-flow.js';

const indexes = new WeakMap<ClusterSnapshot, Map<string, PodInfo>>();

function indexOf(snapshot: ClusterSnapshot): Map<string, PodInfo> {
  let index = indexes.get(snapshot);
  if (index === undefined) {
    index = new Map();
    for (const pod of snapshot.pods) {
      const dash = pod.name.lastIndexOf('-');
      if (dash <= 0 || dash === pod.name.length - 1) continue;
      const key = `${pod.namespace}/${pod.name.slice(0, dash + 1)}`;
      if (!index.has(key)) index.set(key, pod);
    }
    indexes.set(snapshot, index);
  }
  return index;
}

/** A resolver reading whatever snapshot `current` returns at the time of each flow. */
export function aggregatedWorkloadResolver(
  current: () => ClusterSnapshot | undefined,
): AggregatedWorkloadResolver {
  return (namespace, prefix) => {
    const snapshot = current();
    if (snapshot === undefined) return undefined;
    const pod = indexOf(snapshot).get(`${namespace}/${prefix}`);
    return pod === undefined ? undefined : { workload: pod.workload, labels: pod.labels };
  };
}
