// The engine over more than one policy family. compileEngine picks what the snapshot needs: the
// NetworkPolicy engine alone when it has nothing else (the fast path, unchanged), else a chain of
// stages (policy-family.ts) asked in order per direction: the CNI's own stage (Cilium: NPs and
// Cilium policies as one union with deny precedence; Calico: tiers, NPs in the default tier), with
// the Admin tier of cluster policies (AdminNetworkPolicy, ClusterNetworkPolicy) before it and the
// Baseline tier after it. `policyStages` is the one place that builds the chain.
import { formatIp } from '../net/ip.js';
import { CalicoStage } from './calico/calico-stage.js';
import { CiliumStage, type NetworkPolicyView } from './cilium/cilium-stage.js';
import { normaliseName } from './cilium/cilium-labels.js';
import { ClusterTierStage } from './cluster/cluster-stage.js';
import { hasClusterPolicies } from './cni-objects.js';
import { effectivePolicies, type EffectivePolicies } from './effective-policies.js';
import {
  Engine,
  type ConnectionQuery,
  type Decision,
  type DirectionDecision,
  type EngineOptions,
  type PolicyEngine,
  type QueryEndpoint,
} from './engine.js';
import type { ClusterSnapshot, PolicyProtocol } from './model.js';
import type { ResolvedEndpoint } from './peers.js';
import {
  combineStages,
  NO_OPINION,
  type DecidingRule,
  type DirectionQuery,
  type FamilyEndpoint,
  type PolicyStage,
  type RuleRef,
  type StageDecision,
} from './policy-family.js';

/** Kubernetes NetworkPolicy semantics as a stage (for chains that hold it on its own). */
export class NetworkPolicyStage implements PolicyStage {
  readonly name = 'networkpolicy';
  constructor(private readonly view: NetworkPolicyView) {}
  decide(query: DirectionQuery): StageDecision {
    const { isolatedBy, allowedBy } = this.view(query);
    if (isolatedBy.length === 0) return NO_OPINION;
    const first = allowedBy[0];
    if (first !== undefined)
      return {
        verdict: 'allow',
        decidedBy: { object: first.policy, rule: `${query.direction}[${first.rule}]`, action: 'Allow' },
        isolatedBy,
        allowedBy,
        notes: [],
      };
    return {
      verdict: 'deny',
      decidedBy: { object: isolatedBy.join(', '), rule: 'default deny', action: 'Deny' },
      isolatedBy,
      allowedBy: [],
      notes: [],
    };
  }
}

function familyStages(effective: EffectivePolicies, view: NetworkPolicyView): PolicyStage[] {
  const { snapshot } = effective;
  const cni = snapshot.cni;
  if (effective.family === 'cilium' && cni !== undefined)
    return [new CiliumStage(snapshot, cni.cilium, view, effective.ignored)];
  if (effective.family === 'calico' && cni !== undefined)
    return [new CalicoStage(snapshot, cni.calico, cni.tiers, snapshot.policies, view)];
  return [new NetworkPolicyStage(view)];
}

/**
 * The ordered stages for a snapshot: the Admin tier of cluster policies (when it has any), the
 * CNI's own family (NetworkPolicies, Cilium, Calico tiers), then the Baseline tier.
 */
export function policyStages(effective: EffectivePolicies, view: NetworkPolicyView): PolicyStage[] {
  const stages = familyStages(effective, view);
  const cluster = effective.snapshot.cni?.clusterPolicies ?? [];
  if (cluster.length === 0) return stages;
  const { snapshot } = effective;
  return [
    ...(cluster.some((p) => p.tier === 'Admin') ? [new ClusterTierStage(snapshot, cluster, 'Admin')] : []),
    ...stages,
    ...(cluster.some((p) => p.tier === 'Baseline')
      ? [new ClusterTierStage(snapshot, cluster, 'Baseline')]
      : []),
  ];
}

function describe(
  direction: 'ingress' | 'egress',
  subjectEndpoint: FamilyEndpoint,
  peer: ResolvedEndpoint,
  port: number,
  protocol: PolicyProtocol,
  final: StageDecision,
): string {
  const resolved = subjectEndpoint.resolved;
  let subject: { display: string } = resolved;
  if (resolved.kind !== 'pod') {
    // A node's host endpoint speaks only when a host policy selected it (Cilium).
    if (final.decidedBy === undefined && final.isolatedBy.length === 0) return resolved.note;
    subject = {
      display: `the host endpoint of node ${subjectEndpoint.nodeName ?? '(unknown)'} (${resolved.display})`,
    };
  }
  const what = `${protocol}/${port} ${direction === 'egress' ? 'to' : 'from'} ${peer.display}`;
  const notes = final.notes.length > 0 ? ` (${final.notes.join('; ')})` : '';
  const by = final.decidedBy;
  if (final.verdict === 'allow' && by !== undefined)
    return `${subject.display}: ${what} is allowed by ${by.object} ${by.rule}${notes}`;
  if (final.verdict === 'deny' && by !== undefined) {
    if (by.rule === 'default deny')
      return `${subject.display} is isolated for ${direction} by ${by.object}; no rule of these admits ${what}${notes}`;
    return `${subject.display}: ${what} is denied by ${by.object} ${by.rule}${notes}`;
  }
  if (final.isolatedBy.length > 0)
    return `${subject.display}: ${what} is allowed: the policies that select it (${final.isolatedBy.join(', ')}) passed it on${notes}`;
  return `${subject.display} is not isolated for ${direction}: no policy selects it for ${direction}, so ${what} is allowed${notes}`;
}

/** A direction decision whose `reason` text is built when first read (batch replays never read it). */
class CombinedDirectionDecision implements DirectionDecision {
  readonly allowed: boolean;
  readonly isolated: boolean;
  readonly isolatedBy: string[];
  readonly allowedBy: RuleRef[];
  declare decidedBy?: DecidingRule;
  declare notes?: string[];
  declare passedBy?: DecidingRule[];
  #reason: string | undefined;
  readonly #explain: () => string;
  constructor(final: StageDecision, explain: () => string) {
    this.allowed = final.verdict !== 'deny';
    this.isolated = final.isolatedBy.length > 0;
    // Stages build fresh arrays per decision (NO_OPINION's are empty): shared, not copied.
    this.isolatedBy = final.isolatedBy.length === 0 ? [] : (final.isolatedBy as string[]);
    this.allowedBy = final.allowedBy.length === 0 ? [] : (final.allowedBy as RuleRef[]);
    if (final.decidedBy !== undefined) this.decidedBy = final.decidedBy;
    if (final.notes.length > 0) this.notes = [...final.notes];
    if (final.passedBy !== undefined) this.passedBy = [...final.passedBy];
    this.#explain = explain;
  }
  get reason(): string {
    return (this.#reason ??= this.#explain());
  }
  toJSON(): DirectionDecision {
    return {
      allowed: this.allowed,
      isolated: this.isolated,
      isolatedBy: this.isolatedBy,
      allowedBy: this.allowedBy,
      reason: this.reason,
      ...(this.decidedBy !== undefined ? { decidedBy: this.decidedBy } : {}),
      ...(this.notes !== undefined ? { notes: this.notes } : {}),
      ...(this.passedBy !== undefined ? { passedBy: this.passedBy } : {}),
    };
  }
}

class CombinedEngine implements PolicyEngine {
  private readonly base: Engine;
  private readonly stages: readonly PolicyStage[];
  private readonly nodeOfIp = new Map<string, string>();
  /** `namespace/name` → node, for the hostNetwork pods (their host endpoint is that node's). */
  private readonly nodeOfPod = new Map<string, string>();

  constructor(
    readonly snapshot: ClusterSnapshot,
    effective: EffectivePolicies,
    options: EngineOptions,
  ) {
    // Cilium never lets an ipBlock/CIDR select a cluster endpoint; Calico nets match pods.
    const ipBlockMatchesPods = options.ipBlockMatchesPods ?? effective.family !== 'cilium';
    this.base = new Engine(snapshot, { ...options, ipBlockMatchesPods }, effective.ignored);
    for (const node of snapshot.nodes) for (const ip of node.ips) this.nodeOfIp.set(ip, node.name);
    for (const pod of snapshot.pods)
      if (pod.hostNetwork && pod.nodeName !== undefined) {
        this.nodeOfPod.set(`${pod.namespace}/${pod.name}`, pod.nodeName);
        for (const ip of pod.ips) if (!this.nodeOfIp.has(ip)) this.nodeOfIp.set(ip, pod.nodeName);
      }
    const view: NetworkPolicyView = (q) => {
      const d = this.base.decide(
        q.direction,
        q.subject.resolved,
        q.peer.resolved,
        q.destination.resolved,
        q.port,
        q.protocol,
      );
      return d.isolated
        ? { isolatedBy: d.isolatedBy, allowedBy: d.allowedBy }
        : { isolatedBy: [], allowedBy: [] };
    };
    this.stages = policyStages(effective, view);
  }

  get ignored() {
    return this.base.ignored;
  }

  private familyEndpoint(query: QueryEndpoint, resolved: ResolvedEndpoint): FamilyEndpoint {
    let nodeName: string | undefined;
    let serviceAccount: string | undefined;
    if (resolved.kind === 'pod' && resolved.podIndex >= 0) {
      const pod = this.snapshot.pods[resolved.podIndex];
      nodeName = pod?.nodeName;
      serviceAccount = pod?.serviceAccount;
    } else if (query.kind === 'pod') {
      // A hostNetwork pod named by the query: its host endpoint is the node it runs on.
      nodeName = this.nodeOfPod.get(`${query.namespace}/${query.name}`);
    }
    if (nodeName === undefined && resolved.kind !== 'pod') {
      // A node address, a hostNetwork pod's address, or a host the flow source classified.
      const ip = resolved.ips[0];
      nodeName = ip === undefined ? undefined : this.nodeOfIp.get(formatIp(ip));
    }
    const names = query.kind === 'ip' ? (query.names ?? []).map(normaliseName) : [];
    const hint = query.kind === 'ip' ? query.hint : undefined;
    return { resolved, names, hint, nodeName, serviceAccount };
  }

  private direction(
    direction: 'ingress' | 'egress',
    from: FamilyEndpoint,
    to: FamilyEndpoint,
    port: number,
    protocol: PolicyProtocol,
  ): StageDecision {
    const subject = direction === 'egress' ? from : to;
    const peer = direction === 'egress' ? to : from;
    return combineStages(this.stages, {
      direction,
      subject,
      peer,
      source: from,
      destination: to,
      port,
      protocol,
    }).final;
  }

  private resolvePair(query: ConnectionQuery): [FamilyEndpoint, FamilyEndpoint] {
    const from = this.base.resolve(query.from);
    const to = this.base.resolve(query.to);
    return [this.familyEndpoint(query.from, from), this.familyEndpoint(query.to, to)];
  }

  evaluate(query: ConnectionQuery): Decision {
    const [from, to] = this.resolvePair(query);
    const toDecision = (direction: 'ingress' | 'egress', final: StageDecision): DirectionDecision => {
      const subject = direction === 'egress' ? from : to;
      const peer = direction === 'egress' ? to.resolved : from.resolved;
      return new CombinedDirectionDecision(final, () =>
        describe(direction, subject, peer, query.port, query.protocol, final),
      );
    };
    const egress = toDecision('egress', this.direction('egress', from, to, query.port, query.protocol));
    const ingress = toDecision('ingress', this.direction('ingress', from, to, query.port, query.protocol));
    return { verdict: egress.allowed && ingress.allowed ? 'allow' : 'deny', egress, ingress };
  }

  isAllowed(query: ConnectionQuery): boolean {
    const [from, to] = this.resolvePair(query);
    return (
      this.direction('egress', from, to, query.port, query.protocol).verdict !== 'deny' &&
      this.direction('ingress', from, to, query.port, query.protocol).verdict !== 'deny'
    );
  }
}

export function compileEngine(snapshot: ClusterSnapshot, options: EngineOptions): PolicyEngine {
  const effective = effectivePolicies(snapshot, options.promoteStaged ?? false);
  if (effective.family === 'k8s' && !hasClusterPolicies(effective.snapshot.cni))
    return new Engine(effective.snapshot, options, effective.ignored);
  return new CombinedEngine(effective.snapshot, effective, options);
}
