// A Goldmane PolicyTrace → the policies that allowed and denied a flow, as `namespace/name` refs
// (or `name` for cluster-scoped kinds), in the order the dataplane traversed them.
//
// Upstream semantics (projectcalico/calico goldmane/proto/api.proto and proto/methods.go):
//  - `enforced_policies` are the hits that took effect; `pending_policies` are staged what-ifs
//    and never a reason a flow passed or dropped: ignored here.
//  - A hit of kind EndOfTier has no name of its own: the tier's default action applied because a
//    policy selected the endpoint and none of its rules matched. `trigger` names that policy, and
//    that policy is the one at fault for an end-of-tier deny (Whisker shows it the same way).
//  - Pass hands the flow to the next tier: neither an allow nor a deny.
//  - Profile hits are the namespace's default allow, not a policy anyone wrote: skipped, as the
//    flow-log parser skips `__PROFILE__` hits.
//  - A Kubernetes NetworkPolicy may appear under Felix's internal `knp.default.` name: stripped so
//    the ref names the object a user can `kubectl get`.
import { isObjectName } from '../flows/bounds.js';
import { isRecord } from '../lib/is-record.js';

const MAX_HITS_READ = 64;
const MAX_REFS = 16;
const KNP_PREFIX = 'knp.default.';

export interface TraceRefs {
  readonly allowed: readonly string[];
  readonly denied: readonly string[];
}

function refOf(hit: Record<string, unknown>): string | undefined {
  const name = hit['name'];
  if (typeof name !== 'string' || name === '') return undefined;
  const plain =
    hit['kind'] === 'NetworkPolicy' && name.startsWith(KNP_PREFIX) ? name.slice(KNP_PREFIX.length) : name;
  if (!isObjectName(plain)) return undefined;
  const namespace = hit['namespace'];
  if (namespace === undefined || namespace === null || namespace === '') return plain;
  if (!isObjectName(namespace)) return undefined;
  return `${namespace}/${plain}`;
}

function indexOf(hit: Record<string, unknown>): number {
  const index = hit['policy_index'];
  return typeof index === 'number' && Number.isFinite(index) ? index : 0;
}

/** The allow and deny refs of a decoded PolicyTrace (absent or malformed: none). */
export function refsOfTrace(trace: unknown): TraceRefs {
  const allowed: string[] = [];
  const denied: string[] = [];
  if (!isRecord(trace)) return { allowed, denied };
  const list = trace['enforced_policies'];
  if (!Array.isArray(list)) return { allowed, denied };
  const hits = (list as unknown[])
    .slice(0, MAX_HITS_READ)
    .filter(isRecord)
    .sort((a, b) => indexOf(a) - indexOf(b));
  for (const hit of hits) {
    const kind = hit['kind'];
    if (kind === 'Profile') continue;
    const named = kind === 'EndOfTier' ? hit['trigger'] : hit;
    if (!isRecord(named)) continue;
    const ref = refOf(named);
    if (ref === undefined) continue;
    const target = hit['action'] === 'Allow' ? allowed : hit['action'] === 'Deny' ? denied : undefined;
    if (target !== undefined && target.length < MAX_REFS && !target.includes(ref)) target.push(ref);
  }
  return { allowed, denied };
}
