// The Recommendations page without a namespace: every namespace (all pages of /api/v1/namespaces,
// with a search) and its figures, each a link to its proposal, and whether that proposal is safe
// to apply, from GET /api/v1/recommendations/safety (each namespace judged on its own proposal in
// the daemon's analysis worker, at any number of edges), fetched after the table is drawn. A
// namespace whose proposal would deny an observed path it cannot express is "not safe to apply"
// with the first path and reason, and how many more.
import type { NamespaceSafetyJson } from '../../api/recommendation-safety.js';
import { getJson } from '../api.js';
import { h, mount, type Child } from '../dom.js';
import { formatCount } from '../format.js';
import { searchBox } from '../search-box.js';
import { allNamespaceItems, badge, card, pageHeader, pager, type PageContext } from '../ui.js';

/** What the index knows of each namespace's safety. */
type Safety =
  | { readonly state: 'loading' }
  | { readonly state: 'known'; readonly byNamespace: ReadonlyMap<string, NamespaceSafetyJson> }
  | { readonly state: 'failed'; readonly message: string };

const PAGE = 100;

function verdictOf(ns: NamespaceSafetyJson | undefined): Child {
  if (ns === undefined || !ns.proposed) return h('span', { class: 'muted small' }, 'nothing proposed');
  const first = ns.unsafe[0];
  if (ns.safe || first === undefined) return badge('safe', 'ok');
  return h(
    'div',
    { 'data-testid': 'not-safe' },
    badge('not safe to apply', 'bad'),
    ' ',
    h('span', { class: 'mono small' }, first.path),
    h('span', { class: 'small' }, `: ${first.reason}`),
    ns.unsafeCount > 1
      ? h('span', { class: 'muted small' }, ` (and ${formatCount(ns.unsafeCount - 1)} more)`)
      : null,
  );
}

function safetyCell(name: string, safety: Safety): Child {
  if (safety.state === 'loading') return h('span', { class: 'muted small' }, 'checking…');
  if (safety.state === 'failed') return h('span', { class: 'muted small' }, '–');
  return verdictOf(safety.byNamespace.get(name));
}

/** Every namespace's safety, or why it is not known. */
async function loadSafety(signal: AbortSignal): Promise<Safety> {
  try {
    const body = await getJson('/api/v1/recommendations/safety', {}, signal);
    return { state: 'known', byNamespace: new Map(body.items.map((ns) => [ns.namespace, ns])) };
  } catch (error) {
    if (signal.aborted) throw error;
    return {
      state: 'failed',
      message: `Could not check the namespaces' proposals (${error instanceof Error ? error.message : String(error)}): open a namespace to see whether its proposal is safe to apply.`,
    };
  }
}

/** No namespace chosen: every namespace with its figures and safety, searchable, each linking to its proposal. */
export async function renderNamespaceIndex(ctx: PageContext, guardrails: HTMLElement): Promise<void> {
  const { items: list } = await allNamespaceItems(ctx.signal);
  const rows = [...list].sort((a, b) => a.name.localeCompare(b.name));
  let query = '';
  let page = 0;
  let safety: Safety = { state: 'loading' };
  const host = h('div');
  const note = h('p', { class: 'muted small', 'data-testid': 'safety-note' });
  const redraw = (): void => {
    const shown = rows.filter((r) => query === '' || r.name.includes(query));
    const pages = Math.ceil(shown.length / PAGE);
    note.textContent =
      safety.state === 'failed'
        ? safety.message
        : safety.state === 'loading'
          ? "Checking every namespace's proposal…"
          : '';
    mount(
      host,
      shown.length === 0
        ? h(
            'p',
            { class: 'empty' },
            query === ''
              ? 'No namespace observed yet: no flows have been ingested.'
              : `No namespace matches "${query}".`,
          )
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              null,
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  [
                    'Namespace',
                    'Existing policies',
                    'Pods selected',
                    'Observed edges',
                    'Drops (1h)',
                    'Proposal',
                    '',
                  ].map((t) => h('th', null, t)),
                ),
              ),
              h(
                'tbody',
                null,
                shown.slice(page * PAGE, (page + 1) * PAGE).map((r) => {
                  const { name, coverage } = r;
                  const href = `#/recommendations?namespace=${encodeURIComponent(name)}`;
                  return h(
                    'tr',
                    { 'data-namespace': name },
                    h('td', { class: 'strong' }, h('a', { href }, name)),
                    h('td', { class: 'num' }, formatCount(coverage?.policies)),
                    h(
                      'td',
                      { class: 'num' },
                      coverage !== null
                        ? `${formatCount(coverage.podsSelected)} / ${formatCount(coverage.pods)}`
                        : '–',
                    ),
                    h('td', { class: 'num' }, formatCount(r.edges)),
                    h('td', { class: 'num' }, formatCount(r.dropsLastHour.connections)),
                    h('td', { class: 'safety', 'data-testid': 'safety' }, safetyCell(name, safety)),
                    h('td', { class: 'links' }, h('a', { href }, 'Proposal')),
                  );
                }),
              ),
            ),
          ),
      pager(`${formatCount(shown.length)} namespaces; page ${page + 1} of ${pages}`, page, pages, (p) => {
        page = p;
        redraw();
      }),
    );
  };
  const search = searchBox({
    name: 'namespace-search',
    placeholder: 'Find a namespace…',
    label: 'Find a namespace',
    onSearch: (text) => {
      query = text.toLowerCase();
      page = 0;
      redraw();
    },
  });
  redraw();
  mount(
    ctx.root,
    pageHeader(
      'Recommendations',
      'Least-privilege NetworkPolicies proposed from the observed traffic, one namespace at a time. Choose a namespace.',
    ),
    card(
      `Namespaces (${formatCount(rows.length)})`,
      h(
        'div',
        { class: 'toolbar' },
        search,
        h(
          'span',
          { class: 'muted small' },
          "The whole cluster's proposal as files: ",
          h('code', { class: 'inline' }, 'netpol-advisor recommend --out DIR'),
        ),
      ),
      note,
      host,
    ),
    guardrails,
  );
  search.focus();
  // The safety column fills in after the table is drawn (the page is usable meanwhile).
  host.dataset['safety'] = safety.state;
  loadSafety(ctx.signal).then(
    (known) => {
      safety = known;
      host.dataset['safety'] = known.state;
      redraw();
    },
    () => undefined,
  );
}
