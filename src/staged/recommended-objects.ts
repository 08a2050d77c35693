// The recommendation of one namespace as the objects of a flavour, checked like given policies
// (the same validator and the same refusals), so a recommended set is staged exactly as if the
// user had given those objects. Calico objects are the enforced kind (NetworkPolicy), never
// StagedNetworkPolicy: shadow mode is what stands in for Calico's staged kinds here.
import { objectsOf } from '../recommend/export.js';
import type { Recommendation } from '../recommend/proposal.js';
import { givenPolicies, type GivenPolicies } from './given-policies.js';
import type { StagedFlavor } from './staged-set.js';

export type RecommendedObjects = GivenPolicies | { readonly ok: 'empty' };

export function recommendedObjects(
  recommendation: Recommendation,
  namespace: string,
  flavor: StagedFlavor,
): RecommendedObjects {
  const objects = recommendation.namespaces
    .filter((ns) => ns.namespace === namespace)
    .flatMap((ns) => objectsOf(ns, { flavor, staged: false }).map((o) => o.object));
  if (objects.length === 0) return { ok: 'empty' };
  return givenPolicies(objects, namespace, flavor);
}
