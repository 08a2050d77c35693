// The recommender input of the golden-output test, written out so a reviewer can read it edge by
// edge: each line covers one path the recommender handles (pod↔pod in and across namespaces, DNS
// over UDP and TCP, external IPv4/IPv6 with and without DNS names, the API server, nodes,
// unresolved in-cluster addresses, ICMP, SCTP, dropped/audit edges, hostile label values,
// volatile-only labels, a low-confidence workload, ingress from outside and from a node), plus a
// cluster snapshot with hostNetwork pods, an unobserved workload, a look-alike pod and an existing
// policy. It replaced a seeded random input about five times larger whose golden files (16k-line
// JSON) nobody could review; it was cut down while measuring that the recommender, engine and
// export code it exercises (V8 block coverage) stayed the same or grew.
import type { EdgePeer } from '../../src/flows/edge.js';
import type { Protocol, Verdict } from '../../src/flows/flow.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../../src/policy/model.js';
import type { ObservedEdge } from '../../src/recommend/proposal.js';
import type { ReasonRule } from '../../src/recommend/reasons.js';

interface W {
  ns: string;
  name: string;
  kind: string;
  labelSets: Record<string, string>[];
  hostNetwork?: boolean;
}

const NAMESPACES = ['shop', 'data', 'edge', 'ops'];

/** Two label sets per workload: the stable labels with a pod-template-hash, and a second rollout. */
function workload(i: number, ns: string, kind: string, base: Record<string, string>): W {
  const name = `w${i}`;
  return {
    ns,
    name,
    kind,
    labelSets: [
      { ...base, 'pod-template-hash': `h${i}a` },
      { ...base, 'pod-template-hash': `h${i}b`, version: `v${i % 2}` },
    ],
  };
}

const recommended = (name: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/instance': `${name}-main`,
});

// Label values a YAML writer must quote or a selector must refuse: booleans, numbers, null,
// a flow-mapping look-alike, comment and alias markers, quotes.
export const goldenWorkloads: readonly W[] = [
  workload(0, 'shop', 'StatefulSet', recommended('w0')),
  workload(1, 'data', 'Deployment', { app: 'w1' }),
  workload(2, 'edge', 'Deployment', { 'k8s-app': 'w2', tier: '1.0' }),
  workload(3, 'ops', 'Deployment', recommended('w3')),
  workload(4, 'shop', 'Deployment', { app: 'w4', tier: 'yes' }),
  workload(5, 'data', 'StatefulSet', { 'k8s-app': 'w5', tier: "it's" }),
  workload(6, 'edge', 'Deployment', { 'k8s-app': 'w6', tier: 'a: b', flag: '007' }),
  workload(7, 'ops', 'Deployment', { 'k8s-app': 'w7', tier: 'x"y', owner: '#hash', alias: '*star' }),
  workload(8, 'shop', 'Deployment', { app: 'w8', tier: 'null', enabled: 'no' }),
  workload(9, 'shop', 'Deployment', recommended('w9')),
  {
    ns: 'ops',
    name: 'volatile-only',
    kind: 'Job',
    labelSets: [{ 'controller-uid': 'u1', 'job-name': 'j1' }],
  },
  { ns: 'ops', name: 'node-agent', kind: 'DaemonSet', labelSets: [{ app: 'node-agent' }], hostNetwork: true },
];

const dns: W = {
  ns: 'kube-system',
  name: 'coredns',
  kind: 'Deployment',
  labelSets: [{ 'k8s-app': 'kube-dns', 'pod-template-hash': 'c0' }],
};

const T0 = Date.UTC(2026, 2, 1);
const HOUR_MS = 3_600_000;

function byName(name: string): W {
  const w = name === 'coredns' ? dns : goldenWorkloads.find((x) => x.name === name);
  if (w === undefined) throw new Error(`no workload ${name}`);
  return w;
}

interface Side {
  peer: EdgePeer;
  labels: Record<string, string>;
  pods: string[];
  names: string[];
}

/** A pod of workload `name`, with its label set `set` and the pods seen. */
function pod(name: string, set = 0, pods = [`${name}-0`]): Side {
  const w = byName(name);
  return {
    peer: { kind: 'pod', namespace: w.ns, workload: w.name, workloadKind: w.kind },
    labels: w.labelSets[set] ?? {},
    pods,
    names: [],
  };
}

function ip(
  kind: 'world' | 'kube-apiserver' | 'host' | 'remote-node' | 'cluster' | 'unknown',
  address: string,
  names: string[] = [],
): Side {
  return { peer: { kind, ip: address }, labels: {}, pods: [], names };
}

interface Seen {
  count?: number;
  /** Hours after T0 of the first and the last sighting. */
  fromH?: number;
  toH?: number;
  verdict?: Verdict;
}

const edges: [Side, Side, Protocol, number | null, Seen?][] = [
  // pod → pod in one namespace; two ports to one peer; both rollouts' label sets of a workload
  [pod('w0'), pod('w4', 0, ['w4-0', 'w4-1']), 'TCP', 8080, { count: 4200 }],
  [pod('w0', 1), pod('w4', 1), 'TCP', 9090, { count: 310 }],
  [pod('w0'), pod('w9'), 'TCP', 8080],
  // a flow that carried no labels for its pod
  [{ ...pod('w9'), labels: {} }, pod('w8'), 'TCP', 8080],
  // pod → pod across namespaces (the reason rule shop/* → data/*) on two protocols
  [pod('w0'), pod('w5'), 'TCP', 6379],
  [pod('w0'), pod('w5', 1), 'UDP', 6379],
  // a pod the snapshot does not list (gone since): resolved by its labels
  [pod('w1'), pod('w5', 1, ['w5-7']), 'TCP', 6379],
  // DNS over UDP and TCP
  [
    pod('w0', 0, ['w0-0', 'w0-1', 'w0-2', 'w0-3', 'w0-4', 'w0-5', 'w0-6']),
    pod('coredns'),
    'UDP',
    53,
    { count: 9000 },
  ],
  [pod('w1'), pod('coredns'), 'TCP', 53],
  // external IPv4 with DNS names (one hostile), without, and a /24 the snapshot variant aggregates
  [pod('w1'), ip('world', '203.0.113.9', ['pay.example.org']), 'TCP', 443, { count: 800 }],
  [pod('w3'), ip('world', '203.0.113.20', ['x#y.example.com']), 'TCP', 443],
  [pod('w4'), ip('world', '203.0.113.33'), 'TCP', 8080],
  // external IPv6
  [pod('w6'), ip('world', '2001:db8::1'), 'TCP', 443],
  [pod('w6'), ip('world', '2001:db8::3', ['cdn.example.net']), 'TCP', 443],
  // the API server; nodes; in-cluster addresses nobody owns
  // (w7 is low-confidence: one connection within minutes)
  [pod('w7'), ip('kube-apiserver', '10.96.0.1'), 'TCP', 443, { count: 1, fromH: 5, toH: 5.05 }],
  [pod('w3'), ip('host', '192.168.0.1'), 'TCP', 10250],
  [pod('w5'), ip('remote-node', '192.168.0.2'), 'TCP', 9090],
  [pod('w2'), ip('cluster', '10.1.45.2'), 'TCP', 8080],
  [pod('w8'), ip('unknown', '10.1.44.3'), 'TCP', 6379],
  // an address the snapshot variant resolves to a pod of data/w1
  [pod('w4'), ip('cluster', '10.1.1.2'), 'TCP', 5432],
  // ICMP (no port), SCTP
  [pod('w4'), pod('w1'), 'ICMP', null],
  [pod('w2'), pod('w6'), 'SCTP', 9443],
  // a dropped and an audited edge
  [pod('w5'), pod('w0'), 'TCP', 443, { verdict: 'dropped' }],
  [pod('w6'), pod('w3'), 'TCP', 8080, { verdict: 'audit' }],
  [pod('w8'), ip('world', '203.0.113.40'), 'TCP', 443, { verdict: 'dropped' }],
  // volatile-only labels; the hostNetwork DaemonSet; edge/w2's calls (a reason rule)
  [pod('volatile-only'), pod('w3'), 'TCP', 8080],
  [pod('node-agent'), pod('w3'), 'TCP', 9090],
  [pod('w3'), pod('node-agent'), 'TCP', 9100],
  [pod('w2'), pod('w0'), 'TCP', 8080],
  // ingress from outside and from a node
  [ip('world', '198.51.100.7', ['lb.example.com']), pod('w2'), 'TCP', 443, { count: 900 }],
  [ip('host', '192.168.0.1'), pod('w0'), 'TCP', 8080, { count: 50 }],
];

export function goldenEdges(): ObservedEdge[] {
  return edges.map(([from, to, protocol, port, seen = {}], i) => {
    const fromH = seen.fromH ?? i;
    return {
      id: i + 1,
      source: from.peer,
      destination: to.peer,
      protocol,
      port,
      verdict: seen.verdict ?? 'forwarded',
      count: seen.count ?? 100 + i,
      firstSeenMs: T0 + fromH * HOUR_MS,
      lastSeenMs: T0 + (seen.toH ?? fromH + 48) * HOUR_MS,
      sourceLabels: from.labels,
      destinationLabels: to.labels,
      sourcePods: from.pods,
      destinationPods: to.pods,
      sourceNames: from.names,
      destinationNames: to.names,
    };
  });
}

export const goldenReasons: readonly ReasonRule[] = [
  { from: 'shop/*', to: 'data/*', reason: 'orders: stored in data' },
  { to: '203.0.113.0/24', port: 443, reason: 'payments provider' },
  { from: 'edge/w2', reason: "edge #2's calls" },
];

export function goldenSnapshot(): ClusterSnapshot {
  const pods: PodInfo[] = [];
  goldenWorkloads.forEach((w, i) => {
    const replicas = w.hostNetwork === true ? 2 : 1 + (i % 3);
    for (let r = 0; r < replicas; r++) {
      pods.push({
        namespace: w.ns,
        name: `${w.name}-${r}`,
        labels: w.labelSets[r % w.labelSets.length] ?? {},
        ips: w.hostNetwork === true ? [`192.168.0.${1 + r}`] : [`10.1.${i}.${1 + r}`],
        hostNetwork: w.hostNetwork === true,
        nodeName: `node${r}`,
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        workload: { kind: w.kind, name: w.name },
      });
    }
  });
  // A look-alike sharing w1's stable label (so its selector needs more), and a workload never observed.
  pods.push({
    namespace: 'data',
    name: 'w1-canary-0',
    labels: { app: 'w1', track: 'canary' },
    ips: ['10.1.50.1'],
    hostNetwork: false,
    ports: [],
    workload: { kind: 'Deployment', name: 'w1-canary' },
  });
  pods.push({
    namespace: 'shop',
    name: 'idle-0',
    labels: { app: 'idle' },
    ips: ['10.1.51.1'],
    hostNetwork: false,
    ports: [],
    workload: { kind: 'Deployment', name: 'idle' },
  });
  pods.push({
    namespace: 'kube-system',
    name: 'coredns-0',
    labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': 'c0' },
    ips: ['10.1.52.1'],
    hostNetwork: false,
    ports: [{ containerPort: 53, protocol: 'UDP' }],
    workload: { kind: 'Deployment', name: 'coredns' },
  });
  const policies: NetworkPolicy[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'existing-allow', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'w0' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ namespaceSelector: {} }] },
          {
            from: [{ podSelector: { matchLabels: { app: 'nobody' } } }],
            ports: [{ protocol: 'TCP', port: 1 }],
          },
        ],
      },
    },
  ];
  return {
    namespaces: [...NAMESPACES, 'kube-system'].map((name) => ({
      name,
      labels: { 'kubernetes.io/metadata.name': name },
    })),
    pods,
    services: [],
    policies,
    nodes: [
      { name: 'node0', ips: ['192.168.0.1'] },
      { name: 'node1', ips: ['192.168.0.2'] },
    ],
  };
}
