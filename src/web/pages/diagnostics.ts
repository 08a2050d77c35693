// Diagnostics: the doctor's findings (GET /api/v1/diagnostics), when the server offers them.
import { ApiError, getJson } from '../api.js';
import { h, mount } from '../dom.js';
import { arr, items, obj, str, strs } from '../json.js';
import { badge, card, namespaceNames, namespaceSelect, pageHeader, type PageContext } from '../ui.js';
import { fixDetails, fixFileName } from '../fix-yaml.js';

const SEVERITY_TONE: Readonly<Record<string, string>> = { critical: 'bad', error: 'bad', high: 'bad', warning: 'warn', medium: 'warn', info: 'info', low: 'muted' };

function finding(item: unknown): HTMLElement {
  const f = obj(item);
  const severity = str(f['severity'], 'info');
  const fix = f['fix'];
  const evidence = typeof f['evidence'] === 'string' ? [f['evidence']] : strs(f['evidence']);
  return h('article', { class: 'drop', 'data-kind': str(f['kind']) },
    h('div', { class: 'drop-head' },
      h('div', { class: 'drop-path' }, h('strong', null, str(f['kind'])), h('span', { class: 'muted' }, ` · ${str(f['namespace'], 'cluster')}`)),
      badge(severity, SEVERITY_TONE[severity] ?? 'muted')),
    strs(f['objects']).length > 0 ? h('div', { class: 'drop-meta mono small' }, strs(f['objects']).join(', ')) : null,
    h('ul', { class: 'evidence-list' }, evidence.map((e) => h('li', null, e))),
    typeof fix === 'string' ? h('p', { class: 'fix-text' }, h('strong', null, 'Fix: '), fix)
      : arr(fix).length > 0 ? fixDetails('Suggested fix', arr(fix), fixFileName(str(f['kind']), str(f['namespace'], 'cluster'))) : null);
}

export async function renderDiagnostics(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  let body: unknown;
  try {
    body = await getJson('/api/v1/diagnostics', { namespace }, ctx.signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      mount(ctx.root, pageHeader('Diagnostics', 'Policy failures: what blocks, what fails to block, and why'),
        card(null, h('p', { class: 'empty' }, 'This server does not offer diagnostics yet. Run `netpol-advisor doctor` on the command line.')));
      return;
    }
    throw error;
  }
  const names = await namespaceNames();
  const list = items(body);
  mount(ctx.root,
    pageHeader('Diagnostics', 'Policy failures: what blocks, what fails to block, and why',
      namespaceSelect(names, namespace, (ns) => ctx.navigate({ namespace: ns }), 'All namespaces')),
    card(`${list.length} ${list.length === 1 ? 'finding' : 'findings'}`, list.length === 0 ? h('p', { class: 'empty' }, 'No problem found.') : h('div', { class: 'drops' }, list.map(finding))));
}
