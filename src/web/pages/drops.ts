// Drops: the blocked paths, classified, explained and with the suggested fix (GET /api/v1/drops),
// a live feed of blocked flows over the WebSocket (refreshing the classified list as they come;
// it starts with the most recent drops), and the alerts with their delivery state per sink
// (GET /api/v1/alerts). A refresh updates the cards in place: a card the user expanded stays
// expanded and where it is, new paths go on top (scroll anchoring keeps the view still). The
// blocked paths page through all of them (?cursor=, 50 a page) and filter by namespace and class.
import type { AlertJson, AlertsPageJson } from '../../api/alerts.js';
import { DROP_CLASSIFICATIONS } from '../../api/constants.js';
import type { DropJson, DropsPageJson } from '../../api/drops.js';
import { getJson } from '../api.js';
import { clusterDecisionLines } from '../cluster-decider.js';
import { fixDetails, fixFileName } from '../fix-yaml.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, peerLabel, portLabel, timeAgo } from '../format.js';
import { num, obj, optStr, pick, str, strs, type JsonObject } from '../json.js';
import { openStream, type StreamState } from '../stream.js';
import { badge, card, namespaceNames, pageHeader, table, type PageContext } from '../ui.js';
import { namespacePicker } from '../namespace-picker.js';

const LIVE_MAX = 50;
/** Recent drops the live table starts with: enough to see what is happening, not to bury the list. */
const LIVE_INITIAL = 8;
const CLASS_TONE: Readonly<Record<string, string>> = {
  regression: 'bad',
  dns: 'bad',
  suspicious: 'warn',
  'likely-legitimate': 'info',
  'expected-by-baseline': 'muted',
  unknown: 'muted',
};

function explanationText(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const o = obj(value);
  const lines = [...strs(o['lines']), ...strs(o['steps'])];
  const summary = optStr(pick(o, 'summary', 'text', 'message'));
  return summary !== undefined ? [summary, ...lines] : lines;
}

function dropCard(d: DropJson): HTMLElement {
  const { classification, fix, fixWarnings } = d;
  const explanation = explanationText(d.explanation);
  return h(
    'article',
    { class: 'drop', 'data-classification': classification },
    h(
      'div',
      { class: 'drop-head' },
      h(
        'div',
        { class: 'drop-path' },
        h('span', { class: 'peer' }, peerLabel(d.source)),
        h('span', { class: 'arrow-sep' }, ' → '),
        h('span', { class: 'peer' }, peerLabel(d.destination)),
        ' ',
        h('span', { class: 'mono muted' }, portLabel(d.port, d.protocol)),
      ),
      badge(classification, CLASS_TONE[classification] ?? 'muted'),
      (d.adminTierDeny?.length ?? 0) > 0 ? badge('admin-tier deny', 'purple') : null,
    ),
    h(
      'div',
      { class: 'drop-meta muted' },
      `${formatCount(d.count)} dropped connections · first ${formatTime(d.firstSeen)} · last ${timeAgo(d.lastSeen)}`,
      d.deniedBy.length > 0 ? ` · denied by ${d.deniedBy.join(', ')}` : '',
    ),
    h(
      'ul',
      { class: 'evidence-list' },
      [...d.evidence, ...explanation, ...clusterDecisionLines(d)].map((line) => h('li', null, line)),
    ),
    fix.length > 0 || fixWarnings.length > 0
      ? fixDetails(
          `Suggested fix${fix.length > 0 ? ` (${fix.length} ${fix.length === 1 ? 'policy' : 'policies'})` : ''}`,
          fix,
          fixFileName(peerLabel(d.source), peerLabel(d.destination), portLabel(d.port, d.protocol)),
          fixWarnings.map((w) => h('p', { class: 'warning' }, w)),
        )
      : null,
  );
}

/** A path's identity across refreshes: the API's key, else its ends, port and protocol. */
function dropKey(d: DropJson): string {
  return d.key !== '' ? d.key : JSON.stringify([d.source, d.destination, d.port, d.protocol]);
}

/**
 * Keeps the rendered cards in step with the latest list without disturbing the reader: a card
 * whose data did not change is left alone; a changed one is rebuilt in its place with the same
 * <details> open; new paths are inserted above the first existing card; vanished ones removed.
 */
class DropList {
  readonly element = h('div', { class: 'drops' });
  private readonly cards = new Map<string, { json: string; card: HTMLElement }>();
  private readonly empty = h('p', { class: 'empty' }, 'No blocked traffic observed.');

  update(list: readonly DropJson[]): void {
    const seen = new Set<string>();
    const fresh: HTMLElement[] = [];
    for (const item of list) {
      const key = dropKey(item);
      if (seen.has(key)) continue;
      seen.add(key);
      const json = JSON.stringify(item);
      const known = this.cards.get(key);
      if (known === undefined) {
        const card = dropCard(item);
        card.dataset['key'] = key;
        this.cards.set(key, { json, card });
        fresh.push(card);
      } else if (known.json !== json) {
        const card = dropCard(item);
        card.dataset['key'] = key;
        const open = [...known.card.querySelectorAll('details')].map((d) => d.open);
        card.querySelectorAll('details').forEach((d, i) => {
          d.open = open[i] ?? false;
        });
        known.card.replaceWith(card);
        this.cards.set(key, { json, card });
      }
    }
    for (const [key, { card }] of this.cards) {
      if (seen.has(key)) continue;
      card.remove();
      this.cards.delete(key);
    }
    this.empty.remove();
    this.element.prepend(...fresh);
    if (this.cards.size === 0) this.element.append(this.empty);
  }
}

/** A row of the live table: a blocked flow of the stream (read defensively: stream.ts) or a recent drop. */
function liveRow(event: JsonObject, fresh = true): HTMLTableRowElement {
  const e = obj(event['edge']);
  return h(
    'tr',
    { class: fresh ? 'live-new' : 'live-recent' },
    h('td', { class: 'time' }, formatTime(optStr(e['lastSeen']))),
    h('td', { class: 'peer' }, peerLabel(obj(e['source']))),
    h('td', { class: 'peer' }, peerLabel(obj(e['destination']))),
    h('td', { class: 'mono' }, portLabel(num(e['port']), optStr(e['protocol']))),
    h('td', { class: 'num' }, formatCount(num(e['count']))),
    h('td', null, Object.keys(obj(e['dropReasons'])).slice(0, 3).join(', ') || '–'),
  );
}

function deliveryBadges(deliveries: AlertJson['deliveries']): HTMLElement[] {
  return deliveries.map((d) => {
    const { state, attempts } = d;
    return h(
      'span',
      { class: 'delivery', title: d.lastError ?? '' },
      badge(`${d.sink}: ${state}`, state === 'sent' ? 'ok' : state === 'failed' ? 'bad' : 'warn'),
      attempts > 1 ? h('span', { class: 'muted small' }, ` ${attempts} attempts`) : null,
    );
  });
}

function alertRows(body: AlertsPageJson): HTMLTableRowElement[] {
  return body.items.map((a) => {
    const status = a.status;
    return h(
      'tr',
      null,
      h('td', null, badge(status, status === 'firing' ? 'bad' : 'muted')),
      h('td', null, badge(a.classification, CLASS_TONE[a.classification] ?? 'muted')),
      h('td', null, a.summary),
      h('td', { class: 'num' }, formatCount(a.count)),
      h('td', { class: 'time' }, timeAgo(a.lastSeenMs)),
      h(
        'td',
        null,
        a.deliveries.length > 0
          ? deliveryBadges(a.deliveries)
          : h('span', { class: 'muted' }, 'no sink configured'),
      ),
    );
  });
}

/** Blocked paths per page. */
const DROPS_PAGE = 50;

function filters(
  ctx: PageContext,
  names: readonly string[],
  namespace: string | undefined,
  classification: string | undefined,
): HTMLElement {
  const select = h(
    'select',
    {
      name: 'classification',
      'aria-label': 'Class',
      onChange: () =>
        ctx.navigate({ namespace, classification: select.value === '' ? undefined : select.value }),
    },
    h('option', { value: '' }, 'All classes'),
    DROP_CLASSIFICATIONS.map((c) => h('option', { value: c, selected: c === classification }, c)),
  );
  return h(
    'div',
    { class: 'toolbar' },
    namespacePicker(
      names,
      namespace,
      (ns) => ctx.navigate({ namespace: ns, classification }),
      'All namespaces',
    ),
    h('label', { class: 'field' }, h('span', null, 'Class'), select),
  );
}

/** Next follows the API's nextCursor; First goes back to the newest. `page` only numbers what is shown. */
function dropsPager(
  ctx: PageContext,
  body: DropsPageJson,
  page: number,
  namespace: string | undefined,
  classification: string | undefined,
): HTMLElement | null {
  const total = body.total;
  const next = body.nextCursor ?? undefined;
  const offset = (page - 1) * DROPS_PAGE;
  if (next === undefined && page === 1)
    return total > 0
      ? h('p', { class: 'muted small' }, `${formatCount(total)} blocked ${total === 1 ? 'path' : 'paths'}.`)
      : null;
  return h(
    'div',
    { class: 'pager' },
    h(
      'span',
      { class: 'muted small', 'data-testid': 'drops-range' },
      `${formatCount(offset + 1)}–${formatCount(offset + body.items.length)} of ${formatCount(total)} blocked paths`,
    ),
    h(
      'button',
      {
        class: 'btn btn-small',
        type: 'button',
        disabled: page === 1,
        onClick: () => ctx.navigate({ namespace, classification }),
      },
      'Newest',
    ),
    h(
      'button',
      {
        class: 'btn btn-small',
        type: 'button',
        disabled: next === undefined,
        onClick: () => ctx.navigate({ namespace, classification, cursor: next, page: String(page + 1) }),
      },
      'Next',
    ),
  );
}

export async function renderDrops(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  const classification = ctx.params.get('classification') ?? undefined;
  const cursor = ctx.params.get('cursor') ?? undefined;
  const page = cursor === undefined ? 1 : Math.max(2, Math.floor(Number(ctx.params.get('page') ?? '2')) || 2);
  const query = { namespace, classification, limit: DROPS_PAGE, cursor };
  const [drops, alerts, names] = await Promise.all([
    getJson('/api/v1/drops', query, ctx.signal),
    getJson('/api/v1/alerts', undefined, ctx.signal),
    namespaceNames(),
  ]);
  const dropList = new DropList();
  const alertsBox = h('div', null);
  // The live table starts with the most recent blocked paths; the stream adds to it.
  const recent = [...drops.items].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).slice(0, LIVE_INITIAL);
  const liveBody = h(
    'tbody',
    null,
    recent.map((item) => liveRow({ edge: item }, false)),
  );
  const liveEmpty = h('p', { class: 'empty' }, 'No blocked flow yet; new ones appear here as they arrive.');
  const status = h('span', { class: 'pill pill-connecting', 'data-testid': 'stream-state' }, 'connecting');
  const showDrops = (body: DropsPageJson): void => dropList.update(body.items);
  const showAlerts = (body: AlertsPageJson): void => {
    mount(
      alertsBox,
      table(
        ['Status', 'Class', 'Summary', 'Connections', 'Last seen', 'Delivery'],
        alertRows(body),
        'No alert raised.',
      ),
    );
  };
  showDrops(drops);
  showAlerts(alerts);

  let refresh: ReturnType<typeof setTimeout> | undefined;
  const scheduleRefresh = (): void => {
    if (refresh !== undefined) return;
    refresh = setTimeout(() => {
      refresh = undefined;
      Promise.all([
        getJson('/api/v1/drops', query, ctx.signal),
        getJson('/api/v1/alerts', undefined, ctx.signal),
      ])
        .then(([d, a]) => {
          showDrops(d);
          showAlerts(a);
        })
        .catch(() => {
          /* the next event retries */
        });
    }, 1000);
  };
  // Without the stream (not offered, or down), poll so the page still moves.
  let poll: ReturnType<typeof setInterval> | undefined;
  const close = openStream({
    onState: (state: StreamState) => {
      status.className = `pill pill-${state}`;
      status.textContent = state === 'offline' ? 'offline · polling' : state;
      if (state === 'offline' && poll === undefined) poll = setInterval(scheduleRefresh, 10_000);
      if (state === 'live' && poll !== undefined) {
        clearInterval(poll);
        poll = undefined;
      }
    },
    onEvent: (event) => {
      const type = str(event['type']);
      if (type === 'blocked') {
        liveEmpty.remove();
        liveBody.prepend(liveRow(event));
        while (liveBody.rows.length > LIVE_MAX) liveBody.lastElementChild?.remove();
        scheduleRefresh();
      } else if (type === 'alert') {
        scheduleRefresh();
      }
    },
  });
  ctx.onLeave(() => {
    close();
    if (refresh !== undefined) clearTimeout(refresh);
    if (poll !== undefined) clearInterval(poll);
  });

  mount(
    ctx.root,
    pageHeader(
      'Drops',
      'Blocked traffic, classified and explained, with the policy change that would admit it',
      status,
    ),
    card(
      'Live: blocked flows as they arrive',
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'data-testid': 'live-drops' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Last seen', 'Source', 'Destination', 'Port', 'Drops', 'Reason'].map((t) => h('th', null, t)),
            ),
          ),
          liveBody,
        ),
      ),
      recent.length === 0 ? liveEmpty : null,
    ),
    card(
      'Blocked paths',
      filters(ctx, names, namespace, classification),
      dropList.element,
      dropsPager(ctx, drops, page, namespace, classification),
    ),
    card('Alerts', alertsBox),
  );
}
