// The whole-cluster summary map behind GET /api/v1/graph?level=namespace: one node per namespace
// (and one per kind of outside peer: world, host, …), observed edges aggregated per ordered pair of
// nodes into links with connection and path counts, dropped ones counted apart. Traffic inside a
// namespace is counted on its node, not drawn as a link. Its size follows the number of namespaces,
// not of workloads or edges: at 200 namespaces and 100,000 edges it is a few hundred kilobytes.
// Bounded anyway (namespace names come from flows): the heaviest `maxLinks` links and `maxNodes`
// nodes are kept, dropped ones first, and `truncated` says when anything was cut.
import type { EdgePeer, ObservedEdgeSummary } from '../flows/edge.js';

/** Traffic counted on a node or a link: connections and distinct paths (edges), dropped apart. */
export interface TrafficCounts {
  count: number;
  droppedCount: number;
  paths: number;
  droppedPaths: number;
}

export interface NamespaceGraphNode {
  readonly id: string;
  /** `namespace`, or the outside peer's kind (`world`, `host`, `remote-node`, …). */
  readonly kind: string;
  readonly name: string;
  /** Distinct workloads of the namespace seen in flows (0 for an outside group). */
  workloads: number;
  /** Traffic whose both ends are in this node. */
  readonly internal: TrafficCounts;
}

export interface NamespaceGraphLink extends TrafficCounts {
  readonly id: string;
  readonly source: string;
  readonly target: string;
}

export interface NamespaceGraph {
  readonly level: 'namespace';
  readonly nodes: readonly NamespaceGraphNode[];
  readonly links: readonly NamespaceGraphLink[];
  readonly totalNodes: number;
  readonly totalLinks: number;
  readonly truncated: boolean;
}

export interface NamespaceGraphLimits {
  readonly maxLinks: number;
  readonly maxNodes: number;
}

const emptyCounts = (): TrafficCounts => ({ count: 0, droppedCount: 0, paths: 0, droppedPaths: 0 });

function groupOf(peer: EdgePeer): { id: string; kind: string; name: string } {
  if (peer.kind === 'pod') {
    const name = peer.namespace ?? '';
    return { id: `ns/${name}`, kind: 'namespace', name };
  }
  return { id: `ext/${peer.kind}`, kind: peer.kind, name: peer.kind };
}

function addTo(counts: TrafficCounts, edge: ObservedEdgeSummary): void {
  const dropped = edge.verdict === 'dropped';
  counts.count += edge.count;
  counts.paths += 1;
  if (dropped) {
    counts.droppedCount += edge.count;
    counts.droppedPaths += 1;
  }
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Heaviest first, anything with drops before anything without (the map must not hide drops). */
function heavier(a: TrafficCounts & { id: string }, b: TrafficCounts & { id: string }): number {
  return (
    Number(b.droppedPaths > 0) - Number(a.droppedPaths > 0) ||
    b.count + b.paths - (a.count + a.paths) ||
    byId(a, b)
  );
}

/** Aggregates the edges per namespace pair; one pass, memory in the number of namespaces and workloads. */
export function buildNamespaceGraph(
  edges: Iterable<ObservedEdgeSummary>,
  limits: NamespaceGraphLimits,
): NamespaceGraph {
  const nodes = new Map<string, NamespaceGraphNode>();
  const workloads = new Map<string, Set<string>>();
  const links = new Map<string, NamespaceGraphLink>();
  const nodeFor = (peer: EdgePeer): NamespaceGraphNode => {
    const group = groupOf(peer);
    let node = nodes.get(group.id);
    if (node === undefined) {
      node = { ...group, workloads: 0, internal: emptyCounts() };
      nodes.set(group.id, node);
    }
    if (peer.kind === 'pod' && peer.workload !== undefined) {
      let seen = workloads.get(group.id);
      if (seen === undefined) workloads.set(group.id, (seen = new Set()));
      seen.add(peer.workload);
    }
    return node;
  };
  for (const edge of edges) {
    const from = nodeFor(edge.source);
    const to = nodeFor(edge.destination);
    if (from === to) {
      addTo(from.internal, edge);
      continue;
    }
    const id = `${from.id}>${to.id}`;
    let link = links.get(id);
    if (link === undefined) {
      link = { id, source: from.id, target: to.id, ...emptyCounts() };
      links.set(id, link);
    }
    addTo(link, edge);
  }
  for (const [id, seen] of workloads) {
    const node = nodes.get(id);
    if (node !== undefined) node.workloads = seen.size;
  }
  // Nodes by their whole traffic (inside, out and in), so the kept links find their ends kept.
  const weight = new Map<string, TrafficCounts & { id: string }>();
  for (const node of nodes.values()) weight.set(node.id, { id: node.id, ...node.internal });
  for (const link of links.values())
    for (const end of [link.source, link.target]) {
      const w = weight.get(end);
      if (w === undefined) continue;
      w.count += link.count;
      w.paths += link.paths;
      w.droppedCount += link.droppedCount;
      w.droppedPaths += link.droppedPaths;
    }
  const keptNodes = [...weight.values()].sort(heavier).slice(0, Math.max(0, limits.maxNodes));
  const keptIds = new Set(keptNodes.map((n) => n.id));
  const allLinks = [...links.values()];
  const keptLinks = allLinks
    .filter((l) => keptIds.has(l.source) && keptIds.has(l.target))
    .sort(heavier)
    .slice(0, Math.max(0, limits.maxLinks));
  return {
    level: 'namespace',
    nodes: [...nodes.values()].filter((n) => keptIds.has(n.id)).sort(byId),
    links: keptLinks,
    totalNodes: nodes.size,
    totalLinks: allLinks.length,
    truncated: keptIds.size < nodes.size || keptLinks.length < allLinks.length,
  };
}
