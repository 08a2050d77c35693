// A layered layout for the service map, written for this graph's shape (tens to a few hundred
// workloads, mostly a DAG from ingress to databases): longest-path layering from the sources,
// then a few barycenter sweeps to reduce crossings. Pure: positions only, no DOM.

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}
export interface NodePosition {
  readonly x: number;
  readonly y: number;
  readonly layer: number;
}
export interface Layout {
  readonly positions: ReadonlyMap<string, NodePosition>;
  readonly width: number;
  readonly height: number;
}

export interface LayoutOptions {
  readonly layerGapPx: number;
  readonly rowGapPx: number;
  readonly marginPx: number;
}

const DEFAULTS: LayoutOptions = { layerGapPx: 260, rowGapPx: 64, marginPx: 40 };

export function layoutLayers(
  nodes: readonly string[],
  edges: readonly LayoutEdge[],
  options: Partial<LayoutOptions> = {},
): Layout {
  const o = { ...DEFAULTS, ...options };
  const ids = [...new Set(nodes)];
  const known = new Set(ids);
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  const inDegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    out.get(e.from)?.push(e.to);
    inDegree.set(e.to, (inDegree.get(e.to) ?? 0) + 1);
  }
  // Longest path from a root; cycles are broken by visiting each node's out-edges once (DFS order).
  const layer = new Map<string, number>();
  const onStack = new Set<string>();
  const roots = ids.filter((id) => (inDegree.get(id) ?? 0) === 0);
  const starts = roots.length > 0 ? [...roots, ...ids] : ids;
  const visit = (id: string, depth: number): void => {
    if (onStack.has(id) || (layer.get(id) ?? -1) >= depth) return;
    layer.set(id, depth);
    if (depth > ids.length) return;
    onStack.add(id);
    for (const next of out.get(id) ?? []) visit(next, depth + 1);
    onStack.delete(id);
  };
  for (const id of starts) if (!layer.has(id)) visit(id, 0);

  const layers: string[][] = [];
  for (const id of ids) {
    const l = layer.get(id) ?? 0;
    (layers[l] ??= []).push(id);
  }
  const dense = layers.filter((l) => l.length > 0);
  for (const l of dense) l.sort();
  // Barycenter sweeps: order each layer by the mean row of its neighbours in the previous one.
  const neighbours = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    neighbours.get(e.from)?.push(e.to);
    neighbours.get(e.to)?.push(e.from);
  }
  for (let sweep = 0; sweep < 4; sweep++) {
    const order = new Map<string, number>();
    for (const l of dense) l.forEach((id, i) => order.set(id, i));
    const sequence = sweep % 2 === 0 ? dense.slice(1) : dense.slice(0, -1).reverse();
    for (const l of sequence) {
      const score = (id: string): number => {
        const rows = (neighbours.get(id) ?? [])
          .map((n) => order.get(n))
          .filter((r): r is number => r !== undefined);
        return rows.length === 0 ? (order.get(id) ?? 0) : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      const scores = new Map(l.map((id) => [id, score(id)]));
      l.sort((a, b) => (scores.get(a) ?? 0) - (scores.get(b) ?? 0) || a.localeCompare(b));
      l.forEach((id, i) => order.set(id, i));
    }
  }
  const tallest = Math.max(1, ...dense.map((l) => l.length));
  const positions = new Map<string, NodePosition>();
  dense.forEach((l, li) => {
    const offset = ((tallest - l.length) * o.rowGapPx) / 2;
    l.forEach((id, row) =>
      positions.set(id, {
        x: o.marginPx + li * o.layerGapPx,
        y: o.marginPx + offset + row * o.rowGapPx,
        layer: li,
      }),
    );
  });
  return {
    positions,
    width: o.marginPx * 2 + Math.max(0, dense.length - 1) * o.layerGapPx,
    height: o.marginPx * 2 + (tallest - 1) * o.rowGapPx,
  };
}
