// Flows: the aggregated observed flows (edges), filterable by namespace and verdict, paged with
// the API's opaque cursor ("Next page"; the browser's Back returns to the previous page).
// GET /api/v1/flows.
import { getJson } from '../api.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, peerLabel, portLabel, timeAgo } from '../format.js';
import { items, obj, optStr, str } from '../json.js';
import { badge, card, namespaceNames, namespaceSelect, pageHeader, table, type PageContext } from '../ui.js';

const VERDICTS = ['forwarded', 'dropped', 'audit', 'error'] as const;
const PAGE_SIZE = 50;

export function verdictBadge(verdict: string): HTMLElement {
  return badge(verdict, verdict === 'forwarded' ? 'ok' : verdict === 'dropped' || verdict === 'error' ? 'bad' : 'warn');
}

export async function renderFlows(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  const verdict = ctx.params.get('verdict') ?? undefined;
  const cursor = ctx.params.get('cursor') ?? undefined;
  const [names, body] = await Promise.all([
    namespaceNames(),
    getJson('/api/v1/flows', { namespace, verdict, cursor, limit: PAGE_SIZE }, ctx.signal),
  ]);
  const next = optStr(obj(body)['nextCursor']);
  const verdictSelect = h('select', { name: 'verdict', 'aria-label': 'Verdict', onChange: () => ctx.navigate({ namespace, verdict: verdictSelect.value === '' ? undefined : verdictSelect.value }) },
    h('option', { value: '' }, 'Any verdict'),
    VERDICTS.map((v) => h('option', { value: v, selected: v === verdict }, v)));
  const rows = items(body).map((item) => {
    const f = obj(item);
    const v = str(f['verdict'], 'unknown');
    return h('tr', { class: v === 'dropped' ? 'row-drop' : '' },
      h('td', { class: 'peer' }, peerLabel(f['source'])),
      h('td', { class: 'peer' }, peerLabel(f['destination'])),
      h('td', { class: 'mono' }, portLabel(f['port'], f['protocol'])),
      h('td', null, verdictBadge(v)),
      h('td', { class: 'num' }, formatCount(f['count'])),
      h('td', { class: 'time', title: formatTime(f['firstSeen']) }, timeAgo(f['firstSeen'])),
      h('td', { class: 'time', title: formatTime(f['lastSeen']) }, timeAgo(f['lastSeen'])));
  });
  mount(ctx.root,
    pageHeader('Flows', 'Observed connections, aggregated per source, destination, port and verdict',
      namespaceSelect(names, namespace, (ns) => ctx.navigate({ namespace: ns, verdict }), 'All namespaces'),
      h('label', { class: 'field' }, h('span', null, 'Verdict'), verdictSelect)),
    card(null,
      table(['Source', 'Destination', 'Port', 'Verdict', 'Connections', 'First seen', 'Last seen'], rows, 'No flows match these filters.'),
      h('div', { class: 'pager' },
        h('span', { class: 'muted' }, `${rows.length} flows on this page${cursor !== undefined ? ' (not the first)' : ''}`),
        cursor !== undefined ? h('button', { class: 'btn', onClick: () => ctx.navigate({ namespace, verdict }) }, 'First page') : null,
        h('button', { class: 'btn btn-primary', disabled: next === undefined, onClick: () => { if (next !== undefined) ctx.navigate({ namespace, verdict, cursor: next }); } }, 'Next page →'))));
}
