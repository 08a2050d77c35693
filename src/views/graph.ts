// The service map behind GET /api/v1/graph: workloads (and outside addresses) as nodes, observed
// edges merged per (source node, destination node) with their ports, connection counts per verdict
// and a `dropped` flag. Bounded: the heaviest `maxEdges` links are kept, `truncated` says so.
import type { EdgePeer, ObservedEdgeSummary } from '../flows/edge.js';

export interface GraphNode {
  readonly id: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly workloadKind: string | null;
  readonly names: readonly string[];
}

export interface GraphPort {
  readonly protocol: string;
  readonly port: number | null;
  readonly verdict: string;
  readonly count: number;
}

export interface GraphLink {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  count: number;
  readonly verdicts: Record<string, number>;
  dropped: boolean;
  readonly ports: GraphPort[];
  firstSeenMs: number;
  lastSeenMs: number;
  readonly edgeIds: number[];
}

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLink[];
  readonly totalLinks: number;
  readonly truncated: boolean;
}

const PORTS_PER_LINK_MAX = 50;
const EDGE_IDS_PER_LINK_MAX = 20;
const NAMES_PER_NODE_MAX = 10;

function nodeOf(peer: EdgePeer, names: readonly string[]): GraphNode {
  if (peer.kind === 'pod') {
    const namespace = peer.namespace ?? '';
    const name = peer.workload ?? '?';
    return {
      id: `pod/${namespace}/${name}`,
      kind: 'workload',
      namespace,
      name,
      workloadKind: peer.workloadKind ?? null,
      names: [],
    };
  }
  const ip = peer.ip ?? '';
  if (peer.workload !== undefined && ip === '') {
    // A Calico-named peer (NetworkSet, pub/pvt network, host endpoint): one node per name.
    const namespace = peer.namespace ?? null;
    return {
      id: `${peer.kind}//${namespace ?? ''}/${peer.workloadKind ?? ''}/${peer.workload}`,
      kind: peer.kind,
      namespace,
      name: peer.workload,
      workloadKind: peer.workloadKind ?? null,
      names: names.slice(0, NAMES_PER_NODE_MAX),
    };
  }
  return {
    id: `${peer.kind}/${ip}`,
    kind: peer.kind,
    namespace: null,
    name: ip !== '' ? ip : peer.kind,
    workloadKind: null,
    names: names.slice(0, NAMES_PER_NODE_MAX),
  };
}

/** Merges the edges into links; `maxEdges` bounds the links kept (the heaviest by connections). */
export function buildGraph(edges: Iterable<ObservedEdgeSummary>, maxEdges: number): Graph {
  const nodes = new Map<string, GraphNode>();
  const links = new Map<string, GraphLink>();
  for (const edge of edges) {
    const from = nodeOf(edge.source, edge.sourceNames);
    const to = nodeOf(edge.destination, edge.destinationNames);
    if (!nodes.has(from.id)) nodes.set(from.id, from);
    if (!nodes.has(to.id)) nodes.set(to.id, to);
    const id = `${from.id}>${to.id}`;
    let link = links.get(id);
    if (link === undefined) {
      link = {
        id,
        source: from.id,
        target: to.id,
        count: 0,
        verdicts: {},
        dropped: false,
        ports: [],
        firstSeenMs: edge.firstSeenMs,
        lastSeenMs: edge.lastSeenMs,
        edgeIds: [],
      };
      links.set(id, link);
    }
    link.count += edge.count;
    link.verdicts[edge.verdict] = (link.verdicts[edge.verdict] ?? 0) + edge.count;
    if (edge.verdict === 'dropped') link.dropped = true;
    if (link.ports.length < PORTS_PER_LINK_MAX)
      link.ports.push({ protocol: edge.protocol, port: edge.port, verdict: edge.verdict, count: edge.count });
    if (link.edgeIds.length < EDGE_IDS_PER_LINK_MAX) link.edgeIds.push(edge.id);
    link.firstSeenMs = Math.min(link.firstSeenMs, edge.firstSeenMs);
    link.lastSeenMs = Math.max(link.lastSeenMs, edge.lastSeenMs);
  }
  const all = [...links.values()];
  // Dropped links first: the map highlights them, they must not be cut off by busy healthy ones.
  all.sort(
    (a, b) =>
      Number(b.dropped) - Number(a.dropped) || b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const kept = all.slice(0, Math.max(0, maxEdges));
  const used = new Set<string>();
  for (const link of kept) {
    used.add(link.source);
    used.add(link.target);
  }
  return {
    nodes: [...nodes.values()]
      .filter((n) => used.has(n.id))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    links: kept,
    totalLinks: all.length,
    truncated: kept.length < all.length,
  };
}

/** A link as GET /api/v1/graph sends it: times as ISO strings. */
export type GraphLinkJson = Omit<GraphLink, 'firstSeenMs' | 'lastSeenMs'> & {
  readonly firstSeen: string;
  readonly lastSeen: string;
};

export interface GraphJson {
  readonly namespace: string | null;
  readonly nodes: readonly GraphNode[];
  readonly links: readonly GraphLinkJson[];
  readonly totalLinks: number;
  readonly truncated: boolean;
}

/** The service map as the API sends it (the whole cluster's when `namespace` is undefined). */
export function graphView(graph: Graph, namespace: string | undefined): GraphJson {
  return {
    namespace: namespace ?? null,
    nodes: graph.nodes,
    links: graph.links.map(({ firstSeenMs, lastSeenMs, ...link }) => ({
      ...link,
      firstSeen: new Date(firstSeenMs).toISOString(),
      lastSeen: new Date(lastSeenMs).toISOString(),
    })),
    totalLinks: graph.totalLinks,
    truncated: graph.truncated,
  };
}
