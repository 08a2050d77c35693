// Diagnostics: the doctor's findings (GET /api/v1/diagnostics), when the server offers them,
// 25 a page with a search over kind, namespace and objects (a cluster of 200 namespaces has
// thousands: drawn at once they made a page of 60,000 elements).
import { ApiError, getJson } from '../api.js';
import { h, mount } from '../dom.js';
import type { FindingJson } from '../../api/diagnostics.js';
import { badge, card, namespaceNames, pageHeader, pager, type PageContext } from '../ui.js';
import { namespacePicker } from '../namespace-picker.js';
import { fixDetails, fixFileName } from '../fix-yaml.js';
import { searchBox } from '../search-box.js';

const SEVERITY_TONE: Readonly<Record<string, string>> = {
  critical: 'bad',
  error: 'bad',
  high: 'bad',
  warning: 'warn',
  medium: 'warn',
  info: 'info',
  low: 'muted',
};

function finding(f: FindingJson): HTMLElement {
  const { severity, fix, evidence } = f;
  const scope = f.namespace !== '' ? f.namespace : 'cluster';
  return h(
    'article',
    { class: 'drop', 'data-kind': f.kind },
    h(
      'div',
      { class: 'drop-head' },
      h(
        'div',
        { class: 'drop-path' },
        h('strong', null, f.kind),
        h('span', { class: 'muted' }, ` · ${scope}`),
      ),
      badge(severity, SEVERITY_TONE[severity] ?? 'muted'),
    ),
    f.objects.length > 0 ? h('div', { class: 'drop-meta mono small' }, f.objects.join(', ')) : null,
    h(
      'ul',
      { class: 'evidence-list' },
      evidence.map((e) => h('li', null, e)),
    ),
    typeof fix === 'string'
      ? h('p', { class: 'fix-text' }, h('strong', null, 'Fix: '), fix)
      : fix.length > 0
        ? fixDetails('Suggested fix', fix, fixFileName(f.kind, scope))
        : null,
  );
}

/** Findings drawn per page. */
const PAGE = 25;

function matches(f: FindingJson, query: string): boolean {
  return [f.kind, f.namespace, ...f.objects].some((v) => v.toLowerCase().includes(query));
}

export async function renderDiagnostics(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  let list: FindingJson[];
  try {
    list = await getJson('/api/v1/diagnostics', { namespace }, ctx.signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      mount(
        ctx.root,
        pageHeader('Diagnostics', 'Policy failures: what blocks, what fails to block, and why'),
        card(
          null,
          h(
            'p',
            { class: 'empty' },
            'This server does not offer diagnostics yet. Run `netpol-advisor doctor` on the command line.',
          ),
        ),
      );
      return;
    }
    throw error;
  }
  const names = await namespaceNames();
  const host = h('div');
  let query = '';
  let page = 0;
  const redraw = (): void => {
    const shown = query === '' ? list : list.filter((item) => matches(item, query));
    const pages = Math.ceil(shown.length / PAGE);
    mount(
      host,
      shown.length === 0
        ? h(
            'p',
            { class: 'empty' },
            list.length === 0 ? 'No problem found.' : `No finding matches "${query}".`,
          )
        : h('div', { class: 'drops' }, shown.slice(page * PAGE, (page + 1) * PAGE).map(finding)),
      pager(
        h(
          'span',
          { class: 'muted small', 'data-testid': 'findings-range' },
          `${page * PAGE + 1}–${Math.min(shown.length, (page + 1) * PAGE)} of ${shown.length}`,
        ),
        page,
        pages,
        (p) => {
          page = p;
          redraw();
        },
      ),
    );
  };
  const search = searchBox({
    name: 'finding-search',
    placeholder: 'Search kind, namespace, objects…',
    label: 'Search findings',
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
      'Diagnostics',
      'Policy failures: what blocks, what fails to block, and why',
      namespacePicker(names, namespace, (ns) => ctx.navigate({ namespace: ns }), 'All namespaces'),
    ),
    card(
      `${list.length} ${list.length === 1 ? 'finding' : 'findings'}`,
      list.length > PAGE ? h('div', { class: 'toolbar' }, search) : null,
      host,
    ),
  );
}
