// Flows: the aggregated observed flows (edges), filterable by namespace and verdict, paged with
// the API's opaque cursor ("Next page"; the browser's Back returns to the previous page).
// GET /api/v1/flows. The loaded page can be sorted by any column (click its header) and searched
// across names, labels, DNS names and drop reasons (flow-sort.ts); the page says that both act on
// the flows loaded, not on the whole store.
import type { EdgeJson } from '../../api/common.js';
import { VERDICTS } from '../../api/constants.js';
import { getJson } from '../api.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, peerLabel, portLabel, timeAgo, type PeerView } from '../format.js';
import {
  dropReasons,
  isSortKey,
  searchFlows,
  sortFlows,
  type SortDirection,
  type SortKey,
} from '../flow-sort.js';
import { searchBox } from '../search-box.js';
import { badge, card, namespaceNames, pageHeader, type PageContext } from '../ui.js';
import { namespacePicker } from '../namespace-picker.js';

const PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;

/** Labels worth showing: the pod's own, not the platform's bookkeeping. */
const NOISE_LABEL =
  /^(pod-template-hash|controller-revision-hash|pod-template-generation|statefulset\.kubernetes\.io\/pod-name|io\.kubernetes\.|io\.cilium\.)/;

function peerCell(peer: PeerView): HTMLTableCellElement {
  const labels = Object.entries(peer.labels ?? {})
    .filter(([key]) => !NOISE_LABEL.test(key))
    .slice(0, 3)
    .map(([key, value]) => h('span', { class: 'label-chip' }, `${key}=${value}`));
  return h(
    'td',
    { class: 'peer' },
    peerLabel(peer),
    labels.length > 0 ? h('div', { class: 'labels' }, labels) : null,
  );
}

export function verdictBadge(verdict: string): HTMLElement {
  return badge(
    verdict,
    verdict === 'forwarded' ? 'ok' : verdict === 'dropped' || verdict === 'error' ? 'bad' : 'warn',
  );
}

export async function renderFlows(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  const verdict = ctx.params.get('verdict') ?? undefined;
  const cursor = ctx.params.get('cursor') ?? undefined;
  const requested = Number(ctx.params.get('limit'));
  const limit =
    Number.isInteger(requested) && requested >= 1 && requested <= 1000 ? requested : DEFAULT_PAGE_SIZE;
  const limitParam = limit === DEFAULT_PAGE_SIZE ? undefined : String(limit);
  const [names, body] = await Promise.all([
    namespaceNames(),
    getJson('/api/v1/flows', { namespace, verdict, cursor, limit }, ctx.signal),
  ]);
  const next = body.nextCursor ?? undefined;
  const verdictSelect = h(
    'select',
    {
      name: 'verdict',
      'aria-label': 'Verdict',
      onChange: () =>
        ctx.navigate({
          namespace,
          verdict: verdictSelect.value === '' ? undefined : verdictSelect.value,
          limit: limitParam,
        }),
    },
    h('option', { value: '' }, 'Any verdict'),
    VERDICTS.map((v) => h('option', { value: v, selected: v === verdict }, v)),
  );
  const sizeSelect = h(
    'select',
    {
      name: 'limit',
      'aria-label': 'Rows per page',
      onChange: () => ctx.navigate({ namespace, verdict, limit: sizeSelect.value }),
    },
    [...new Set([...PAGE_SIZES, limit])]
      .sort((a, b) => a - b)
      .map((n) => h('option', { value: String(n), selected: n === limit }, `${n} per page`)),
  );
  const loaded = body.items;
  const row = (f: EdgeJson): HTMLTableRowElement => {
    const v = f.verdict;
    const reasons = dropReasons(f);
    return h(
      'tr',
      { class: v === 'dropped' ? 'row-drop' : '' },
      peerCell(f.source),
      peerCell(f.destination),
      h('td', { class: 'mono' }, portLabel(f.port, f.protocol)),
      h('td', null, verdictBadge(v)),
      h(
        'td',
        { class: 'small mono', 'data-column': 'reason' },
        reasons.length > 0 ? reasons.slice(0, 2).join(', ') : '–',
      ),
      h('td', { class: 'num' }, formatCount(f.count)),
      h('td', { class: 'time', title: formatTime(f.firstSeen) }, timeAgo(f.firstSeen)),
      h('td', { class: 'time', title: formatTime(f.lastSeen) }, timeAgo(f.lastSeen)),
    );
  };
  const columns: readonly (readonly [string, SortKey])[] = [
    ['Source', 'source'],
    ['Destination', 'destination'],
    ['Port', 'port'],
    ['Verdict', 'verdict'],
    ['Drop reason', 'reason'],
    ['Connections', 'count'],
    ['First seen', 'firstSeen'],
    ['Last seen', 'lastSeen'],
  ];
  const requestedSort = ctx.params.get('sort') ?? undefined;
  let sortKey: SortKey | undefined = isSortKey(requestedSort) ? requestedSort : undefined;
  let direction: SortDirection = ctx.params.get('dir') === 'asc' ? 'asc' : 'desc';
  let query = ctx.params.get('q') ?? '';
  const tbody = h('tbody', null);
  const shown = h('span', { class: 'muted', 'data-testid': 'flows-shown' });
  const headers = columns.map(([title, key]) =>
    h(
      'th',
      { 'data-sort': key, 'aria-sort': 'none' },
      h(
        'button',
        {
          class: 'th-sort',
          type: 'button',
          onClick: () => {
            direction = sortKey === key && direction === 'desc' ? 'asc' : 'desc';
            sortKey = key;
            redraw();
          },
        },
        title,
      ),
    ),
  );
  const redraw = (): void => {
    const matching = searchFlows(loaded, query);
    const ordered = sortKey === undefined ? matching : sortFlows(matching, sortKey, direction);
    mount(tbody, ordered.map(row));
    for (const th of headers) {
      const active = th.dataset['sort'] === sortKey;
      th.setAttribute('aria-sort', active ? (direction === 'asc' ? 'ascending' : 'descending') : 'none');
      th.classList.toggle('sorted', active);
    }
    shown.textContent =
      query.trim() === ''
        ? `${loaded.length} flows on this page${cursor !== undefined ? ' (not the first)' : ''}`
        : `${ordered.length} of the ${loaded.length} flows on this page match`;
  };
  const search = searchBox({
    name: 'q',
    placeholder: 'Search names, labels, reasons…',
    label: 'Search flows',
    value: query,
    onSearch: (text) => {
      query = text;
      redraw();
    },
  });
  redraw();
  const rows = loaded;
  mount(
    ctx.root,
    pageHeader(
      'Flows',
      'Observed connections, aggregated per source, destination, port and verdict',
      namespacePicker(
        names,
        namespace,
        (ns) => ctx.navigate({ namespace: ns, verdict, limit: limitParam }),
        'All namespaces',
      ),
      h('label', { class: 'field' }, h('span', null, 'Verdict'), verdictSelect),
      h('label', { class: 'field' }, h('span', null, 'Page size'), sizeSelect),
    ),
    card(
      null,
      h(
        'div',
        { class: 'toolbar' },
        search,
        h(
          'span',
          { class: 'muted small' },
          'Sorting and search apply to the flows loaded on this page; narrow the page with the filters above.',
        ),
      ),
      rows.length === 0
        ? h('p', { class: 'empty' }, 'No flows match these filters.')
        : h(
            'div',
            { class: 'table-wrap' },
            h('table', { 'data-testid': 'flows-table' }, h('thead', null, h('tr', null, headers)), tbody),
          ),
      h(
        'div',
        { class: 'pager' },
        shown,
        cursor !== undefined
          ? h(
              'button',
              { class: 'btn', onClick: () => ctx.navigate({ namespace, verdict, limit: limitParam }) },
              'First page',
            )
          : null,
        h(
          'button',
          {
            class: 'btn btn-primary',
            disabled: next === undefined,
            onClick: () => {
              if (next !== undefined) ctx.navigate({ namespace, verdict, cursor: next, limit: limitParam });
            },
          },
          'Next page →',
        ),
      ),
    ),
  );
}
