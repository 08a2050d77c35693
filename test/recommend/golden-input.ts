// A fixed-seed recommender input for the golden-output test: every path the recommender handles
// (pod↔pod in and across namespaces, DNS over UDP and TCP, external IPv4/IPv6 with DNS names,
// the API server, nodes, unresolved in-cluster addresses, ICMP, SCTP, dropped/audit edges,
// hostile label values, volatile-only labels, low-confidence workloads) plus a cluster snapshot
// with hostNetwork pods, an unobserved workload, a look-alike pod and existing policies.
import type { EdgePeer } from '../../src/flows/edge.js';
import type { Protocol, Verdict } from '../../src/flows/flow.js';
import type { ClusterSnapshot, NetworkPolicy, PodInfo } from '../../src/policy/model.js';
import type { ObservedEdge } from '../../src/recommend/proposal.js';
import type { ReasonRule } from '../../src/recommend/reasons.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface W {
  ns: string;
  name: string;
  kind: string;
  labelSets: Record<string, string>[];
  hostNetwork?: boolean;
}

const NAMESPACES = ['shop', 'data', 'edge', 'ops'];
const HOSTILE = ['yes', '*star', '1.0', 'a: b', '#hash', "it's", 'no', '007', 'null', 'x"y'];

export const goldenWorkloads: readonly W[] = (() => {
  const list: W[] = [];
  for (let i = 0; i < 24; i++) {
    const ns = NAMESPACES[i % NAMESPACES.length] as string;
    const name = `w${i}`;
    const base: Record<string, string> =
      i % 3 === 0
        ? { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': `${name}-main` }
        : i % 3 === 1
          ? { app: name }
          : { 'k8s-app': name, tier: HOSTILE[i % HOSTILE.length] as string };
    const labelSets = [
      { ...base, 'pod-template-hash': `h${i}a` },
      { ...base, 'pod-template-hash': `h${i}b`, version: `v${i % 2}` },
    ];
    list.push({ ns, name, kind: i % 5 === 0 ? 'StatefulSet' : 'Deployment', labelSets });
  }
  list.push({
    ns: 'ops',
    name: 'volatile-only',
    kind: 'Job',
    labelSets: [{ 'controller-uid': 'u1', 'job-name': 'volatile-only-1' }],
  });
  list.push({
    ns: 'ops',
    name: 'node-agent',
    kind: 'DaemonSet',
    labelSets: [{ app: 'node-agent' }],
    hostNetwork: true,
  });
  return list;
})();

const dns: W = {
  ns: 'kube-system',
  name: 'coredns',
  kind: 'Deployment',
  labelSets: [{ 'k8s-app': 'kube-dns', 'pod-template-hash': 'c0' }],
};

export function goldenEdges(seed = 42, count = 160): ObservedEdge[] {
  const rand = rng(seed);
  const pickInt = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => list[pickInt(list.length)] as T;
  const podSide = (w: W): { peer: EdgePeer; labels: Record<string, string>; pods: string[] } => ({
    peer: { kind: 'pod', namespace: w.ns, workload: w.name, workloadKind: w.kind },
    labels: pick(w.labelSets),
    pods: [`${w.name}-${pickInt(4)}`, ...(rand() < 0.3 ? [`${w.name}-${4 + pickInt(4)}`] : [])],
  });
  const t0 = Date.UTC(2026, 2, 1);
  const edges: ObservedEdge[] = [];
  for (let id = 1; id <= count; id++) {
    const from = podSide(pick(goldenWorkloads));
    let to: { peer: EdgePeer; labels: Record<string, string>; pods: string[]; names: string[] };
    let protocol: Protocol = rand() < 0.08 ? 'UDP' : rand() < 0.03 ? 'SCTP' : 'TCP';
    let port: number | null = pick([80, 443, 5432, 6379, 8080, 9090, 9443]);
    const r = rand();
    if (r < 0.12) {
      to = { ...podSide(dns), names: [] };
      port = 53;
      protocol = rand() < 0.6 ? 'UDP' : 'TCP';
    } else if (r < 0.2)
      to = {
        peer: { kind: 'world', ip: `203.0.113.${pickInt(40)}` },
        labels: {},
        pods: [],
        names:
          rand() < 0.7
            ? [pick(['api.example.com', 'pay.example.org', 'cdn.example.net', 'x#y.example.com'])]
            : [],
      };
    else if (r < 0.23)
      to = {
        peer: { kind: 'world', ip: `2001:db8::${pickInt(5).toString(16)}` },
        labels: {},
        pods: [],
        names: [],
      };
    else if (r < 0.25) {
      to = { peer: { kind: 'kube-apiserver', ip: '10.96.0.1' }, labels: {}, pods: [], names: [] };
      port = 443;
    } else if (r < 0.27)
      to = {
        peer: { kind: pick(['host', 'remote-node'] as const), ip: `192.168.0.${1 + pickInt(3)}` },
        labels: {},
        pods: [],
        names: [],
      };
    else if (r < 0.3)
      to = {
        peer: { kind: pick(['cluster', 'unknown'] as const), ip: `10.1.${pickInt(45)}.${1 + pickInt(3)}` },
        labels: {},
        pods: [],
        names: [],
      };
    else if (r < 0.32) {
      to = { ...podSide(pick(goldenWorkloads)), names: [] };
      port = null;
      protocol = 'ICMP';
    } else to = { ...podSide(pick(goldenWorkloads)), names: [] };
    const first = t0 + pickInt(7 * 86_400_000);
    const short = rand() < 0.1;
    const verdict: Verdict = rand() < 0.04 ? 'dropped' : rand() < 0.01 ? 'audit' : 'forwarded';
    edges.push({
      id,
      source: from.peer,
      destination: to.peer,
      protocol,
      port,
      verdict,
      count: short ? 1 + pickInt(3) : 1 + pickInt(5000),
      firstSeenMs: first,
      lastSeenMs: first + (short ? pickInt(600_000) : pickInt(3 * 86_400_000)),
      sourceLabels: from.labels,
      destinationLabels: to.labels,
      sourcePods: from.pods,
      destinationPods: to.pods,
      sourceNames: [],
      destinationNames: to.names,
    });
  }
  // Ingress from outside and from a node into a workload.
  edges.push({
    id: count + 1,
    source: { kind: 'world', ip: '198.51.100.7' },
    destination: { kind: 'pod', namespace: 'edge', workload: 'w2', workloadKind: 'Deployment' },
    protocol: 'TCP',
    port: 443,
    verdict: 'forwarded',
    count: 900,
    firstSeenMs: t0,
    lastSeenMs: t0 + 86_400_000,
    sourceLabels: {},
    destinationLabels: goldenWorkloads[2]?.labelSets[0] ?? {},
    sourcePods: [],
    destinationPods: ['w2-0'],
    sourceNames: ['lb.example.com'],
    destinationNames: [],
  });
  edges.push({
    id: count + 2,
    source: { kind: 'host', ip: '192.168.0.1' },
    destination: { kind: 'pod', namespace: 'shop', workload: 'w0', workloadKind: 'StatefulSet' },
    protocol: 'TCP',
    port: 8080,
    verdict: 'forwarded',
    count: 50,
    firstSeenMs: t0,
    lastSeenMs: t0 + 86_400_000,
    sourceLabels: {},
    destinationLabels: goldenWorkloads[0]?.labelSets[0] ?? {},
    sourcePods: [],
    destinationPods: ['w0-0'],
    sourceNames: [],
    destinationNames: [],
  });
  return edges;
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
