// Policy hits of a Calico flow log record (`policies.enforced_policies` / legacy `all_policies`,
// plus `transit_policies`) → PolicyRefs. A hit is `<index>|<tier>|<name>|<action>|<rule index>`
// (formats.md §3); list order is arbitrary, so hits are sorted by index. Profiles and staged
// policies are not policies anyone enforces: skipped. Kubernetes NetworkPolicies appear as
// `<ns>/knp.default.<name>` and are named as the object; the newer `<kind>:<ns>/<name>` name
// part (Felix 3.30+) is read too, so flow logs and Goldmane name a policy the same way. An end-of-tier hit (rule index -1)
// names the policy that selected the endpoint without a matching rule: the one at fault.
import { MAX_POLICY_REFS, isObjectName } from './bounds.js';
import { isRecord } from '../lib/is-record.js';
import type { DropCounter } from './bounds.js';
import type { PolicyRefs } from './flow.js';
import { Invalid } from './invalid.js';

// Felix 3.30+ writes the name part as `<kind>:[<ns>/]<name>` (felix/types/policy_id.go short
// kinds; the format goldmane/proto/methods.go reads back): the name is then the object's own.
const KINDS = new Set(['np', 'gnp', 'snp', 'sgnp', 'sknp', 'knp', 'kcnp', 'pro']);
// Staged kinds are what-ifs and `pro` is a profile: neither is an enforced policy.
const ENFORCED_KINDS = new Set(['np', 'gnp', 'knp', 'kcnp']);

interface PolicyHit {
  readonly index: number;
  readonly ref: string;
  readonly action: string;
}

/** `<index>|<tier>|<name>|<action>|<rule>` → a hit with a `namespace/name` ref, or undefined. */
function policyHitOf(text: string): PolicyHit | undefined {
  const parts = text.split('|');
  if (parts.length !== 5) return undefined;
  const [indexText, , namePart, action] = parts as [string, string, string, string, string];
  if (namePart.startsWith('__PROFILE__') || namePart.includes('staged:')) return undefined;
  const colon = namePart.indexOf(':');
  const kind = colon > 0 ? namePart.slice(0, colon) : undefined;
  if (kind !== undefined && !KINDS.has(kind)) return undefined;
  if (kind !== undefined && !ENFORCED_KINDS.has(kind)) return undefined;
  const name = kind === undefined ? namePart : namePart.slice(colon + 1);
  let ref = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const namespace = name.slice(0, slash);
    let policy = name.slice(slash + 1);
    // Kubernetes NetworkPolicies appear as `<ns>/knp.default.<name>`.
    if (policy.startsWith('knp.default.')) policy = policy.slice('knp.default.'.length);
    if (!isObjectName(namespace) || !isObjectName(policy)) return undefined;
    ref = `${namespace}/${policy}`;
  } else if (!isObjectName(name)) {
    return undefined;
  }
  const index = Number(indexText);
  return { index: Number.isFinite(index) ? index : 0, ref, action };
}

export function policiesOf(value: unknown, reporter: string, counter: DropCounter): PolicyRefs {
  const none: PolicyRefs = {
    ingressAllowedBy: [],
    egressAllowedBy: [],
    ingressDeniedBy: [],
    egressDeniedBy: [],
  };
  if (value === undefined || value === null) return none;
  if (!isRecord(value)) throw new Invalid('invalid_field', 'policies is not an object');
  const lists: unknown[] = [value.enforced_policies ?? value.all_policies, value.transit_policies];
  const hits: PolicyHit[] = [];
  for (const list of lists) {
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new Invalid('invalid_field', 'policies list is not an array');
    for (const item of list as unknown[]) {
      if (typeof item !== 'string') throw new Invalid('invalid_field', 'policy hit is not a string');
      const hit = policyHitOf(item);
      if (hit !== undefined) hits.push(hit);
    }
  }
  hits.sort((a, b) => a.index - b.index);
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const hit of hits) {
    const target = hit.action === 'allow' ? allowed : hit.action === 'deny' ? denied : undefined;
    if (target === undefined || target.includes(hit.ref)) continue;
    if (target.length >= MAX_POLICY_REFS) counter.dropped++;
    else target.push(hit.ref);
  }
  const ingress = reporter === 'dst';
  return {
    ingressAllowedBy: ingress ? allowed : [],
    egressAllowedBy: ingress ? [] : allowed,
    ingressDeniedBy: ingress ? denied : [],
    egressDeniedBy: ingress ? [] : denied,
  };
}
