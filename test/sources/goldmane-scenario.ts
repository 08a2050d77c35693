// A Calico cluster's traffic as connections (who, to what, each side's verdict and policy trace),
// and the edges those connections mean, derived here from Calico's semantics by hand — not from
// the adapter's mapping code:
//  - a connection is one connection, whichever nodes report it;
//  - its verdict is the path's: denied by the source's egress (the packet never left), else by
//    the destination's ingress, else forwarded; the policy at fault is the deny hit's policy, or
//    for an end-of-tier deny the policy that selected the endpoint (the hit's trigger);
//  - a pod side is its workload (written out below per endpoint: kind and name as kubectl shows
//    the owner); a NetworkSet, a `pub`/`pvt` network and a host endpoint are each their own peer.
// Three 15 s windows, pods of one Deployment on two nodes, both reporters, allow and deny on
// either side, networks, NetworkSets (namespaced and global), host endpoints as source and
// destination, a Service, tiers with Pass, end-of-tier denies and profiles.
import type { EdgeJson } from '../../src/store/edge-json.js';
import type {
  Connection,
  EndpointSpec,
  PolicyHitSpec,
  SideVerdict,
} from '../fakes/fake-goldmane-aggregator.js';

export const T0 = 1_777_636_800; // a window start (multiple of 15)

type Pod = Extract<EndpointSpec, { type: 'WorkloadEndpoint' }>;
const pod = (
  namespace: string,
  name: string,
  generateName: string | undefined,
  node: string,
  labels: Record<string, string>,
): Pod => ({
  type: 'WorkloadEndpoint',
  namespace,
  pod: name,
  node,
  labels,
  ...(generateName === undefined ? {} : { generateName }),
});

export const ep = {
  frontendA: pod('shop', 'frontend-7d9f8b6c4-x2k9p', 'frontend-7d9f8b6c4-', 'node-a', {
    app: 'frontend',
    'pod-template-hash': '7d9f8b6c4',
  }),
  frontendB: pod('shop', 'frontend-7d9f8b6c4-q7z4m', 'frontend-7d9f8b6c4-', 'node-b', {
    app: 'frontend',
    'pod-template-hash': '7d9f8b6c4',
  }),
  cart: pod('shop', 'cart-5f6d7c8b9-bbq2w', 'cart-5f6d7c8b9-', 'node-b', {
    app: 'cart',
    'pod-template-hash': '5f6d7c8b9',
  }),
  db: pod('shop', 'db-0', 'db-', 'node-c', {
    app: 'db',
    'controller-revision-hash': 'db-6c9b8d7f5',
    'statefulset.kubernetes.io/pod-name': 'db-0',
  }),
  debug: pod('shop', 'debug', undefined, 'node-a', { run: 'debug' }),
  prometheus: pod('monitoring', 'prometheus-0', 'prometheus-', 'node-c', {
    app: 'prometheus',
    'controller-revision-hash': 'prometheus-5d4f',
    'apps.kubernetes.io/pod-index': '0',
  }),
  exporterA: pod('monitoring', 'node-exporter-b7xkq', 'node-exporter-', 'node-a', {
    app: 'node-exporter',
    'controller-revision-hash': '6b5c',
    'pod-template-generation': '1',
  }),
  exporterB: pod('monitoring', 'node-exporter-z9fwd', 'node-exporter-', 'node-b', {
    app: 'node-exporter',
    'controller-revision-hash': '6b5c',
    'pod-template-generation': '1',
  }),
  report: pod('batch', 'report-29012345-k8s2p', 'report-29012345-', 'node-c', {
    'batch.kubernetes.io/job-name': 'report-29012345',
    'job-name': 'report-29012345',
  }),
  pub: { type: 'Network', name: 'pub' },
  pvt: { type: 'Network', name: 'pvt' },
  gateways: { type: 'NetworkSet', namespace: 'shop', name: 'payment-gateways', labels: { role: 'payments' } },
  threats: { type: 'NetworkSet', name: 'threat-feed', labels: { feed: 'threats' } },
  nodeA: { type: 'HostEndpoint', host: 'node-a', labels: { 'node-role': 'worker' } },
  nodeB: { type: 'HostEndpoint', host: 'node-b', labels: { 'node-role': 'worker' } },
} satisfies Record<string, EndpointSpec>;

/** The peer each endpoint is, as flows --json shows it (written by hand). */
export const expectedPeer = new Map<EndpointSpec, Record<string, unknown>>([
  [ep.frontendA, { namespace: 'shop', workload: 'frontend', kind: 'Deployment' }],
  [ep.frontendB, { namespace: 'shop', workload: 'frontend', kind: 'Deployment' }],
  [ep.cart, { namespace: 'shop', workload: 'cart', kind: 'Deployment' }],
  [ep.db, { namespace: 'shop', workload: 'db', kind: 'StatefulSet' }],
  [ep.debug, { namespace: 'shop', workload: 'debug', kind: 'Pod' }],
  [ep.prometheus, { namespace: 'monitoring', workload: 'prometheus', kind: 'StatefulSet' }],
  [ep.exporterA, { namespace: 'monitoring', workload: 'node-exporter', kind: 'DaemonSet' }],
  [ep.exporterB, { namespace: 'monitoring', workload: 'node-exporter', kind: 'DaemonSet' }],
  [ep.report, { namespace: 'batch', workload: 'report', kind: 'CronJob' }],
  [ep.pub, { kind: 'world', ip: null, entity: { kind: 'Network', name: 'pub' } }],
  [ep.pvt, { kind: 'world', ip: null, entity: { kind: 'Network', name: 'pvt' } }],
  [
    ep.gateways,
    { kind: 'world', ip: null, entity: { kind: 'NetworkSet', name: 'payment-gateways', namespace: 'shop' } },
  ],
  [ep.threats, { kind: 'world', ip: null, entity: { kind: 'GlobalNetworkSet', name: 'threat-feed' } }],
  [ep.nodeA, { kind: 'host', ip: null, entity: { kind: 'HostEndpoint', name: 'node-a' } }],
  [ep.nodeB, { kind: 'host', ip: null, entity: { kind: 'HostEndpoint', name: 'node-b' } }],
]);

const hit = (
  h: Omit<PolicyHitSpec, 'policy_index' | 'rule_index'> & { policy_index?: number; rule_index?: number },
): PolicyHitSpec => ({ policy_index: 0, rule_index: 0, ...h });
const passSecurity = hit({
  kind: 'GlobalNetworkPolicy',
  name: 'security-baseline',
  tier: 'security',
  action: 'Pass',
  policy_index: 0,
});
const allow = (kind: string, namespace: string | undefined, name: string): SideVerdict => ({
  action: 'Allow',
  enforced: [
    passSecurity,
    hit({
      kind,
      ...(namespace === undefined ? {} : { namespace }),
      name,
      tier: 'default',
      action: 'Allow',
      policy_index: 1,
    }),
  ],
});
const profileAllow = (namespace: string): SideVerdict => ({
  action: 'Allow',
  enforced: [hit({ kind: 'Profile', name: `kns.${namespace}`, tier: '__PROFILE__', action: 'Allow' })],
});
const endOfTierDeny = (kind: string, namespace: string, name: string): SideVerdict => ({
  action: 'Deny',
  enforced: [
    passSecurity,
    hit({
      kind: 'EndOfTier',
      tier: 'default',
      action: 'Deny',
      policy_index: 1,
      rule_index: -1,
      trigger: hit({ kind, namespace, name, tier: 'default', action: 'Deny' }),
    }),
  ],
  // A staged policy that would allow it: a what-if, never the reason.
  pending: [
    hit({ kind: 'StagedNetworkPolicy', namespace, name: 'would-allow', tier: 'default', action: 'Allow' }),
  ],
});
const ruleDeny = (name: string): SideVerdict => ({
  action: 'Deny',
  enforced: [hit({ kind: 'GlobalNetworkPolicy', name, tier: 'security', action: 'Deny', rule_index: 2 })],
});

const cartService = { namespace: 'shop', name: 'cart', portName: 'http', port: 80 };

function repeat(n: number, startS: number, make: (timeS: number) => Connection): Connection[] {
  return Array.from({ length: n }, (_, i) => make(startS + i));
}

/** The connections, in time order over three windows. */
export const connections: readonly Connection[] = [
  // frontend → cart through the Service (both nodes' replicas), and directly, in one window.
  ...repeat(3, T0 + 1, (t) => ({
    timeS: t,
    src: ep.frontendA,
    dst: ep.cart,
    proto: 'tcp',
    port: 8080,
    service: cartService,
    egress: allow('NetworkPolicy', 'shop', 'frontend-egress'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  })),
  ...repeat(2, T0 + 5, (t) => ({
    timeS: t,
    src: ep.frontendB,
    dst: ep.cart,
    proto: 'tcp',
    port: 8080,
    service: cartService,
    egress: allow('NetworkPolicy', 'shop', 'frontend-egress'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  })),
  {
    timeS: T0 + 9,
    src: ep.frontendB,
    dst: ep.cart,
    proto: 'tcp',
    port: 8080,
    egress: allow('NetworkPolicy', 'shop', 'frontend-egress'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  },
  // frontend → db: the source allows, the destination's tier ends in a deny (db-ingress selected it).
  ...repeat(2, T0 + 3, (t) => ({
    timeS: t,
    src: ep.frontendA,
    dst: ep.db,
    proto: 'tcp',
    port: 5432,
    egress: allow('NetworkPolicy', 'shop', 'frontend-egress'),
    ingress: endOfTierDeny('NetworkPolicy', 'shop', 'db-ingress'),
  })),
  // frontend → the internet; cart → the internet denied at the source by a security rule.
  ...repeat(2, T0 + 16, (t) => ({
    timeS: t,
    src: ep.frontendA,
    dst: ep.pub,
    proto: 'tcp',
    port: 443,
    egress: allow('CalicoNetworkPolicy', 'shop', 'frontend-internet'),
  })),
  { timeS: T0 + 17, src: ep.cart, dst: ep.pub, proto: 'tcp', port: 443, egress: ruleDeny('deny-internet') },
  // cart → a private network, and → a NetworkSet of payment gateways.
  {
    timeS: T0 + 18,
    src: ep.cart,
    dst: ep.pvt,
    proto: 'tcp',
    port: 5432,
    egress: allow('CalicoNetworkPolicy', 'shop', 'cart-egress'),
  },
  ...repeat(4, T0 + 19, (t) => ({
    timeS: t,
    src: ep.cart,
    dst: ep.gateways,
    proto: 'tcp',
    port: 443,
    egress: allow('CalicoNetworkPolicy', 'shop', 'cart-egress'),
  })),
  // A GlobalNetworkSet of known-bad addresses → frontend: only the destination reports.
  ...repeat(2, T0 + 20, (t) => ({
    timeS: t,
    src: ep.threats,
    dst: ep.frontendB,
    proto: 'tcp',
    port: 8080,
    ingress: ruleDeny('block-threats'),
  })),
  // Host endpoints: kubelet on node-b probing cart; frontend → node-b's host endpoint.
  ...repeat(3, T0 + 21, (t) => ({
    timeS: t,
    src: ep.nodeB,
    dst: ep.cart,
    proto: 'tcp',
    port: 8080,
    egress: allow('GlobalNetworkPolicy', undefined, 'host-egress'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  })),
  {
    timeS: T0 + 22,
    src: ep.frontendA,
    dst: ep.nodeB,
    proto: 'tcp',
    port: 10250,
    egress: allow('NetworkPolicy', 'shop', 'frontend-egress'),
    ingress: allow('GlobalNetworkPolicy', undefined, 'host-ingress'),
  },
  // monitoring: prometheus scrapes node-exporter on both nodes; no policies (profiles allow).
  ...repeat(2, T0 + 31, (t) => ({
    timeS: t,
    src: ep.prometheus,
    dst: ep.exporterA,
    proto: 'tcp',
    port: 9100,
    egress: profileAllow('monitoring'),
    ingress: profileAllow('monitoring'),
  })),
  ...repeat(2, T0 + 33, (t) => ({
    timeS: t,
    src: ep.prometheus,
    dst: ep.exporterB,
    proto: 'tcp',
    port: 9100,
    egress: profileAllow('monitoring'),
    ingress: profileAllow('monitoring'),
  })),
  // batch: the CronJob's pod → db, denied at the source at the end of its tier.
  ...repeat(2, T0 + 35, (t) => ({
    timeS: t,
    src: ep.report,
    dst: ep.db,
    proto: 'tcp',
    port: 5432,
    egress: endOfTierDeny('CalicoNetworkPolicy', 'batch', 'report-egress'),
  })),
  // debug pod (no controller) → cart: TCP and ICMP; and frontend → cart again in a later window.
  {
    timeS: T0 + 40,
    src: ep.debug,
    dst: ep.cart,
    proto: 'tcp',
    port: 8080,
    egress: profileAllow('shop'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  },
  {
    timeS: T0 + 41,
    src: ep.debug,
    dst: ep.cart,
    proto: 'icmp',
    port: 0,
    egress: profileAllow('shop'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  },
  {
    timeS: T0 + 44,
    src: ep.frontendA,
    dst: ep.cart,
    proto: 'tcp',
    port: 8080,
    service: cartService,
    egress: allow('NetworkPolicy', 'shop', 'frontend-egress'),
    ingress: allow('NetworkPolicy', 'shop', 'cart-ingress'),
  },
];

export interface ExpectedEdge {
  source: Record<string, unknown>;
  destination: Record<string, unknown>;
  protocol: string;
  port: number | null;
  verdict: 'forwarded' | 'dropped';
  count: number;
  deniedBy: string[];
}

function denyingPolicy(side: SideVerdict): string[] {
  const out: string[] = [];
  for (const h of side.enforced) {
    if (h.action !== 'Deny') continue;
    const named = h.kind === 'EndOfTier' ? h.trigger : h;
    if (named?.name !== undefined)
      out.push(named.namespace === undefined ? named.name : `${named.namespace}/${named.name}`);
  }
  return out;
}

/** The edges the connections mean (see the header), sorted for comparison. */
export function expectedEdges(list: readonly Connection[] = connections): ExpectedEdge[] {
  const edges = new Map<string, ExpectedEdge>();
  for (const c of list) {
    const deniedAt =
      c.egress?.action === 'Deny' ? c.egress : c.ingress?.action === 'Deny' ? c.ingress : undefined;
    const source = expectedPeer.get(c.src);
    const destination = expectedPeer.get(c.dst);
    if (source === undefined || destination === undefined)
      throw new Error('scenario endpoint without an expected peer');
    const edge: ExpectedEdge = {
      source,
      destination,
      protocol: c.proto === 'icmp' ? 'ICMP' : c.proto.toUpperCase(),
      port: c.proto === 'icmp' ? null : c.port,
      verdict: deniedAt === undefined ? 'forwarded' : 'dropped',
      count: 0,
      deniedBy: deniedAt === undefined ? [] : denyingPolicy(deniedAt),
    };
    const key = JSON.stringify([edge.source, edge.destination, edge.protocol, edge.port, edge.verdict]);
    const existing = edges.get(key) ?? edge;
    existing.count += 1;
    for (const d of edge.deniedBy) if (!existing.deniedBy.includes(d)) existing.deniedBy.push(d);
    edges.set(key, existing);
  }
  return sortEdges([...edges.values()]);
}

export function sortEdges<E>(edges: E[]): E[] {
  return edges.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** The comparable part of a stored edge in its flows --json shape. */
export function comparable(json: EdgeJson): ExpectedEdge {
  const peer = (p: EdgeJson['source']): Record<string, unknown> =>
    'namespace' in p
      ? { namespace: p.namespace, workload: p.workload, kind: p.kind }
      : { kind: p.kind, ip: p.ip, ...(p.entity !== undefined ? { entity: p.entity } : {}) };
  return {
    source: peer(json.source),
    destination: peer(json.destination),
    protocol: json.protocol,
    port: json.port,
    verdict: json.verdict as 'forwarded' | 'dropped',
    count: json.count,
    deniedBy: [...json.deniedBy],
  };
}
