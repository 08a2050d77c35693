// The recommender's last step: nothing is proposed that the API server would refuse. Flow data is
// stored as seen, and a forged or damaged flow log can name a namespace `' OR 1=1 --` or carry a
// label value of 100,000 characters; a policy built from it would fail `kubectl apply` (and a
// namespace name is also a file name in `recommend --out`). Checked with the same strict parser
// the API and the CLI use for input (parse-objects.ts), at the smallest unit that keeps the rest
// safe to apply:
// - a namespace whose name is refused gets no proposal at all;
// - a rule peer that is refused (a selector naming an impossible namespace or label) is removed,
//   and a rule left without peers is removed with its evidence — the traffic it stood for cannot
//   have come from a real Kubernetes object, and the other peers' traffic stays allowed;
// - a policy still refused (its own name or pod selector) is left out: it selects pods that
//   cannot exist, so the namespace's default deny costs nothing real.
// Every removal is a warning (`invalid-object`) naming what and why, values quoted short.
import type { NetworkPolicy, NetworkPolicyPeer } from '../policy/model.js';
import { formatProblem, parseClusterObjects } from '../policy/parse-objects.js';
import { dns1123LabelProblem, quoteShort } from '../policy/k8s-names.js';
import type {
  NamespaceRecommendation,
  ProposedPolicy,
  Recommendation,
  RuleEvidence,
  Warning,
} from './proposal.js';

/** Skip warnings kept per recommendation (the count of the rest is in the last one). */
const MAX_SKIP_WARNINGS = 100;

function policyProblem(policy: NetworkPolicy): string | undefined {
  const problem = parseClusterObjects([policy]).problems[0];
  return problem === undefined ? undefined : formatProblem(problem).slice(0, 500);
}

function peerProblem(peer: NetworkPolicyPeer, direction: 'ingress' | 'egress'): string | undefined {
  const probe: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'peer', namespace: 'peer' },
    spec:
      direction === 'ingress'
        ? { podSelector: {}, ingress: [{ from: [peer] }] }
        : { podSelector: {}, egress: [{ to: [peer] }] },
  };
  const problem = parseClusterObjects([probe]).problems[0];
  return problem === undefined
    ? undefined
    : `${problem.path.replace(/^spec\.(ingress|egress)\[0\]\.(from|to)\[0\]\.?/, '')}: ${problem.message}`.slice(
        0,
        500,
      );
}

/** The policy without refused peers (and rules left empty by that), with its evidence renumbered. */
function withoutRefusedPeers(proposed: ProposedPolicy, skip: (message: string) => void): ProposedPolicy {
  const spec = proposed.policy.spec;
  let evidence: readonly RuleEvidence[] = proposed.rules;
  let changed = false;
  const filterRules = <R extends { from?: readonly NetworkPolicyPeer[]; to?: readonly NetworkPolicyPeer[] }>(
    rules: readonly R[] | undefined,
    direction: 'ingress' | 'egress',
    key: 'from' | 'to',
  ): R[] | undefined => {
    if (rules === undefined) return undefined;
    const kept: R[] = [];
    const renumber = new Map<number, number>();
    rules.forEach((rule, i) => {
      const peers = rule[key];
      if (peers === undefined || peers.length === 0) {
        renumber.set(i, kept.length);
        kept.push(rule);
        return;
      }
      const valid = peers.filter((peer) => {
        const problem = peerProblem(peer, direction);
        if (problem !== undefined)
          skip(
            `${direction} rule ${i} of ${proposed.policy.metadata.namespace}/${quoteShort(proposed.policy.metadata.name)}: peer left out: Kubernetes would refuse ${problem}`,
          );
        return problem === undefined;
      });
      if (valid.length === peers.length) {
        renumber.set(i, kept.length);
        kept.push(rule);
        return;
      }
      changed = true;
      if (valid.length > 0) {
        renumber.set(i, kept.length);
        kept.push({ ...rule, [key]: valid });
      }
    });
    evidence = evidence.flatMap((e) => {
      if (e.direction !== direction) return [e];
      const index = renumber.get(e.index);
      return index === undefined ? [] : [{ ...e, index }];
    });
    return kept;
  };
  const ingress = filterRules(spec.ingress, 'ingress', 'from');
  const egress = filterRules(spec.egress, 'egress', 'to');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set inside filterRules above
  if (!changed) return proposed;
  return {
    ...proposed,
    policy: {
      ...proposed.policy,
      spec: {
        ...spec,
        ...(ingress !== undefined ? { ingress } : {}),
        ...(egress !== undefined ? { egress } : {}),
      },
    },
    rules: evidence,
  };
}

/**
 * The check one namespace at a time, in the recommendation's order, so a caller can write each
 * namespace as it is proposed: `namespace` per namespace, then `finish` on the assembled result.
 * The same as checking the whole recommendation at once (the cap on warnings runs across namespaces).
 */
export class AcceptableFilter {
  private readonly warnings: Warning[] = [];
  private suppressed = 0;

  private skip(namespace: string, message: string): void {
    if (this.warnings.length >= MAX_SKIP_WARNINGS) {
      this.suppressed++;
      return;
    }
    this.warnings.push({
      code: 'invalid-object',
      ...(dns1123LabelProblem(namespace) === undefined ? { namespace } : {}),
      subject: quoteShort(namespace),
      message,
    });
  }

  /** The namespace as it may be proposed, or undefined when Kubernetes would refuse its name. */
  namespace(namespace: NamespaceRecommendation): NamespaceRecommendation | undefined {
    const refused = dns1123LabelProblem(namespace.namespace);
    if (refused !== undefined) {
      this.skip(
        namespace.namespace,
        `no policies proposed for namespace ${quoteShort(namespace.namespace)}: Kubernetes would refuse metadata.namespace: ${refused}`,
      );
      return undefined;
    }
    const before = this.warnings.length;
    let changed = false;
    const policies: ProposedPolicy[] = [];
    for (const proposed of namespace.policies) {
      if (policyProblem(proposed.policy) === undefined) {
        policies.push(proposed);
        continue;
      }
      changed = true;
      const filtered = withoutRefusedPeers(proposed, (m) => this.skip(namespace.namespace, m));
      const problem = policyProblem(filtered.policy);
      if (problem !== undefined)
        this.skip(namespace.namespace, `policy left out: Kubernetes would refuse ${problem}`);
      else policies.push(filtered);
    }
    return changed
      ? { ...namespace, policies, warnings: [...namespace.warnings, ...this.warnings.slice(before)] }
      : namespace;
  }

  /** The recommendation of the namespaces `namespace` kept, with the warnings of what was left out. */
  finish(recommendation: Recommendation): Recommendation {
    if (this.warnings.length === 0) return recommendation;
    const warnings = [...this.warnings];
    if (this.suppressed > 0)
      warnings.push({
        code: 'invalid-object',
        message: `${this.suppressed} more object(s) left out because Kubernetes would refuse them`,
      });
    return { ...recommendation, warnings: [...recommendation.warnings, ...warnings] };
  }
}

export function dropUnacceptablePolicies(recommendation: Recommendation): Recommendation {
  const filter = new AcceptableFilter();
  const kept: NamespaceRecommendation[] = [];
  for (const namespace of recommendation.namespaces) {
    const accepted = filter.namespace(namespace);
    if (accepted !== undefined) kept.push(accepted);
  }
  return filter.finish({ ...recommendation, namespaces: kept });
}
