// The whole-cluster service map as a namespace-to-namespace summary (GET /api/v1/graph?level=namespace):
// namespaces (and outside peers grouped by kind) on a ring sized to the number of namespaces,
// links per namespace pair weighted by connections, red when any path between them was dropped.
// Its size follows the namespaces, never the workloads, so it draws at any cluster size. Clicking
// a namespace drills into its workload map; hovering one highlights its links; the find box
// highlights the namespaces whose name contains the text; the view pans and zooms, fitted on load
// (map-pan-zoom.ts). A table lists the busiest pairs.
import type { NamespaceGraphJson } from '../../api/namespace-graph.js';
import { getJson } from '../api.js';
import { h, mount, s } from '../dom.js';
import { formatCount } from '../format.js';
import { markMatches } from '../map-find.js';
import { attachPanZoom, panZoomFrame, type PanZoom } from '../map-pan-zoom.js';
import { searchBox } from '../search-box.js';
import { card, pageHeader, table, type PageContext } from '../ui.js';

interface Counts {
  readonly count: number;
  readonly droppedCount: number;
  readonly paths: number;
  readonly droppedPaths: number;
}
interface NsNode {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly workloads: number;
  readonly internal: Counts;
}
interface NsLink extends Counts {
  readonly source: string;
  readonly target: string;
}

const PAIRS_LISTED = 30;
const LABEL_CHARS = 28;
/** What the API accepts as ?namespace= (a DNS-1123 label): anything else cannot be drilled into. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function readSummary(body: NamespaceGraphJson): { nodes: NsNode[]; links: NsLink[]; truncated: boolean } {
  const nodes = body.nodes;
  const ids = new Set(nodes.map((n) => n.id));
  const links = body.links.filter((l) => ids.has(l.source) && ids.has(l.target));
  return { nodes, links, truncated: body.truncated };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const canDrill = (node: NsNode): boolean => node.kind === 'namespace' && NAMESPACE_NAME.test(node.name);
const labelOf = (node: NsNode): string => (node.kind === 'namespace' ? node.name : `(${node.name})`);

function drawSummary(
  nodes: readonly NsNode[],
  links: readonly NsLink[],
  drill: (node: NsNode) => void,
): { svg: SVGSVGElement; panZoom: PanZoom; frame: HTMLElement } {
  const ringR = Math.max(140, (nodes.length * 22) / (2 * Math.PI));
  const labelRoom = 7.2 * LABEL_CHARS;
  const half = ringR + labelRoom + 24;
  // No viewBox: the view transform (map-pan-zoom.ts) places the ring, centred on the origin.
  const svg = s('svg', {
    class: 'map ns-map',
    role: 'img',
    'aria-label': 'Namespace map',
    'data-testid': 'namespace-map',
  });
  const at = new Map<string, { x: number; y: number; angle: number }>();
  nodes.forEach((node, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    at.set(node.id, { x: ringR * Math.cos(angle), y: ringR * Math.sin(angle), angle });
  });
  const maxCount = Math.max(1, ...links.map((l) => l.count));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const linksOf = new Map<string, SVGElement[]>();
  const edgeLayer = s('g', { class: 'edges' });
  for (const link of links) {
    const a = at.get(link.source);
    const b = at.get(link.target);
    if (a === undefined || b === undefined) continue;
    // Curved through a point between the chord's middle and the centre: fewer straight overlaps.
    const cx = (a.x + b.x) / 4;
    const cy = (a.y + b.y) / 4;
    const from = byId.get(link.source);
    const to = byId.get(link.target);
    const path = s(
      'path',
      {
        d: `M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${b.x.toFixed(1)},${b.y.toFixed(1)}`,
        class: link.droppedPaths > 0 ? 'ns-link ns-link-drop' : 'ns-link',
        'stroke-width': (0.8 + 4 * Math.sqrt(link.count / maxCount)).toFixed(2),
        'data-source': link.source,
        'data-target': link.target,
      },
      s(
        'title',
        null,
        `${from !== undefined ? labelOf(from) : link.source} → ${to !== undefined ? labelOf(to) : link.target}: ` +
          `${formatCount(link.count)} connections over ${formatCount(link.paths)} paths` +
          (link.droppedPaths > 0 ? `, ${formatCount(link.droppedPaths)} paths with drops` : ''),
      ),
    );
    edgeLayer.append(path);
    for (const end of [link.source, link.target]) {
      const list = linksOf.get(end);
      if (list === undefined) linksOf.set(end, [path]);
      else list.push(path);
    }
  }
  const nodeLayer = s('g', { class: 'nodes' });
  const maxWorkloads = Math.max(1, ...nodes.map((n) => n.workloads));
  for (const node of nodes) {
    const p = at.get(node.id);
    if (p === undefined) continue;
    const left = Math.cos(p.angle) < 0;
    const degrees = (p.angle * 180) / Math.PI + (left ? 180 : 0);
    const r = 4 + 6 * Math.sqrt(node.workloads / maxWorkloads);
    const dropped = node.internal.droppedPaths > 0;
    const g = s(
      'g',
      {
        class: `ns-node${node.kind === 'namespace' ? '' : ' ns-node-external'}${dropped ? ' ns-node-drop' : ''}${canDrill(node) ? ' ns-node-link' : ''}`,
        transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`,
        'data-namespace': node.name,
        'data-kind': node.kind,
        tabindex: canDrill(node) ? 0 : undefined,
        role: canDrill(node) ? 'link' : undefined,
      },
      s(
        'title',
        null,
        `${labelOf(node)}: ${formatCount(node.workloads)} workloads, ${formatCount(node.internal.count)} connections inside` +
          (dropped ? `, ${formatCount(node.internal.droppedPaths)} paths with drops inside` : '') +
          (canDrill(node) ? ' — click to open its map' : ''),
      ),
      s('circle', { r: r.toFixed(1) }),
      s(
        'text',
        {
          class: 'ns-label',
          transform: `rotate(${degrees.toFixed(1)})`,
          x: left ? -(r + 5) : r + 5,
          y: 4,
          'text-anchor': left ? 'end' : 'start',
        },
        truncate(labelOf(node), LABEL_CHARS),
      ),
    );
    const highlight = (on: boolean): void => {
      svg.classList.toggle('ns-focus', on);
      for (const path of linksOf.get(node.id) ?? []) path.classList.toggle('ns-link-hl', on);
    };
    g.addEventListener('mouseenter', () => highlight(true));
    g.addEventListener('mouseleave', () => highlight(false));
    g.addEventListener('click', () => drill(node));
    g.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') drill(node);
    });
    nodeLayer.append(g);
  }
  const view = s('g', { class: 'map-view', 'data-testid': 'map-view' }, edgeLayer, nodeLayer);
  svg.append(view);
  const panZoom = attachPanZoom(svg, view, { x: -half, y: -half, width: 2 * half, height: 2 * half });
  return { svg, panZoom, frame: panZoomFrame(svg, panZoom, `min(78vh, ${Math.ceil(2 * half)}px)`) };
}

function pairsTable(
  nodes: readonly NsNode[],
  links: readonly NsLink[],
  drill: (node: NsNode) => void,
): HTMLElement {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const cell = (id: string): HTMLElement => {
    const node = byId.get(id);
    if (node === undefined) return h('td', null, id);
    return h(
      'td',
      null,
      canDrill(node)
        ? h('button', { class: 'link-button', type: 'button', onClick: () => drill(node) }, node.name)
        : labelOf(node),
    );
  };
  const rows = [...links]
    .sort((a, b) => b.droppedPaths - a.droppedPaths || b.count - a.count)
    .slice(0, PAIRS_LISTED)
    .map((l) =>
      h(
        'tr',
        { 'data-pair': `${l.source}>${l.target}` },
        cell(l.source),
        cell(l.target),
        h('td', { class: 'num' }, formatCount(l.count)),
        h('td', { class: 'num' }, formatCount(l.paths)),
        h('td', { class: l.droppedPaths > 0 ? 'num bad' : 'num' }, formatCount(l.droppedPaths)),
      ),
    );
  return table(
    ['From', 'To', 'Connections', 'Paths', 'Paths with drops'],
    rows,
    'No traffic between namespaces yet.',
  );
}

/** The whole-cluster page of the service map. */
export async function renderNamespaceMap(ctx: PageContext): Promise<void> {
  const body = await getJson('/api/v1/graph?level=namespace', {}, ctx.signal);
  const { nodes, links, truncated } = readSummary(body);
  const status = h('p', { class: 'hint', 'aria-live': 'polite' }, 'Click a namespace to open its map.');
  const drill = (node: NsNode): void => {
    if (canDrill(node)) ctx.navigate({ namespace: node.name });
    else mount(status, `${labelOf(node)} is not a namespace the API can open on its own.`);
  };
  const { svg, panZoom, frame } = drawSummary(nodes, links, drill);
  const find = searchBox({
    placeholder: 'Find a namespace',
    label: 'Find a namespace',
    testId: 'namespace-find',
    onSearch: (typed) => {
      const text = typed.toLowerCase();
      const { matches, first } = markMatches(svg, text, {
        nodes: 'g.ns-node',
        nameOf: (g) => g.dataset['namespace'] ?? '',
        searching: 'ns-searching',
        match: 'ns-match',
      });
      if (first !== undefined) panZoom.reveal(first);
      mount(status, text === '' ? 'Click a namespace to open its map.' : `${matches} namespaces match.`);
    },
  });
  const namespaces = nodes.filter((n) => n.kind === 'namespace').length;
  const withDrops = links.filter((l) => l.droppedPaths > 0).length;
  mount(
    ctx.root,
    pageHeader(
      'Service map',
      'Namespaces and the traffic between them, across the whole cluster',
      h('label', { class: 'field' }, h('span', null, 'Find'), find),
    ),
    h(
      'div',
      { class: 'legend' },
      h('span', null, h('i', { class: 'swatch swatch-ok' }), 'traffic between namespaces'),
      h('span', null, h('i', { class: 'swatch swatch-drop' }), 'some paths dropped'),
      h(
        'span',
        { class: 'muted', 'data-testid': 'namespace-map-counts' },
        `${namespaces} namespaces · ${links.length} namespace pairs · ${withDrops} with drops${truncated ? ' · busiest only' : ''}`,
      ),
      h('a', { href: '#/map?level=workload', class: 'muted' }, 'every workload (small clusters)'),
    ),
    h(
      'div',
      { class: 'map-layout' },
      card(
        null,
        nodes.length === 0
          ? h('p', { class: 'empty' }, 'No flows observed yet.')
          : h('div', { class: 'ns-map-wrap' }, frame),
        status,
      ),
      card('Busiest namespace pairs', pairsTable(nodes, links, drill)),
    ),
  );
}
