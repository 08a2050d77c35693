// Calico's (Felix's) policy decision for one direction of one endpoint. Tiers are visited by
// `order` (unset last, ties by name); a tier none of whose policies applies to the endpoint is
// skipped. Inside a tier the applying policies are visited by `order` (unset last, ties by name)
// and their rules in order: the first matching Allow or Deny decides, Pass leaves the tier, Log
// goes on. A tier whose policies applied but matched nothing ends in the tier's default action
// (Deny unless the Tier says Pass). Kubernetes NetworkPolicies are policies of the `default` tier
// at order 1000 named `knp.default.<name>`, made of Allow rules. After the last tier (or when no
// tier applies at all) the namespace profile allows. Staged policies are never enforced (the
// caller promotes them first when asked to).
import type { CalicoPolicy, CalicoRule, CalicoTier } from '../cni-objects.js';
import { objectName } from '../cni-objects.js';
import type { ClusterSnapshot, Labels, NetworkPolicy } from '../model.js';
import type {
  DirectionQuery,
  FamilyEndpoint,
  PolicyStage,
  RuleRef,
  StageDecision,
} from '../policy-family.js';
import { NO_OPINION } from '../policy-family.js';
import type { NetworkPolicyView } from '../cilium/cilium-stage.js';
import { compileCalicoRule, type CompiledCalicoRule, type CalicoMatchContext } from './calico-rule.js';
import { parseCalicoSelector, type CalicoPredicate } from './selector.js';

export const DEFAULT_TIER_ORDER = 1_000_000;
const KNP_ORDER = 1000;
const NAMESPACE_KEY = 'projectcalico.org/namespace';
const SERVICE_ACCOUNT_KEY = 'projectcalico.org/serviceaccount';
const ORCHESTRATOR_KEY = 'projectcalico.org/orchestrator';

interface CompiledCalicoPolicy {
  readonly kind: 'calico';
  /** By snapshot pod index: 1 when the policy applies to the pod (selection precomputed). */
  readonly selected: Uint8Array;
  readonly id: string;
  readonly order: number;
  readonly sortName: string;
  readonly namespace: string | undefined;
  readonly selects: (endpoint: FamilyEndpoint) => boolean;
  readonly ingress: readonly CompiledCalicoRule[] | undefined;
  readonly egress: readonly CompiledCalicoRule[] | undefined;
}

interface KnpEntry {
  readonly kind: 'knp';
  readonly id: string;
  readonly namespace: string;
  readonly order: number;
  readonly sortName: string;
}

type TierEntry = CompiledCalicoPolicy | KnpEntry;

interface CompiledTier {
  readonly name: string;
  readonly defaultAction: 'Deny' | 'Pass';
  readonly entries: readonly TierEntry[];
}

export function calicoLabelsOf(
  labels: Labels,
  namespace: string,
  serviceAccount: string | undefined,
): Labels {
  return {
    ...labels,
    [NAMESPACE_KEY]: namespace,
    [ORCHESTRATOR_KEY]: 'k8s',
    ...(serviceAccount !== undefined ? { [SERVICE_ACCOUNT_KEY]: serviceAccount } : {}),
  };
}

export function calicoNamespaceLabelsOf(labels: Labels, namespace: string): Labels {
  return { ...labels, 'projectcalico.org/name': namespace };
}

function predicate(text: string | undefined): CalicoPredicate | undefined {
  if (text === undefined) return undefined;
  const parsed = parseCalicoSelector(text);
  // Selectors were validated when the object was read; an unparsable one here selects nothing.
  return parsed.ok ? parsed.matches : () => false;
}

function compareEntries(
  a: { order: number; sortName: string },
  b: { order: number; sortName: string },
): number {
  if (a.order !== b.order) return a.order - b.order;
  return a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0;
}

export class CalicoStage implements PolicyStage {
  readonly name = 'calico';
  private readonly tiers: readonly CompiledTier[];
  private readonly context: CalicoContext;
  /** By pod index and direction: the tiers with the entries that can apply to the pod. */
  private readonly perPod = new Map<number, readonly CompiledTier[]>();

  constructor(
    snapshot: ClusterSnapshot,
    policies: readonly CalicoPolicy[],
    tiers: readonly CalicoTier[],
    networkPolicies: readonly NetworkPolicy[],
    private readonly npView: NetworkPolicyView,
  ) {
    this.context = new CalicoContext(snapshot);
    const tierList = new Map<string, CalicoTier>([
      ['default', { name: 'default', order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' }],
    ]);
    for (const tier of tiers)
      tierList.set(
        tier.name,
        tier.name === 'default' ? { ...tier, order: tier.order ?? DEFAULT_TIER_ORDER } : tier,
      );
    const entriesByTier = new Map<string, TierEntry[]>();
    for (const policy of policies) {
      if (!tierList.has(policy.tier)) continue; // parse-time: reported as ignored by the engine
      const list = entriesByTier.get(policy.tier) ?? [];
      list.push(this.compilePolicy(policy, snapshot));
      entriesByTier.set(policy.tier, list);
    }
    const defaults = entriesByTier.get('default') ?? [];
    for (const np of networkPolicies) {
      defaults.push({
        kind: 'knp',
        id: `${np.metadata.namespace}/${np.metadata.name}`,
        namespace: np.metadata.namespace,
        order: KNP_ORDER,
        sortName: `knp.default.${np.metadata.name}`,
      });
    }
    entriesByTier.set('default', defaults);
    this.tiers = [...tierList.values()]
      .map((t) => ({ order: t.order ?? Number.POSITIVE_INFINITY, sortName: t.name, tier: t }))
      .sort(compareEntries)
      .map(({ tier }) => ({
        name: tier.name,
        defaultAction: tier.defaultAction,
        entries: (entriesByTier.get(tier.name) ?? []).sort(compareEntries),
      }));
  }

  private compilePolicy(policy: CalicoPolicy, snapshot: ClusterSnapshot): CompiledCalicoPolicy {
    const selector = predicate(policy.selector) as CalicoPredicate;
    const namespaceSelector = predicate(policy.namespaceSelector);
    const namespace = policy.namespace;
    const context = this.context;
    const selects = (endpoint: FamilyEndpoint): boolean => {
      const r = endpoint.resolved;
      if (r.kind !== 'pod') return false;
      if (namespace !== undefined && r.namespace !== namespace) return false;
      if (namespaceSelector !== undefined && !namespaceSelector(context.namespaceLabelsOf(r.namespace)))
        return false;
      return selector(context.podLabelsOf(endpoint));
    };
    const selected = new Uint8Array(snapshot.pods.length);
    snapshot.pods.forEach((pod, index) => {
      if (pod.hostNetwork || (namespace !== undefined && pod.namespace !== namespace)) return;
      if (namespaceSelector !== undefined && !namespaceSelector(context.namespaceLabelsOf(pod.namespace)))
        return;
      if (selector(context.labelsOfPod(index))) selected[index] = 1;
    });
    const compile = (rules: readonly CalicoRule[]) =>
      rules.map((rule, index) => compileCalicoRule(rule, index, namespace, context));
    return {
      kind: 'calico',
      id: objectName(policy),
      order: policy.order ?? Number.POSITIVE_INFINITY,
      sortName: policy.name,
      namespace,
      selects,
      selected,
      ingress: policy.types.includes('Ingress') ? compile(policy.ingress) : undefined,
      egress: policy.types.includes('Egress') ? compile(policy.egress) : undefined,
    };
  }

  /** The tiers and entries that can apply to the subject in this direction (cached per pod). */
  private tiersFor(subject: FamilyEndpoint, direction: 'ingress' | 'egress'): readonly CompiledTier[] {
    const r = subject.resolved;
    if (r.kind !== 'pod') return [];
    const key = r.podIndex * 2 + (direction === 'ingress' ? 0 : 1);
    if (r.podIndex >= 0) {
      const cached = this.perPod.get(key);
      if (cached !== undefined) return cached;
    }
    const out: CompiledTier[] = [];
    for (const tier of this.tiers) {
      const entries = tier.entries.filter((entry) => {
        if (entry.kind === 'knp') return entry.namespace === r.namespace;
        if (entry[direction] === undefined) return false;
        return r.podIndex >= 0 ? entry.selected[r.podIndex] === 1 : entry.selects(subject);
      });
      if (entries.length > 0) out.push({ ...tier, entries });
    }
    if (r.podIndex >= 0) this.perPod.set(key, out);
    return out;
  }

  decide(query: DirectionQuery): StageDecision {
    const subject = query.subject;
    if (subject.resolved.kind !== 'pod') return NO_OPINION;
    const direction = query.direction;
    const tiers = this.tiersFor(subject, direction);
    if (tiers.length === 0) return NO_OPINION;
    let np: { readonly isolatedBy: readonly string[]; readonly allowedBy: readonly RuleRef[] } | undefined;
    const isolatedBy: string[] = [];
    const notes: string[] = [];
    let passed = false;
    for (const tier of tiers) {
      let applied = false;
      let passTier = false;
      for (const entry of tier.entries) {
        if (entry.kind === 'knp') {
          const view = (np ??= this.npView(query));
          if (!view.isolatedBy.includes(entry.id)) continue;
          applied = true;
          isolatedBy.push(entry.id);
          const hit = view.allowedBy.find((ref) => ref.policy === entry.id);
          if (hit !== undefined) {
            return {
              verdict: 'allow',
              decidedBy: { object: entry.id, rule: `${direction}[${hit.rule}]`, action: 'Allow' },
              isolatedBy,
              allowedBy: [hit],
              notes,
            };
          }
          continue;
        }
        const rules = entry[direction];
        if (rules === undefined) continue;
        applied = true;
        isolatedBy.push(entry.id);
        for (const rule of rules) {
          if (!rule.matches(query)) continue;
          if (rule.l7)
            notes.push(
              `${entry.id} ${direction}[${rule.index}] has an http match: L7 not evaluated, the L3/L4 verdict assumes it matches`,
            );
          if (rule.action === 'Log') continue;
          const decidedBy = { object: entry.id, rule: `${direction}[${rule.index}]`, action: rule.action };
          if (rule.action === 'Allow')
            return {
              verdict: 'allow',
              decidedBy,
              isolatedBy,
              allowedBy: [{ policy: entry.id, rule: rule.index }],
              notes,
            };
          if (rule.action === 'Deny') return { verdict: 'deny', decidedBy, isolatedBy, allowedBy: [], notes };
          // A Pass is not a note: it is on the hot path of every tiered cluster (no string per query).
          passTier = true;
          break;
        }
        if (passTier) break;
      }
      if (!applied || passTier) {
        passed ||= passTier;
        continue;
      }
      if (tier.defaultAction === 'Deny') {
        return {
          verdict: 'deny',
          decidedBy: {
            object: `tier ${tier.name}`,
            rule: 'end of tier (default action Deny)',
            action: 'Deny',
          },
          isolatedBy,
          allowedBy: [],
          notes,
        };
      }
      passed = true;
    }
    if (isolatedBy.length === 0) return NO_OPINION;
    // Every applying tier passed (or ended in Pass): Calico's namespace profile allows.
    return { verdict: passed ? 'pass' : 'none', decidedBy: undefined, isolatedBy, allowedBy: [], notes };
  }
}

/** What a Calico rule needs of the snapshot: namespace and pod labels (cached), services. */
class CalicoContext implements CalicoMatchContext {
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly calicoNamespaceLabels = new Map<string, Labels>();
  private readonly podLabels: (Labels | undefined)[];
  readonly services: ClusterSnapshot['services'];
  constructor(private readonly snapshot: ClusterSnapshot) {
    for (const ns of snapshot.namespaces) this.namespaceLabels.set(ns.name, ns.labels);
    this.services = snapshot.services;
    this.podLabels = new Array<Labels | undefined>(snapshot.pods.length);
  }
  namespaceLabelsOf(namespace: string): Labels {
    let labels = this.calicoNamespaceLabels.get(namespace);
    if (labels === undefined) {
      labels = calicoNamespaceLabelsOf(
        this.namespaceLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace },
        namespace,
      );
      // Bounded by the snapshot's namespaces plus those queries name (workload endpoints).
      if (this.calicoNamespaceLabels.size < 100_000) this.calicoNamespaceLabels.set(namespace, labels);
    }
    return labels;
  }
  labelsOfPod(index: number): Labels {
    let labels = this.podLabels[index];
    if (labels === undefined) {
      const pod = this.snapshot.pods[index];
      labels = pod === undefined ? {} : calicoLabelsOf(pod.labels, pod.namespace, pod.serviceAccount);
      this.podLabels[index] = labels;
    }
    return labels;
  }
  podLabelsOf(endpoint: FamilyEndpoint): Labels {
    const r = endpoint.resolved;
    if (r.kind !== 'pod') return {};
    if (r.podIndex >= 0) return this.labelsOfPod(r.podIndex);
    return calicoLabelsOf(r.labels, r.namespace, endpoint.serviceAccount);
  }
}
