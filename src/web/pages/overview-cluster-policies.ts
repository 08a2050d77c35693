// The Overview's "Cluster policies" card: the cluster-scoped policies in force (AdminNetworkPolicy,
// BaselineAdminNetworkPolicy, ClusterNetworkPolicy; GET /api/v1/cluster-policies) in evaluation
// order, each with its tier, priority, rules and the namespaces its subject covers. Absent when the
// cluster has none; a failed fetch is said in the card, not fatal to the page. Names are cluster
// data: text nodes only (dom.ts).
import type { ClusterPolicyJson } from '../../api/cluster-policies.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { formatCount } from '../format.js';
import { badge, card, table } from '../ui.js';

/** Namespaces named per policy; the rest are counted. */
const NAMESPACES_SHOWN = 12;

function coveredNamespaces(namespaces: readonly string[], covered: number): HTMLElement {
  const shown = namespaces.slice(0, NAMESPACES_SHOWN);
  const more = Math.max(covered, namespaces.length) - shown.length;
  return h(
    'div',
    { class: 'small' },
    shown.length === 0 ? h('span', { class: 'muted' }, 'none (its subject selects no pod)') : null,
    shown.map((ns, i) => [
      i > 0 ? ', ' : null,
      h('a', { href: `#/map?namespace=${encodeURIComponent(ns)}`, 'data-covered': ns }, ns),
    ]),
    more > 0 ? h('span', { class: 'muted' }, ` and ${formatCount(more)} more`) : null,
  );
}

export async function clusterPoliciesCard(signal: AbortSignal): Promise<HTMLElement | null> {
  let list: readonly ClusterPolicyJson[];
  try {
    list = (await getJson('/api/v1/cluster-policies', undefined, signal)).items;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return card(
      'Cluster policies',
      h('p', { class: 'warning' }, `Could not load the cluster policies: ${String(error)}`),
    );
  }
  if (list.length === 0) return null;
  return h(
    'div',
    { 'data-testid': 'cluster-policies' },
    card(
      `Cluster policies (${formatCount(list.length)})`,
      h(
        'p',
        { class: 'muted' },
        'Cluster-scoped policies decide before the NetworkPolicies (Admin tier) and after them (Baseline tier), in this order; an Admin-tier Deny cannot be overridden from a namespace.',
      ),
      table(
        ['Policy', 'Tier', 'Priority', 'Rules (in / out)', 'Pods selected', 'Namespaces covered'],
        list.map((p) =>
          h(
            'tr',
            { 'data-cluster-policy': p.name },
            h(
              'td',
              null,
              h('div', { class: 'strong mono' }, p.name),
              h('div', { class: 'muted small' }, p.kind),
            ),
            h('td', null, badge(p.tier, p.tier === 'Admin' ? 'purple' : 'info')),
            h('td', { class: 'num' }, p.priority !== null ? String(p.priority) : '–'),
            h('td', { class: 'num' }, `${formatCount(p.ingressRules)} / ${formatCount(p.egressRules)}`),
            h('td', { class: 'num' }, formatCount(p.podsSelected)),
            h('td', null, coveredNamespaces(p.namespaces, p.namespacesCovered)),
          ),
        ),
      ),
    ),
  );
}
