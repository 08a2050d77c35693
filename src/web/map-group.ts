// Groups the outside peers of a namespace's service map: every workload of another namespace
// becomes one box per namespace, outside addresses one box per DNS name (the first one seen) or,
// without a name, one per kind ("world"). Links between the same boxes merge: connections add up,
// ports merge per (protocol, port, verdict), drops stay flagged. Pure: the map page draws the result.
import type { MapLink, MapNode, MapPort } from './pages/map.js';

const PORTS_PER_LINK_MAX = 50;

function groupOf(node: MapNode, namespace: string): MapNode | undefined {
  if (node.namespace === namespace) return undefined;
  if (node.namespace !== undefined)
    return {
      id: `group/ns/${node.namespace}`,
      label: node.namespace,
      namespace: node.namespace,
      kind: 'group',
      names: [],
    };
  const name = node.names[0];
  if (name !== undefined)
    return { id: `group/name/${name}`, label: name, namespace: undefined, kind: 'group', names: [name] };
  return { id: `group/kind/${node.kind}`, label: node.kind, namespace: undefined, kind: 'group', names: [] };
}

function earlier(a: string, b: string, min: boolean): string {
  const x = Date.parse(a);
  const y = Date.parse(b);
  if (Number.isNaN(x)) return b;
  if (Number.isNaN(y)) return a;
  return (min ? x <= y : x >= y) ? a : b;
}

function mergePorts(into: MapPort[], ports: readonly MapPort[]): MapPort[] {
  const out = [...into];
  for (const p of ports) {
    const i = out.findIndex((q) => q.protocol === p.protocol && q.port === p.port && q.verdict === p.verdict);
    const same = out[i];
    if (same !== undefined) out[i] = { ...same, count: same.count + p.count };
    else if (out.length < PORTS_PER_LINK_MAX) out.push(p);
  }
  return out;
}

export interface GroupedMap {
  readonly nodes: Map<string, MapNode>;
  readonly links: MapLink[];
  /** Outside nodes folded into groups. */
  readonly folded: number;
}

/** `namespace`'s map with its outside peers grouped; members counted in each group's `sub` line. */
export function groupOutsidePeers(
  namespace: string,
  nodes: ReadonlyMap<string, MapNode>,
  links: readonly MapLink[],
): GroupedMap {
  const target = new Map<string, string>();
  const out = new Map<string, MapNode>();
  const members = new Map<string, number>();
  for (const node of nodes.values()) {
    const group = groupOf(node, namespace);
    if (group === undefined) {
      out.set(node.id, node);
      target.set(node.id, node.id);
      continue;
    }
    target.set(node.id, group.id);
    members.set(group.id, (members.get(group.id) ?? 0) + 1);
    if (!out.has(group.id)) out.set(group.id, group);
  }
  for (const [id, count] of members) {
    const group = out.get(id);
    if (group === undefined) continue;
    const sub =
      group.namespace !== undefined
        ? `namespace · ${count} workload${count === 1 ? '' : 's'}`
        : `${count} address${count === 1 ? '' : 'es'}`;
    out.set(id, { ...group, sub });
  }
  const merged = new Map<string, MapLink & { nonPolicyAll: boolean }>();
  for (const link of links) {
    const from = target.get(link.from) ?? link.from;
    const to = target.get(link.to) ?? link.to;
    const key = `${from}>${to}`;
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, {
        ...link,
        from,
        to,
        ports: [...link.ports],
        nonPolicyAll: !link.dropped || link.nonPolicy,
      });
      continue;
    }
    merged.set(key, {
      ...seen,
      ports: mergePorts([...seen.ports], link.ports),
      dropped: seen.dropped || link.dropped,
      count: seen.count + link.count,
      firstSeen: earlier(seen.firstSeen, link.firstSeen, true),
      lastSeen: earlier(seen.lastSeen, link.lastSeen, false),
      nonPolicyAll: seen.nonPolicyAll && (!link.dropped || link.nonPolicy),
    });
  }
  const grouped = [...merged.values()].map(({ nonPolicyAll, ...link }) => ({
    ...link,
    // Drawn as a datapath drop only when every dropping member was one.
    nonPolicy: link.dropped && nonPolicyAll,
  }));
  let folded = 0;
  for (const count of members.values()) folded += count;
  return { nodes: out, links: grouped, folded };
}
