// Finding 5, non-policy-drops: drops whose reason is not a policy (connection tracking, routing,
// invalid packets …), grouped by namespace and reason with counts and examples, so a policy
// problem can be told from an application or network one. With a snapshot, each example is also
// evaluated: the policies allowing the path confirms that policy is not the cause.
import { describePath } from '../drops/classify.js';
import { isPolicyDropReason } from '../drops/detect.js';
import type { PolicyEngine } from '../policy/engine.js';
import { clean, evaluateEdge, inScope, limited, unique } from './context.js';
import type { DoctorEdge, Finding } from './types.js';

const MAX_GROUPS = 200;
const EXAMPLES = 3;

const HINTS: readonly (readonly [RegExp, string])[] = [
  [
    /^CT_|CONNTRACK|^CT /i,
    'connection tracking: the conntrack table is full, or a packet did not fit the tracked connection state (asymmetric routing, a restarted agent, a reply after the entry expired)',
  ],
  [
    /NO_?ROUTE|UNROUTABLE|NO_?TUNNEL|FIB_LOOKUP/i,
    'routing: no route to the destination (a node or tunnel endpoint missing, a pod IP outside every known CIDR)',
  ],
  [
    /INVALID|MALFORMED|BAD_?|CHECKSUM|UNKNOWN_L3|UNKNOWN_L4|UNSUPPORTED/i,
    'invalid or unsupported packets: malformed headers, bad checksums or a protocol the datapath does not handle',
  ],
  [/TTL|FRAG/i, 'packet handling: TTL exceeded or fragments the datapath could not reassemble'],
  [/SERVICE|LB_|BACKEND/i, 'service load balancing: no backend for the Service, or a stale backend entry'],
  [
    /STALE|IDENTITY|PROXY|QUEUE|BUFFER|MTU/i,
    'datapath state: stale identity, proxy redirect failure, full queues or MTU',
  ],
];

export function hintFor(reason: string): string {
  return (
    HINTS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'a datapath drop, not a NetworkPolicy decision'
  );
}

interface Group {
  namespace: string;
  reason: string;
  count: number;
  edges: DoctorEdge[];
  workloads: Set<string>;
}

export function findNonPolicyDrops(
  edges: readonly DoctorEdge[],
  namespace: string | undefined,
  engine: PolicyEngine | undefined,
): Finding[] {
  const groups = new Map<string, Group>();
  for (const edge of edges) {
    if (edge.verdict !== 'dropped') continue;
    const ns = edge.destination.namespace ?? edge.source.namespace ?? '';
    if (!inScope({ namespace }, ns) && !inScope({ namespace }, edge.source.namespace)) continue;
    for (const [reason, count] of Object.entries(edge.dropReasons)) {
      if (isPolicyDropReason(reason) || !Number.isFinite(count) || count <= 0) continue;
      const key = `${ns}|${reason}`;
      let group = groups.get(key);
      if (group === undefined) {
        if (groups.size >= MAX_GROUPS) continue;
        groups.set(key, (group = { namespace: ns, reason, count: 0, edges: [], workloads: new Set() }));
      }
      group.count += count;
      group.edges.push(edge);
      for (const peer of [edge.source, edge.destination]) {
        if (peer.kind === 'pod' && peer.namespace !== undefined && peer.workload !== undefined)
          group.workloads.add(`${peer.namespace}/${peer.workload}`);
      }
    }
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) || b.count - a.count || a.reason.localeCompare(b.reason),
    )
    .map((group): Finding => {
      const examples = [...group.edges].sort((a, b) => b.count - a.count).slice(0, EXAMPLES);
      const verdicts =
        engine === undefined
          ? []
          : examples.map((edge) => {
              const decision = evaluateEdge(engine, edge);
              return typeof decision === 'string' ? undefined : decision.verdict;
            });
      const policyAllows = verdicts.length > 0 && verdicts.every((v) => v === 'allow');
      const reason = clean(group.reason, 80);
      return {
        kind: 'non-policy-drops',
        severity: 'medium',
        namespace: group.namespace,
        objects: limited(unique(group.workloads)),
        summary: `${group.count} drop(s) with reason ${reason} on ${group.edges.length} path(s): not a policy decision`,
        evidence: [
          `reason ${reason}: ${hintFor(group.reason)}`,
          ...examples.map(
            (edge) =>
              `e.g. ${clean(describePath(edge))}: ${edge.dropReasons[group.reason] ?? 0} of ${edge.count} connection(s)`,
          ),
          ...(policyAllows ? ['the NetworkPolicies allow these paths: changing policy will not help'] : []),
        ],
        fix: `investigate the datapath, not the policies: ${hintFor(group.reason)}`,
      };
    });
}
