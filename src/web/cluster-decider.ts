// The cluster-scoped policy that decided a connection, as the drops report explains it
// (explanation.{egress,ingress}.decidedBy.cluster, adminTierDeny): one line per deciding rule for
// the evidence list. Rule names are free text written by whoever wrote the policy: they stay text.
import { num, obj, optStr, str } from './json.js';

/** `ClusterNetworkPolicy deny-x (Admin tier, priority 10) egress[2] "name": Deny`. */
export function clusterDeciderText(value: unknown): string | undefined {
  const c = obj(value);
  const kind = optStr(c['kind']);
  if (kind === undefined) return undefined;
  const priority = num(c['priority']);
  const ruleName = optStr(c['ruleName']);
  return `${kind} ${str(c['name'])} (${str(c['tier'])} tier${priority !== undefined ? `, priority ${priority}` : ''}) ${str(c['direction'])}[${num(c['ruleIndex']) ?? '?'}]${ruleName !== undefined ? ` ${JSON.stringify(ruleName)}` : ''}: ${str(c['action'])}`;
}

/** Evidence lines naming the cluster policy that decided each side of a drop, if one did. */
export function clusterDecisionLines(drop: unknown): string[] {
  const explanation = obj(obj(drop)['explanation']);
  const lines: string[] = [];
  for (const side of ['egress', 'ingress'] as const) {
    const text = clusterDeciderText(obj(obj(explanation[side])['decidedBy'])['cluster']);
    if (text !== undefined)
      lines.push(`${side === 'egress' ? 'Egress' : 'Ingress'} decided by the cluster policy ${text}`);
  }
  return lines;
}
