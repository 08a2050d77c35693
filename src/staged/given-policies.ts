// Policies given to stage (API body or CLI files), validated like `simulate` validates them
// (parseClusterObjects), plus what staging needs: at least one object, only networking.k8s.io/v1
// NetworkPolicy (the flavour the engine evaluates), every object in the staged namespace.
// Problems come back as values naming the object and field; nothing here throws.
import { isRecord } from '../lib/is-record.js';
import type { NetworkPolicy } from '../policy/model.js';
import { formatProblem, parseClusterObjects } from '../policy/parse-objects.js';

export const STAGED_MAX_POLICIES = 1000;

export type GivenPolicies =
  | { readonly ok: true; readonly policies: NetworkPolicy[] }
  | { readonly ok: false; readonly problem: string };

/** `objects`: parsed JSON/YAML documents (a `List` is flattened). */
export function givenPolicies(objects: readonly unknown[], namespace: string): GivenPolicies {
  const flat = objects.flatMap((o) =>
    isRecord(o) && o['kind'] === 'List' && Array.isArray(o['items']) ? (o['items'] as unknown[]) : [o],
  );
  if (flat.length === 0) return { ok: false, problem: 'policies: no NetworkPolicy object given' };
  if (flat.length > STAGED_MAX_POLICIES)
    return { ok: false, problem: `policies: more than ${STAGED_MAX_POLICIES} objects` };
  for (const [i, o] of flat.entries()) {
    const kind = isRecord(o) ? o['kind'] : undefined;
    const apiVersion = isRecord(o) ? o['apiVersion'] : undefined;
    if (kind !== 'NetworkPolicy' || apiVersion !== 'networking.k8s.io/v1') {
      const what = `${typeof apiVersion === 'string' ? apiVersion.slice(0, 64) : '?'} ${typeof kind === 'string' ? kind.slice(0, 64) : typeof kind}`;
      return {
        ok: false,
        problem: `policies[${i}]: kind: only networking.k8s.io/v1 NetworkPolicy can be staged (the engine evaluates no other flavour yet), got ${what}`,
      };
    }
    const metadata = isRecord(o) && isRecord(o['metadata']) ? o['metadata'] : {};
    const ns = metadata['namespace'];
    if (ns !== undefined && ns !== namespace) {
      return {
        ok: false,
        problem: `policies[${i}]: metadata.namespace: ${typeof ns === 'string' ? ns.slice(0, 64) : typeof ns} is not the staged namespace ${namespace}`,
      };
    }
  }
  // A policy without a namespace belongs to the staged one, as `kubectl apply -n` would place it.
  const placed = flat.map((o) => {
    const record = o as Record<string, unknown>;
    const metadata = isRecord(record['metadata']) ? record['metadata'] : {};
    return { ...record, metadata: { ...metadata, namespace } };
  });
  const parsed = parseClusterObjects(placed, { maxObjects: STAGED_MAX_POLICIES });
  const problem = parsed.problems[0];
  if (problem !== undefined) {
    return {
      ok: false,
      problem:
        `${formatProblem(problem)}${parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problems)` : ''}`.slice(
          0,
          1000,
        ),
    };
  }
  const names = new Set<string>();
  for (const policy of parsed.snapshot.policies) {
    if (names.has(policy.metadata.name))
      return { ok: false, problem: `policies: metadata.name: ${policy.metadata.name} given twice` };
    names.add(policy.metadata.name);
  }
  return { ok: true, policies: [...parsed.snapshot.policies] };
}
