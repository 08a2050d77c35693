// How the replay names an observed edge's sides to the policy engine: with a snapshot, a workload
// as the pods that made its flows (one per distinct pod shape), else as its pods with the labels
// observed, else its first pod; without a snapshot, as a stand-in carrying the observed labels;
// an address as itself, with the names it was reached by and the class the flow source gave it.
import type { QueryEndpoint } from '../policy/engine.js';
import type { ClusterSnapshot, PodInfo } from '../policy/model.js';
import type { ObservedEdge } from './proposal.js';

/** A workload's pods as the replay sees them: one endpoint per distinct policy-relevant pod shape. */
interface WorkloadPods {
  /** The first pod's endpoint, as a one-element list (shared, never copied). */
  readonly first: readonly QueryEndpoint[];
  /** Set only when the pods differ (labels, service account or ports): pod name → its shape's endpoint. */
  readonly shapes?: ReadonlyMap<string, QueryEndpoint>;
  /** With `shapes`: labels key → that shape's endpoint (a match for the labels observed on an edge). */
  readonly byLabels?: ReadonlyMap<string, QueryEndpoint>;
}

function labelsKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export class EndpointResolver {
  /**
   * namespace → workload → its pods' query endpoints: built once and returned for every edge (no
   * key string or endpoint object per edge when the workload's pods all look alike). Frozen: the
   * engine only reads them.
   */
  private readonly podsOfWorkload = new Map<string, Map<string, WorkloadPods>>();

  constructor(snapshot: ClusterSnapshot | undefined) {
    const grouped = new Map<string, Map<string, PodInfo[]>>();
    for (const pod of snapshot?.pods ?? []) {
      let workloads = grouped.get(pod.namespace);
      if (workloads === undefined) grouped.set(pod.namespace, (workloads = new Map<string, PodInfo[]>()));
      const list = workloads.get(pod.workload.name);
      if (list === undefined) workloads.set(pod.workload.name, [pod]);
      else list.push(pod);
    }
    for (const [namespace, workloads] of grouped) {
      const out = new Map<string, WorkloadPods>();
      this.podsOfWorkload.set(namespace, out);
      for (const [workload, pods] of workloads) out.set(workload, workloadPods(pods));
    }
  }

  /** `names`: the DNS names the edge recorded for this side (Cilium toFQDNs rules match them). */
  endpointOf(
    peer: ObservedEdge['source'],
    labels: Readonly<Record<string, string>>,
    names: readonly string[] = [],
  ): QueryEndpoint | string {
    const endpoints = this.endpointsOf(peer, labels, names);
    return typeof endpoints === 'string' ? endpoints : (endpoints[0] as QueryEndpoint);
  }

  /**
   * The endpoints an edge's side is replayed as. With a snapshot a workload is replayed as its
   * pods that made the observed flows (`pods`, the edge's sample pods), one per distinct pod shape:
   * after a rollout that changed labels, the pods of the old and the new template can meet
   * different policies, and the flows were made by the observed ones. Without an observed pod in
   * the snapshot: the pods with the labels observed on the edge, else the workload's first pod.
   */
  endpointsOf(
    peer: ObservedEdge['source'],
    labels: Readonly<Record<string, string>>,
    names: readonly string[] = [],
    pods: readonly string[] = [],
  ): readonly QueryEndpoint[] | string {
    if (peer.kind === 'pod') {
      if (peer.namespace === undefined || peer.workload === undefined)
        return 'pod without namespace/workload';
      const known = this.podsOfWorkload.get(peer.namespace)?.get(peer.workload);
      if (known === undefined) return [{ kind: 'workload', namespace: peer.namespace, labels }];
      if (known.shapes === undefined) return known.first;
      const observed: QueryEndpoint[] = [];
      for (const pod of pods) {
        const endpoint = known.shapes.get(pod);
        if (endpoint !== undefined && !observed.includes(endpoint)) observed.push(endpoint);
      }
      if (observed.length > 0) return observed;
      const byLabels = known.byLabels?.get(labelsKey(labels));
      return byLabels !== undefined ? [byLabels] : known.first;
    }
    if (peer.ip === undefined) return `${peer.kind} endpoint without an address`;
    // The flow source's class of the address (kube-apiserver, host, remote-node, world) lets
    // entity rules match it even when the snapshot does not list the address.
    return [{ kind: 'ip', ip: peer.ip, ...(names.length > 0 ? { names } : {}), hint: peer.kind }];
  }
}

function workloadPods(pods: readonly PodInfo[]): WorkloadPods {
  const endpointOfPod = (pod: PodInfo): QueryEndpoint =>
    Object.freeze({ kind: 'pod', namespace: pod.namespace, name: pod.name });
  const firstPod = pods[0] as PodInfo;
  const first = Object.freeze([endpointOfPod(firstPod)]);
  // What the policy engines select a pod by: labels, service account, named container ports.
  const shapeOf = (pod: PodInfo): string =>
    `${labelsKey(pod.labels)}|${pod.serviceAccount ?? ''}|${JSON.stringify(pod.ports)}`;
  const shapeEndpoints = new Map<string, QueryEndpoint>([[shapeOf(firstPod), first[0] as QueryEndpoint]]);
  for (const pod of pods)
    if (!shapeEndpoints.has(shapeOf(pod))) shapeEndpoints.set(shapeOf(pod), endpointOfPod(pod));
  if (shapeEndpoints.size === 1) return { first };
  const shapes = new Map<string, QueryEndpoint>();
  const byLabels = new Map<string, QueryEndpoint>();
  for (const pod of pods) {
    const endpoint = shapeEndpoints.get(shapeOf(pod)) as QueryEndpoint;
    shapes.set(pod.name, endpoint);
    if (!byLabels.has(labelsKey(pod.labels))) byLabels.set(labelsKey(pod.labels), endpoint);
  }
  return { first, shapes, byLabels };
}
