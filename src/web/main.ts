// The dashboard shell: navigation, hash routing (#/page?query), the token prompt when the API
// answers 401, and the lifecycle of a page (its fetches are aborted and its stream closed when
// the user leaves it).
import './styles.css';
import { AUTH_REQUIRED_EVENT, getToken, setToken } from './api.js';
import { h, mount } from './dom.js';
import { renderDiagnostics } from './pages/diagnostics.js';
import { renderDrops } from './pages/drops.js';
import { renderFlows } from './pages/flows.js';
import { renderMap } from './pages/map.js';
import { renderOverview } from './pages/overview.js';
import { renderRecommendations } from './pages/recommendations.js';
import { renderStaged } from './pages/staged.js';
import { errorBox, loading, namespaceNames, type PageContext } from './ui.js';

interface Page {
  readonly path: string;
  readonly title: string;
  readonly render: (ctx: PageContext) => Promise<void>;
}

const PAGES: readonly Page[] = [
  { path: 'overview', title: 'Overview', render: renderOverview },
  { path: 'map', title: 'Service map', render: renderMap },
  { path: 'flows', title: 'Flows', render: renderFlows },
  { path: 'recommendations', title: 'Recommendations', render: renderRecommendations },
  { path: 'staged', title: 'Staged', render: renderStaged },
  { path: 'drops', title: 'Drops & alerts', render: renderDrops },
  { path: 'diagnostics', title: 'Diagnostics', render: renderDiagnostics },
];

const nav = h(
  'nav',
  { class: 'nav' },
  PAGES.map((p) => h('a', { href: `#/${p.path}`, 'data-page': p.path }, p.title)),
);
const main = h('main', { class: 'content', id: 'content' });
const tokenButton = h(
  'button',
  { class: 'btn btn-ghost', type: 'button', onClick: () => showTokenPrompt() },
  'API token',
);

document.body.append(
  h(
    'div',
    { class: 'shell' },
    h(
      'aside',
      { class: 'sidebar' },
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'logo' }, 'NP'),
        h('div', null, h('strong', null, 'netpol-advisor'), h('span', null, 'NetworkPolicy insights')),
      ),
      nav,
      h('div', { class: 'sidebar-foot' }, tokenButton),
    ),
    main,
  ),
);

let current: { controller: AbortController; cleanups: (() => void)[] } | undefined;

function parseHash(): { page: Page; params: URLSearchParams } {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  if (page === undefined) throw new Error('no pages');
  return { page, params: new URLSearchParams(query) };
}

function navigateTo(page: Page, params: Record<string, string | undefined>): void {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, v);
  const text = query.toString();
  window.location.hash = `#/${page.path}${text !== '' ? `?${text}` : ''}`;
}

function leave(): void {
  if (current === undefined) return;
  current.controller.abort();
  for (const cleanup of current.cleanups) cleanup();
  current = undefined;
}

async function route(): Promise<void> {
  leave();
  const { page, params } = parseHash();
  const state = { controller: new AbortController(), cleanups: [] as (() => void)[] };
  current = state;
  for (const link of nav.querySelectorAll('a'))
    link.classList.toggle('active', link.dataset['page'] === page.path);
  document.title = `${page.title} · netpol-advisor`;
  const root = h('div', { class: 'page', 'data-page': page.path });
  mount(main, root);
  mount(root, loading());
  const ctx: PageContext = {
    root,
    params,
    signal: state.controller.signal,
    onLeave: (cleanup) => state.cleanups.push(cleanup),
    navigate: (next) => navigateTo(page, next),
  };
  try {
    await page.render(ctx);
    root.dataset['ready'] = 'true';
  } catch (error) {
    if (state.controller.signal.aborted) return;
    mount(root, errorBox(error));
    root.dataset['ready'] = 'error';
  }
}

interface AuthProblem {
  readonly rejected: boolean;
  readonly message: string;
}

function showTokenPrompt(problem?: AuthProblem): void {
  const existing = document.querySelector('.token-dialog .token-error');
  if (document.querySelector('.token-dialog') !== null) {
    // Several requests of one page fail at once: say it once, in the open dialog.
    if (problem?.rejected === true && existing !== null) existing.textContent = rejectionText(problem);
    return;
  }
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    placeholder: 'Bearer token',
    'aria-label': 'API token',
  });
  const close = (): void => overlay.remove();
  const overlay = h(
    'div',
    { class: 'overlay' },
    h(
      'form',
      {
        class: 'token-dialog card',
        onSubmit: (event) => {
          event.preventDefault();
          const value = input.value.trim();
          setToken(value === '' ? undefined : value);
          close();
          namespaceNames(true).catch(() => undefined);
          void route();
        },
      },
      h('h2', null, problem?.rejected === true ? 'API token rejected' : 'API token required'),
      h(
        'p',
        { class: 'token-error', role: 'alert', 'data-testid': 'token-error' },
        problem?.rejected === true ? rejectionText(problem) : '',
      ),
      h(
        'p',
        null,
        'This server requires a bearer token: the static token of the deployment, or your own Kubernetes token (for example the output of ',
        h('code', { class: 'inline' }, 'kubectl create token'),
        '). It is kept for this browser tab only.',
      ),
      input,
      h(
        'div',
        { class: 'dialog-actions' },
        getToken() !== undefined
          ? h(
              'button',
              {
                class: 'btn',
                type: 'button',
                onClick: () => {
                  setToken(undefined);
                  close();
                  void route();
                },
              },
              'Forget token',
            )
          : null,
        h('button', { class: 'btn', type: 'button', onClick: close }, 'Cancel'),
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Use token'),
      ),
    ),
  );
  document.body.append(overlay);
  input.focus();
}

function rejectionText(problem: AuthProblem): string {
  return `The server rejected the token you gave${problem.message !== '' ? ` (${problem.message})` : ''}. Check it, or paste another one.`;
}

window.addEventListener(AUTH_REQUIRED_EVENT, (event) => {
  const detail = (event as CustomEvent<Partial<AuthProblem> | null>).detail;
  showTokenPrompt({
    rejected: detail?.rejected === true,
    message: typeof detail?.message === 'string' ? detail.message : '',
  });
});
window.addEventListener('hashchange', () => {
  void route();
});
void route();
