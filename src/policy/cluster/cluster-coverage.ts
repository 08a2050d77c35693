// What each cluster-scoped policy covers in a snapshot, for the API and dashboard: its tier and
// priority in evaluation order, how many pod-network pods its subject selects and in which
// namespaces (bounded: names are attacker-controlled and a cluster can have thousands).
import type { ClusterSnapshot } from '../model.js';
import { compileSelector } from '../selectors.js';
import { tierOrder } from './cluster-stage.js';
import type { ClusterPolicyKind, ClusterTier } from './cluster-policy.js';

export interface ClusterPolicyCoverage {
  readonly kind: ClusterPolicyKind;
  readonly name: string;
  readonly tier: ClusterTier;
  readonly priority: number | null;
  /** 1-based place in the order the engine asks (Admin tier, then Baseline). */
  readonly order: number;
  readonly ingressRules: number;
  readonly egressRules: number;
  readonly podsSelected: number;
  readonly namespacesCovered: number;
  /** The first `maxNamespaces` covered namespaces, by name. */
  readonly namespaces: readonly string[];
}

export function clusterPolicyCoverage(
  snapshot: ClusterSnapshot,
  maxNamespaces = 50,
): ClusterPolicyCoverage[] {
  const policies = snapshot.cni?.clusterPolicies ?? [];
  const nsLabels = new Map(snapshot.namespaces.map((n) => [n.name, n.labels]));
  const ordered = [
    ...tierOrder(policies.filter((p) => p.tier === 'Admin')),
    ...tierOrder(policies.filter((p) => p.tier === 'Baseline')),
  ];
  return ordered.map((policy, i) => {
    const s = policy.subject;
    const ns = compileSelector(s.pods !== undefined ? s.pods.namespaceSelector : s.namespaces);
    const pods = s.pods !== undefined ? compileSelector(s.pods.podSelector) : () => true;
    const covered = new Set<string>();
    let selected = 0;
    for (const pod of snapshot.pods) {
      if (
        pod.hostNetwork ||
        !ns(nsLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace }) ||
        !pods(pod.labels)
      )
        continue;
      selected += 1;
      covered.add(pod.namespace);
    }
    return {
      kind: policy.kind,
      name: policy.name,
      tier: policy.tier,
      priority: policy.priority ?? null,
      order: i + 1,
      ingressRules: policy.ingress.length,
      egressRules: policy.egress.length,
      podsSelected: selected,
      namespacesCovered: covered.size,
      namespaces: [...covered].sort().slice(0, maxNamespaces),
    };
  });
}
