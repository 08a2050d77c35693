// Deliberately naive Cilium and Calico evaluators for the property tests, written from the
// upstream documentation over the raw API objects (no parsing into src/policy types, no indexes,
// no sharing with src/policy): every query rescans everything. Only the vocabulary the property
// generators use is covered (IPv4, the selector expressions listed in CALICO_SELECTORS).

export interface RefPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
}
export type RefEndpoint = { pod: RefPod } | { ip: string; names: string[] };
export interface RefQuery {
  from: RefEndpoint;
  to: RefEndpoint;
  port: number;
  protocol: 'TCP' | 'UDP';
}
type Obj = Readonly<Record<string, unknown>>;
/** Narrowing readers for the raw objects (generated, so shapes are known; absent → empty). */
const o = (x: unknown): Obj => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : {});
const objs = (x: unknown): Obj[] => (Array.isArray(x) ? x.map(o) : []);
const strs = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : [];
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
const len = (x: unknown): number => (Array.isArray(x) ? x.length : 0);

function v4(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}
export function inCidr(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  return Math.floor(v4(ip) / size) === Math.floor(v4(base ?? '') / size);
}
function ipOf(e: RefEndpoint): string {
  return 'pod' in e ? e.pod.ip : e.ip;
}

export function k8sSelector(selector: unknown, labels: Record<string, string>): boolean {
  const sel = o(selector);
  for (const [k, v] of Object.entries(o(sel['matchLabels']))) if (labels[k] !== v) return false;
  for (const e of objs(sel['matchExpressions'])) {
    const key = str(e['key']) ?? '';
    const has = Object.hasOwn(labels, key);
    const val = labels[key] ?? '';
    const values = strs(e['values']);
    if (e['operator'] === 'In' && !(has && values.includes(val))) return false;
    if (e['operator'] === 'NotIn' && has && values.includes(val)) return false;
    if (e['operator'] === 'Exists' && !has) return false;
    if (e['operator'] === 'DoesNotExist' && has) return false;
  }
  return true;
}

const meta = (x: Obj): Obj => o(x['metadata']);
const spec = (x: Obj): Obj => o(x['spec']);

/** NetworkPolicy, one direction: undefined when no policy isolates the subject, else whether one admits. */
export function npDirection(
  nps: readonly Obj[],
  nsLabels: (ns: string) => Record<string, string>,
  dir: 'ingress' | 'egress',
  subject: RefPod,
  peer: RefEndpoint,
  q: RefQuery,
  ipBlockMatchesPods: boolean,
): boolean | undefined {
  let isolated = false;
  let allowed = false;
  for (const np of nps) {
    if (meta(np)['namespace'] !== subject.namespace || !k8sSelector(spec(np)['podSelector'], subject.labels))
      continue;
    const types = spec(np)['policyTypes'] === undefined ? ['Ingress'] : strs(spec(np)['policyTypes']);
    if (!types.includes(dir === 'ingress' ? 'Ingress' : 'Egress')) continue;
    isolated = true;
    for (const rule of objs(spec(np)[dir])) {
      const ports = objs(rule['ports']);
      const portOk =
        ports.length === 0 ||
        ports.some(
          (p) =>
            (str(p['protocol']) ?? 'TCP') === q.protocol && (p['port'] === undefined || p['port'] === q.port),
        );
      const peers = objs(rule[dir === 'ingress' ? 'from' : 'to']);
      const peerOk =
        peers.length === 0 ||
        peers.some((p) => {
          if (p['ipBlock'] !== undefined)
            return (
              ('pod' in peer ? ipBlockMatchesPods : true) &&
              inCidr(ipOf(peer), str(o(p['ipBlock'])['cidr']) ?? '')
            );
          if (!('pod' in peer)) return false;
          const nsOk =
            p['namespaceSelector'] === undefined
              ? peer.pod.namespace === subject.namespace
              : k8sSelector(p['namespaceSelector'], nsLabels(peer.pod.namespace));
          return nsOk && k8sSelector(p['podSelector'] ?? {}, peer.pod.labels);
        });
      if (portOk && peerOk) allowed = true;
    }
  }
  return isolated ? allowed : undefined;
}

// ---- Cilium (docs.cilium.io security/policy: language, deny policies, intro) ----

function ciliumLabels(pod: RefPod, nsLabels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...pod.labels, 'io.kubernetes.pod.namespace': pod.namespace };
  for (const [k, v] of Object.entries(nsLabels)) out[`io.cilium.k8s.namespace.labels.${k}`] = v;
  return out;
}
function strip(selector: unknown): { matchLabels: Record<string, string>; matchExpressions: Obj[] } {
  const un = (k: string) => (k.startsWith('k8s:') ? k.slice(4) : k);
  const sel = o(selector);
  return {
    matchLabels: Object.fromEntries(
      Object.entries(o(sel['matchLabels'])).map(([k, v]) => [un(k), String(v)]),
    ),
    matchExpressions: objs(sel['matchExpressions']).map((e) => ({ ...e, key: un(str(e['key']) ?? '') })),
  };
}

function ciliumRuleMatches(
  rule: Obj,
  dir: 'ingress' | 'egress',
  policyNs: string | undefined,
  peer: RefEndpoint,
  q: RefQuery,
  nsLabels: (ns: string) => Record<string, string>,
): boolean {
  const f = dir === 'ingress' ? 'from' : 'to';
  const l3Fields = [`${f}Endpoints`, `${f}Entities`, `${f}CIDR`, `${f}CIDRSet`, 'toFQDNs'].filter(
    (k) => len(rule[k]) > 0,
  );
  if (l3Fields.length === 0 && len(rule['toPorts']) === 0) return false; // the empty rule
  if (len(rule['toPorts']) > 0) {
    const ok = objs(rule['toPorts']).some((pr) => {
      const ports = objs(pr['ports']);
      return (
        ports.length === 0 ||
        ports.some((p) => {
          const proto = str(p['protocol']) ?? 'ANY';
          if (proto !== 'ANY' && proto !== q.protocol) return false;
          const from = Number(p['port']);
          return from === 0 || (q.port >= from && q.port <= (num(p['endPort']) ?? from));
        })
      );
    });
    if (!ok) return false;
  }
  if (l3Fields.length === 0) return true;
  if ('pod' in peer) {
    const labels = ciliumLabels(peer.pod, nsLabels(peer.pod.namespace));
    for (const s of objs(rule[`${f}Endpoints`])) {
      const sel = strip(s);
      const namesNs =
        Object.hasOwn(sel.matchLabels, 'io.kubernetes.pod.namespace') ||
        sel.matchExpressions.some((e) => e['key'] === 'io.kubernetes.pod.namespace');
      if (policyNs !== undefined && !namesNs && peer.pod.namespace !== policyNs) continue;
      if (k8sSelector(sel, labels)) return true;
    }
  }
  for (const e of strs(rule[`${f}Entities`])) {
    if (e === 'all' || (e === 'cluster' && 'pod' in peer) || (e === 'world' && !('pod' in peer))) return true;
  }
  if (!('pod' in peer)) {
    for (const c of strs(rule[`${f}CIDR`])) if (inCidr(peer.ip, c)) return true;
    for (const c of objs(rule[`${f}CIDRSet`]))
      if (inCidr(peer.ip, str(c['cidr']) ?? '') && !strs(c['except']).some((x) => inCidr(peer.ip, x)))
        return true;
    for (const fq of objs(rule['toFQDNs'])) {
      const pattern = str(fq['matchPattern']);
      for (const name of peer.names) {
        if (fq['matchName'] !== undefined && fq['matchName'] === name) return true;
        if (pattern === '*') return true;
        if (pattern?.startsWith('*.') === true) {
          const rest = pattern.slice(1);
          if (name.endsWith(rest) && !name.slice(0, name.length - rest.length).includes('.')) return true;
        }
      }
    }
  }
  return false;
}

function ciliumDirection(
  objects: readonly Obj[],
  nps: readonly Obj[],
  nsLabels: (ns: string) => Record<string, string>,
  dir: 'ingress' | 'egress',
  subject: RefEndpoint,
  peer: RefEndpoint,
  q: RefQuery,
): boolean {
  if (!('pod' in subject)) return true;
  const pod = subject.pod;
  const policies = objects.filter(
    (p) =>
      (p['kind'] === 'CiliumClusterwideNetworkPolicy' || meta(p)['namespace'] === pod.namespace) &&
      k8sSelector(strip(spec(p)['endpointSelector']), ciliumLabels(pod, nsLabels(pod.namespace))),
  );
  const ns = (p: Obj) => (p['kind'] === 'CiliumNetworkPolicy' ? str(meta(p)['namespace']) : undefined);
  // "Deny policies take precedence over allow policies, regardless of whether they are a Cilium
  // Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy."
  for (const p of policies)
    for (const r of objs(spec(p)[`${dir}Deny`]))
      if (ciliumRuleMatches(r, dir, ns(p), peer, q, nsLabels)) return false;
  const np = npDirection(nps, nsLabels, dir, pod, peer, q, false);
  if (np === true) return true;
  for (const p of policies)
    for (const r of objs(spec(p)[dir])) if (ciliumRuleMatches(r, dir, ns(p), peer, q, nsLabels)) return true;
  const isolated =
    np === false ||
    policies.some(
      (p) =>
        (len(spec(p)[dir]) > 0 || len(spec(p)[`${dir}Deny`]) > 0) &&
        o(spec(p)['enableDefaultDeny'])[dir] !== false,
    );
  return !isolated;
}

export function ciliumReference(
  objects: readonly Obj[],
  nps: readonly Obj[],
  nsLabels: (ns: string) => Record<string, string>,
  q: RefQuery,
): boolean {
  return (
    ciliumDirection(objects, nps, nsLabels, 'egress', q.from, q.to, q) &&
    ciliumDirection(objects, nps, nsLabels, 'ingress', q.to, q.from, q)
  );
}

// ---- Calico (docs.tigera.io: tiers, policy ordering, rule actions; v3 API reference) ----

/** The selector expressions the generators use, each with its meaning written out by hand. */
export const CALICO_SELECTORS: Readonly<Record<string, (l: Record<string, string>) => boolean>> = {
  'all()': () => true,
  "app == 'a'": (l) => l['app'] === 'a',
  "app != 'a'": (l) => l['app'] !== 'a',
  "app in {'a', 'b'}": (l) => l['app'] === 'a' || l['app'] === 'b',
  "app not in {'b'}": (l) => l['app'] !== 'b',
  'has(tier)': (l) => 'tier' in l,
  '!has(app)': (l) => !('app' in l),
  "has(team) && tier == 'c'": (l) => 'team' in l && l['tier'] === 'c',
  "team == 'a' || !(app == 'c')": (l) => l['team'] === 'a' || l['app'] !== 'c',
  "env == 'prod'": (l) => l['env'] === 'prod',
  "env == 'dev'": (l) => l['env'] === 'dev',
};

function sel(text: string | undefined, labels: Record<string, string>): boolean {
  const f = CALICO_SELECTORS[text ?? 'all()'];
  if (f === undefined) throw new Error(`reference: unknown selector ${text ?? ''}`);
  return f(labels);
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17 };

function entityMatches(
  entity: Obj | undefined,
  e: RefEndpoint,
  policyNs: string | undefined,
  nsLabels: (ns: string) => Record<string, string>,
  q: RefQuery,
  isDest: boolean,
): boolean {
  if (entity === undefined) return true;
  const ip = ipOf(e);
  if (entity['nets'] !== undefined && !strs(entity['nets']).some((c) => inCidr(ip, c))) return false;
  if (entity['notNets'] !== undefined && strs(entity['notNets']).some((c) => inCidr(ip, c))) return false;
  const inScope = (): boolean => {
    if (!('pod' in e)) return false;
    if (entity['namespaceSelector'] !== undefined)
      return sel(str(entity['namespaceSelector']), {
        ...nsLabels(e.pod.namespace),
        'projectcalico.org/name': e.pod.namespace,
      });
    return policyNs === undefined || e.pod.namespace === policyNs;
  };
  const podLabels = 'pod' in e ? e.pod.labels : {};
  if (entity['selector'] !== undefined && !(inScope() && sel(str(entity['selector']), podLabels)))
    return false;
  if (entity['selector'] === undefined && entity['namespaceSelector'] !== undefined && !inScope())
    return false;
  if (entity['notSelector'] !== undefined && inScope() && sel(str(entity['notSelector']), podLabels))
    return false;
  if (isDest && entity['ports'] !== undefined) {
    const ok = (entity['ports'] as unknown[]).some((p) => {
      if (typeof p === 'number') return p === q.port;
      const [a, b] = String(p).split(':').map(Number);
      return q.port >= (a ?? 0) && q.port <= (b ?? -1);
    });
    if (!ok) return false;
  }
  return true;
}

interface Entry {
  order: number;
  name: string;
  np?: Obj;
  policy?: Obj;
}

function calicoDirection(
  objects: readonly Obj[],
  nps: readonly Obj[],
  nsLabels: (ns: string) => Record<string, string>,
  dir: 'ingress' | 'egress',
  subject: RefEndpoint,
  peer: RefEndpoint,
  q: RefQuery,
): boolean {
  if (!('pod' in subject)) return true;
  const pod = subject.pod;
  const Dir = dir === 'ingress' ? 'Ingress' : 'Egress';
  const tiers = [
    { name: 'default', order: 1_000_000, action: 'Deny' },
    ...objects
      .filter((t) => t['kind'] === 'Tier')
      .map((t) => ({
        name: str(meta(t)['name']) ?? '',
        order: num(spec(t)['order']) ?? Infinity,
        action: str(spec(t)['defaultAction']) ?? 'Deny',
      })),
  ].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1));
  for (const tier of tiers) {
    const entries: Entry[] = [];
    for (const p of objects) {
      if (p['kind'] !== 'NetworkPolicy' && p['kind'] !== 'GlobalNetworkPolicy') continue;
      if ((str(spec(p)['tier']) ?? 'default') !== tier.name) continue;
      if (p['kind'] === 'NetworkPolicy' && meta(p)['namespace'] !== pod.namespace) continue;
      // "types: if not specified, Ingress, plus Egress if there are egress rules (Egress alone when
      // there are egress rules but no ingress rules)"
      const types =
        spec(p)['types'] !== undefined
          ? strs(spec(p)['types'])
          : len(spec(p)['egress']) === 0
            ? ['Ingress']
            : len(spec(p)['ingress']) === 0
              ? ['Egress']
              : ['Ingress', 'Egress'];
      if (!types.includes(Dir) || !sel(str(spec(p)['selector']), pod.labels)) continue;
      entries.push({ order: num(spec(p)['order']) ?? Infinity, name: str(meta(p)['name']) ?? '', policy: p });
    }
    if (tier.name === 'default')
      for (const np of nps)
        entries.push({ order: 1000, name: `knp.default.${str(meta(np)['name']) ?? ''}`, np });
    entries.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let applied = false;
    let passed = false;
    for (const entry of entries) {
      if (entry.np !== undefined) {
        const r = npDirection([entry.np], nsLabels, dir, pod, peer, q, true);
        if (r === undefined) continue;
        applied = true;
        if (r) return true;
        continue;
      }
      applied = true;
      const policy = entry.policy ?? {};
      const policyNs = policy['kind'] === 'NetworkPolicy' ? str(meta(policy)['namespace']) : undefined;
      for (const rule of objs(spec(policy)[dir])) {
        if (rule['protocol'] !== undefined && PROTO[str(rule['protocol']) ?? ''] !== PROTO[q.protocol])
          continue;
        if (rule['notProtocol'] !== undefined && PROTO[str(rule['notProtocol']) ?? ''] === PROTO[q.protocol])
          continue;
        if (
          !entityMatches(
            rule['source'] === undefined ? undefined : o(rule['source']),
            q.from,
            policyNs,
            nsLabels,
            q,
            false,
          )
        )
          continue;
        if (
          !entityMatches(
            rule['destination'] === undefined ? undefined : o(rule['destination']),
            q.to,
            policyNs,
            nsLabels,
            q,
            true,
          )
        )
          continue;
        if (rule['action'] === 'Log') continue;
        if (rule['action'] === 'Allow') return true;
        if (rule['action'] === 'Deny') return false;
        passed = true;
        break;
      }
      if (passed) break;
    }
    if (!applied || passed) continue;
    if (tier.action === 'Deny') return false;
  }
  return true;
}

export function calicoReference(
  objects: readonly Obj[],
  nps: readonly Obj[],
  nsLabels: (ns: string) => Record<string, string>,
  q: RefQuery,
): boolean {
  return (
    calicoDirection(objects, nps, nsLabels, 'egress', q.from, q.to, q) &&
    calicoDirection(objects, nps, nsLabels, 'ingress', q.to, q.from, q)
  );
}
