// Cluster guardrails from observed traffic (`recommend --cluster-policies cnp|anp`): pure, edges
// (+ snapshot) → network-policy-api objects.
//  - Admin tier, Accept/Allow: the cluster services many namespaces use as observed — a workload
//    reached from DNS port 53 or from ≥ SERVICE_MIN_NAMESPACES other namespaces (both sides: the
//    clients' egress and the service's ingress), and a workload reaching ≥ that many other
//    namespaces (a monitoring scraper: its egress and their ingress). Ports are those observed.
//  - cnp: per destination workload, a Baseline-tier policy whose Accept rules admit every observed
//    cross-namespace path to it, then per namespace a Baseline-tier Deny of ingress from other
//    namespaces (NetworkPolicies decide before the Baseline tier, so namespace owners can tighten).
//  - anp: v1alpha1 has one BaselineAdminNetworkPolicy with one subject, which cannot say "from
//    another namespace" per namespace; so each namespace gets an AdminNetworkPolicy (priority
//    band 900) whose Pass rules hand the observed paths to NetworkPolicies and whose last rule
//    denies other cross-namespace ingress. Owners can tighten passed paths, not loosen the deny.
// Objects respect the API limits (25 rules, peers and protocols per object and rule in v1alpha2;
// 100 in v1alpha1) by splitting.
import { policyName } from './names.js';
import { ANNOTATION_PREFIX, GENERATED_BY } from './proposal.js';
import { commonLabels, stableLabels } from './label-choice.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { ObservedEdge } from './proposal.js';

export type GuardrailFlavor = 'anp' | 'cnp';
export const SERVICE_MIN_NAMESPACES = 3;
const NS_KEY = 'kubernetes.io/metadata.name';
type Proto = 'TCP' | 'UDP' | 'SCTP';

interface Workload {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Record<string, string>;
}
interface Path {
  readonly from: Workload;
  readonly to: Workload;
  readonly protocol: Proto;
  readonly port: number;
  readonly count: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface Guardrails {
  readonly flavor: GuardrailFlavor;
  readonly objects: readonly Record<string, unknown>[];
  readonly warnings: readonly string[];
  /** Observed cross-namespace paths the objects admit (by Admin Accept or Baseline Accept/Pass). */
  readonly paths: number;
}

function selectorOf(
  snapshot: ClusterSnapshot | undefined,
  namespace: string,
  workload: string,
  edgeLabels: Readonly<Record<string, string>>,
): Record<string, string> {
  const pods =
    snapshot?.pods.filter(
      (p) => p.namespace === namespace && p.workload.name === workload && !p.hostNetwork,
    ) ?? [];
  return pods.length > 0 ? commonLabels(pods.map((p) => stableLabels(p.labels))) : stableLabels(edgeLabels);
}

function crossPaths(edges: Iterable<ObservedEdge>, snapshot: ClusterSnapshot | undefined): Path[] {
  const out: Path[] = [];
  for (const e of edges) {
    if (
      e.verdict !== 'forwarded' ||
      e.port === null ||
      (e.protocol !== 'TCP' && e.protocol !== 'UDP' && e.protocol !== 'SCTP')
    )
      continue;
    const s = e.source;
    const d = e.destination;
    if (
      s.kind !== 'pod' ||
      d.kind !== 'pod' ||
      s.namespace === undefined ||
      d.namespace === undefined ||
      s.workload === undefined ||
      d.workload === undefined
    )
      continue;
    if (s.namespace === d.namespace) continue;
    out.push({
      from: {
        namespace: s.namespace,
        name: s.workload,
        selector: selectorOf(snapshot, s.namespace, s.workload, e.sourceLabels),
      },
      to: {
        namespace: d.namespace,
        name: d.workload,
        selector: selectorOf(snapshot, d.namespace, d.workload, e.destinationLabels),
      },
      protocol: e.protocol,
      port: e.port,
      count: e.count,
      firstMs: e.firstSeenMs,
      lastMs: e.lastSeenMs,
    });
  }
  return out;
}

const key = (w: Workload): string => `${w.namespace}/${w.name}`;
const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
const nsIn = (names: readonly string[]) => ({
  matchExpressions: [{ key: NS_KEY, operator: 'In', values: [...names].sort() }],
});
const podsOf = (w: Workload) => ({
  namespaceSelector: { matchLabels: { [NS_KEY]: w.namespace } },
  podSelector: { matchLabels: w.selector },
});

class Builder {
  readonly objects: Record<string, unknown>[] = [];
  readonly warnings: string[] = [];
  readonly limit: number;
  constructor(readonly flavor: GuardrailFlavor) {
    this.limit = flavor === 'cnp' ? 25 : 100;
  }

  ports(paths: readonly Path[]): unknown[] {
    const seen = [...new Map(paths.map((p) => [`${p.protocol}/${p.port}`, p])).values()].sort(
      (a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port,
    );
    return seen.map((p) =>
      this.flavor === 'cnp'
        ? { [p.protocol.toLowerCase()]: { destinationPort: { number: p.port } } }
        : { portNumber: { protocol: p.protocol, port: p.port } },
    );
  }

  /** Rules with one peer each, their ports split to the per-rule limit. */
  rules(
    action: string,
    direction: 'ingress' | 'egress',
    groups: readonly { name: string; peer: unknown; paths: readonly Path[] }[],
  ): Record<string, unknown>[] {
    const peerField = direction === 'ingress' ? 'from' : 'to';
    const portsField = this.flavor === 'cnp' ? 'protocols' : 'ports';
    return groups.flatMap((g) =>
      chunks(this.ports(g.paths), this.limit).map((ports, i) => ({
        name: `${g.name}${i > 0 ? `-${i + 1}` : ''}`.slice(0, 100),
        action,
        [peerField]: [g.peer],
        [portsField]: ports,
      })),
    );
  }

  emit(
    name: string,
    tier: 'Admin' | 'Baseline',
    priority: number,
    subject: unknown,
    direction: 'ingress' | 'egress',
    rules: readonly Record<string, unknown>[],
    paths: readonly Path[],
    what: string,
  ): void {
    const connections = paths.reduce((n, p) => n + p.count, 0);
    const first = Math.min(...paths.map((p) => p.firstMs));
    const last = Math.max(...paths.map((p) => p.lastMs));
    chunks(rules, this.limit).forEach((part, i) => {
      const metadata = {
        name: policyName(name, ...(i > 0 ? [String(i + 1)] : [])),
        labels: { 'app.kubernetes.io/managed-by': 'netpol-advisor' },
        annotations: {
          [`${ANNOTATION_PREFIX}generated-by`]: GENERATED_BY,
          [`${ANNOTATION_PREFIX}guardrail`]: what,
          [`${ANNOTATION_PREFIX}connections`]: String(connections),
          ...(paths.length > 0
            ? {
                [`${ANNOTATION_PREFIX}first-seen`]: new Date(first).toISOString(),
                [`${ANNOTATION_PREFIX}last-seen`]: new Date(last).toISOString(),
              }
            : {}),
          [`${ANNOTATION_PREFIX}evidence`]: `${paths.length} observed path(s): ${paths
            .slice(0, 10)
            .map((p) => `${key(p.from)} -> ${key(p.to)} ${p.protocol}/${p.port} x${p.count}`)
            .join('; ')}${paths.length > 10 ? '; …' : ''}`.slice(0, 2000),
        },
      };
      const spec = { ...(this.flavor === 'cnp' ? { tier } : {}), priority, subject, [direction]: part };
      this.objects.push(
        this.flavor === 'cnp'
          ? { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata, spec }
          : { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata, spec },
      );
    });
  }
}

function groupBy<T>(list: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of list) {
    const k = keyOf(item);
    const g = out.get(k);
    if (g === undefined) out.set(k, [item]);
    else g.push(item);
  }
  return out;
}

export function recommendGuardrails(
  edges: Iterable<ObservedEdge>,
  snapshot: ClusterSnapshot | undefined,
  flavor: GuardrailFlavor,
  namespace?: string,
): Guardrails {
  const b = new Builder(flavor);
  const all = crossPaths(edges, snapshot).filter(
    (p) => namespace === undefined || p.from.namespace === namespace || p.to.namespace === namespace,
  );
  const accept = flavor === 'cnp' ? 'Accept' : 'Allow';
  const admitted = new Set<Path>();
  // Services: reached from DNS port 53 or from many namespaces.
  for (const [, paths] of [...groupBy(all, (p) => key(p.to))].sort(([x], [y]) => x.localeCompare(y))) {
    const sources = [...new Set(paths.map((p) => p.from.namespace))].sort();
    const dns = paths.some((p) => p.port === 53);
    if (!dns && sources.length < SERVICE_MIN_NAMESPACES) continue;
    const to = (paths[0] as Path).to;
    if (Object.keys(to.selector).length === 0) {
      b.warnings.push(`${key(to)}: no stable label selects its pods; no Admin-tier rule for it`);
      continue;
    }
    const what = `${dns ? 'DNS' : 'cluster service'} ${key(to)} used from ${sources.length} namespace(s)`;
    b.emit(
      `netpol-advisor-service-${to.namespace}-${to.name}-egress`,
      'Admin',
      100,
      { namespaces: nsIn(sources) },
      'egress',
      b.rules(accept, 'egress', [{ name: `to-${key(to)}`, peer: { pods: podsOf(to) }, paths }]),
      paths,
      what,
    );
    b.emit(
      `netpol-advisor-service-${to.namespace}-${to.name}-ingress`,
      'Admin',
      100,
      { pods: podsOf(to) },
      'ingress',
      b.rules(accept, 'ingress', [
        { name: `from-${sources.length}-namespaces`, peer: { namespaces: nsIn(sources) }, paths },
      ]),
      paths,
      what,
    );
    for (const p of paths) admitted.add(p);
  }
  // Scrapers: one workload reaching many namespaces.
  for (const paths of [
    ...groupBy(
      all.filter((p) => !admitted.has(p)),
      (p) => key(p.from),
    ).values(),
  ]) {
    const targets = [...new Set(paths.map((p) => p.to.namespace))].sort();
    const from = (paths[0] as Path).from;
    if (targets.length < SERVICE_MIN_NAMESPACES || Object.keys(from.selector).length === 0) continue;
    const what = `${key(from)} reaches ${targets.length} namespace(s) (a scraper or agent)`;
    b.emit(
      `netpol-advisor-agent-${from.namespace}-${from.name}-egress`,
      'Admin',
      100,
      { pods: podsOf(from) },
      'egress',
      b.rules(accept, 'egress', [
        { name: `to-${targets.length}-namespaces`, peer: { namespaces: nsIn(targets) }, paths },
      ]),
      paths,
      what,
    );
    b.emit(
      `netpol-advisor-agent-${from.namespace}-${from.name}-ingress`,
      'Admin',
      100,
      { namespaces: nsIn(targets) },
      'ingress',
      b.rules(accept, 'ingress', [{ name: `from-${key(from)}`, peer: { pods: podsOf(from) }, paths }]),
      paths,
      what,
    );
    for (const p of paths) admitted.add(p);
  }
  // Per destination workload: Baseline Accept (cnp) or Admin Pass (anp) for each observed path.
  const rest = all.filter((p) => !admitted.has(p));
  for (const paths of groupBy(rest, (p) => key(p.to)).values()) {
    const to = (paths[0] as Path).to;
    const subject =
      Object.keys(to.selector).length === 0
        ? { namespaces: { matchLabels: { [NS_KEY]: to.namespace } } }
        : { pods: podsOf(to) };
    if (Object.keys(to.selector).length === 0)
      b.warnings.push(
        `${key(to)}: no stable label selects its pods; its rules apply to all of ${to.namespace}`,
      );
    const groups = [...groupBy(paths, (p) => key(p.from)).values()].map((g) => {
      const from = (g[0] as Path).from;
      const peer =
        Object.keys(from.selector).length === 0
          ? { namespaces: { matchLabels: { [NS_KEY]: from.namespace } } }
          : { pods: podsOf(from) };
      return { name: `from-${key(from)}`, peer, paths: g };
    });
    const tier = flavor === 'cnp' ? 'Baseline' : 'Admin';
    b.emit(
      `netpol-advisor-cross-namespace-${to.namespace}-${to.name}`,
      tier,
      flavor === 'cnp' ? 100 : 899,
      subject,
      'ingress',
      b.rules(flavor === 'cnp' ? 'Accept' : 'Pass', 'ingress', groups),
      paths,
      `observed cross-namespace ingress of ${key(to)}`,
    );
    for (const p of paths) admitted.add(p);
  }
  // Per namespace: deny ingress from other namespaces.
  const namespaces = new Set(snapshot?.namespaces.map((n) => n.name) ?? []);
  for (const p of all) {
    namespaces.add(p.from.namespace);
    namespaces.add(p.to.namespace);
  }
  for (const ns of [...namespaces].sort()) {
    if (namespace !== undefined && ns !== namespace) continue;
    const rules = [
      {
        name: 'deny-other-namespaces',
        action: 'Deny',
        from: [{ namespaces: { matchExpressions: [{ key: NS_KEY, operator: 'NotIn', values: [ns] }] } }],
      },
    ];
    b.emit(
      `netpol-advisor-cross-namespace-deny-${ns}`,
      flavor === 'cnp' ? 'Baseline' : 'Admin',
      flavor === 'cnp' ? 200 : 900,
      { namespaces: { matchLabels: { [NS_KEY]: ns } } },
      'ingress',
      rules,
      [],
      `default deny of ingress from other namespaces into ${ns}`,
    );
  }
  if (flavor === 'anp')
    b.warnings.push(
      'v1alpha1 cannot express a per-namespace Baseline deny in its single BaselineAdminNetworkPolicy: the cross-namespace deny is an AdminNetworkPolicy (priority 900) that NetworkPolicies cannot loosen; the observed paths are passed to them (priority 899)',
    );
  return { flavor, objects: b.objects, warnings: b.warnings, paths: admitted.size };
}
