// Flows: the aggregated observed flows (edges), filterable by namespace and verdict, paged with
// the API's opaque cursor ("Next page"; the browser's Back returns to the previous page).
// GET /api/v1/flows.
import { getJson } from '../api.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, peerLabel, portLabel, timeAgo } from '../format.js';
import { items, obj, optStr, str } from '../json.js';
import { badge, card, namespaceNames, namespaceSelect, pageHeader, table, type PageContext } from '../ui.js';

const VERDICTS = ['forwarded', 'dropped', 'audit', 'error'] as const;
const PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;

/** Labels worth showing: the pod's own, not the platform's bookkeeping. */
const NOISE_LABEL = /^(pod-template-hash|controller-revision-hash|pod-template-generation|statefulset\.kubernetes\.io\/pod-name|io\.kubernetes\.|io\.cilium\.)/;

function peerCell(peer: unknown): HTMLTableCellElement {
  const labels = Object.entries(obj(obj(peer)['labels']))
    .filter(([key, value]) => typeof value === 'string' && !NOISE_LABEL.test(key))
    .slice(0, 3)
    .map(([key, value]) => h('span', { class: 'label-chip' }, `${key}=${str(value)}`));
  return h('td', { class: 'peer' }, peerLabel(peer), labels.length > 0 ? h('div', { class: 'labels' }, labels) : null);
}

export function verdictBadge(verdict: string): HTMLElement {
  return badge(verdict, verdict === 'forwarded' ? 'ok' : verdict === 'dropped' || verdict === 'error' ? 'bad' : 'warn');
}

export async function renderFlows(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  const verdict = ctx.params.get('verdict') ?? undefined;
  const cursor = ctx.params.get('cursor') ?? undefined;
  const requested = Number(ctx.params.get('limit'));
  const limit = Number.isInteger(requested) && requested >= 1 && requested <= 1000 ? requested : DEFAULT_PAGE_SIZE;
  const limitParam = limit === DEFAULT_PAGE_SIZE ? undefined : String(limit);
  const [names, body] = await Promise.all([
    namespaceNames(),
    getJson('/api/v1/flows', { namespace, verdict, cursor, limit }, ctx.signal),
  ]);
  const next = optStr(obj(body)['nextCursor']);
  const verdictSelect = h('select', { name: 'verdict', 'aria-label': 'Verdict', onChange: () => ctx.navigate({ namespace, verdict: verdictSelect.value === '' ? undefined : verdictSelect.value, limit: limitParam }) },
    h('option', { value: '' }, 'Any verdict'),
    VERDICTS.map((v) => h('option', { value: v, selected: v === verdict }, v)));
  const sizeSelect = h('select', { name: 'limit', 'aria-label': 'Rows per page', onChange: () => ctx.navigate({ namespace, verdict, limit: sizeSelect.value }) },
    [...new Set([...PAGE_SIZES, limit])].sort((a, b) => a - b).map((n) => h('option', { value: String(n), selected: n === limit }, `${n} per page`)));
  const rows = items(body).map((item) => {
    const f = obj(item);
    const v = str(f['verdict'], 'unknown');
    return h('tr', { class: v === 'dropped' ? 'row-drop' : '' },
      peerCell(f['source']),
      peerCell(f['destination']),
      h('td', { class: 'mono' }, portLabel(f['port'], f['protocol'])),
      h('td', null, verdictBadge(v)),
      h('td', { class: 'num' }, formatCount(f['count'])),
      h('td', { class: 'time', title: formatTime(f['firstSeen']) }, timeAgo(f['firstSeen'])),
      h('td', { class: 'time', title: formatTime(f['lastSeen']) }, timeAgo(f['lastSeen'])));
  });
  mount(ctx.root,
    pageHeader('Flows', 'Observed connections, aggregated per source, destination, port and verdict',
      namespaceSelect(names, namespace, (ns) => ctx.navigate({ namespace: ns, verdict, limit: limitParam }), 'All namespaces'),
      h('label', { class: 'field' }, h('span', null, 'Verdict'), verdictSelect),
      h('label', { class: 'field' }, h('span', null, 'Page size'), sizeSelect)),
    card(null,
      table(['Source', 'Destination', 'Port', 'Verdict', 'Connections', 'First seen', 'Last seen'], rows, 'No flows match these filters.'),
      h('div', { class: 'pager' },
        h('span', { class: 'muted' }, `${rows.length} flows on this page${cursor !== undefined ? ' (not the first)' : ''}`),
        cursor !== undefined ? h('button', { class: 'btn', onClick: () => ctx.navigate({ namespace, verdict, limit: limitParam }) }, 'First page') : null,
        h('button', { class: 'btn btn-primary', disabled: next === undefined, onClick: () => { if (next !== undefined) ctx.navigate({ namespace, verdict, cursor: next, limit: limitParam }); } }, 'Next page →'))));
}
