// The demo application shared by scripts/generate-demo.ts (its flows) and scripts/demo-cluster.ts
// (its cluster snapshot): the pods with their addresses, labels, owners and nodes, the external
// peers, and the seeded random source. One definition, so the flows and the inventory agree on
// every address and label.

/** mulberry32: small, seeded, good enough to vary times and ports. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const random = rng(20260105);
export const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

export const CLUSTER = 'demo-cluster';
export const NODES = [
  { name: 'worker-1', ip: '172.18.0.3', podCidr: '10.244.1.0/24' },
  { name: 'worker-2', ip: '172.18.0.4', podCidr: '10.244.2.0/24' },
  { name: 'control-plane', ip: '172.18.0.2', podCidr: '10.244.0.0/24' },
] as const;

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly identity: number;
  readonly serviceAccount: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The owning workload as Hubble names it (absent for a bare pod). */
  readonly workload?: { readonly kind: string; readonly name: string };
  /** The node name as in the snapshot (Hubble prefixes it with the cluster name). */
  readonly node: string;
  /** Container ports, named as in the pod spec. */
  readonly ports: readonly {
    readonly name: string;
    readonly port: number;
    readonly protocol?: 'UDP' | 'TCP';
  }[];
  readonly id: number;
}

let nextEndpointId = 100;
function pod(p: Omit<Pod, 'id' | 'serviceAccount'> & { serviceAccount?: string }): Pod {
  return { ...p, serviceAccount: p.serviceAccount ?? p.workload?.name ?? 'default', id: nextEndpointId++ };
}

const nginxLabels = {
  'app.kubernetes.io/name': 'ingress-nginx',
  'app.kubernetes.io/component': 'controller',
  'app.kubernetes.io/instance': 'ingress-nginx',
};
const http = (port: number) => [{ name: 'http', port }];
export const controller = pod({
  namespace: 'ingress-nginx',
  name: 'ingress-nginx-controller-7c9d5b8f4-x2k4p',
  ip: '10.244.1.12',
  identity: 21044,
  workload: { kind: 'Deployment', name: 'ingress-nginx-controller' },
  labels: { ...nginxLabels, 'pod-template-hash': '7c9d5b8f4' },
  node: 'worker-1',
  ports: [
    { name: 'https', port: 443 },
    { name: 'metrics', port: 10254 },
  ],
});
const webLabels = { app: 'web', 'app.kubernetes.io/name': 'web', 'pod-template-hash': '6b8d7f9c5d' };
export const web = [
  pod({
    namespace: 'shop',
    name: 'web-6b8d7f9c5d-h4zrt',
    ip: '10.244.1.31',
    identity: 31877,
    workload: { kind: 'Deployment', name: 'web' },
    labels: webLabels,
    node: 'worker-1',
    ports: http(8080),
  }),
  pod({
    namespace: 'shop',
    name: 'web-6b8d7f9c5d-q9vwm',
    ip: '10.244.2.17',
    identity: 31877,
    workload: { kind: 'Deployment', name: 'web' },
    labels: webLabels,
    node: 'worker-2',
    ports: http(8080),
  }),
];
const apiLabels = { app: 'api', 'app.kubernetes.io/name': 'api', 'pod-template-hash': '5f6c8d9b7' };
const apiPorts = [
  { name: 'http', port: 8000 },
  { name: 'metrics', port: 9090 },
  { name: 'debug-metrics', port: 9102 },
];
export const api = [
  pod({
    namespace: 'shop',
    name: 'api-5f6c8d9b7-kx7tn',
    ip: '10.244.1.44',
    identity: 40211,
    workload: { kind: 'Deployment', name: 'api' },
    labels: apiLabels,
    node: 'worker-1',
    ports: apiPorts,
  }),
  pod({
    namespace: 'shop',
    name: 'api-5f6c8d9b7-p2mzs',
    ip: '10.244.2.29',
    identity: 40211,
    workload: { kind: 'Deployment', name: 'api' },
    labels: apiLabels,
    node: 'worker-2',
    ports: apiPorts,
  }),
];
export const redis = pod({
  namespace: 'shop',
  name: 'redis-7d4b9c6f8-vt5wl',
  ip: '10.244.2.40',
  identity: 44102,
  workload: { kind: 'Deployment', name: 'redis' },
  labels: { 'app.kubernetes.io/name': 'redis', 'pod-template-hash': '7d4b9c6f8' },
  node: 'worker-2',
  ports: [
    { name: 'redis', port: 6379 },
    { name: 'metrics', port: 9121 },
  ],
});
// The worker's rollout: the new ReplicaSet's template lost the label postgres-ingress admits.
export const worker = [
  pod({
    namespace: 'shop',
    name: 'worker-84f7c6d9b-m3x8r',
    ip: '10.244.1.52',
    identity: 45310,
    workload: { kind: 'Deployment', name: 'worker' },
    labels: { app: 'worker', 'postgres-access': 'true', 'pod-template-hash': '84f7c6d9b' },
    node: 'worker-1',
    ports: [],
  }),
  pod({
    namespace: 'shop',
    name: 'worker-6d5c9b8f7-z7k2w',
    ip: '10.244.2.58',
    identity: 45377,
    workload: { kind: 'Deployment', name: 'worker' },
    labels: { app: 'worker', 'pod-template-hash': '6d5c9b8f7' },
    node: 'worker-2',
    ports: [],
  }),
];
export const postgres = pod({
  namespace: 'data',
  name: 'postgres-0',
  ip: '10.244.2.51',
  identity: 50977,
  workload: { kind: 'StatefulSet', name: 'postgres' },
  labels: {
    'app.kubernetes.io/name': 'postgres',
    'statefulset.kubernetes.io/pod-name': 'postgres-0',
    'controller-revision-hash': 'postgres-6c7f9d8b5',
  },
  node: 'worker-2',
  ports: [
    { name: 'postgres', port: 5432 },
    { name: 'metrics', port: 9187 },
  ],
});
export const report = pod({
  namespace: 'shop',
  name: 'nightly-report-29462340-bq7xk',
  ip: '10.244.1.63',
  identity: 47730,
  workload: { kind: 'CronJob', name: 'nightly-report' },
  labels: {
    'app.kubernetes.io/name': 'nightly-report',
    'batch.kubernetes.io/job-name': 'nightly-report-29462340',
    'job-name': 'nightly-report-29462340',
  },
  node: 'worker-1',
  ports: [],
});
export const prometheus = pod({
  namespace: 'monitoring',
  name: 'prometheus-k8s-0',
  ip: '10.244.1.77',
  identity: 60213,
  workload: { kind: 'StatefulSet', name: 'prometheus-k8s' },
  labels: {
    'app.kubernetes.io/name': 'prometheus',
    'statefulset.kubernetes.io/pod-name': 'prometheus-k8s-0',
  },
  node: 'worker-1',
  ports: http(9090),
});
// A bare debugging pod someone left running; it probes postgres's ports.
export const debugShell = pod({
  namespace: 'tools',
  name: 'debug-shell',
  ip: '10.244.2.66',
  identity: 61002,
  labels: { run: 'debug-shell' },
  node: 'worker-2',
  ports: [],
});
const dnsPorts = [
  { name: 'dns', port: 53, protocol: 'UDP' as const },
  { name: 'dns-tcp', port: 53 },
];
export const coredns = [
  pod({
    namespace: 'kube-system',
    name: 'coredns-5d78c9869d-7fjbx',
    ip: '10.244.0.5',
    identity: 1210,
    workload: { kind: 'Deployment', name: 'coredns' },
    labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' },
    node: 'control-plane',
    ports: dnsPorts,
  }),
  pod({
    namespace: 'kube-system',
    name: 'coredns-5d78c9869d-wl8nv',
    ip: '10.244.0.6',
    identity: 1210,
    workload: { kind: 'Deployment', name: 'coredns' },
    labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' },
    node: 'control-plane',
    ports: dnsPorts,
  }),
];
export const allPods: readonly Pod[] = [
  controller,
  ...web,
  ...api,
  redis,
  ...worker,
  postgres,
  report,
  prometheus,
  debugShell,
  ...coredns,
];

export interface External {
  readonly ip: string;
  readonly names: readonly string[];
}
export const payments: External[] = [
  { ip: '203.0.113.10', names: ['payments.example.com'] },
  { ip: '203.0.113.11', names: ['payments.example.com'] },
];
export const clients: External[] = ['198.51.100.23', '198.51.100.71', '192.0.2.45', '192.0.2.130'].map(
  (ip) => ({ ip, names: [] }),
);
export const smtp: External = { ip: '198.51.100.200', names: ['mail.example.org'] };

/** Service ClusterIPs, as the DNS answers in the flows give them. */
export const SERVICES = [
  {
    namespace: 'default',
    name: 'kubernetes',
    ip: '10.96.0.1',
    selector: undefined,
    ports: [{ name: 'https', port: 443, targetPort: 6443 }],
  },
  {
    namespace: 'kube-system',
    name: 'kube-dns',
    ip: '10.96.0.10',
    selector: { 'k8s-app': 'kube-dns' },
    ports: [
      { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 'dns-tcp' },
    ],
  },
  {
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    ip: '10.96.200.1',
    selector: nginxLabels,
    ports: [{ name: 'https', port: 443, targetPort: 'https' }],
  },
  {
    namespace: 'shop',
    name: 'web',
    ip: '10.96.14.10',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
  },
  {
    namespace: 'shop',
    name: 'api',
    ip: '10.96.14.20',
    selector: { app: 'api' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'metrics', port: 9090, targetPort: 'metrics' },
    ],
  },
  {
    namespace: 'shop',
    name: 'redis',
    ip: '10.96.30.6',
    selector: { 'app.kubernetes.io/name': 'redis' },
    ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }],
  },
  {
    namespace: 'data',
    name: 'postgres',
    ip: '10.96.30.5',
    selector: { 'app.kubernetes.io/name': 'postgres' },
    ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }],
  },
] as const;
