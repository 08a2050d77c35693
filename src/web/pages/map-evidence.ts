// The service map's side panel for one arrow: its ports with their verdicts, counts, first and
// last seen, and sample pods and DNS names read from the flows of its namespace (GET
// /api/v1/flows; the graph carries none). Names are cluster data: text nodes only (dom.ts).
import { getJson } from '../api.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, portLabel, timeAgo, type PeerView } from '../format.js';
import { badge, kv } from '../ui.js';
import type { MapLink, MapNode } from './map.js';

export function isDroppedVerdict(verdict: string): boolean {
  return verdict === 'dropped' || verdict === 'error';
}

export function nodeName(node: MapNode | undefined, id: string): string {
  if (node === undefined) return id;
  if (node.kind === 'group') return `${node.label} (${node.sub ?? 'group'})`;
  return node.namespace !== undefined ? `${node.namespace}/${node.label}` : node.label;
}

/** Does a flow item of GET /api/v1/flows belong to this node? */
function flowSideMatches(side: PeerView, node: MapNode | undefined): boolean {
  if (node === undefined) return false;
  if (node.kind === 'group')
    return node.namespace !== undefined
      ? side.namespace === node.namespace
      : (side.names ?? []).includes(node.label) || ((side.ip ?? '') !== '' && side.kind === node.label);
  if (node.namespace !== undefined) return side.namespace === node.namespace && side.workload === node.label;
  return side.ip === node.label || ((side.ip ?? '') === '' && side.kind === node.label);
}

/** Sample pods and DNS names come from the flows of the link's namespace (the graph has none). */
async function loadSamples(link: MapLink, nodes: Map<string, MapNode>, into: HTMLElement): Promise<void> {
  const source = nodes.get(link.from);
  const target = nodes.get(link.to);
  const namespace = source?.namespace ?? target?.namespace;
  const sourcePods = new Set<string>();
  const targetPods = new Set<string>();
  const names = new Set<string>([...(source?.names ?? []), ...(target?.names ?? [])]);
  if (namespace !== undefined) {
    const body = await getJson('/api/v1/flows', { namespace, limit: 500 });
    for (const f of body.items) {
      const from: PeerView = f.source;
      const to: PeerView = f.destination;
      if (!flowSideMatches(from, source) || !flowSideMatches(to, target)) continue;
      for (const p of from.pods ?? []) sourcePods.add(p);
      for (const p of to.pods ?? []) targetPods.add(p);
      for (const n of [...(from.names ?? []), ...(to.names ?? [])]) names.add(n);
    }
  }
  const list = (values: Set<string>): string =>
    values.size === 0 ? '–' : [...values].slice(0, 6).join(', ');
  mount(
    into,
    kv([
      ['Source pods', list(sourcePods)],
      ['Destination pods', list(targetPods)],
      ['DNS names', list(names)],
    ]),
  );
}

export function evidence(link: MapLink, nodes: Map<string, MapNode>): HTMLElement {
  const samples = h('div', { class: 'samples' }, h('p', { class: 'muted' }, 'Loading sample pods…'));
  loadSamples(link, nodes, samples).catch((error: unknown) =>
    mount(
      samples,
      h(
        'p',
        { class: 'muted' },
        `Sample pods unavailable: ${error instanceof Error ? error.message : String(error)}`,
      ),
    ),
  );
  return h(
    'div',
    { class: 'evidence', 'data-testid': 'edge-evidence' },
    h(
      'h3',
      null,
      nodeName(nodes.get(link.from), link.from),
      h('span', { class: 'arrow-sep' }, ' → '),
      nodeName(nodes.get(link.to), link.to),
    ),
    link.dropped ? badge('drops observed', 'bad') : badge('allowed', 'ok'),
    kv([
      ['Connections', formatCount(link.count)],
      ['First seen', formatTime(link.firstSeen)],
      ['Last seen', `${formatTime(link.lastSeen)} (${timeAgo(link.lastSeen)})`],
    ]),
    h(
      'table',
      { class: 'mini' },
      h(
        'thead',
        null,
        h('tr', null, h('th', null, 'Port'), h('th', null, 'Verdict'), h('th', null, 'Connections')),
      ),
      h(
        'tbody',
        null,
        link.ports.map((p) =>
          h(
            'tr',
            null,
            h('td', { class: 'mono' }, portLabel(p.port, p.protocol)),
            h('td', null, badge(p.verdict, isDroppedVerdict(p.verdict) ? 'bad' : 'ok')),
            h('td', { class: 'num' }, formatCount(p.count)),
          ),
        ),
      ),
    ),
    samples,
  );
}
