// One namespace's proposed policies on the Recommendations page, from the summary route: a
// searchable summary table first (paged), then the policy cards of the current page, collapsed
// beyond the first few. A card's YAML and evidence are fetched from /recommendations/policy when
// it is first opened, so a namespace of 1,000 policies paints from the summary alone.
import type { PolicySummaryJson, ProposedPolicyJson } from '../../api/recommendations.js';
import { getJson } from '../api.js';
import { copyText } from '../clipboard.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, portLabel, timeAgo } from '../format.js';
import { searchBox } from '../search-box.js';
import { badge, errorBox, loading, pager } from '../ui.js';
import { renderYaml } from '../yaml-highlight.js';

const ROLE_LABEL: Readonly<Record<string, string>> = {
  'allow-ingress': 'ingress allow',
  'allow-egress': 'egress allow',
  dns: 'DNS',
  'default-deny': 'default deny',
};
/** Policies shown expanded when a page of cards is rendered; the rest start collapsed. */
export const OPEN_POLICIES = 3;
/** Summary rows and policy cards per page. */
const TABLE_PAGE = 100;
const CARD_PAGE = 25;

export const roleBadge = (role: string): HTMLElement =>
  badge(ROLE_LABEL[role] ?? role, role === 'default-deny' ? 'bad' : role === 'dns' ? 'info' : 'ok');

type RuleJson = ProposedPolicyJson['rules'][number];

function ruleRow(r: RuleJson): HTMLTableRowElement {
  const ports = r.ports.map((p) => portLabel(p.port, p.protocol));
  const { samplePods: pods, names, reasons } = r;
  return h(
    'tr',
    null,
    h('td', null, badge(r.direction, r.direction === 'ingress' ? 'info' : 'purple')),
    h(
      'td',
      { class: 'peer' },
      r.peer,
      names.length > 0 ? h('div', { class: 'muted small' }, names.slice(0, 4).join(', ')) : null,
    ),
    h('td', { class: 'mono' }, ports.length > 0 ? ports.join(', ') : 'all ports'),
    h('td', { class: 'num' }, formatCount(r.connections)),
    h(
      'td',
      { class: 'time', title: `${formatTime(r.firstSeenMs)} – ${formatTime(r.lastSeenMs)}` },
      timeAgo(r.lastSeenMs),
    ),
    h(
      'td',
      { class: 'small' },
      pods.length > 0 ? pods.slice(0, 3).join(', ') : '–',
      reasons.length > 0 ? h('div', { class: 'muted' }, reasons.join('; ')) : null,
    ),
  );
}

function policyBody(detail: ProposedPolicyJson): HTMLElement[] {
  const { rules, role } = detail;
  return [
    renderYaml(detail.yaml),
    rules.length === 0
      ? h(
          'p',
          { class: 'muted small rules-empty' },
          role === 'default-deny'
            ? 'Denies everything not allowed by the other policies of this namespace.'
            : 'No rule: nothing observed to allow.',
        )
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'mini' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Dir', 'Peer', 'Ports', 'Conns', 'Last seen', 'Sample pods'].map((t) => h('th', null, t)),
              ),
            ),
            h('tbody', null, rules.map(ruleRow)),
          ),
        ),
  ];
}

/** A policy card: its summary line; the YAML and evidence loaded on first open. */
function policyCard(
  namespace: string,
  line: PolicySummaryJson,
  open: boolean,
  flavor: string | undefined,
): HTMLElement {
  const { name, rules } = line;
  const body = h('div', { class: 'policy-body' });
  let detail: Promise<ProposedPolicyJson> | undefined;
  const load = (): Promise<ProposedPolicyJson> => {
    detail ??= getJson('/api/v1/recommendations/policy', { namespace, name, flavor });
    detail.catch(() => {
      detail = undefined;
    });
    return detail;
  };
  const show = (): void => {
    if (body.dataset['loaded'] === 'true') return;
    mount(body, loading());
    load().then(
      (d) => {
        body.dataset['loaded'] = 'true';
        mount(body, policyBody(d));
      },
      (error: unknown) => mount(body, errorBox(error)),
    );
  };
  const copy = h(
    'button',
    {
      class: 'btn btn-small',
      type: 'button',
      'data-copy-policy': name,
      onClick: (event: Event) => {
        event.preventDefault();
        load()
          .then((d) => copyText(d.yaml))
          .then(
            () => {
              copy.textContent = 'Copied';
            },
            () => {
              copy.textContent = 'Copy failed';
            },
          )
          .finally(() =>
            setTimeout(() => {
              copy.textContent = 'Copy';
            }, 1500),
          );
      },
    },
    'Copy',
  );
  const details = h(
    'details',
    {
      class: 'policy',
      'data-policy': name,
      open,
      onToggle: () => {
        if (details.open) show();
      },
    },
    h(
      'summary',
      { class: 'policy-head' },
      h('h3', { class: 'mono' }, name),
      roleBadge(line.role),
      line.workload !== null && line.workload !== ''
        ? h('span', { class: 'muted small' }, `selects ${line.workload}`)
        : null,
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted small' }, `${rules} ${rules === 1 ? 'rule' : 'rules'}`),
      copy,
    ),
    body,
  );
  if (open) show();
  return details;
}

function summaryRow(line: PolicySummaryJson): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-policy': line.name },
    h(
      'td',
      { class: 'mono' },
      h(
        'a',
        {
          href: `#policy-${line.name}`,
          onClick: (event: Event) => {
            event.preventDefault();
            focusCard(line.name);
          },
        },
        line.name,
      ),
    ),
    h('td', null, roleBadge(line.role)),
    h('td', null, line.workload !== null && line.workload !== '' ? line.workload : 'every pod'),
    h('td', { class: 'num' }, formatCount(line.rules)),
    h('td', { class: 'num' }, formatCount(line.peers)),
    h('td', { class: 'num' }, formatCount(line.connections)),
  );
}

let focusCard: (name: string) => void = () => undefined;

function matches(line: PolicySummaryJson, query: string): boolean {
  if (query === '') return true;
  const q = query.toLowerCase();
  return [line.name, line.role, line.workload].some((v) => v !== null && v.toLowerCase().includes(q));
}

/** The summary table (searchable, paged) and the cards of the current page, redrawn in place. */
export function policiesView(
  namespace: string,
  lines: readonly PolicySummaryJson[],
  flavor: string | undefined,
): HTMLElement {
  const root = h('div', { class: 'policies' });
  let query = '';
  let tablePage = 0;
  let cardPage = 0;
  const search = searchBox({
    name: 'policy-search',
    placeholder: 'Search policies by name, kind or workload…',
    label: 'Search policies',
    onSearch: (text) => {
      query = text;
      tablePage = 0;
      cardPage = 0;
      redraw();
    },
  });
  const tableHost = h('div');
  const cardsHost = h('div');
  focusCard = (name: string): void => {
    const index = lines.filter((l) => matches(l, query)).findIndex((l) => l.name === name);
    if (index < 0) return;
    cardPage = Math.floor(index / CARD_PAGE);
    redrawCards();
    const card = [...cardsHost.querySelectorAll<HTMLDetailsElement>('details.policy')].find(
      (d) => d.dataset['policy'] === name,
    );
    if (card !== undefined) {
      card.open = true;
      card.scrollIntoView({ block: 'start' });
    }
  };
  const filtered = (): readonly PolicySummaryJson[] => lines.filter((l) => matches(l, query));
  function redrawTable(): void {
    const list = filtered();
    const pages = Math.ceil(list.length / TABLE_PAGE);
    mount(
      tableHost,
      list.length === 0
        ? h('p', { class: 'empty' }, `No policy matches "${query}".`)
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'mini policy-summary' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Policy', 'Kind', 'Selects', 'Rules', 'Peers', 'Connections'].map((t) => h('th', null, t)),
                ),
              ),
              h(
                'tbody',
                null,
                list.slice(tablePage * TABLE_PAGE, (tablePage + 1) * TABLE_PAGE).map(summaryRow),
              ),
            ),
          ),
      pager(
        `${formatCount(list.length)} ${list.length === 1 ? 'policy' : 'policies'}; page ${tablePage + 1} of ${pages}`,
        tablePage,
        pages,
        (p) => {
          tablePage = p;
          redrawTable();
        },
      ),
    );
  }
  function redrawCards(): void {
    const list = filtered();
    const pages = Math.ceil(list.length / CARD_PAGE);
    mount(
      cardsHost,
      list
        .slice(cardPage * CARD_PAGE, (cardPage + 1) * CARD_PAGE)
        .map((line, i) =>
          policyCard(namespace, line, cardPage === 0 && i < OPEN_POLICIES && query === '', flavor),
        ),
      pager(`Policies: page ${cardPage + 1} of ${pages}`, cardPage, pages, (p) => {
        cardPage = p;
        redrawCards();
      }),
    );
  }
  function redraw(): void {
    redrawTable();
    redrawCards();
  }
  redraw();
  mount(
    root,
    lines.length > 1 ? [lines.length > 10 ? h('div', { class: 'toolbar' }, search) : null, tableHost] : null,
    cardsHost,
  );
  return root;
}
