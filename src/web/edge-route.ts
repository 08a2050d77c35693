// Routes the service map's arrows around the workload boxes instead of through them. Pure
// geometry over the layered layout (graph-layout.ts): boxes sit in columns, one per layer, with
// free space between columns and between the boxes of a column.
//  - Forward edges (to a later layer) cross each layer in between through the free gap between
//    that layer's boxes nearest the straight line, joined by S-curves with horizontal tangents,
//    which stay inside the space between columns.
//  - Edges to the same or an earlier layer leave the source's right side, run along a channel
//    above or below every box, and enter the target from the left (or, in the same column, from
//    the right), with every vertical stretch in the space between columns.

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly layer: number;
}
export interface RouteOptions {
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  /** y of the free channels above and below every box. */
  readonly topChannelY: number;
  readonly bottomChannelY: number;
}
export interface Route {
  /** SVG path data. */
  readonly d: string;
  /** Where a label for the edge sits (the middle of its first free stretch). */
  readonly label: { readonly x: number; readonly y: number };
  /** The corner points, for tests: every straight stretch between them avoids every box. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

const CLEARANCE = 6;
const OFFSET = 18;

/** The y of a horizontal line through column `boxes` nearest `wanted` that touches no box. */
export function freeY(boxes: readonly Box[], wanted: number, nodeHeight: number): number {
  const blocked = (y: number): boolean =>
    boxes.some((b) => y > b.y - CLEARANCE && y < b.y + nodeHeight + CLEARANCE);
  if (!blocked(wanted)) return wanted;
  const sorted = [...boxes].sort((a, b) => a.y - b.y);
  const candidates: number[] = [];
  sorted.forEach((b, i) => {
    const next = sorted[i + 1];
    candidates.push(b.y - CLEARANCE - 3);
    if (next !== undefined) candidates.push((b.y + nodeHeight + next.y) / 2);
    else candidates.push(b.y + nodeHeight + CLEARANCE + 3);
  });
  return (
    candidates.filter((y) => !blocked(y)).sort((a, b) => Math.abs(a - wanted) - Math.abs(b - wanted))[0] ??
    wanted
  );
}

function smooth(points: readonly { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (first === undefined) return '';
  let d = `M${first.x},${first.y}`;
  let previous = first;
  for (const p of rest) {
    if (p.y === previous.y) d += ` L${p.x},${p.y}`;
    else {
      const dx = (p.x - previous.x) / 2;
      d += ` C${previous.x + dx},${previous.y} ${p.x - dx},${p.y} ${p.x},${p.y}`;
    }
    previous = p;
  }
  return d;
}

function orthogonal(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
}

export function routeEdge(
  from: Box,
  to: Box,
  columns: ReadonlyMap<number, readonly Box[]>,
  o: RouteOptions,
): Route {
  const start = { x: from.x + o.nodeWidth, y: from.y + o.nodeHeight / 2 };
  if (to.layer > from.layer) {
    const end = { x: to.x, y: to.y + o.nodeHeight / 2 };
    const points = [start];
    for (let layer = from.layer + 1; layer < to.layer; layer++) {
      const column = columns.get(layer) ?? [];
      const left = column[0]?.x ?? start.x;
      const t = (layer - from.layer) / (to.layer - from.layer);
      const y = freeY(column, start.y + (end.y - start.y) * t, o.nodeHeight);
      points.push({ x: left - CLEARANCE, y }, { x: left + o.nodeWidth + CLEARANCE, y });
    }
    points.push(end);
    const second = points[1] ?? end;
    return {
      d: smooth(points),
      label: { x: (start.x + second.x) / 2, y: (start.y + second.y) / 2 - 4 },
      points,
    };
  }
  const fromMid = from.y + o.nodeHeight / 2;
  const toMid = to.y + o.nodeHeight / 2;
  const out = start.x + OFFSET;
  if (to.layer === from.layer) {
    // Same column: out to the right, along the gap right of the column, back in from the right.
    const points = [start, { x: out, y: fromMid }, { x: out, y: toMid }, { x: to.x + o.nodeWidth, y: toMid }];
    return { d: orthogonal(points), label: { x: out + 4, y: (fromMid + toMid) / 2 }, points };
  }
  const channel = fromMid + toMid < o.topChannelY + o.bottomChannelY ? o.topChannelY : o.bottomChannelY;
  const back = to.x - OFFSET;
  const points = [
    start,
    { x: out, y: fromMid },
    { x: out, y: channel },
    { x: back, y: channel },
    { x: back, y: toMid },
    { x: to.x, y: toMid },
  ];
  return { d: orthogonal(points), label: { x: (out + back) / 2, y: channel - 4 }, points };
}
