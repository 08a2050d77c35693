// What the recommender derives from a snapshot's pods alone, built once per pods list and shared
// by every recommendation over the same snapshot: the pods by namespace, by address and by
// workload, the workloads in pod order, and each workload's verified selector (label-choice.ts:
// with the pods of a snapshot the choice depends on those pods only, never on what was observed).
// The doctor asks the recommender once per isolated namespace and the API once per namespace;
// each built all of this again (5,000 workloads' selectors against their namespaces' pods, over a
// second per call at 15,000 pods). The caller that asks many times builds one and passes it in
// (recommendPolicies' `snapshotPods`); it matches any snapshot with the same pods list (a snapshot
// is immutable; `{ ...snapshot, policies }` copies share it).
import type { ClusterSnapshot, PodInfo } from '../policy/model.js';
import { chooseSelector, type SelectorChoice } from './label-choice.js';

export interface SnapshotWorkload {
  readonly namespace: string;
  readonly name: string;
  /** The kind of the workload's first pod in snapshot order. */
  readonly kind: string;
}

const NO_PODS: readonly PodInfo[] = Object.freeze([]);

export class SnapshotPods {
  readonly podsByNamespace = new Map<string, PodInfo[]>();
  /** Pod-network pods by address (a later pod with the same address wins, as before). */
  readonly podByIp = new Map<string, PodInfo>();
  /** Every workload with a pod, in the order of its first pod. */
  readonly workloads: SnapshotWorkload[] = [];
  /** namespace → workload name → its pods, in snapshot order. */
  private readonly byWorkload = new Map<string, Map<string, PodInfo[]>>();
  private readonly selectors = new Map<string, SelectorChoice>();

  constructor(readonly pods: readonly PodInfo[]) {
    for (const pod of pods) {
      let list = this.podsByNamespace.get(pod.namespace);
      if (list === undefined) this.podsByNamespace.set(pod.namespace, (list = []));
      list.push(pod);
      if (!pod.hostNetwork) for (const ip of pod.ips) this.podByIp.set(ip, pod);
      let names = this.byWorkload.get(pod.namespace);
      if (names === undefined) this.byWorkload.set(pod.namespace, (names = new Map<string, PodInfo[]>()));
      let own = names.get(pod.workload.name);
      if (own === undefined) {
        names.set(pod.workload.name, (own = []));
        this.workloads.push({ namespace: pod.namespace, name: pod.workload.name, kind: pod.workload.kind });
      }
      own.push(pod);
    }
  }

  /** The pods of workload `namespace/name`, in snapshot order (shared: never modify). */
  podsOf(namespace: string, name: string): readonly PodInfo[] {
    return this.byWorkload.get(namespace)?.get(name) ?? NO_PODS;
  }

  /**
   * The selector of a workload with pods in the snapshot, verified against every other pod of its
   * namespace; chosen once per snapshot.
   */
  verifiedSelector(namespace: string, name: string): SelectorChoice {
    const key = `${namespace}/${name}`;
    let choice = this.selectors.get(key);
    if (choice === undefined) {
      const own = this.podsOf(namespace, name);
      choice = chooseSelector({
        labels: {},
        workloadPods: own.map((pod) => pod.labels),
        otherPods: (this.podsByNamespace.get(namespace) ?? [])
          .filter((pod) => pod.workload.name !== name)
          .map((pod) => pod.labels),
      });
      this.selectors.set(key, choice);
    }
    return choice;
  }
}

/** `given` when it was built from the snapshot's pods, else a new index of them. */
export function snapshotPods(snapshot: ClusterSnapshot | undefined, given?: SnapshotPods): SnapshotPods {
  const pods = snapshot?.pods ?? NO_PODS;
  return given !== undefined && given.pods === pods ? given : new SnapshotPods(pods);
}
