// Cilium's policy decision for one direction of one endpoint, over CiliumNetworkPolicies,
// CiliumClusterwideNetworkPolicies and the Kubernetes NetworkPolicies Cilium enforces alongside
// them (docs.cilium.io, security/policy): a deny rule that matches wins over every allow, of any
// kind; otherwise an allow rule of any kind admits (union); otherwise the endpoint is denied when
// some policy put the direction into default deny (a Cilium policy with rules for it, unless its
// `enableDefaultDeny` says no, or an isolating NetworkPolicy), and the stage has no opinion when
// nothing did. The subject is a pod (endpointSelector policies and NetworkPolicies) or a node's
// host endpoint (host policies: clusterwide `nodeSelector` rules, host-endpoint.ts), with the same
// deny/allow/default-deny order. Which node a host endpoint is comes from its address (Node
// addresses, hostNetwork pods); when the snapshot cannot tell and host policies exist, the
// direction is not evaluated (NotEvaluatedError) rather than guessed.
import type { CiliumPolicy, CiliumRule, IgnoredObject } from '../cni-objects.js';
import { objectName } from '../cni-objects.js';
import type { ClusterSnapshot, Labels, ServiceInfo } from '../model.js';
import type {
  DirectionQuery,
  FamilyEndpoint,
  PolicyStage,
  RuleRef,
  StageDecision,
} from '../policy-family.js';
import { NO_OPINION, NotEvaluatedError } from '../policy-family.js';
import type { LabelPredicate } from '../selectors.js';
import { compileCiliumSelector } from './cilium-labels.js';
import { CiliumPeers, compileRule, isHostEndpoint, type CompiledRule } from './cilium-rules.js';
import { HOST_FIREWALL_ASSUMPTION, hostEndpointLabels } from './host-endpoint.js';

/** The NetworkPolicy side of one direction, computed by the NetworkPolicy engine. */
export type NetworkPolicyView = (query: DirectionQuery) => {
  readonly isolatedBy: readonly string[];
  readonly allowedBy: readonly RuleRef[];
};

interface CompiledPolicy {
  readonly id: string;
  /** A host policy: `selects` matches host endpoint labels, never a pod's. */
  readonly host: boolean;
  /** A host policy whose nodeSelector is `{}`: it selects every node, whatever its labels. */
  readonly everyNode: boolean;
  readonly selects: LabelPredicate;
  readonly sections: {
    readonly [K in 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny']: readonly CompiledRule[];
  };
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
}

interface IgnoredHost {
  readonly id: string;
  readonly reason: string;
  readonly selects: LabelPredicate;
}

const NO_NETWORK_POLICY = { isolatedBy: [], allowedBy: [] } as const;
// Shared, never mutated: a decision per query must not allocate them.
const NO_NOTES: readonly string[] = Object.freeze([]);
const HOST_NOTES: readonly string[] = Object.freeze([HOST_FIREWALL_ASSUMPTION]);

function compilePolicy(policy: CiliumPolicy, services: ReadonlyMap<string, ServiceInfo>): CompiledPolicy {
  const compile = (rules: readonly CiliumRule[] | undefined) =>
    (rules ?? []).map((r, i) => compileRule(r, i, policy.namespace, services));
  const sections = {
    ingress: compile(policy.ingress),
    egress: compile(policy.egress),
    ingressDeny: compile(policy.ingressDeny),
    egressDeny: compile(policy.egressDeny),
  };
  const hasIngress = sections.ingress.length > 0 || sections.ingressDeny.length > 0;
  const hasEgress = sections.egress.length > 0 || sections.egressDeny.length > 0;
  const node = policy.nodeSelector;
  return {
    id: `${objectName(policy)}${policy.specIndex !== undefined ? ` specs[${policy.specIndex}]` : ''}`,
    host: node !== undefined,
    everyNode:
      node !== undefined &&
      Object.keys(node.matchLabels ?? {}).length === 0 &&
      (node.matchExpressions ?? []).length === 0,
    selects:
      node !== undefined
        ? compileCiliumSelector(node, undefined)
        : compileCiliumSelector(policy.endpointSelector, policy.namespace),
    sections,
    defaultDeny: {
      ingress: hasIngress && policy.enableDefaultDeny.ingress !== false,
      egress: hasEgress && policy.enableDefaultDeny.egress !== false,
    },
  };
}

export class CiliumStage implements PolicyStage {
  readonly name = 'cilium';
  private readonly peers: CiliumPeers;
  private readonly podPolicies: CompiledPolicy[];
  private readonly hostPolicies: CompiledPolicy[];
  /** By pod index: the policies whose endpointSelector selects the pod. */
  private readonly byPod: (readonly CompiledPolicy[])[];
  /** By node name (the snapshot's Nodes): the host policies that select its host endpoint. */
  private readonly byNode = new Map<string, readonly CompiledPolicy[]>();
  /** Host policies the engine ignored (fromNodes, ICMP …): a host endpoint they select is not evaluated. */
  private readonly ignoredHosts: readonly IgnoredHost[];
  private readonly ignoredByNode = new Map<string, readonly IgnoredHost[]>();

  constructor(
    snapshot: ClusterSnapshot,
    policies: readonly CiliumPolicy[],
    private readonly networkPolicies: NetworkPolicyView,
    ignored: readonly IgnoredObject[] = [],
  ) {
    const services = new Map(snapshot.services.map((s) => [`${s.namespace}/${s.name}`, s]));
    const compiled = policies.map((p) => compilePolicy(p, services));
    this.podPolicies = compiled.filter((p) => !p.host);
    this.hostPolicies = compiled.filter((p) => p.host);
    this.peers = new CiliumPeers(snapshot);
    this.byPod = snapshot.pods.map((pod, index) => {
      if (pod.hostNetwork) return [];
      const labels = this.peers.labelsOfPod(index);
      return this.podPolicies.filter((p) => p.selects(labels));
    });
    this.ignoredHosts = ignored.flatMap((o): IgnoredHost[] =>
      o.appliesTo.kind === 'cilium-nodes'
        ? [
            {
              id: objectName(o),
              reason: o.reason,
              selects: compileCiliumSelector(o.appliesTo.selector, undefined),
            },
          ]
        : [],
    );
    if (this.hostPolicies.length > 0 || this.ignoredHosts.length > 0)
      for (const node of snapshot.nodes) {
        const labels = hostEndpointLabels(node.labels ?? {});
        this.byNode.set(
          node.name,
          this.hostPolicies.filter((p) => p.selects(labels)),
        );
        this.ignoredByNode.set(
          node.name,
          this.ignoredHosts.filter((p) => p.selects(labels)),
        );
      }
  }

  private policiesOf(subject: FamilyEndpoint): readonly CompiledPolicy[] {
    const r = subject.resolved;
    if (r.kind !== 'pod') return [];
    if (r.podIndex >= 0) return this.byPod[r.podIndex] ?? [];
    const labels = this.peers.labelsOf(subject) as Labels;
    return this.podPolicies.filter((p) => p.selects(labels));
  }

  /** The host policies selecting a host endpoint; throws when which node it is cannot be told. */
  private hostPoliciesOf(subject: FamilyEndpoint): readonly CompiledPolicy[] {
    const node = subject.nodeName;
    const known = node === undefined ? undefined : this.byNode.get(node);
    // An ignored host policy that selects (or, the node unknown, may select) it: not evaluated.
    const ignored =
      known !== undefined && node !== undefined ? (this.ignoredByNode.get(node) ?? []) : this.ignoredHosts;
    if (ignored.length > 0)
      throw new NotEvaluatedError(
        `${node !== undefined ? `the host endpoint of node ${node}` : subject.resolved.display} ${known !== undefined ? 'is' : 'may be'} selected by host policies the engine could not evaluate: ${ignored.map((i) => `${i.id} (${i.reason})`).join('; ')}`,
      );
    if (known !== undefined) return known;
    // A node the snapshot does not list (or an address of no listed node): only `{}` selectors can
    // be judged without its labels.
    if (this.hostPolicies.every((p) => p.everyNode)) return this.hostPolicies;
    const names = this.hostPolicies.map((p) => p.id).join(', ');
    throw new NotEvaluatedError(
      node === undefined
        ? `${subject.resolved.display} is a node's host endpoint (${subject.hint ?? 'node address'}) but the snapshot does not say which node has that address, so the host policies (${names}) cannot be evaluated for it`
        : `the host endpoint of node ${node} cannot be evaluated: the snapshot has no Node ${node} to read its labels from, and host policies (${names}) select nodes by label`,
    );
  }

  decide(query: DirectionQuery): StageDecision {
    const subject = query.subject;
    if (subject.resolved.kind === 'pod')
      return this.decideWith(this.policiesOf(subject), query, this.networkPolicies(query), false);
    if ((this.hostPolicies.length === 0 && this.ignoredHosts.length === 0) || !isHostEndpoint(subject))
      return NO_OPINION;
    const policies = this.hostPoliciesOf(subject);
    return policies.length === 0 ? NO_OPINION : this.decideWith(policies, query, NO_NETWORK_POLICY, true);
  }

  private decideWith(
    policies: readonly CompiledPolicy[],
    query: DirectionQuery,
    np: ReturnType<NetworkPolicyView>,
    host: boolean,
  ): StageDecision {
    const direction = query.direction;
    const denySection = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
    const hostNotes = host ? HOST_NOTES : NO_NOTES;
    for (const policy of policies) {
      for (const rule of policy.sections[denySection]) {
        if (this.peers.ruleMatches(rule, query)) {
          return {
            verdict: 'deny',
            decidedBy: { object: policy.id, rule: `${denySection}[${rule.index}]`, action: 'Deny' },
            isolatedBy: [policy.id],
            allowedBy: [],
            notes: hostNotes,
          };
        }
      }
    }
    const isolatedBy = [...np.isolatedBy];
    const allowedBy = [...np.allowedBy];
    const notes: string[] = [];
    let decidedBy: StageDecision['decidedBy'];
    const first = np.allowedBy[0];
    if (first !== undefined)
      decidedBy = { object: first.policy, rule: `${direction}[${first.rule}]`, action: 'Allow' };
    for (const policy of policies) {
      if (policy.defaultDeny[direction]) isolatedBy.push(policy.id);
      for (const rule of policy.sections[direction]) {
        if (!this.peers.ruleMatches(rule, query)) continue;
        allowedBy.push({ policy: policy.id, rule: rule.index });
        decidedBy ??= { object: policy.id, rule: `${direction}[${rule.index}]`, action: 'Allow' };
        const l7 = (rule.toPorts ?? []).flatMap((p) => p.l7).filter((kind) => kind !== 'dns');
        if (l7.length > 0)
          notes.push(
            `${policy.id} ${direction}[${rule.index}] has L7 rules (${[...new Set(l7)].join(', ')}): L7 not evaluated, the L3/L4 verdict assumes they pass`,
          );
      }
    }
    if (host && (decidedBy !== undefined || isolatedBy.length > 0)) notes.unshift(HOST_FIREWALL_ASSUMPTION);
    if (decidedBy !== undefined) return { verdict: 'allow', decidedBy, isolatedBy, allowedBy, notes };
    if (isolatedBy.length > 0)
      return {
        verdict: 'deny',
        decidedBy: { object: isolatedBy.join(', '), rule: 'default deny', action: 'Deny' },
        isolatedBy,
        allowedBy,
        notes,
      };
    return NO_OPINION;
  }
}
