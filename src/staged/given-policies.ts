// Policies given to stage (API body or CLI files, or the recommender's objects in a flavour),
// validated like `simulate` validates them (parseClusterObjects), plus what staging needs: at
// least one object, every object of one flavour (given, or taken from the objects) and of a
// namespaced kind that flavour stages (NetworkPolicies fit every flavour), every object in the staged namespace, nothing the engine
// would leave out (an object it cannot evaluate is refused with its reason, never staged
// silently). Problems come back as values naming the object and field; nothing here throws.
import { isRecord } from '../lib/is-record.js';
import { formatProblem, parseClusterObjects } from '../policy/parse-objects.js';
import { flavorOfObject, type StagedFlavor, type StagedObject } from './staged-set.js';

export const STAGED_MAX_POLICIES = 1000;

export type GivenPolicies =
  | { readonly ok: true; readonly flavor: StagedFlavor; readonly policies: StagedObject[] }
  | { readonly ok: false; readonly problem: string };

const KINDS: Record<StagedFlavor, string> = {
  k8s: 'networking.k8s.io/v1 NetworkPolicy',
  cilium: 'cilium.io/v2 CiliumNetworkPolicy and networking.k8s.io/v1 NetworkPolicy',
  calico: 'projectcalico.org/v3 NetworkPolicy and networking.k8s.io/v1 NetworkPolicy',
};

const short = (value: unknown): string => (typeof value === 'string' ? value.slice(0, 64) : typeof value);

function kindProblem(i: number, o: unknown, flavor: StagedFlavor | undefined): string {
  const kind = isRecord(o) ? o['kind'] : undefined;
  const apiVersion = isRecord(o) ? o['apiVersion'] : undefined;
  const what = `${typeof apiVersion === 'string' ? apiVersion.slice(0, 64) : '?'} ${short(kind)}`;
  const why =
    kind === 'CiliumClusterwideNetworkPolicy' || kind === 'GlobalNetworkPolicy'
      ? ': a cluster-wide object cannot be staged in one namespace'
      : kind === 'StagedNetworkPolicy' || kind === 'StagedKubernetesNetworkPolicy'
        ? ': Calico does not enforce staged kinds when applied; stage the NetworkPolicy it would become'
        : '';
  const allowed =
    flavor !== undefined
      ? `flavor ${flavor} stages only ${KINDS[flavor]}`
      : 'only networking.k8s.io/v1 NetworkPolicy, cilium.io/v2 CiliumNetworkPolicy and projectcalico.org/v3 NetworkPolicy can be staged';
  return `policies[${i}]: kind: ${allowed}, got ${what}${why}`;
}

/** `objects`: parsed JSON/YAML documents (a `List` is flattened); `flavor` undefined: the objects'. */
export function givenPolicies(
  objects: readonly unknown[],
  namespace: string,
  flavor?: StagedFlavor,
): GivenPolicies {
  const flat = objects.flatMap((o) =>
    isRecord(o) && o['kind'] === 'List' && Array.isArray(o['items']) ? (o['items'] as unknown[]) : [o],
  );
  if (flat.length === 0) return { ok: false, problem: 'policies: no policy object given' };
  if (flat.length > STAGED_MAX_POLICIES)
    return { ok: false, problem: `policies: more than ${STAGED_MAX_POLICIES} objects` };
  // A NetworkPolicy fits every flavour (Cilium and Calico enforce them too, and their
  // recommendations carry some); any other object decides the flavour when none was asked for.
  let chosen = flavor;
  for (const [i, o] of flat.entries()) {
    const of = isRecord(o) ? flavorOfObject(o['apiVersion'], o['kind']) : undefined;
    if (of === undefined || (of !== 'k8s' && chosen !== undefined && of !== chosen))
      return { ok: false, problem: kindProblem(i, o, chosen) };
    if (of !== 'k8s') chosen = of;
    const metadata = isRecord(o) && isRecord(o['metadata']) ? o['metadata'] : {};
    const ns = metadata['namespace'];
    if (ns !== undefined && ns !== namespace) {
      return {
        ok: false,
        problem: `policies[${i}]: metadata.namespace: ${short(ns)} is not the staged namespace ${namespace}`,
      };
    }
  }
  // A policy without a namespace belongs to the staged one, as `kubectl apply -n` would place it.
  const placed = flat.map((o): Record<string, unknown> => {
    const record = o as Record<string, unknown>;
    const metadata = isRecord(record['metadata']) ? record['metadata'] : {};
    return { ...record, metadata: { ...metadata, namespace } };
  });
  const parsed = parseClusterObjects(placed, { maxObjects: STAGED_MAX_POLICIES });
  const problem = parsed.problems[0];
  if (problem !== undefined) {
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more problems)` : '';
    return { ok: false, problem: `${formatProblem(problem)}${more}`.slice(0, 1000) };
  }
  const ignored = parsed.snapshot.cni?.ignored[0];
  if (ignored !== undefined)
    return {
      ok: false,
      problem: `policies: ${ignored.kind} ${ignored.name}: cannot be evaluated (${ignored.reason})`.slice(
        0,
        1000,
      ),
    };
  const names = new Set<string>();
  for (const o of placed) {
    const name = (o.metadata as Record<string, unknown>)['name'];
    if (names.has(String(name)))
      return { ok: false, problem: `policies: metadata.name: ${short(name)} given twice` };
    names.add(String(name));
  }
  // NetworkPolicies as the parser normalised them (the engine's model, used as stored); the other
  // flavours' objects as given (the parser read them back without a problem, and reads them so
  // again when they are judged).
  const normalised = new Map(parsed.snapshot.policies.map((p) => [p.metadata.name, p]));
  const policies = placed.map((o): StagedObject => {
    const name = (o.metadata as Record<string, unknown>)['name'];
    const policy =
      flavorOfObject(o['apiVersion'], o['kind']) === 'k8s' ? normalised.get(String(name)) : undefined;
    return policy ?? (o as unknown as StagedObject);
  });
  return { ok: true, flavor: chosen ?? 'k8s', policies };
}
