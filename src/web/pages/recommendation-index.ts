// The Recommendations page without a namespace: every namespace (all pages of /api/v1/namespaces,
// with a search) and its figures, each a link to its proposal, and whether that proposal is safe
// to apply. On a small store (AUTO_CHECK_EDGES_MAX) the safety comes from the whole-cluster GET
// /api/v1/recommendations/summary, fetched after the table is drawn; on a larger one (where that
// proposal takes seconds of the daemon's main thread and much of its memory, or is refused with
// 422 scope_too_large) each row has a Check button fetching that namespace's summary. A namespace
// whose proposal would deny an observed path it cannot express is "not safe to apply" with the
// first path and reason.
import type { RecommendationSummaryJson } from '../../api/recommendations.js';
import { ApiError, getJson } from '../api.js';
import { h, mount, type Child } from '../dom.js';
import { formatCount } from '../format.js';
import { searchBox } from '../search-box.js';
import { allNamespaceItems, badge, card, pageHeader, pager, type PageContext } from '../ui.js';

type NamespaceSummaryJson = RecommendationSummaryJson['namespaces'][number];

/** What the index knows of each namespace's safety. */
type Safety =
  | { readonly state: 'loading' }
  | { readonly state: 'known'; readonly byNamespace: ReadonlyMap<string, NamespaceSummaryJson> }
  | { readonly state: 'on-request'; readonly message: string };

const PAGE = 100;
/** Stored edges up to which the index asks for the whole cluster's safety at once. */
const AUTO_CHECK_EDGES_MAX = 2_000;

/** One namespace's safety, fetched when its row's Check button is pressed. */
async function checkNamespace(name: string, signal: AbortSignal): Promise<NamespaceSummaryJson | null> {
  const body = await getJson('/api/v1/recommendations/summary', { namespace: name }, signal);
  return body.namespaces.find((ns) => ns.namespace === name) ?? null;
}

function verdictOf(ns: NamespaceSummaryJson | null | undefined): Child {
  if (ns === undefined || ns === null) return h('span', { class: 'muted small' }, 'nothing proposed');
  const first = ns.unsafe[0];
  if (first === undefined) return badge('safe', 'ok');
  return h(
    'div',
    { 'data-testid': 'not-safe' },
    badge('not safe to apply', 'bad'),
    ' ',
    h('span', { class: 'mono small' }, first.path),
    h('span', { class: 'small' }, `: ${first.reason}`),
    ns.unsafe.length > 1
      ? h('span', { class: 'muted small' }, ` (and ${formatCount(ns.unsafe.length - 1)} more)`)
      : null,
  );
}

function safetyCell(
  name: string,
  safety: Safety,
  checked: Map<string, NamespaceSummaryJson | null>,
  signal: AbortSignal,
): Child {
  if (checked.has(name)) return verdictOf(checked.get(name));
  if (safety.state === 'loading') return h('span', { class: 'muted small' }, 'checking…');
  if (safety.state === 'known') return verdictOf(safety.byNamespace.get(name));
  const button = h(
    'button',
    {
      class: 'btn btn-small',
      type: 'button',
      title: safety.message,
      'data-testid': 'check-safety',
      onClick: () => {
        button.disabled = true;
        button.textContent = 'Checking…';
        checkNamespace(name, signal).then(
          (ns) => {
            checked.set(name, ns);
            button.replaceWith(h('span', null, verdictOf(ns)));
          },
          (error: unknown) => {
            button.disabled = false;
            button.textContent = 'Check';
            button.title = `Could not check: ${error instanceof Error ? error.message : String(error)}`;
          },
        );
      },
    },
    'Check',
  );
  return button;
}

/** Every namespace's safety, or why it is checked per namespace here. */
async function loadSafety(signal: AbortSignal): Promise<Safety> {
  try {
    const body = await getJson('/api/v1/recommendations/summary', {}, signal);
    return { state: 'known', byNamespace: new Map(body.namespaces.map((ns) => [ns.namespace, ns])) };
  } catch (error) {
    if (signal.aborted) throw error;
    const message =
      error instanceof ApiError && error.code === 'scope_too_large'
        ? 'The cluster is too large to check every namespace at once: check a namespace, or open it.'
        : `Could not check every namespace at once (${error instanceof Error ? error.message : String(error)}): check a namespace, or open it.`;
    return { state: 'on-request', message };
  }
}

/** No namespace chosen: every namespace with its figures and safety, searchable, each linking to its proposal. */
export async function renderNamespaceIndex(ctx: PageContext, guardrails: HTMLElement): Promise<void> {
  const { items: list, totals } = await allNamespaceItems(ctx.signal);
  const rows = [...list].sort((a, b) => a.name.localeCompare(b.name));
  let query = '';
  let page = 0;
  const autoCheck = (totals?.edges ?? 0) <= AUTO_CHECK_EDGES_MAX;
  let safety: Safety = autoCheck
    ? { state: 'loading' }
    : {
        state: 'on-request',
        message: `${formatCount(totals?.edges)} observed edges: each namespace's proposal is checked when asked (Check), or opened.`,
      };
  const checked = new Map<string, NamespaceSummaryJson | null>();
  const host = h('div');
  const note = h('p', { class: 'muted small', 'data-testid': 'safety-note' });
  const redraw = (): void => {
    const shown = rows.filter((r) => query === '' || r.name.includes(query));
    const pages = Math.ceil(shown.length / PAGE);
    note.textContent = safety.state === 'on-request' ? safety.message : '';
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
                    h(
                      'td',
                      { class: 'safety', 'data-testid': 'safety' },
                      safetyCell(name, safety, checked, ctx.signal),
                    ),
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
  if (autoCheck)
    loadSafety(ctx.signal).then(
      (known) => {
        safety = known;
        host.dataset['safety'] = known.state;
        redraw();
      },
      () => undefined,
    );
}
