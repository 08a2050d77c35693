// Business reasons supplied by the user (`--reasons FILE`): a list of path patterns with a reason,
// carried into the annotation and comment of the matching rules. Patterns: `*`, `ns/*`,
// `ns/workload`, an IP address or a CIDR (for external peers).
import { cidrContains, parseCidr, parseIp } from '../net/ip.js';

export interface ReasonRule {
  readonly from?: string;
  readonly to?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly reason: string;
}

/** One side of a path as the matcher sees it. */
export type PathEnd = { readonly namespace: string; readonly workload: string } | { readonly ip: string };

function matchesEnd(pattern: string | undefined, end: PathEnd): boolean {
  if (pattern === undefined || pattern === '*') return true;
  if ('ip' in end) {
    if (pattern === end.ip) return true;
    const cidr = parseCidr(pattern);
    const address = parseIp(end.ip);
    return cidr !== undefined && address !== undefined && cidrContains(cidr, address);
  }
  const slash = pattern.indexOf('/');
  if (slash < 0) return false;
  const namespace = pattern.slice(0, slash);
  const workload = pattern.slice(slash + 1);
  return namespace === end.namespace && (workload === '*' || workload === end.workload);
}

export function reasonsFor(
  rules: readonly ReasonRule[],
  from: PathEnd,
  to: PathEnd,
  protocol: string,
  port: number,
): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    if (rule.port !== undefined && rule.port !== port) continue;
    if (rule.protocol !== undefined && rule.protocol.toUpperCase() !== protocol) continue;
    if (matchesEnd(rule.from, from) && matchesEnd(rule.to, to) && !out.includes(rule.reason))
      out.push(rule.reason);
  }
  return out;
}
