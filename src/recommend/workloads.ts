// The workloads the recommender reasons about: every pod-backed edge endpoint, keyed by
// namespace/name, with the labels seen for it, how long and how much it was observed, and (with a
// snapshot) its pods. The selector for each is chosen once here (label-choice.ts); what depends
// on the snapshot's pods alone is shared by every recommendation over it (snapshot-workloads.ts).
import type { EdgePeer } from '../flows/edge.js';
import type { ClusterSnapshot, Labels, PodInfo } from '../policy/model.js';
import { chooseSelector, commonLabels, type SelectorChoice } from './label-choice.js';
import { apiServerTargetOf, nodesTargetOf, type PeerTarget } from './peers.js';
import { snapshotPods, type SnapshotPods } from './snapshot-workloads.js';

/** Distinct label sets kept per workload; attacker-controlled, so bounded. */
const MAX_LABEL_SETS = 16;
const MAX_SAMPLE_PODS = 5;

export interface WorkloadInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  kind: string;
  readonly labelSets: Labels[];
  readonly samplePods: Set<string>;
  connections: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Snapshot pods of this workload (empty without a snapshot; shared: never modify). */
  pods: readonly PodInfo[];
  selector: SelectorChoice;
}

export function workloadKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class WorkloadIndex {
  readonly byKey = new Map<string, WorkloadInfo>();
  /** The same workloads as namespace → name → info: lookups without building the key string. */
  private readonly byNamespace = new Map<string, Map<string, WorkloadInfo>>();
  private readonly snapshotIndex: SnapshotPods;

  /** `prepared`: the snapshot's pod index when the caller keeps one (used only if built from the same pods). */
  constructor(
    private readonly snapshot: ClusterSnapshot | undefined,
    prepared?: SnapshotPods,
  ) {
    this.snapshotIndex = snapshotPods(snapshot, prepared);
  }

  get hasSnapshot(): boolean {
    return this.snapshot !== undefined;
  }

  /** With a snapshot: the pod-backed peer an unresolved in-cluster address belongs to. */
  resolveIp(ip: string | undefined): EdgePeer | undefined {
    if (ip === undefined) return undefined;
    const pod = this.snapshotIndex.podByIp.get(ip);
    if (pod === undefined) return undefined;
    return {
      kind: 'pod',
      namespace: pod.namespace,
      workload: pod.workload.name,
      workloadKind: pod.workload.kind,
    };
  }

  /** With a snapshot that lists it: a Calico NetworkSet's (or GlobalNetworkSet's) labels and nets. */
  networkSet(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): { readonly labels: Readonly<Record<string, string>>; readonly nets: readonly string[] } | undefined {
    const found = this.snapshot?.cni?.ignored.find(
      (o) => o.kind === kind && o.name === name && o.namespace === namespace && o.networkSet !== undefined,
    );
    return found?.networkSet;
  }

  /** Records one observation of a pod-backed endpoint. */
  observe(
    peer: EdgePeer,
    labels: Labels,
    pods: readonly string[],
    count: number,
    firstSeenMs: number,
    lastSeenMs: number,
  ): WorkloadInfo | undefined {
    if (peer.kind !== 'pod' || peer.namespace === undefined || peer.workload === undefined) return undefined;
    const info = this.ensure(peer.namespace, peer.workload, peer.workloadKind ?? 'Pod');
    if (
      info.labelSets.length < MAX_LABEL_SETS &&
      hasLabels(labels) &&
      !info.labelSets.some((set) => sameLabels(set, labels))
    ) {
      info.labelSets.push(labels);
    }
    for (const pod of pods) if (info.samplePods.size < MAX_SAMPLE_PODS) info.samplePods.add(pod);
    info.connections += count;
    if (firstSeenMs < info.firstSeenMs) info.firstSeenMs = firstSeenMs;
    if (lastSeenMs > info.lastSeenMs) info.lastSeenMs = lastSeenMs;
    return info;
  }

  /** The workload `namespace/name`, as `byKey.get(workloadKey(namespace, name))`. */
  get(namespace: string, name: string): WorkloadInfo | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  ensure(namespace: string, name: string, kind: string): WorkloadInfo {
    let names = this.byNamespace.get(namespace);
    if (names === undefined) this.byNamespace.set(namespace, (names = new Map<string, WorkloadInfo>()));
    let info = names.get(name);
    if (info === undefined) {
      const key = workloadKey(namespace, name);
      info = {
        key,
        namespace,
        name,
        kind,
        labelSets: [],
        samplePods: new Set(),
        connections: 0,
        firstSeenMs: Number.POSITIVE_INFINITY,
        lastSeenMs: Number.NEGATIVE_INFINITY,
        pods: [],
        selector: { matchLabels: {}, exact: undefined, warnings: [] },
      };
      this.byKey.set(key, info);
      names.set(name, info);
    }
    return info;
  }

  /** Adds the snapshot's workloads that were never observed (so they are flagged, not forgotten). */
  addSnapshotWorkloads(): void {
    if (this.snapshot === undefined) return;
    for (const workload of this.snapshotIndex.workloads)
      this.ensure(workload.namespace, workload.name, workload.kind);
  }

  /**
   * Chooses every workload's selector; call once all observations are in. A workload with pods in
   * the snapshot gets the selector verified against them (the same whatever was observed, so
   * chosen once per snapshot); one without, the labels common to its observations.
   */
  chooseSelectors(): void {
    for (const info of this.byKey.values()) {
      info.pods = this.snapshotIndex.podsOf(info.namespace, info.name);
      if (info.pods.length > 0) {
        info.selector = this.snapshotIndex.verifiedSelector(info.namespace, info.name);
        continue;
      }
      // Sorting makes the intersection and the choice independent of observation order.
      const sets = [...info.labelSets].sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
      info.selector = chooseSelector({ labels: commonLabels(sets) });
    }
  }

  /** True when the workload's pods are known and all use the host network. */
  isHostNetwork(info: WorkloadInfo): boolean {
    return info.pods.length > 0 && info.pods.every((pod) => pod.hostNetwork);
  }

  nodeIpsOf(info: WorkloadInfo): string[] {
    return [...new Set(info.pods.flatMap((pod) => pod.ips))].sort();
  }

  /** Every node address of the snapshot (Node.status.addresses), sorted; empty without a snapshot. */
  nodeAddresses(): readonly string[] {
    if (this.nodeIps === undefined)
      this.nodeIps = [...new Set((this.snapshot?.nodes ?? []).flatMap((node) => node.ips))].sort();
    return this.nodeIps;
  }

  private nodeIps: string[] | undefined;
  private nodes: PeerTarget | undefined;

  /** The shared target admitting every node address (only when the snapshot has nodes). */
  nodesTarget(): PeerTarget {
    if (this.nodes === undefined) this.nodes = nodesTargetOf(this.nodeAddresses());
    return this.nodes;
  }

  /** Every pod of the snapshot (empty without one). */
  snapshotPods(): readonly PodInfo[] {
    return this.snapshot?.pods ?? [];
  }

  /** The endpoints of default/kubernetes (the API server) from the snapshot, sorted. */
  apiServerAddresses(): readonly string[] {
    return this.snapshot?.apiServerAddresses ?? [];
  }

  private apiServer: PeerTarget | undefined;

  /** The shared target admitting every API server endpoint (only when the snapshot has them). */
  apiServerTarget(): PeerTarget {
    if (this.apiServer === undefined) this.apiServer = apiServerTargetOf(this.apiServerAddresses());
    return this.apiServer;
  }

  /** Pods of a namespace from the snapshot. */
  podsIn(namespace: string): readonly PodInfo[] {
    return this.snapshotIndex.podsByNamespace.get(namespace) ?? [];
  }
}

/** `Object.keys(labels).length > 0`, without building the array. */
export function hasLabels(labels: Labels): boolean {
  for (const key in labels) if (Object.hasOwn(labels, key)) return true;
  return false;
}

/** Same own keys with the same values (allocation-free: runs for every observed endpoint). */
function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) continue;
    if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
    count++;
  }
  for (const key in b) if (Object.hasOwn(b, key)) count--;
  return count === 0;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
