// Service map: workloads as boxes, observed flows as arrows (layered layout, graph-layout.ts;
// arrows routed around the boxes, edge-route.ts), per namespace or the whole cluster. Policy drops
// are red and dashed, drops the datapath made for other reasons (conntrack table full, no route…)
// orange and dotted, told apart by the drop reasons of the dropped flows (GET /api/v1/flows);
// hovering an arrow shows its ports, clicking it its evidence (map-evidence.ts); the view pans and
// zooms, fitted to the viewport on load (map-pan-zoom.ts). GET /api/v1/graph?namespace=.
// The whole cluster is the namespace summary (namespace-map.ts) unless ?level=workload asks.
import type { GraphJson, GraphNodeJson } from '../../api/graph.js';
import { getJson } from '../api.js';
import { h, mount, s } from '../dom.js';
import { portLabel } from '../format.js';
import { routeEdge, type Box } from '../edge-route.js';
import { nonPolicyLinks } from '../map-drops.js';
import { layoutLayers } from '../graph-layout.js';
import { mapFindBox } from '../map-find.js';
import { attachPanZoom, panZoomFrame, type PanZoom } from '../map-pan-zoom.js';
import { evidence, isDroppedVerdict, nodeName } from './map-evidence.js';
import { groupOutsidePeers } from '../map-group.js';
import { renderNamespaceMap } from './namespace-map.js';
import { card, namespaceNames, pageHeader, type PageContext } from '../ui.js';
import { namespacePicker } from '../namespace-picker.js';

const NODE_W = 184;
const NODE_H = 40;
const MAX_NODES = 400;
const PALETTE = 8;

export interface MapNode {
  readonly id: string;
  readonly label: string;
  readonly namespace: string | undefined;
  readonly kind: string;
  readonly names: readonly string[];
  /** The second line of its box, when not the namespace (a group's member count). */
  readonly sub?: string;
}
export interface MapPort {
  readonly protocol: string;
  readonly port: number | undefined;
  readonly verdict: string;
  readonly count: number;
}
export interface MapLink {
  readonly from: string;
  readonly to: string;
  readonly ports: readonly MapPort[];
  readonly dropped: boolean;
  /** Its drops all came from the datapath, none from a policy. */
  nonPolicy: boolean;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

function readNode(node: GraphNodeJson): MapNode {
  return {
    id: node.id,
    label: node.name !== '' ? node.name : node.id,
    namespace: node.namespace ?? undefined,
    kind: node.workloadKind ?? node.kind,
    names: node.names.slice(0, 20),
  };
}

function colorIndex(namespace: string | undefined): number {
  if (namespace === undefined) return -1;
  let hash = 0;
  for (const c of namespace) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return hash % PALETTE;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function readGraph(graph: GraphJson): { nodes: Map<string, MapNode>; links: MapLink[]; truncated: boolean } {
  const nodes = new Map<string, MapNode>();
  for (const n of graph.nodes) nodes.set(n.id, readNode(n));
  const links: MapLink[] = [];
  for (const link of graph.links) {
    for (const id of [link.source, link.target])
      if (!nodes.has(id)) nodes.set(id, { id, label: id, namespace: undefined, kind: 'external', names: [] });
    const ports = link.ports.map((p) => ({ ...p, port: p.port ?? undefined }));
    links.push({
      from: link.source,
      to: link.target,
      ports,
      dropped: link.dropped || ports.some((p) => isDroppedVerdict(p.verdict)),
      nonPolicy: false,
      count: link.count,
      firstSeen: link.firstSeen,
      lastSeen: link.lastSeen,
    });
  }
  return { nodes, links, truncated: graph.truncated };
}

function edgeClass(link: MapLink): string {
  return link.nonPolicy ? 'edge edge-nonpolicy' : link.dropped ? 'edge edge-drop' : 'edge';
}

function drawMap(
  nodes: Map<string, MapNode>,
  links: MapLink[],
  onSelect: (link: MapLink, path: SVGElement) => void,
): { svg: SVGSVGElement; panZoom: PanZoom; frame: HTMLElement } {
  const ids = [...nodes.keys()];
  const layout = layoutLayers(ids, links, { layerGapPx: NODE_W + 64, rowGapPx: NODE_H + 18, marginPx: 28 });
  const width = layout.width + NODE_W;
  const height = layout.height + NODE_H;
  const marker = (id: string, arrowClass: string): SVGElement =>
    s(
      'marker',
      {
        id,
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 9,
        markerHeight: 9,
        markerUnits: 'userSpaceOnUse',
        orient: 'auto-start-reverse',
      },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: arrowClass }),
    );
  // No viewBox: the view transform of `view` (map-pan-zoom.ts) places the drawing.
  const svg = s(
    'svg',
    { class: 'map', role: 'img', 'aria-label': 'Service map' },
    s(
      'defs',
      null,
      marker('arrow', 'arrow-ok'),
      marker('arrow-drop', 'arrow-drop'),
      marker('arrow-nonpolicy', 'arrow-nonpolicy'),
    ),
  );
  const edgeLayer = s('g', { class: 'edges' });
  const nodeLayer = s('g', { class: 'nodes' });
  const view = s('g', { class: 'map-view', 'data-testid': 'map-view' }, edgeLayer, nodeLayer);
  svg.append(view);
  const maxCount = Math.max(1, ...links.map((l) => l.count));
  const columns = new Map<number, Box[]>();
  for (const p of layout.positions.values()) {
    const column = columns.get(p.layer);
    if (column === undefined) columns.set(p.layer, [p]);
    else column.push(p);
  }
  const routeOptions = {
    nodeWidth: NODE_W,
    nodeHeight: NODE_H,
    topChannelY: 12,
    bottomChannelY: height - 12,
  };
  for (const link of links) {
    const a = layout.positions.get(link.from);
    const b = layout.positions.get(link.to);
    if (a === undefined || b === undefined) continue;
    const route = routeEdge(a, b, columns, routeOptions);
    const strokeWidth = 1.2 + 2.8 * Math.sqrt(link.count / maxCount);
    const marker = link.nonPolicy
      ? 'url(#arrow-nonpolicy)'
      : link.dropped
        ? 'url(#arrow-drop)'
        : 'url(#arrow)';
    const visible = s('path', {
      d: route.d,
      class: edgeClass(link),
      'stroke-width': strokeWidth.toFixed(2),
      'marker-end': marker,
    });
    const ports = link.ports.map((p) => portLabel(p.port, p.protocol));
    const portText =
      ports.length > 3 ? `${ports.slice(0, 3).join(', ')} +${ports.length - 3}` : ports.join(', ');
    const hit = s(
      'path',
      {
        d: route.d,
        class: 'edge-hit',
        'data-from': link.from,
        'data-to': link.to,
        'data-dropped': link.dropped ? 'true' : 'false',
        'data-nonpolicy': link.nonPolicy ? 'true' : 'false',
        tabindex: 0,
      },
      s(
        'title',
        null,
        `${nodeName(nodes.get(link.from), link.from)} → ${nodeName(nodes.get(link.to), link.to)}: ${ports.join(', ')}`,
      ),
    );
    // The ports, drawn on the arrow while it is hovered or focused.
    const label = s(
      'text',
      { class: 'edge-label', x: route.label.x, y: route.label.y, 'text-anchor': 'middle' },
      portText,
    );
    const select = (): void => onSelect(link, visible);
    hit.addEventListener('click', select);
    hit.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') select();
    });
    edgeLayer.append(s('g', { class: 'edge-group' }, visible, hit, label));
  }
  for (const node of nodes.values()) {
    const p = layout.positions.get(node.id);
    if (p === undefined) continue;
    const color = colorIndex(node.namespace);
    nodeLayer.append(
      s(
        'g',
        {
          class: `node ${color < 0 ? 'node-external' : `ns-${color}`}`,
          transform: `translate(${p.x},${p.y})`,
          'data-node': node.id,
        },
        s(
          'title',
          null,
          node.namespace !== undefined
            ? `${node.namespace}/${node.label} (${node.kind})`
            : `${node.label} (${node.kind})`,
        ),
        s('rect', { width: NODE_W, height: NODE_H, rx: 7 }),
        // Outside addresses show their DNS name when one was seen, the address below it.
        s('text', { x: 10, y: 17, class: 'node-label' }, truncate(node.names[0] ?? node.label, 24)),
        s(
          'text',
          { x: 10, y: 31, class: 'node-sub' },
          truncate(
            node.sub ??
              node.namespace ??
              (node.names[0] !== undefined ? `${node.label} · ${node.kind}` : node.kind),
            30,
          ),
        ),
      ),
    );
  }
  const panZoom = attachPanZoom(svg, view, { x: 0, y: 0, width, height });
  return { svg, panZoom, frame: panZoomFrame(svg, panZoom, `min(70vh, ${Math.max(240, height + 24)}px)`) };
}

export async function renderMap(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  if (namespace === undefined && ctx.params.get('level') !== 'workload') return renderNamespaceMap(ctx);
  const [names, body] = await Promise.all([
    namespaceNames(),
    getJson('/api/v1/graph', { namespace }, ctx.signal),
  ]);
  const read = readGraph(body);
  const truncated = read.truncated;
  // Without the reasons the drops are drawn as policy drops; the map still renders.
  const nonPolicy = read.links.some((l) => l.dropped)
    ? await nonPolicyLinks(namespace, ctx.signal).catch(() => new Set<string>())
    : new Set<string>();
  for (const link of read.links) link.nonPolicy = link.dropped && nonPolicy.has(`${link.from}>${link.to}`);
  // A namespace's outside peers as one box per namespace / DNS name unless ?peers=each.
  const grouping = namespace !== undefined && ctx.params.get('peers') !== 'each';
  const { nodes, links, folded } = grouping
    ? groupOutsidePeers(namespace, read.nodes, read.links)
    : { ...read, folded: 0 };
  const panel = h(
    'aside',
    { class: 'map-side' },
    h(
      'p',
      { class: 'hint' },
      'Click an arrow to see its evidence: ports, counts, first and last seen, sample pods and DNS names.',
    ),
  );
  const dropped = links.filter((l) => l.dropped).length;
  const groups = [...nodes.values()].filter((n) => n.kind === 'group').length;
  const tooMany = nodes.size > MAX_NODES;
  let selected: SVGElement | undefined;
  const drawn = tooMany
    ? undefined
    : drawMap(nodes, links, (link, path) => {
        selected?.classList.remove('edge-selected');
        path.classList.add('edge-selected');
        selected = path;
        mount(panel, evidence(link, nodes));
      });
  mount(
    ctx.root,
    pageHeader(
      'Service map',
      namespace !== undefined
        ? `Workloads talking to or from ${namespace}`
        : 'Every observed workload in the cluster',
      namespacePicker(names, namespace, (ns) => ctx.navigate({ namespace: ns }), 'Whole cluster'),
      drawn !== undefined ? mapFindBox(drawn.svg, (g) => drawn.panZoom.reveal(g)) : null,
    ),
    h(
      'div',
      { class: 'legend' },
      h('span', null, h('i', { class: 'swatch swatch-ok' }), 'allowed flow'),
      h('span', null, h('i', { class: 'swatch swatch-drop' }), 'dropped by a policy'),
      h(
        'span',
        { 'data-testid': 'legend-nonpolicy' },
        h('i', { class: 'swatch swatch-nonpolicy' }),
        'dropped, not by a policy (e.g. conntrack table full)',
      ),
      h('span', { class: 'muted' }, 'hover an arrow for its ports'),
      h(
        'span',
        { class: 'muted' },
        `${nodes.size - groups} workloads${groups > 0 ? ` · ${groups} outside groups` : ''} · ${links.length} paths · ${dropped} with drops${truncated ? ' · busiest paths only' : ''}`,
      ),
      namespace !== undefined
        ? h(
            'a',
            {
              class: 'muted',
              'data-testid': 'map-peers-toggle',
              href: `#/map?namespace=${encodeURIComponent(namespace)}${grouping ? '&peers=each' : ''}`,
            },
            grouping ? `${folded} outside peers grouped: show each` : 'group outside peers',
          )
        : null,
    ),
    h(
      'div',
      { class: 'map-layout' },
      card(
        null,
        links.length === 0 && nodes.size === 0
          ? h('p', { class: 'empty' }, 'No flows observed here yet.')
          : (drawn?.frame ??
              h('p', { class: 'empty' }, `${nodes.size} workloads: too many to draw. Pick a namespace.`)),
      ),
      panel,
    ),
  );
}
