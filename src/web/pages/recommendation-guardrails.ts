// The Recommendations page's "Cluster guardrails" section: the network-policy-api objects proposed
// from the observed cross-namespace traffic (GET /api/v1/recommendations/cluster-guardrails, as
// `recommend --cluster-policies`), fetched only when asked (they replay every observed flow), in
// either flavour, with their proof, warnings, YAML and their own download
// (/api/v1/recommendations/cluster-guardrails/export). Object names, rule names and YAML are
// cluster data: text nodes only (dom.ts).
import type { ClusterGuardrailsJson } from '../../api/cluster-guardrails.js';
import { download, getJson } from '../api.js';
import { wireCopyButton } from '../clipboard.js';
import { h, mount } from '../dom.js';
import { formatCount } from '../format.js';
import { renderYaml } from '../yaml-highlight.js';
import { badge, card, errorBox, loading, table } from '../ui.js';

type GuardrailFlavor = 'cnp' | 'anp';

function summaryTable(body: ClusterGuardrailsJson): HTMLElement {
  return table(
    ['Kind', 'Name', 'Tier', 'Priority', 'Ingress rules', 'Egress rules'],
    body.summary.map((s) =>
      h(
        'tr',
        { 'data-guardrail': s.name },
        h('td', null, s.kind),
        h('td', { class: 'mono' }, s.name),
        h('td', null, badge(s.tier, s.tier === 'Admin' ? 'purple' : 'info')),
        h('td', { class: 'num' }, s.priority !== null ? String(s.priority) : '–'),
        h('td', { class: 'num' }, formatCount(s.ingressRules)),
        h('td', { class: 'num' }, formatCount(s.egressRules)),
      ),
    ),
    'No guardrail to propose: no cross-namespace traffic observed in this scope.',
  );
}

function resultView(
  body: ClusterGuardrailsJson,
  namespace: string | undefined,
  flavor: GuardrailFlavor,
): HTMLElement {
  const { proof, warnings, yaml } = body;
  const { violations, problems } = proof;
  const status = h('span', { class: 'muted small', role: 'status' });
  if (!body.ok) {
    return h(
      'div',
      { 'data-testid': 'guardrails-refused' },
      h(
        'p',
        { class: 'warning' },
        `Not offered: replaying the observed flows, these guardrails would drop ${violations.length} of them or are invalid (${problems.length} problem(s)).`,
      ),
      h(
        'ul',
        { class: 'warnings' },
        [...violations, ...problems].map((line) => h('li', { class: 'mono' }, line)),
      ),
    );
  }
  const objects = body.objects.length;
  return h(
    'div',
    { 'data-testid': 'guardrails-result' },
    h(
      'p',
      { class: 'muted' },
      `${formatCount(objects)} object(s) admitting ${formatCount(body.paths)} observed cross-namespace path(s); replayed ${formatCount(proof.replayed)} observed flows with them and the proposal: ${formatCount(proof.allowed)} allowed, none dropped by them.`,
    ),
    warnings.length > 0
      ? h(
          'ul',
          { class: 'warnings' },
          warnings.map((w) => h('li', null, w)),
        )
      : null,
    summaryTable(body),
    objects > 0
      ? h(
          'div',
          { class: 'fix-actions' },
          h(
            'button',
            {
              class: 'btn',
              type: 'button',
              'data-download': 'guardrails-yaml',
              onClick: () => {
                status.textContent = 'Preparing download…';
                download(
                  '/api/v1/recommendations/cluster-guardrails/export',
                  { namespace, flavor },
                  `netpol-advisor-cluster-guardrails-${flavor}.yaml`,
                ).then(
                  (name) => (status.textContent = `Downloaded ${name}`),
                  (error: unknown) =>
                    (status.textContent = `Download failed: ${error instanceof Error ? error.message : String(error)}`),
                );
              },
            },
            'Download guardrails YAML',
          ),
          wireCopyButton(h('button', { class: 'btn', type: 'button' }, 'Copy'), () => yaml),
          status,
        )
      : null,
    objects > 0
      ? h('details', { class: 'fix' }, h('summary', null, 'Guardrails YAML'), renderYaml(yaml))
      : null,
  );
}

/** The section; nothing is fetched until the reader asks. */
export function guardrailsSection(namespace: string | undefined): HTMLElement {
  const host = h('div', { 'data-testid': 'guardrails-host' });
  const select = h(
    'select',
    { 'aria-label': 'Guardrail API version', 'data-testid': 'guardrails-flavor' },
    h('option', { value: 'cnp' }, 'ClusterNetworkPolicy (v1alpha2)'),
    h('option', { value: 'anp' }, 'AdminNetworkPolicy (v1alpha1)'),
  );
  let controller: AbortController | undefined;
  const load = (): void => {
    controller?.abort();
    controller = new AbortController();
    const flavor: GuardrailFlavor = select.value === 'anp' ? 'anp' : 'cnp';
    mount(host, loading());
    getJson('/api/v1/recommendations/cluster-guardrails', { namespace, flavor }, controller.signal).then(
      (body) => mount(host, resultView(body, namespace, flavor)),
      (error: unknown) => {
        if (!(error instanceof DOMException && error.name === 'AbortError')) mount(host, errorBox(error));
      },
    );
  };
  return h(
    'div',
    { 'data-testid': 'cluster-guardrails' },
    card(
      'Cluster guardrails',
      h(
        'p',
        { class: 'muted' },
        `Cluster-scoped policies (network-policy-api) from the observed cross-namespace traffic${namespace !== undefined ? ` of ${namespace}` : ''}: Baseline-tier Accepts for each observed path and a Baseline deny of the rest (NetworkPolicies still decide first), Admin-tier Accepts for shared services such as DNS. They decide for every namespace they select: apply them on purpose, apart from the namespace policies.`,
      ),
      h(
        'div',
        { class: 'toolbar' },
        h('label', { class: 'field' }, h('span', null, 'API'), select),
        h(
          'button',
          { class: 'btn', type: 'button', 'data-testid': 'guardrails-load', onClick: load },
          'Propose guardrails',
        ),
      ),
      host,
    ),
  );
}
