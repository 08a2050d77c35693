// The demo's cluster inventory (demo/cluster.json): what `netpol-advisor snapshot` would write for
// the demo application: namespaces, nodes, the pods with their owners (ReplicaSets, Jobs),
// services and NetworkPolicies. The policies are chosen so the demo shows every finding: shop
// denies ingress by default, a redis policy that was tightened (the regression), a CronJob whose
// egress policy forgot DNS, a postgres policy that a rollout's new labels no longer match, a
// policy that selects nothing, and namespaces with no policy at all.
import { allPods, NODES, SERVICES, worker, type Pod } from './demo-app.js';

type Obj = Record<string, unknown>;
const CREATED = '2026-01-01T08:00:00Z';
const meta = (name: string, namespace?: string, extra: Obj = {}): Obj => ({
  name,
  ...(namespace !== undefined ? { namespace } : {}),
  uid: uid(`${namespace ?? ''}/${name}`),
  creationTimestamp: CREATED,
  ...extra,
});

/** A stable, UUID-shaped uid from the object's name (FNV-1a), so the file only changes with the demo. */
function uid(key: string): string {
  let h = 0x811c9dc5;
  const hex: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (const c of `${round}:${key}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    hex.push(h.toString(16).padStart(8, '0'));
  }
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

const NAMESPACES = ['default', 'kube-system', 'ingress-nginx', 'shop', 'data', 'monitoring', 'tools'];

function ownerRef(kind: string, name: string, namespace: string): Obj {
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    name,
    uid: uid(`${namespace}/${name}`),
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The pod's direct owner and, for ReplicaSets and Jobs, that object (so owners resolve exactly). */
function owners(p: Pod): { ref?: Obj; parent?: Obj } {
  const w = p.workload;
  if (w === undefined) return {};
  if (w.kind === 'Deployment') {
    const rs = `${w.name}-${p.labels['pod-template-hash'] ?? ''}`;
    return {
      ref: ownerRef('ReplicaSet', rs, p.namespace),
      parent: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: meta(rs, p.namespace, { ownerReferences: [ownerRef('Deployment', w.name, p.namespace)] }),
      },
    };
  }
  if (w.kind === 'CronJob') {
    const job = p.labels['job-name'] ?? w.name;
    return {
      ref: ownerRef('Job', job, p.namespace),
      parent: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta(job, p.namespace, {
          ownerReferences: [{ ...ownerRef('CronJob', w.name, p.namespace), apiVersion: 'batch/v1' }],
        }),
      },
    };
  }
  return { ref: ownerRef(w.kind, w.name, p.namespace) };
}

function podObject(p: Pod, ref: Obj | undefined): Obj {
  const node = NODES.find((n) => n.name === p.node);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(p.name, p.namespace, {
      labels: p.labels,
      ...(ref !== undefined ? { ownerReferences: [ref] } : {}),
    }),
    spec: {
      nodeName: p.node,
      serviceAccountName: p.serviceAccount,
      containers: [
        {
          name: p.workload?.name ?? p.name,
          image: `registry.example.com/${p.workload?.name ?? p.name}:1.0`,
          ports: p.ports.map((port) => ({
            name: port.name,
            containerPort: port.port,
            protocol: port.protocol ?? 'TCP',
          })),
        },
      ],
    },
    status: { phase: 'Running', hostIP: node?.ip, podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}

const nsSelector = (name: string): Obj => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
});
const tcp = (port: number | string): Obj => ({ protocol: 'TCP', port });
const policy = (namespace: string, name: string, spec: Obj): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: meta(name, namespace),
  spec,
});
const dnsPeer: Obj = {
  ...nsSelector('kube-system'),
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const prometheusPeer: Obj = {
  ...nsSelector('monitoring'),
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
};

const POLICIES: Obj[] = [
  policy('shop', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
  policy('shop', 'allow-web', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [nsSelector('ingress-nginx')], ports: [tcp(8080)] },
      { from: [prometheusPeer], ports: [tcp(8080)] },
    ],
  }),
  policy('shop', 'allow-api', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [tcp(8000)] },
      { from: [prometheusPeer], ports: [tcp('metrics')] },
    ],
  }),
  // Tightened to the api only: Prometheus's scrape of the exporter on 9121 was forgotten.
  policy('shop', 'redis-ingress', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [tcp(6379)] }],
  }),
  policy('shop', 'api-egress', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          { ...nsSelector('data'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } },
        ],
        ports: [tcp(5432)],
      },
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } }], ports: [tcp(6379)] },
      { to: [dnsPeer], ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/28' } }], ports: [tcp(443)] },
    ],
  }),
  // The CronJob's egress policy allows postgres but forgot DNS.
  policy('shop', 'nightly-report-egress', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nightly-report' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          { ...nsSelector('data'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } },
        ],
        ports: [tcp(5432)],
      },
    ],
  }),
  policy('data', 'postgres-ingress', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          { ...nsSelector('shop'), podSelector: { matchLabels: { app: 'api' } } },
          {
            ...nsSelector('shop'),
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nightly-report' } },
          },
          { ...nsSelector('shop'), podSelector: { matchLabels: { 'postgres-access': 'true' } } },
        ],
        ports: [tcp(5432)],
      },
    ],
  }),
  // Left over from a database that was moved away: selects no pod.
  policy('data', 'mysql-ingress', {
    podSelector: { matchLabels: { app: 'mysql' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ ...nsSelector('shop'), podSelector: { matchLabels: { app: 'api' } } }], ports: [tcp(3306)] },
    ],
  }),
];

/** The demo's cluster snapshot as a `kubectl get … -o json` List. */
export function demoClusterList(): Obj {
  const items: Obj[] = [];
  for (const name of NAMESPACES)
    items.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta(name, undefined, { labels: { 'kubernetes.io/metadata.name': name } }),
      status: { phase: 'Active' },
    });
  for (const node of NODES) {
    items.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta(node.name, undefined, {
        labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux' },
      }),
      spec: { podCIDR: node.podCidr, podCIDRs: [node.podCidr] },
      status: {
        addresses: [
          { type: 'InternalIP', address: node.ip },
          { type: 'Hostname', address: node.name },
        ],
      },
    });
  }
  const parents = new Map<string, Obj>();
  // The worker's old pod was replaced by the rollout: the snapshot is taken after it, so only the
  // new pod (without the label postgres-ingress admits) is in it.
  for (const p of allPods.filter((p) => p !== worker[0])) {
    const { ref, parent } = owners(p);
    if (parent !== undefined)
      parents.set(
        `${String(parent['kind'])}/${p.namespace}/${String((parent['metadata'] as Obj)['name'])}`,
        parent,
      );
    items.push(podObject(p, ref));
  }
  items.push(...parents.values());
  for (const s of SERVICES) {
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(s.name, s.namespace),
      spec: {
        type: 'ClusterIP',
        clusterIP: s.ip,
        clusterIPs: [s.ip],
        ...(s.selector !== undefined ? { selector: s.selector } : {}),
        ports: s.ports.map((p) => ({ protocol: 'TCP', ...p })),
      },
    });
  }
  items.push(...POLICIES);
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}
