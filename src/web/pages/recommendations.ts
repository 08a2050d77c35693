// Recommendations: per namespace, the proposed policies as highlighted YAML beside the evidence of
// each rule, the diff against the existing policies, the exposure reduction and the replay proof,
// copy and downloads (YAML, kustomize tar) and the verify.sh commands. Each namespace opens with
// its safety verdict and a summary table of its policies; each policy is a collapsible card
// (the first few open), so a namespace with many workloads stays readable.
// GET /api/v1/recommendations?namespace= and /api/v1/recommendations/export.
import { download, getJson } from '../api.js';
import { wireCopyButton } from '../clipboard.js';
import { h, mount } from '../dom.js';
import { formatCount, formatTime, percent, portLabel, timeAgo } from '../format.js';
import { arr, num, obj, optStr, str, strs, type JsonObject } from '../json.js';
import { badge, card, namespaceNames, namespaceSelect, pageHeader, stat, type PageContext } from '../ui.js';
import { renderYaml } from '../yaml-highlight.js';
import { canStage, stageNamespace } from '../staged-api.js';

const CHANGE_TONE: Readonly<Record<string, string>> = { added: 'ok', changed: 'warn', unchanged: 'muted', kept: 'info' };
const ROLE_LABEL: Readonly<Record<string, string>> = { 'allow-ingress': 'ingress allow', 'allow-egress': 'egress allow', dns: 'DNS', 'default-deny': 'default deny' };

function downloadButtons(namespace: string | undefined, status: HTMLElement): HTMLElement[] {
  const run = (format: 'yaml' | 'tar'): void => {
    status.textContent = 'Preparing download…';
    download('/api/v1/recommendations/export', { namespace, format }, `netpol-advisor-${namespace ?? 'all'}.${format}`)
      .then((name) => { status.textContent = `Downloaded ${name}`; })
      .catch((error: unknown) => { status.textContent = `Download failed: ${error instanceof Error ? error.message : String(error)}`; });
  };
  return [
    h('button', { class: 'btn', type: 'button', 'data-download': 'yaml', onClick: () => run('yaml') }, 'Download YAML'),
    h('button', { class: 'btn', type: 'button', 'data-download': 'tar', onClick: () => run('tar') }, 'Download kustomize (.tar)'),
  ];
}

function ruleRow(rule: unknown): HTMLTableRowElement {
  const r = obj(rule);
  const ports = arr(r['ports']).map((p) => portLabel(obj(p)['port'], obj(p)['protocol']));
  const pods = strs(r['samplePods']);
  const names = strs(r['names']);
  const reasons = strs(r['reasons']);
  return h('tr', null,
    h('td', null, badge(str(r['direction']), str(r['direction']) === 'ingress' ? 'info' : 'purple')),
    h('td', { class: 'peer' }, str(r['peer']), names.length > 0 ? h('div', { class: 'muted small' }, names.slice(0, 4).join(', ')) : null),
    h('td', { class: 'mono' }, ports.length > 0 ? ports.join(', ') : 'all ports'),
    h('td', { class: 'num' }, formatCount(r['connections'])),
    h('td', { class: 'time', title: `${formatTime(r['firstSeenMs'])} – ${formatTime(r['lastSeenMs'])}` }, timeAgo(r['lastSeenMs'])),
    h('td', { class: 'small' }, pods.length > 0 ? pods.slice(0, 3).join(', ') : '–', reasons.length > 0 ? h('div', { class: 'muted' }, reasons.join('; ')) : null));
}

/** Policies shown expanded when a namespace is rendered; the rest start collapsed. */
const OPEN_POLICIES = 3;

const roleBadge = (role: string): HTMLElement => badge(ROLE_LABEL[role] ?? role, role === 'default-deny' ? 'bad' : role === 'dns' ? 'info' : 'ok');

function policyBlock(policy: unknown, index: number): HTMLElement {
  const p = obj(policy);
  const yaml = str(p['yaml']);
  const rules = arr(p['rules']);
  const role = str(p['role']);
  return h('details', { class: 'policy', 'data-policy': str(p['name']), open: index < OPEN_POLICIES },
    h('summary', { class: 'policy-head' },
      h('h3', { class: 'mono' }, str(p['name'])),
      roleBadge(role),
      optStr(p['workload']) !== undefined ? h('span', { class: 'muted small' }, `selects ${str(p['workload'])}`) : null,
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted small' }, `${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}`),
      wireCopyButton(h('button', { class: 'btn btn-small', type: 'button' }, 'Copy'), () => yaml)),
    h('div', { class: 'policy-body' },
      renderYaml(yaml),
      rules.length === 0
        ? h('p', { class: 'muted small rules-empty' }, role === 'default-deny' ? 'Denies everything not allowed by the other policies of this namespace.' : 'No rule: nothing observed to allow.')
        : h('div', { class: 'table-wrap' }, h('table', { class: 'mini' },
          h('thead', null, h('tr', null, ['Dir', 'Peer', 'Ports', 'Conns', 'Last seen', 'Sample pods'].map((t) => h('th', null, t)))),
          h('tbody', null, rules.map(ruleRow))))));
}

/** Shadow mode: stage this namespace's proposal and go to the Staged page (only when the token may write). */
function stageButton(namespace: string, status: HTMLElement): HTMLElement {
  return h('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'stage-recommendation', onClick: () => {
    status.textContent = `Staging ${namespace}…`;
    stageNamespace(namespace).then(() => { window.location.hash = '#/staged'; }, (error: unknown) => {
      status.textContent = `Staging failed: ${error instanceof Error ? error.message : String(error)}`;
    });
  } }, 'Stage');
}

/** The verdict a reader needs before anything else: can these policies be applied as they are? */
function safetyVerdict(name: string, policies: readonly unknown[], unsafe: readonly JsonObject[], violations: number): HTMLElement {
  if (violations > 0 && unsafe.length === 0) {
    // The replay proof failed somewhere in the scope shown: never call it safe.
    return h('div', { class: 'verdict verdict-bad', 'data-testid': 'verdict', role: 'alert' },
      h('strong', null, 'Not safe to apply. '),
      `Replaying the observed traffic through the proposal drops ${violations} observed flow${violations === 1 ? '' : 's'} that was allowed (often an existing policy elsewhere the proposal cannot change). `,
      h('code', { class: 'inline' }, 'netpol-advisor recommend'), ' names them.');
  }
  if (unsafe.length > 0) {
    return h('div', { class: 'verdict verdict-bad', 'data-testid': 'verdict', role: 'alert' },
      h('strong', null, 'Not safe to apply. '),
      `These policies would deny ${unsafe.length} observed path${unsafe.length === 1 ? '' : 's'} they cannot express:`,
      h('ul', { class: 'warnings' }, unsafe.map((u) => h('li', null, badge(str(u['code']), 'bad'), ' ', h('span', { class: 'mono' }, str(u['path'])), ': ', str(u['reason'])))));
  }
  if (policies.length === 0) return h('div', { class: 'verdict verdict-muted', 'data-testid': 'verdict' }, h('strong', null, 'Nothing to apply. '), `No policy is proposed for ${name}.`);
  return h('div', { class: 'verdict verdict-ok', 'data-testid': 'verdict' },
    h('strong', null, 'Safe to apply. '), `Replaying the observed traffic of ${name} through these policies allows every observed path.`);
}

function summaryTable(policies: readonly unknown[]): HTMLElement {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'mini policy-summary' },
    h('thead', null, h('tr', null, ['Policy', 'Kind', 'Selects', 'Rules', 'Connections'].map((t) => h('th', null, t)))),
    h('tbody', null, policies.map((policy) => {
      const p = obj(policy);
      const rules = arr(p['rules']).map(obj);
      const connections = rules.reduce((sum, r) => sum + (num(r['connections']) ?? 0), 0);
      return h('tr', { 'data-policy': str(p['name']) },
        h('td', { class: 'mono' }, str(p['name'])),
        h('td', null, roleBadge(str(p['role']))),
        h('td', null, optStr(p['workload']) ?? 'every pod'),
        h('td', { class: 'num' }, formatCount(rules.length)),
        h('td', { class: 'num' }, formatCount(connections)));
    }))));
}

function namespaceSection(ns: JsonObject, status: HTMLElement, writable: boolean, violations: number): HTMLElement {
  const name = str(ns['namespace']);
  const policies = arr(ns['policies']);
  const diff = arr(ns['diff']);
  const warnings = arr(ns['warnings']);
  // Paths this proposal would deny although they were observed (the API's `unsafe`): said first.
  const unsafe = arr(ns['unsafe']).map(obj);
  const allYaml = policies.map((p) => str(obj(p)['yaml'])).join('---\n');
  return h('section', { class: 'card ns-section', 'data-namespace': name },
    h('div', { class: 'section-head' },
      h('h2', null, name, h('span', { class: 'muted count' }, ` · ${policies.length} ${policies.length === 1 ? 'policy' : 'policies'}`),
        unsafe.length > 0 ? h('span', { 'data-testid': 'not-safe' }, ' ', badge('not safe to apply', 'bad')) : null),
      // An empty proposal has nothing to stage, copy or download.
      policies.length > 0 ? h('div', { class: 'actions' },
        writable ? stageButton(name, status) : null,
        wireCopyButton(h('button', { class: 'btn', type: 'button' }, 'Copy YAML'), () => allYaml),
        downloadButtons(name, status)) : null),
    safetyVerdict(name, policies, unsafe, violations),
    policies.length > 1 ? summaryTable(policies) : null,
    diff.length > 0 ? h('div', { class: 'diff' },
      h('span', { class: 'diff-title' }, 'Against existing policies:'),
      diff.map((d) => {
        const e = obj(d);
        const change = str(e['change']);
        return h('span', { class: 'diff-entry', title: str(e['detail']) }, badge(change, CHANGE_TONE[change] ?? 'muted'), ' ', h('span', { class: 'mono small' }, str(e['policy'])));
      })) : null,
    warnings.length > 0 ? h('ul', { class: 'warnings' }, warnings.map((w) => h('li', null, badge(str(obj(w)['code']), 'warn'), ' ', str(obj(w)['message'])))) : null,
    policies.map((p, i) => policyBlock(p, i)));
}

function exposureStats(body: JsonObject): HTMLElement {
  const exposure = obj(body['exposure']);
  const before = obj(exposure['before']);
  const after = obj(exposure['after']);
  const proof = obj(body['proof']);
  const pairs = (o: JsonObject): string => (num(o['reachable']) === undefined ? 'not computed' : `${formatCount(o['reachable'])} / ${formatCount(o['total'])}`);
  const violations = num(proof['violations']) ?? 0;
  return h('div', { class: 'stats' },
    stat('Reachable pod pairs × ports today', pairs(before)),
    stat('With the proposal', pairs(after), 'ok'),
    stat('Exposure reduction', percent(num(exposure['reduction'])), (num(exposure['reduction']) ?? 0) > 0 ? 'ok' : 'neutral'),
    stat('Observed flows replayed', `${formatCount(proof['allowed'])} / ${formatCount(proof['replayed'])} allowed`, violations > 0 ? 'bad' : 'ok'));
}

export async function renderRecommendations(ctx: PageContext): Promise<void> {
  const namespace = ctx.params.get('namespace') ?? undefined;
  const [names, raw, writable] = await Promise.all([namespaceNames(), getJson('/api/v1/recommendations', { namespace }, ctx.signal), canStage(ctx.signal)]);
  const body = obj(raw);
  const status = h('span', { class: 'muted small', role: 'status', 'data-testid': 'download-status' });
  const namespaces = arr(body['namespaces']).map(obj);
  const verify = str(body['verifyScript']);
  const observed = obj(body['window']);
  const windowText = optStr(observed['firstSeen']) !== undefined ? `Observed from ${formatTime(observed['firstSeen'])} to ${formatTime(observed['lastSeen'])}` : 'Nothing observed yet';
  mount(ctx.root,
    pageHeader('Recommendations', `Least-privilege NetworkPolicies proposed from the observed traffic. ${windowText}.`,
      namespaceSelect(names, namespace, (ns) => ctx.navigate({ namespace: ns }), 'All namespaces')),
    exposureStats(body),
    namespaces.some((ns) => arr(ns['policies']).length > 0)
      ? h('div', { class: 'toolbar' }, h('span', { class: 'muted' }, namespace === undefined ? 'Every namespace:' : `${namespace}:`), downloadButtons(namespace, status), status)
      : status,
    namespaces.length === 0 ? card(null, h('p', { class: 'empty' }, 'No proposal: no forwarded traffic observed in this scope.')) : namespaces.map((ns) => namespaceSection(ns, status, writable, num(obj(body['proof'])['violations']) ?? 0)),
    verify !== '' ? card('Verify after applying',
      h('p', { class: 'muted' }, 'Run this script after applying the policies: every "allow" check must connect and every "deny" check must fail.'),
      h('div', { class: 'code-wrap' },
        wireCopyButton(h('button', { class: 'btn btn-small copy-corner', type: 'button' }, 'Copy'), () => verify),
        h('pre', { class: 'code' }, verify))) : null);
}
