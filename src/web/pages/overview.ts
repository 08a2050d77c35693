// Overview: every namespace's policy coverage (default deny per direction, share of pods selected
// by some policy), its observed edges and its drops in the last hour. GET /api/v1/namespaces,
// every page. The totals come from the API's `totals` (each edge once): summing the namespaces
// would count an edge between two namespaces in both. Then the cluster-scoped policies and the
// namespaces they cover (overview-cluster-policies.ts).
import { h, mount } from '../dom.js';
import { formatCount, percent } from '../format.js';
import type { NamespaceJson, NamespacesPageJson } from '../../api/namespaces.js';
import { allNamespaceItems, badge, card, pageHeader, stat, table, type PageContext } from '../ui.js';
import { clusterPoliciesCard } from './overview-cluster-policies.js';

interface NamespaceRow {
  readonly name: string;
  readonly denyIngress: boolean | undefined;
  readonly denyEgress: boolean | undefined;
  readonly podsSelected: number | undefined;
  readonly pods: number | undefined;
  readonly coverage: number | undefined;
  readonly policies: number | undefined;
  readonly edges: number | undefined;
  readonly drops: number | undefined;
  readonly dropPaths: number | undefined;
}

function readRow(item: NamespaceJson): NamespaceRow {
  const c = item.coverage;
  return {
    name: item.name,
    denyIngress: c?.defaultDenyIngress,
    denyEgress: c?.defaultDenyEgress,
    podsSelected: c?.podsSelected,
    pods: c?.pods,
    coverage: c?.selectedShare ?? undefined,
    policies: c?.policies,
    edges: item.edges,
    drops: item.dropsLastHour.connections,
    dropPaths: item.dropsLastHour.paths,
  };
}

function denyBadge(value: boolean | undefined): HTMLElement {
  if (value === undefined) return badge('no inventory', 'muted');
  return value ? badge('default deny', 'ok') : badge('open', 'bad');
}

function coverageBar(row: NamespaceRow): HTMLElement {
  const share = row.coverage;
  const width = share === undefined ? 0 : Math.max(0, Math.min(100, Math.round(share * 100)));
  const tone = share === undefined ? 'muted' : share >= 0.999 ? 'ok' : share > 0 ? 'warn' : 'bad';
  const bar = h('span', { class: `bar-fill bar-${tone}` });
  bar.style.width = `${width}%`;
  const detail =
    row.pods !== undefined && row.podsSelected !== undefined ? ` (${row.podsSelected}/${row.pods} pods)` : '';
  return h(
    'div',
    { class: 'coverage' },
    h('span', { class: 'bar' }, bar),
    h('span', { class: 'coverage-text' }, `${percent(share)}${detail}`),
  );
}

async function allNamespaces(
  signal: AbortSignal,
): Promise<{ rows: NamespaceRow[]; totals: NamespacesPageJson['totals'] | undefined }> {
  const { items: list, totals } = await allNamespaceItems(signal);
  return { rows: list.map(readRow), totals };
}

export async function renderOverview(ctx: PageContext): Promise<void> {
  const [{ rows: unsorted, totals }, clusterPolicies] = await Promise.all([
    allNamespaces(ctx.signal),
    clusterPoliciesCard(ctx.signal),
  ]);
  const rows = unsorted.sort((a, b) => a.name.localeCompare(b.name));
  const unprotected = rows.filter((r) => r.denyIngress === false || r.denyEgress === false).length;
  const known = rows.some((r) => r.denyIngress !== undefined);
  const edges = totals?.edges ?? rows.reduce((sum, r) => sum + (r.edges ?? 0), 0);
  const drops = totals?.dropsLastHour.connections ?? rows.reduce((sum, r) => sum + (r.drops ?? 0), 0);
  mount(
    ctx.root,
    pageHeader('Overview', 'Policy coverage and observed traffic per namespace'),
    h(
      'div',
      { class: 'stats' },
      stat('Namespaces', formatCount(rows.length)),
      stat(
        'Without default deny',
        known ? formatCount(unprotected) : '–',
        !known ? 'neutral' : unprotected > 0 ? 'warn' : 'ok',
      ),
      stat('Observed paths', formatCount(edges)),
      stat('Drops in the last hour', formatCount(drops), drops > 0 ? 'bad' : 'ok'),
    ),
    known
      ? null
      : h(
          'p',
          { class: 'notice' },
          'No cluster inventory or snapshot is configured: policy coverage is unknown; traffic figures come from the observed flows.',
        ),
    card(
      'Namespaces',
      table(
        [
          'Namespace',
          'Ingress',
          'Egress',
          'Pods selected by a policy',
          'Policies',
          'Observed edges',
          'Drops (1h)',
          '',
        ],
        rows.map((r) =>
          h(
            'tr',
            { 'data-namespace': r.name },
            h('td', { class: 'strong' }, r.name),
            h('td', null, denyBadge(r.denyIngress)),
            h('td', null, denyBadge(r.denyEgress)),
            h('td', null, coverageBar(r)),
            h('td', { class: 'num' }, formatCount(r.policies)),
            h('td', { class: 'num' }, formatCount(r.edges)),
            h(
              'td',
              {
                class: `num ${(r.drops ?? 0) > 0 ? 'text-bad' : ''}`,
                title: r.dropPaths !== undefined ? `${r.dropPaths} blocked paths` : '',
              },
              formatCount(r.drops),
            ),
            h(
              'td',
              { class: 'links' },
              h('a', { href: `#/map?namespace=${encodeURIComponent(r.name)}` }, 'Map'),
              h('a', { href: `#/recommendations?namespace=${encodeURIComponent(r.name)}` }, 'Proposal'),
            ),
          ),
        ),
        'No namespace observed yet: no flows have been ingested.',
      ),
    ),
    clusterPolicies,
  );
}
