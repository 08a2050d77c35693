// Explanation of a blocked path with the NetworkPolicy engine over a snapshot (or the live
// inventory): which policies isolate the dropping side(s) and that no rule of them admits the
// path. When the snapshot's policies allow the path, that is said too: the drop then came from a
// policy the snapshot lacks (a newer change, or a CiliumNetworkPolicy / Calico policy).
import type { EdgePeer } from '../flows/edge.js';
import type { Decision, DirectionDecision, PolicyEngine, QueryEndpoint } from '../policy/engine.js';
import type { ClusterSnapshot, PodInfo, PolicyProtocol } from '../policy/model.js';
import type { DecidingRule } from '../policy/policy-family.js';
import type { BlockedPath } from './types.js';

export interface DirectionExplanation {
  readonly allowed: boolean;
  readonly isolated: boolean;
  readonly isolatedBy: readonly string[];
  readonly reason: string;
  /** The object and rule that decided, when a policy family or cluster tier says (see policy-family.ts). */
  readonly decidedBy?: DecidingRule;
}

export type Explanation =
  | {
      readonly evaluated: true;
      readonly verdict: 'allow' | 'deny';
      /** The sides that deny: egress (the source's policies), ingress (the destination's). */
      readonly denyingSides: readonly ('egress' | 'ingress')[];
      readonly egress: DirectionExplanation;
      readonly ingress: DirectionExplanation;
      readonly summary: string;
    }
  | { readonly evaluated: false; readonly summary: string };

/**
 * A snapshot's pod-network pods by namespace, in snapshot order: the caller builds one per
 * snapshot (its pods) and passes it to the lookups below. Scanning every pod for each path made
 * the drops report and the doctor quadratic (minutes at 15,000 pods and 100,000 edges).
 */
export class PeerPods {
  private readonly byNamespace = new Map<string, PodInfo[]>();
  /** Per namespace: the position (in inNamespace's list) of each workload's first pod and of each pod name. */
  private readonly positions = new Map<
    string,
    { readonly workloads: Map<string, number>; readonly names: Map<string, number> }
  >();

  constructor(readonly pods: ClusterSnapshot['pods']) {
    for (const pod of pods) {
      if (pod.hostNetwork) continue;
      let list = this.byNamespace.get(pod.namespace);
      if (list === undefined) this.byNamespace.set(pod.namespace, (list = []));
      let at = this.positions.get(pod.namespace);
      if (at === undefined)
        this.positions.set(pod.namespace, (at = { workloads: new Map(), names: new Map() }));
      if (!at.workloads.has(pod.workload.name)) at.workloads.set(pod.workload.name, list.length);
      if (!at.names.has(pod.name)) at.names.set(pod.name, list.length);
      list.push(pod);
    }
  }

  inNamespace(namespace: string): readonly PodInfo[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /**
   * `podsOfPeer(…)[0]` without the scan: the first pod of the namespace, in snapshot order, that
   * belongs to `workload` or is named in `samplePods` (once per side of every evaluated path).
   */
  first(namespace: string, workload: string | undefined, samplePods: readonly string[]): PodInfo | undefined {
    const at = this.positions.get(namespace);
    if (at === undefined) return undefined;
    let best = workload !== undefined ? (at.workloads.get(workload) ?? Infinity) : Infinity;
    for (const name of samplePods) best = Math.min(best, at.names.get(name) ?? Infinity);
    return best === Infinity ? undefined : this.byNamespace.get(namespace)?.[best];
  }
}

/** The snapshot pods of a workload peer (same namespace, same owning workload name); `index` of the same pods when the caller has one. */
export function podsOfPeer(
  snapshot: ClusterSnapshot,
  peer: EdgePeer,
  samplePods: readonly string[] = [],
  index?: PeerPods,
): PodInfo[] {
  if (peer.kind !== 'pod' || peer.namespace === undefined) return [];
  const namespace = peer.namespace;
  const candidates =
    index !== undefined && index.pods === snapshot.pods
      ? index.inNamespace(namespace)
      : snapshot.pods.filter((pod) => pod.namespace === namespace && !pod.hostNetwork);
  return candidates.filter(
    (pod) =>
      (peer.workload !== undefined && pod.workload.name === peer.workload) || samplePods.includes(pod.name),
  );
}

/** The engine endpoint for one side of a path, or a reason it cannot be evaluated. */
export function queryEndpointOf(
  snapshot: ClusterSnapshot,
  peer: EdgePeer,
  labels: Readonly<Record<string, string>>,
  samplePods: readonly string[],
  index?: PeerPods,
): QueryEndpoint | string {
  if (peer.kind === 'pod' && peer.namespace !== undefined) {
    const pod =
      index !== undefined && index.pods === snapshot.pods
        ? index.first(peer.namespace, peer.workload, samplePods)
        : podsOfPeer(snapshot, peer, samplePods)[0];
    if (pod !== undefined) return { kind: 'pod', namespace: pod.namespace, name: pod.name };
    return { kind: 'workload', namespace: peer.namespace, labels };
  }
  // The flow source's class (host, remote-node, kube-apiserver …) tells entity and host rules apart.
  if (peer.ip !== undefined) return { kind: 'ip', ip: peer.ip, hint: peer.kind };
  return `the ${peer.kind} endpoint has no address to evaluate`;
}

export function isPolicyProtocol(protocol: string): protocol is PolicyProtocol {
  return protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP';
}

function direction(d: DirectionDecision): DirectionExplanation {
  return {
    allowed: d.allowed,
    isolated: d.isolated,
    isolatedBy: d.isolatedBy,
    reason: d.reason,
    ...(d.decidedBy !== undefined ? { decidedBy: d.decidedBy } : {}),
  };
}

/**
 * `evaluatePath(…).verdict === 'allow'` without building the decision (the engine's isAllowed),
 * undefined where evaluatePath answers why the path cannot be evaluated: for callers that need
 * the decision of the denied paths only.
 */
export function isPathAllowed(
  engine: PolicyEngine,
  path: BlockedPath,
  index?: PeerPods,
): boolean | undefined {
  if (path.port === null || !isPolicyProtocol(path.protocol)) return undefined;
  const from = queryEndpointOf(engine.snapshot, path.source, path.sourceLabels, path.sourcePods, index);
  const to = queryEndpointOf(
    engine.snapshot,
    path.destination,
    path.destinationLabels,
    path.destinationPods,
    index,
  );
  if (typeof from === 'string' || typeof to === 'string') return undefined;
  try {
    return engine.isAllowed({ from, to, port: path.port, protocol: path.protocol });
  } catch {
    return undefined;
  }
}

/** The engine's decision for a path; `index`: the snapshot's pods by namespace (PeerPods), when the caller keeps one. */
export function evaluatePath(engine: PolicyEngine, path: BlockedPath, index?: PeerPods): Decision | string {
  if (path.port === null || !isPolicyProtocol(path.protocol)) {
    return `${path.protocol} without a port is outside what NetworkPolicy can express (it selects TCP, UDP and SCTP ports)`;
  }
  const from = queryEndpointOf(engine.snapshot, path.source, path.sourceLabels, path.sourcePods, index);
  const to = queryEndpointOf(
    engine.snapshot,
    path.destination,
    path.destinationLabels,
    path.destinationPods,
    index,
  );
  if (typeof from === 'string') return `source: ${from}`;
  if (typeof to === 'string') return `destination: ${to}`;
  try {
    return engine.evaluate({ from, to, port: path.port, protocol: path.protocol });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function explainPath(engine: PolicyEngine, path: BlockedPath, index?: PeerPods): Explanation {
  const decision = evaluatePath(engine, path, index);
  if (typeof decision === 'string') return { evaluated: false, summary: `not evaluated: ${decision}` };
  const denyingSides: ('egress' | 'ingress')[] = [];
  if (!decision.egress.allowed) denyingSides.push('egress');
  if (!decision.ingress.allowed) denyingSides.push('ingress');
  const summary =
    decision.verdict === 'allow'
      ? "the snapshot's NetworkPolicies allow this path: the drop came from a policy the snapshot does not have (a later change, or a Cilium/Calico policy)"
      : denyingSides
          .map((side) => (side === 'egress' ? decision.egress.reason : decision.ingress.reason))
          .join('; ');
  return {
    evaluated: true,
    verdict: decision.verdict,
    denyingSides,
    egress: direction(decision.egress),
    ingress: direction(decision.ingress),
    summary,
  };
}

/** The Admin-tier Deny rules that decided the denying side(s): no NetworkPolicy can override them. */
export function adminDeniesOf(explanation: Explanation | undefined): NonNullable<DecidingRule['cluster']>[] {
  if (explanation?.evaluated !== true) return [];
  return explanation.denyingSides.flatMap((side) => {
    const by = explanation[side].decidedBy?.cluster;
    return by !== undefined && by.tier === 'Admin' && by.action === 'Deny' ? [by] : [];
  });
}

/** The policies isolating the denying side(s) per the engine, then those the data source named. */
export function deniedByOf(path: BlockedPath, explanation: Explanation | undefined): string[] {
  const out = new Set<string>();
  if (explanation?.evaluated === true) {
    for (const side of explanation.denyingSides)
      for (const name of explanation[side].isolatedBy) out.add(name);
  }
  for (const name of path.deniedBy) out.add(name);
  return [...out];
}
