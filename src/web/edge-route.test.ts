import { describe, expect, it } from 'vitest';
import { layoutLayers } from './graph-layout.js';
import { routeEdge, type Box } from './edge-route.js';

const W = 184;
const H = 40;

/** Does the segment p→q (horizontal or vertical, or any line sampled finely) touch box b? */
function touches(p: { x: number; y: number }, q: { x: number; y: number }, b: Box): boolean {
  for (let i = 0; i <= 200; i++) {
    const x = p.x + ((q.x - p.x) * i) / 200;
    const y = p.y + ((q.y - p.y) * i) / 200;
    if (x > b.x + 0.5 && x < b.x + W - 0.5 && y > b.y + 0.5 && y < b.y + H - 0.5) return true;
  }
  return false;
}

describe('service map edge routing', () => {
  // A chain a→b→c→d plus skips over the middle layers, a fan-out and edges going back.
  const nodes = ['a', 'b', 'b2', 'b3', 'c', 'c2', 'd', 'e'];
  const edges = [
    { from: 'a', to: 'b' },
    { from: 'a', to: 'b2' },
    { from: 'a', to: 'b3' },
    { from: 'b', to: 'c' },
    { from: 'b2', to: 'c2' },
    { from: 'c', to: 'd' },
    { from: 'a', to: 'd' },
    { from: 'a', to: 'c2' },
    { from: 'b3', to: 'd' },
    { from: 'd', to: 'e' },
    { from: 'd', to: 'b2' },
    { from: 'c', to: 'c2' },
    { from: 'e', to: 'a' },
  ];
  const layout = layoutLayers(nodes, edges, { layerGapPx: W + 64, rowGapPx: H + 18, marginPx: 40 });
  const boxes = new Map([...layout.positions].map(([id, p]) => [id, { x: p.x, y: p.y, layer: p.layer }]));
  const columns = new Map<number, Box[]>();
  for (const b of boxes.values()) (columns.get(b.layer) ?? columns.set(b.layer, []).get(b.layer))?.push(b);
  const options = { nodeWidth: W, nodeHeight: H, topChannelY: 14, bottomChannelY: layout.height + H - 14 };

  it.each(edges)('$from → $to passes through no other box', ({ from, to }) => {
    const a = boxes.get(from) as Box;
    const b = boxes.get(to) as Box;
    const route = routeEdge(a, b, columns, options);
    expect(route.d).toMatch(/^M/);
    const others = [...boxes.entries()].filter(([id]) => id !== from && id !== to).map(([, box]) => box);
    for (let i = 1; i < route.points.length; i++) {
      const p = route.points[i - 1] as { x: number; y: number };
      const q = route.points[i] as { x: number; y: number };
      for (const box of others)
        expect(touches(p, q, box), `${from}→${to} segment ${i} crosses a box`).toBe(false);
    }
    // It ends on the target's border.
    const end = route.points.at(-1) as { x: number; y: number };
    expect(end.x === b.x || end.x === b.x + W).toBe(true);
  });
});
