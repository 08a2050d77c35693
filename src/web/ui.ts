// Shared pieces of the pages: headers, cards, tables, badges, loading and error states, and the
// namespace list (the picker: namespace-picker.ts). Every value is passed to h() as a child, i.e. as text.
import { getJson } from './api.js';
import { h, type Child } from './dom.js';
import type { NamespaceJson, NamespacesPageJson } from '../api/namespaces.js';

export interface PageContext {
  readonly root: HTMLElement;
  readonly params: URLSearchParams;
  readonly signal: AbortSignal;
  /** Runs when the user leaves the page. */
  onLeave(cleanup: () => void): void;
  /** Changes the page's query parameters (and re-renders). */
  navigate(params: Record<string, string | undefined>): void;
}

export function pageHeader(title: string, subtitle: string, ...actions: Child[]): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('div', null, h('h1', null, title), h('p', { class: 'subtitle' }, subtitle)),
    h('div', { class: 'actions' }, actions),
  );
}

export function card(title: string | null, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, title !== null ? h('h2', null, title) : null, children);
}

export function stat(
  label: string,
  value: string,
  tone: 'ok' | 'warn' | 'bad' | 'neutral' = 'neutral',
): HTMLElement {
  return h(
    'div',
    { class: `stat stat-${tone}` },
    h('div', { class: 'stat-value' }, value),
    h('div', { class: 'stat-label' }, label),
  );
}

export function badge(text: string, tone: string): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function table(
  headers: readonly string[],
  rows: readonly HTMLTableRowElement[],
  empty = 'Nothing to show yet.',
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
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
          headers.map((t) => h('th', null, t)),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

/**
 * Previous/Next under a list paged in the browser (null when it fits one page). `status` says where
 * the reader is: text (shown muted) or an element of the caller's.
 */
export function pager(
  status: string | HTMLElement,
  page: number,
  pages: number,
  go: (page: number) => void,
): HTMLElement | null {
  if (pages <= 1) return null;
  return h(
    'div',
    { class: 'pager' },
    typeof status === 'string' ? h('span', { class: 'muted small' }, status) : status,
    h(
      'button',
      { class: 'btn btn-small', type: 'button', disabled: page === 0, onClick: () => go(page - 1) },
      'Previous',
    ),
    h(
      'button',
      { class: 'btn btn-small', type: 'button', disabled: page >= pages - 1, onClick: () => go(page + 1) },
      'Next',
    ),
  );
}

export function loading(): HTMLElement {
  return h('div', { class: 'loading' }, h('span', { class: 'spinner' }), 'Loading…');
}

export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('strong', null, 'Could not load this page. '),
    message,
  );
}

export function codeLine(text: string): HTMLElement {
  return h('code', { class: 'inline' }, text);
}

export function kv(entries: readonly (readonly [string, Child])[]): HTMLElement {
  return h(
    'dl',
    { class: 'kv' },
    entries.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** Pages of /api/v1/namespaces followed at most (at the server's page size): the UI lists every namespace. */
const MAX_NAMESPACE_PAGES = 100;

/** Every namespace item of /api/v1/namespaces, following nextCursor through all pages, and the totals of the first. */
export async function allNamespaceItems(
  signal?: AbortSignal,
): Promise<{ items: NamespaceJson[]; totals: NamespacesPageJson['totals'] | undefined }> {
  const out: NamespaceJson[] = [];
  let totals: NamespacesPageJson['totals'] | undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_NAMESPACE_PAGES; page++) {
    const body = await getJson('/api/v1/namespaces', { cursor }, signal);
    out.push(...body.items);
    totals ??= body.totals;
    cursor = body.nextCursor ?? undefined;
    if (cursor === undefined) break;
  }
  return { items: out, totals };
}

let namespaceCache: Promise<string[]> | undefined;

/** The names of every namespace known to the API, all pages (cached for the session of the page). */
export function namespaceNames(refresh = false): Promise<string[]> {
  if (refresh || namespaceCache === undefined) {
    namespaceCache = allNamespaceItems().then(({ items: list }) =>
      list
        .map((item) => item.name)
        .filter((n) => n !== '')
        .sort(),
    );
    namespaceCache.catch(() => {
      namespaceCache = undefined;
    });
  }
  return namespaceCache;
}
