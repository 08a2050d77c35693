// What else a fix would open (or close): the simulate-style reachability diff over the snapshot's
// pods. Adding a policy only changes decisions for the pods it selects, so only pairs with a
// selected pod on the policy's side are evaluated, before and after, on the fix's port and every
// container port of the destination. Opened pairs between the blocked path's own workloads are
// the intended effect; anything else is listed as unrelated.
import {
  compilePolicies,
  type EngineOptions,
  type PolicyEngine,
  type QueryEndpoint,
} from '../policy/engine.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo, PolicyProtocol } from '../policy/model.js';
import { matchesSelector } from '../policy/selectors.js';
import { evaluatePath, isPolicyProtocol, podsOfPeer } from './explain.js';
import type { BlockedPath } from './types.js';

export interface ReachChange {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: PolicyProtocol;
}

export interface FixImpact {
  /** The path itself is allowed once the fix is added to the snapshot's policies. */
  readonly pathAllowed: boolean;
  readonly opened: ReachChange[];
  /** Opened pairs that are not the blocked path's own workloads on its port. */
  readonly unrelatedOpened: ReachChange[];
  readonly closed: ReachChange[];
  readonly evaluations: number;
  /** The evaluation budget ran out: the lists are incomplete. */
  readonly truncated: boolean;
}

export const DEFAULT_MAX_EVALUATIONS = 200_000;

type Target = { endpoint: QueryEndpoint; label: string; pod?: PodInfo };

function podTarget(pod: PodInfo): Target {
  return {
    endpoint: { kind: 'pod', namespace: pod.namespace, name: pod.name },
    label: `${pod.namespace}/${pod.name}`,
    pod,
  };
}

function portsFor(destination: Target, port: number, protocol: PolicyProtocol): [number, PolicyProtocol][] {
  const out = new Map<string, [number, PolicyProtocol]>([[`${protocol}/${port}`, [port, protocol]]]);
  for (const cp of destination.pod?.ports ?? [])
    out.set(`${cp.protocol}/${cp.containerPort}`, [cp.containerPort, cp.protocol]);
  return [...out.values()];
}

function allowed(
  engine: PolicyEngine,
  from: QueryEndpoint,
  to: QueryEndpoint,
  port: number,
  protocol: PolicyProtocol,
): boolean {
  try {
    return engine.isAllowed({ from, to, port, protocol });
  } catch {
    return false;
  }
}

export function fixImpact(
  snapshot: ClusterSnapshot,
  path: BlockedPath,
  fix: readonly NetworkPolicy[],
  options: { maxEvaluations?: number; engine?: EngineOptions; before?: PolicyEngine } = {},
): FixImpact {
  // `before`: the caller's engine over the same snapshot (one compile for every path of a report).
  const before = options.before ?? compilePolicies(snapshot, options.engine);
  const after = compilePolicies({ ...snapshot, policies: [...snapshot.policies, ...fix] }, options.engine);
  const decision = evaluatePath(after, path);
  const pathAllowed = typeof decision !== 'string' && decision.verdict === 'allow';
  const budget = options.maxEvaluations ?? DEFAULT_MAX_EVALUATIONS;
  const port = path.port ?? 0;
  const protocol: PolicyProtocol = isPolicyProtocol(path.protocol) ? path.protocol : 'TCP';
  const allPods = snapshot.pods.filter((pod) => !pod.hostNetwork).map(podTarget);
  const sourcePods = new Set(
    podsOfPeer(snapshot, path.source, path.sourcePods).map((p) => `${p.namespace}/${p.name}`),
  );
  const destinationPods = new Set(
    podsOfPeer(snapshot, path.destination, path.destinationPods).map((p) => `${p.namespace}/${p.name}`),
  );
  const isOwnPath = (from: string, to: string, p: number, proto: PolicyProtocol): boolean =>
    p === port &&
    proto === protocol &&
    (sourcePods.has(from) || (path.source.kind !== 'pod' && from === path.source.ip)) &&
    (destinationPods.has(to) || (path.destination.kind !== 'pod' && to === path.destination.ip));

  const pairs = new Map<string, [Target, Target]>();
  const externals: Target[] = [];
  for (const peer of [path.source, path.destination]) {
    if (peer.kind !== 'pod' && peer.ip !== undefined)
      externals.push({ endpoint: { kind: 'ip', ip: peer.ip }, label: peer.ip });
  }
  for (const policy of fix) {
    const selected = allPods.filter(
      (t) =>
        t.pod !== undefined &&
        t.pod.namespace === policy.metadata.namespace &&
        matchesSelector(policy.spec.podSelector, t.pod.labels),
    );
    const egress = policy.spec.policyTypes?.includes('Egress') ?? false;
    const ingress = policy.spec.policyTypes?.includes('Ingress') ?? true;
    for (const subject of selected) {
      for (const other of [...allPods, ...externals]) {
        if (egress) pairs.set(`${subject.label}>${other.label}`, [subject, other]);
        if (ingress) pairs.set(`${other.label}>${subject.label}`, [other, subject]);
      }
    }
  }
  const opened: ReachChange[] = [];
  const unrelatedOpened: ReachChange[] = [];
  const closed: ReachChange[] = [];
  let evaluations = 0;
  let truncated = false;
  outer: for (const [from, to] of pairs.values()) {
    if (from.label === to.label) continue;
    for (const [p, proto] of portsFor(to, port, protocol)) {
      if (evaluations + 2 > budget) {
        truncated = true;
        break outer;
      }
      evaluations += 2;
      const was = allowed(before, from.endpoint, to.endpoint, p, proto);
      const is = allowed(after, from.endpoint, to.endpoint, p, proto);
      if (was === is) continue;
      const change = { from: from.label, to: to.label, port: p, protocol: proto };
      if (is) {
        opened.push(change);
        if (!isOwnPath(from.label, to.label, p, proto)) unrelatedOpened.push(change);
      } else {
        closed.push(change);
      }
    }
  }
  return { pathAllowed, opened, unrelatedOpened, closed, evaluations, truncated };
}
