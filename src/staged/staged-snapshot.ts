// The world a staged set is judged in: the cluster's snapshot (its NetworkPolicies, Cilium and
// Calico policies, cluster policies) with the active sets' objects added, read by the same parser
// that reads a cluster's objects; a staged object replaces the cluster's object of the same kind,
// namespace and name, as `kubectl apply` would. One CNI enforces policy, so Cilium and Calico
// sets cannot be judged side by side, nor against a cluster that enforces the other family:
// stagingConflict says so before a set is staged.
import { mergeCni } from '../policy/collect-cni-objects.js';
import { effectivePolicies } from '../policy/effective-policies.js';
import type { ClusterSnapshot, NetworkPolicy } from '../policy/model.js';
import { formatProblem, parseClusterObjects } from '../policy/parse-objects.js';
import type { StagedFlavor, StagedObject } from './staged-set.js';

function isNetworkPolicy(object: StagedObject): object is NetworkPolicy {
  return object.apiVersion === 'networking.k8s.io/v1' && object.kind === 'NetworkPolicy';
}

/**
 * `base` with `objects` added; a problem (a stored set no longer reads back) is thrown.
 * NetworkPolicies are stored as the validator normalised them (the engine's model): used as they
 * are. The other kinds are read back by the parser, the only place that knows them.
 */
export function stagedSnapshot(base: ClusterSnapshot, objects: readonly StagedObject[]): ClusterSnapshot {
  if (objects.length === 0) return base;
  const policies = objects.filter(isNetworkPolicy);
  const others = objects.filter((o) => !isNetworkPolicy(o));
  let cni = base.cni;
  if (others.length > 0) {
    const parsed = parseClusterObjects(others);
    if (parsed.problems.length > 0)
      throw new Error(
        `staged policies do not read back: ${parsed.problems.slice(0, 3).map(formatProblem).join('; ')}`,
      );
    policies.push(...parsed.snapshot.policies);
    cni = mergeCni(base.cni, parsed.snapshot.cni);
  }
  const replaced = new Set(policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  return {
    ...base,
    policies: [
      ...base.policies.filter((p) => !replaced.has(`${p.metadata.namespace}/${p.metadata.name}`)),
      ...policies,
    ],
    ...(cni !== undefined ? { cni } : {}),
  };
}

const CNI_NAMES = { cilium: 'Cilium', calico: 'Calico' } as const;

/**
 * Why a set of `flavor` cannot be staged in `namespace` next to the cluster's policies and the
 * other namespaces' active sets, or undefined when it can (k8s sets go with any CNI).
 */
export function stagingConflict(
  flavor: StagedFlavor,
  namespace: string,
  cluster: ClusterSnapshot | undefined,
  active: readonly { readonly namespace: string; readonly flavor: StagedFlavor }[],
): string | undefined {
  if (flavor === 'k8s') return undefined;
  const other = flavor === 'cilium' ? 'calico' : 'cilium';
  const family = cluster === undefined ? undefined : effectivePolicies(cluster, false).family;
  if (family === other)
    return `flavor: the cluster enforces ${CNI_NAMES[other]} policies; ${CNI_NAMES[flavor]} policies would not be enforced there (one CNI enforces policy)`;
  const clash = active.find((s) => s.flavor === other && s.namespace !== namespace);
  if (clash !== undefined)
    return `flavor: namespace ${clash.namespace} has an active ${other} set; ${flavor} and ${other} sets cannot be judged together (one CNI enforces policy): retire one first`;
  return undefined;
}
