// Which service-map links were dropped by the datapath rather than by a policy (conntrack table
// full, no route…): the graph API has no drop reasons, so they come from the dropped flows of the
// scope (GET /api/v1/flows?verdict=dropped), keyed as the graph keys its links.
import { getJson } from './api.js';
import type { PeerView } from './format.js';

/** The drop reasons the datapath gives for a policy decision (as src/drops/detect.ts). */
const POLICY_REASON = /^(POLICY_DEN(Y|IED).*|AUTH_REQUIRED|133|181|189|DENY|DENIED)$/i;
/** Dropped flows read to tell them apart (the busiest scopes show the first ones only). */
const MAX_FLOWS = 1000;

/** The graph's id of a flow's side: `pod/ns/workload`, or `kind/ip` outside the cluster. */
export function graphId(side: PeerView): string {
  const namespace = side.namespace !== undefined && side.namespace !== '' ? side.namespace : undefined;
  return namespace !== undefined
    ? `pod/${namespace}/${side.workload ?? '?'}`
    : `${side.kind ?? 'world'}/${side.ip ?? ''}`;
}

/** `from>to` of the links whose dropped flows carry only non-policy reasons. */
export async function nonPolicyLinks(
  namespace: string | undefined,
  signal: AbortSignal,
): Promise<Set<string>> {
  const policy = new Set<string>();
  const other = new Set<string>();
  const body = await getJson('/api/v1/flows', { namespace, verdict: 'dropped', limit: MAX_FLOWS }, signal);
  for (const f of body.items) {
    const id = `${graphId(f.source)}>${graphId(f.destination)}`;
    const reasons = Object.keys(f.dropReasons);
    // No reason at all is a Calico deny: a policy drop.
    if (reasons.length === 0 || reasons.some((r) => POLICY_REASON.test(r.trim()))) policy.add(id);
    else other.add(id);
  }
  return new Set([...other].filter((id) => !policy.has(id)));
}
