// Recommendations. Without a namespace: every namespace with its figures and safety, each a link
// to its proposal (recommendation-index.ts); the whole cluster's proposal is never fetched with
// its YAML (the CLI's `recommend --out` writes it). With a
// namespace: the exposure and replay proof, the safety verdict, then the proposed policies from
// GET /api/v1/recommendations/summary (recommendation-policies.ts: summary table first, cards
// paged and collapsed, each policy's YAML fetched when opened), the diff against the existing
// policies, copy and downloads (/api/v1/recommendations/export) and the verify.sh commands. Both
// end with the "Cluster guardrails" section (recommendation-guardrails.ts), fetched on request.
import type { RecommendationSummaryJson } from '../../api/recommendations.js';

type NamespaceSummaryJson = RecommendationSummaryJson['namespaces'][number];
type UnsafePathJson = NamespaceSummaryJson['unsafe'][number];
import { download, getJson, getText } from '../api.js';
import { copyText, wireCopyButton } from '../clipboard.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, percent } from '../format.js';
import { badge, card, namespaceNames, pageHeader, stat, type PageContext } from '../ui.js';
import { namespacePicker } from '../namespace-picker.js';
import { guardrailsSection } from './recommendation-guardrails.js';
import { renderNamespaceIndex } from './recommendation-index.js';
import { policiesView } from './recommendation-policies.js';
import { canStage, stageNamespace } from '../staged-api.js';

const CHANGE_TONE: Readonly<Record<string, string>> = {
  added: 'ok',
  changed: 'warn',
  unchanged: 'muted',
  kept: 'info',
};

function downloadButtons(namespace: string | undefined, status: HTMLElement): HTMLElement[] {
  const run = (format: 'yaml' | 'tar'): void => {
    status.textContent = 'Preparing download…';
    download(
      '/api/v1/recommendations/export',
      { namespace, format },
      `netpol-advisor-${namespace ?? 'all'}.${format}`,
    )
      .then((name) => {
        status.textContent = `Downloaded ${name}`;
      })
      .catch((error: unknown) => {
        status.textContent = `Download failed: ${error instanceof Error ? error.message : String(error)}`;
      });
  };
  return [
    h(
      'button',
      { class: 'btn', type: 'button', 'data-download': 'yaml', onClick: () => run('yaml') },
      'Download YAML',
    ),
    h(
      'button',
      { class: 'btn', type: 'button', 'data-download': 'tar', onClick: () => run('tar') },
      'Download kustomize (.tar)',
    ),
  ];
}

/** Shadow mode: stage this namespace's proposal, in the flavour shown, and go to the Staged page (only when the token may write). */
function stageButton(namespace: string, status: HTMLElement, flavor: string | undefined): HTMLElement {
  return h(
    'button',
    {
      class: 'btn btn-primary',
      type: 'button',
      'data-testid': 'stage-recommendation',
      onClick: () => {
        status.textContent = `Staging ${namespace}…`;
        stageNamespace(namespace, flavor).then(
          () => {
            window.location.hash = '#/staged';
          },
          (error: unknown) => {
            status.textContent = `Staging failed: ${error instanceof Error ? error.message : String(error)}`;
          },
        );
      },
    },
    'Stage',
  );
}

/** The verdict a reader needs before anything else: can these policies be applied as they are? */
function safetyVerdict(
  name: string,
  policies: readonly unknown[],
  unsafe: readonly UnsafePathJson[],
  violations: number,
): HTMLElement {
  if (violations > 0 && unsafe.length === 0) {
    // The replay proof failed somewhere in the scope shown: never call it safe.
    return h(
      'div',
      { class: 'verdict verdict-bad', 'data-testid': 'verdict', role: 'alert' },
      h('strong', null, 'Not safe to apply. '),
      `Replaying the observed traffic through the proposal drops ${violations} observed flow${violations === 1 ? '' : 's'} that was allowed (often an existing policy elsewhere the proposal cannot change). `,
      h('code', { class: 'inline' }, 'netpol-advisor recommend'),
      ' names them.',
    );
  }
  if (unsafe.length > 0) {
    return h(
      'div',
      { class: 'verdict verdict-bad', 'data-testid': 'verdict', role: 'alert' },
      h('strong', null, 'Not safe to apply. '),
      `These policies would deny ${unsafe.length} observed path${unsafe.length === 1 ? '' : 's'} they cannot express:`,
      h(
        'ul',
        { class: 'warnings' },
        unsafe.map((u) =>
          h('li', null, badge(u.code, 'bad'), ' ', h('span', { class: 'mono' }, u.path), ': ', u.reason),
        ),
      ),
    );
  }
  if (policies.length === 0)
    return h(
      'div',
      { class: 'verdict verdict-muted', 'data-testid': 'verdict' },
      h('strong', null, 'Nothing to apply. '),
      `No policy is proposed for ${name}.`,
    );
  return h(
    'div',
    { class: 'verdict verdict-ok', 'data-testid': 'verdict' },
    h('strong', null, 'Safe to apply. '),
    `Replaying the observed traffic of ${name} through these policies allows every observed path.`,
  );
}

/** Diff entries shown (the rest counted): a namespace of 1,000 policies has 1,000 of them. */
const DIFF_SHOWN = 60;

function copyAllButton(namespace: string): HTMLElement {
  const button = h(
    'button',
    {
      class: 'btn',
      type: 'button',
      onClick: () => {
        getText('/api/v1/recommendations/export', { namespace, format: 'yaml' })
          .then(copyText)
          .then(
            () => {
              button.textContent = 'Copied';
            },
            () => {
              button.textContent = 'Copy failed';
            },
          )
          .finally(() =>
            setTimeout(() => {
              button.textContent = 'Copy YAML';
            }, 1500),
          );
      },
    },
    'Copy YAML',
  );
  return button;
}

function namespaceSection(
  ns: NamespaceSummaryJson,
  status: HTMLElement,
  writable: boolean,
  violations: number,
  flavor: string | undefined,
): HTMLElement {
  const { namespace: name, policies, diff, warnings } = ns;
  // Paths this proposal would deny although they were observed (the API's `unsafe`): said first.
  const unsafe = ns.unsafe;
  return h(
    'section',
    { class: 'card ns-section', 'data-namespace': name },
    h(
      'div',
      { class: 'section-head' },
      h(
        'h2',
        null,
        name,
        h(
          'span',
          { class: 'muted count' },
          ` · ${formatCount(policies.length)} ${policies.length === 1 ? 'policy' : 'policies'}`,
        ),
        unsafe.length > 0
          ? h('span', { 'data-testid': 'not-safe' }, ' ', badge('not safe to apply', 'bad'))
          : null,
      ),
      // An empty proposal has nothing to stage, copy or download.
      policies.length > 0
        ? h(
            'div',
            { class: 'actions' },
            writable ? stageButton(name, status, flavor) : null,
            copyAllButton(name),
            downloadButtons(name, status),
          )
        : null,
    ),
    safetyVerdict(name, policies, unsafe, violations),
    diff.length > 0
      ? h(
          'div',
          { class: 'diff' },
          h('span', { class: 'diff-title' }, 'Against existing policies:'),
          diff
            .slice(0, DIFF_SHOWN)
            .map((e) =>
              h(
                'span',
                { class: 'diff-entry', title: e.detail },
                badge(e.change, CHANGE_TONE[e.change] ?? 'muted'),
                ' ',
                h('span', { class: 'mono small' }, e.policy),
              ),
            ),
          diff.length > DIFF_SHOWN
            ? h('span', { class: 'muted small' }, `and ${formatCount(diff.length - DIFF_SHOWN)} more`)
            : null,
        )
      : null,
    warnings.length > 0
      ? h(
          'ul',
          { class: 'warnings' },
          warnings.map((w) => h('li', null, badge(w.code, 'warn'), ' ', w.message)),
        )
      : null,
    policiesView(name, policies, flavor),
  );
}

function exposureStats(body: RecommendationSummaryJson): HTMLElement {
  const { exposure, proof } = body;
  const pairs = (o: RecommendationSummaryJson['exposure']['before']): string =>
    o === null ? 'not computed' : `${formatCount(o.reachable)} / ${formatCount(o.total)}`;
  const violations = proof.violations;
  return h(
    'div',
    { class: 'stats' },
    stat('Reachable pod pairs × ports today', pairs(exposure.before)),
    stat('With the proposal', pairs(exposure.after), 'ok'),
    stat(
      'Exposure reduction',
      percent(exposure.reduction ?? undefined),
      (exposure.reduction ?? 0) > 0 ? 'ok' : 'neutral',
    ),
    stat(
      'Observed flows replayed',
      `${formatCount(proof.allowed)} / ${formatCount(proof.replayed)} allowed`,
      violations > 0 ? 'bad' : 'ok',
    ),
  );
}

/** Observed paths the policies in force already block: not the proposal's doing, but worth a look. */
function alreadyDenied(body: RecommendationSummaryJson): HTMLElement | null {
  const count = body.proof.alreadyDenied;
  if (count === 0) return null;
  const paths = body.proof.alreadyDeniedPaths.slice(0, 20);
  return card(
    'Already denied today',
    h(
      'p',
      { class: 'muted', 'data-testid': 'already-denied' },
      `${formatCount(count)} observed flow${count === 1 ? ' is' : 's are'} denied by the policies in force, with or without this proposal (it neither causes nor fixes ${count === 1 ? 'it' : 'them'}; the Drops page explains ${count === 1 ? 'it' : 'them'}):`,
    ),
    h(
      'ul',
      { class: 'warnings' },
      paths.map((p) => h('li', null, h('span', { class: 'mono' }, p.path), ': ', p.reason)),
    ),
  );
}

export async function renderRecommendations(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  if (namespace === undefined) {
    await renderNamespaceIndex(ctx, guardrailsSection(undefined));
    return;
  }
  const flavor = ctx.params.get('flavor') ?? undefined;
  const [names, body, writable] = await Promise.all([
    namespaceNames(),
    getJson('/api/v1/recommendations/summary', { namespace, flavor }, ctx.signal),
    canStage(ctx.signal),
  ]);
  const status = h('span', { class: 'muted small', role: 'status', 'data-testid': 'download-status' });
  const namespaces = body.namespaces;
  const verify = body.verifyScript ?? '';
  const verifyBytes = body.verifyScriptBytes;
  const observed = body.window;
  const windowText =
    observed !== null
      ? `Observed from ${formatTime(observed.firstSeen)} to ${formatTime(observed.lastSeen)}`
      : 'Nothing observed yet';
  mount(
    ctx.root,
    pageHeader(
      'Recommendations',
      `Least-privilege NetworkPolicies proposed from the observed traffic. ${windowText}.`,
      namespacePicker(names, namespace, (ns) => ctx.navigate({ namespace: ns }), 'All namespaces'),
    ),
    exposureStats(body),
    alreadyDenied(body),
    status,
    namespaces.length === 0
      ? card(null, h('p', { class: 'empty' }, 'No proposal: no forwarded traffic observed in this scope.'))
      : namespaces.map((ns) => namespaceSection(ns, status, writable, body.proof.violations, flavor)),
    guardrailsSection(namespace),
    verify !== ''
      ? card(
          'Verify after applying',
          h(
            'p',
            { class: 'muted' },
            'Run this script after applying the policies: every "allow" check must connect and every "deny" check must fail.',
          ),
          h(
            'div',
            { class: 'code-wrap' },
            wireCopyButton(
              h('button', { class: 'btn btn-small copy-corner', type: 'button' }, 'Copy'),
              () => verify,
            ),
            h('pre', { class: 'code' }, verify),
          ),
        )
      : verifyBytes > 0
        ? card(
            'Verify after applying',
            h(
              'p',
              { class: 'muted' },
              `The verify script is ${formatCount(Math.round(verifyBytes / 1024))} KiB: it is verify.sh in the kustomize download.`,
            ),
          )
        : null,
  );
}
