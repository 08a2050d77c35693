// The snapshot a recommendation's proof replays against: the cluster's objects plus the emitted
// objects *in the flavour they are written in* (CiliumNetworkPolicies for `cilium`, Calico
// policies for `calico`, promoted when staged), read back through the same parser as a
// `--cluster` file. So a flavour translation that loses or breaks a rule shows up as dropped
// edges in the proof, not only in the cluster.
import { mergeCni } from '../policy/collect-cni-objects.js';
import type { ClusterSnapshot } from '../policy/model.js';
import { formatProblem, parseClusterObjects } from '../policy/parse-objects.js';
import { objectsOf, type ExportOptions } from './export.js';
import type { Recommendation } from './proposal.js';

/** The emitted objects of every namespace, as plain API objects. */
export function emittedObjects(
  recommendation: Recommendation,
  options: ExportOptions,
): Record<string, unknown>[] {
  return recommendation.namespaces.flatMap((ns) => objectsOf(ns, options).map((o) => ({ ...o.object })));
}

/** `base` plus `objects` read back as a snapshot would read them; a problem is a bug of ours. */
export function snapshotWithObjects(base: ClusterSnapshot, objects: readonly unknown[]): ClusterSnapshot {
  const parsed = parseClusterObjects(objects);
  if (parsed.problems.length > 0)
    throw new Error(
      `emitted objects do not read back: ${parsed.problems.slice(0, 3).map(formatProblem).join('; ')}`,
    );
  const replaced = new Set(parsed.snapshot.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  const cni = mergeCni(base.cni, parsed.snapshot.cni);
  return {
    ...base,
    policies: [
      ...base.policies.filter((p) => !replaced.has(`${p.metadata.namespace}/${p.metadata.name}`)),
      ...parsed.snapshot.policies,
    ],
    ...(cni !== undefined ? { cni } : {}),
  };
}

export function flavorSnapshot(
  base: ClusterSnapshot,
  recommendation: Recommendation,
  options: ExportOptions,
): ClusterSnapshot {
  return snapshotWithObjects(base, emittedObjects(recommendation, options));
}
