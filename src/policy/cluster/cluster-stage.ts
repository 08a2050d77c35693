// One tier of cluster-scoped policy as an engine stage (policy-family.ts). The Admin tier
// (AdminNetworkPolicy, ClusterNetworkPolicy `tier: Admin`) is asked before NetworkPolicies, the
// Baseline tier (BaselineAdminNetworkPolicy, `tier: Baseline`) after them. Within a tier the
// policies that select the subject are taken in priority order (lower number first) and each
// one's rules for the direction in written order; the first rule whose peer and port match
// decides: Allow/Accept and Deny are final, Pass skips the rest of the tier (stage verdict
// `pass`). No matching rule: no opinion. Policies of equal priority are, by the API, applied in
// an order the implementation picks; we take kind then name and say so in the decision's notes
// whenever a tied policy would have decided differently. A rule with a peer of a field we do not
// know fails closed: an Allow/Accept rule matches nothing, a Deny/Pass rule denies everything.
import type { ClusterSnapshot, Labels } from '../model.js';
import type {
  DecidingRule,
  DirectionQuery,
  FamilyEndpoint,
  PolicyStage,
  StageDecision,
} from '../policy-family.js';
import { NO_OPINION } from '../policy-family.js';
import { compileSelector } from '../selectors.js';
import {
  clusterPeerMatches,
  clusterPortsMatch,
  compileClusterPeer,
  podSetOf,
  type CompiledClusterPeer,
  type PeerUniverse,
} from './cluster-match.js';
import {
  actionVerdict,
  clusterPolicyName,
  type ClusterPolicy,
  type ClusterRule,
  type ClusterTier,
} from './cluster-policy.js';

interface CompiledRule {
  readonly index: number;
  /** The decision's `decidedBy`, built once (a verdict per query must not build strings). */
  readonly decided: DecidingRule;
  /** For a Pass rule: the note the decision carries. */
  readonly passNote: string;
  readonly rule: ClusterRule;
  readonly peers: readonly CompiledClusterPeer[];
  /** A Deny/Pass rule with an unknown peer: denies every connection (fail closed). */
  readonly denyAll: boolean;
  /** An Allow/Accept rule with an unknown peer: matches nothing (fail closed). */
  readonly never: boolean;
}

interface CompiledPolicy {
  readonly policy: ClusterPolicy;
  readonly id: string;
  readonly order: number;
  readonly subjectSet: Uint8Array;
  readonly selectsLabels: (labels: Labels, namespaceLabels: Labels) => boolean;
  readonly rules: { readonly ingress: readonly CompiledRule[]; readonly egress: readonly CompiledRule[] };
}

interface Hit {
  readonly policy: CompiledPolicy;
  readonly rule: CompiledRule;
  readonly verdict: 'allow' | 'deny' | 'pass';
}

/** Tier order: priority, then kind and name (the API leaves ties to the implementation). */
export function tierOrder(policies: readonly ClusterPolicy[]): ClusterPolicy[] {
  const rank = (p: ClusterPolicy) => p.priority ?? 1001;
  return [...policies].sort(
    (a, b) => rank(a) - rank(b) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

export function describeRule(policy: ClusterPolicy, direction: 'ingress' | 'egress', index: number): string {
  const rule = (direction === 'ingress' ? policy.ingress : policy.egress)[index];
  const name = rule?.name !== undefined ? ` ${JSON.stringify(rule.name)}` : '';
  const priority = policy.priority !== undefined ? `, priority ${policy.priority}` : '';
  return `${direction}[${index}]${name} (${policy.tier} tier${priority}, ${rule?.action ?? '?'})`;
}

export class ClusterTierStage implements PolicyStage {
  readonly name: string;
  private readonly policies: readonly CompiledPolicy[];
  private readonly byPod: (readonly CompiledPolicy[])[];
  private readonly nodeLabels: ReadonlyMap<string, Labels>;

  constructor(
    snapshot: ClusterSnapshot,
    policies: readonly ClusterPolicy[],
    readonly tier: ClusterTier,
  ) {
    this.name = `cluster-${tier.toLowerCase()}`;
    const namespaceLabels = new Map(snapshot.namespaces.map((n) => [n.name, n.labels]));
    this.nodeLabels = new Map(snapshot.nodes.map((n) => [n.name, n.labels ?? {}]));
    const universe: PeerUniverse = {
      pods: snapshot.pods.map((p) => ({
        labels: p.labels,
        namespaceLabels: namespaceLabels.get(p.namespace) ?? { 'kubernetes.io/metadata.name': p.namespace },
        hostNetwork: p.hostNetwork,
      })),
      nodeLabels: this.nodeLabels,
    };
    const peerCache = new Map<string, CompiledClusterPeer>();
    const compilePeer = (peer: ClusterRule['peers'][number]): CompiledClusterPeer => {
      const key = JSON.stringify(peer);
      let compiled = peerCache.get(key);
      if (compiled === undefined) {
        compiled = compileClusterPeer(peer, universe);
        peerCache.set(key, compiled);
      }
      return compiled;
    };
    const compileRules = (policy: ClusterPolicy, direction: 'ingress' | 'egress'): CompiledRule[] =>
      policy[direction].map((rule, index) => {
        const unknown = rule.peers.some((p) => p.kind === 'unknown');
        const allow = actionVerdict(rule.action) === 'allow';
        const denyAll = unknown && !allow;
        const verdict = denyAll ? 'deny' : actionVerdict(rule.action);
        const decided: DecidingRule = Object.freeze({
          object: clusterPolicyName(policy),
          rule: describeRule(policy, direction, index),
          action: verdict === 'allow' ? 'Allow' : verdict === 'deny' ? 'Deny' : 'Pass',
          cluster: Object.freeze({
            kind: policy.kind,
            name: policy.name,
            tier: policy.tier,
            priority: policy.priority,
            direction,
            ruleIndex: index,
            ruleName: rule.name,
            action: denyAll ? 'Deny' : rule.action,
          }),
        });
        const passNote = `passed on by ${decided.object} ${decided.rule}${tier === 'Admin' ? ' to NetworkPolicies and the Baseline tier' : ' to the default (allow)'}`;
        return {
          index,
          decided,
          passNote,
          rule,
          peers: rule.peers.map(compilePeer),
          denyAll,
          never: unknown && allow,
        };
      });
    this.policies = tierOrder(policies.filter((p) => p.tier === tier)).map((policy, order) => {
      const s = policy.subject;
      const ns = compileSelector(s.pods !== undefined ? s.pods.namespaceSelector : s.namespaces);
      const pods = s.pods !== undefined ? compileSelector(s.pods.podSelector) : () => true;
      return {
        policy,
        id: clusterPolicyName(policy),
        order,
        subjectSet: podSetOf(universe, ns, pods),
        selectsLabels: (labels, nsLabels) => ns(nsLabels) && pods(labels),
        rules: { ingress: compileRules(policy, 'ingress'), egress: compileRules(policy, 'egress') },
      };
    });
    this.byPod = snapshot.pods.map((_pod, i) => this.policies.filter((p) => p.subjectSet[i] === 1));
  }

  /** The tier's policies in evaluation order. */
  get ordered(): readonly ClusterPolicy[] {
    return this.policies.map((p) => p.policy);
  }

  private policiesOf(subject: FamilyEndpoint): readonly CompiledPolicy[] {
    const r = subject.resolved;
    if (r.kind !== 'pod') return [];
    if (r.podIndex >= 0) return this.byPod[r.podIndex] ?? [];
    return this.policies.filter((p) => p.selectsLabels(r.labels, r.namespaceLabels));
  }

  private ruleMatches(rule: CompiledRule, query: DirectionQuery): boolean {
    if (rule.denyAll) return true;
    if (rule.never) return false;
    const destination = query.destination.resolved;
    if (
      !clusterPortsMatch(
        rule.rule.ports,
        query.port,
        query.protocol,
        destination.kind === 'pod' ? destination.ports : undefined,
      )
    )
      return false;
    for (const peer of rule.peers) if (clusterPeerMatches(peer, query.peer, this.nodeLabels)) return true;
    return false;
  }

  private firstHit(policy: CompiledPolicy, query: DirectionQuery): Hit | undefined {
    for (const rule of policy.rules[query.direction]) {
      if (this.ruleMatches(rule, query))
        return { policy, rule, verdict: rule.denyAll ? 'deny' : actionVerdict(rule.rule.action) };
    }
    return undefined;
  }

  decide(query: DirectionQuery): StageDecision {
    const policies = this.policiesOf(query.subject);
    if (policies.length === 0) return NO_OPINION;
    for (let i = 0; i < policies.length; i++) {
      const policy = policies[i] as CompiledPolicy;
      const hit = this.firstHit(policy, query);
      if (hit !== undefined) return this.decision(hit, policies, query);
    }
    return NO_OPINION;
  }

  private decision(hit: Hit, policies: readonly CompiledPolicy[], query: DirectionQuery): StageDecision {
    const { policy, rule, verdict } = hit;
    const p = policy.policy;
    const notes: string[] = [];
    if (rule.denyAll)
      notes.push(
        `${policy.id} ${query.direction}[${rule.index}] has a peer with no field this version knows (${unknownFields(rule)}): treated as deny-all, as the API says to fail closed`,
      );
    for (const other of policies) {
      if (other === policy || other.policy.priority === undefined || other.policy.priority !== p.priority)
        continue;
      const tied = this.firstHit(other, query);
      if (tied !== undefined && tied.verdict !== verdict) {
        notes.push(
          `${other.id} has the same priority (${p.priority}) and would ${tied.rule.rule.action} this by ${query.direction}[${tied.rule.index}]: the API leaves the order of equal priorities to the implementation`,
        );
      }
    }
    const decidedBy = rule.decided;
    if (verdict === 'pass') {
      notes.push(rule.passNote);
      return { verdict: 'pass', decidedBy, isolatedBy: [], allowedBy: [], notes };
    }
    return {
      verdict,
      decidedBy,
      isolatedBy: verdict === 'deny' ? [policy.id] : [],
      allowedBy: verdict === 'allow' ? [{ policy: policy.id, rule: rule.index }] : [],
      notes,
    };
  }
}

function unknownFields(rule: CompiledRule): string {
  return rule.rule.peers.flatMap((p) => (p.kind === 'unknown' ? p.fields : [])).join(', ') || 'none set';
}
