// Generated Cilium and Calico policy objects for bench/engine.ts (a helper, not a benchmark):
// shapes like the ones the recommender emits and users commonly write, over the bench's
// namespaces, apps and tiers, read through parseClusterObjects as a snapshot file is.
import type { CniPolicies } from '../src/policy/cni-objects.js';
import { parseClusterObjects } from '../src/policy/parse-objects.js';

export type Pick = <T>(items: readonly T[]) => T;

export function ciliumObjects(
  count: number,
  namespaces: number,
  pick: Pick,
  apps: readonly string[],
  tiers: readonly string[],
): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const ns = `ns${(i * 7) % namespaces}`;
    const clusterwide = i % 50 === 49;
    const metadata = clusterwide ? { name: `ccnp${i}` } : { namespace: ns, name: `cnp${i}` };
    const kind = clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
    const endpointSelector = {
      matchLabels: { app: pick(apps), ...(i % 3 === 0 ? { tier: pick(tiers) } : {}) },
    };
    const spec: Record<string, unknown> = { endpointSelector };
    switch (i % 4) {
      case 0:
        spec['ingress'] = [
          {
            fromEndpoints: [
              { matchLabels: { app: pick(apps) } },
              { matchLabels: { 'k8s:io.kubernetes.pod.namespace': `ns${i % namespaces}`, tier: 'web' } },
            ],
            toPorts: [
              {
                ports: [
                  { port: '8080', protocol: 'TCP' },
                  { port: 'metrics', protocol: 'TCP' },
                ],
              },
            ],
          },
          { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9090' }] }] },
        ];
        break;
      case 1:
        spec['egress'] = [
          {
            toEndpoints: [
              { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ns0', 'k8s-app': 'kube-dns' } },
            ],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          {
            toFQDNs: [{ matchPattern: '*.example.com' }],
            toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
          },
          { toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] }] },
          {
            toEndpoints: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }] }],
            toPorts: [{ ports: [{ port: '5432', endPort: 5440 }] }],
          },
        ];
        break;
      case 2:
        spec['ingress'] = [{ fromEndpoints: [{}] }];
        spec['ingressDeny'] = [
          {
            fromEndpoints: [{ matchLabels: { version: 'v0' } }],
            toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }],
          },
        ];
        break;
      default:
        spec['egress'] = [
          { toEntities: ['world'], toPorts: [{ ports: [{ port: '443' }] }] },
          { toEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.env': 'prod' } }] },
        ];
        spec['enableDefaultDeny'] = { egress: i % 8 !== 3 };
    }
    return { apiVersion: 'cilium.io/v2', kind, metadata, spec };
  });
}

export function calicoObjects(
  count: number,
  namespaces: number,
  pick: Pick,
  apps: readonly string[],
  tiers: readonly string[],
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'Tier',
      metadata: { name: 'security' },
      spec: { order: 100 },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'Tier',
      metadata: { name: 'platform' },
      spec: { order: 500, defaultAction: 'Pass' },
    },
  ];
  for (let i = 0; i < count; i++) {
    const ns = `ns${(i * 7) % namespaces}`;
    if (i % 25 === 0) {
      out.push({
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: { name: `security.g${i}` },
        spec: {
          tier: 'security',
          order: i,
          selector: `app == '${pick(apps)}'`,
          types: ['Ingress', 'Egress'],
          ingress: [{ action: 'Deny', source: { nets: ['198.51.100.0/24'] } }, { action: 'Pass' }],
          egress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [25] } }, { action: 'Pass' }],
        },
      });
      continue;
    }
    if (i % 25 === 1) {
      out.push({
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: { name: `platform.g${i}` },
        spec: {
          tier: 'platform',
          order: 10,
          selector: 'has(app)',
          namespaceSelector: "env == 'prod'",
          ingress: [
            {
              action: 'Allow',
              protocol: 'TCP',
              source: { selector: "tier == 'web'", namespaceSelector: 'all()' },
              destination: { ports: [9090] },
            },
          ],
        },
      });
      continue;
    }
    const selector = `app == '${pick(apps)}'${i % 3 === 0 ? ` && tier in {'${pick(tiers)}', 'db'}` : ''}`;
    const order = i % 4 === 0 ? undefined : 100 + (i % 20) * 100;
    const spec =
      i % 2 === 0
        ? {
            order,
            selector,
            types: ['Ingress'],
            ingress: [
              {
                action: 'Allow',
                protocol: 'TCP',
                source: { selector: `app == '${pick(apps)}'` },
                destination: { ports: [8080, 'metrics'] },
              },
              {
                action: 'Allow',
                protocol: 'TCP',
                source: { namespaceSelector: `team == 'team${i % 20}'`, selector: "tier != 'db'" },
                destination: { ports: ['8000:8100'] },
              },
              { action: 'Log' },
            ],
          }
        : {
            order,
            selector,
            types: ['Egress'],
            egress: [
              {
                action: 'Allow',
                protocol: 'UDP',
                destination: {
                  selector: "k8s-app == 'kube-dns'",
                  namespaceSelector: "projectcalico.org/name == 'ns0'",
                  ports: [53],
                },
              },
              {
                action: 'Allow',
                protocol: 'TCP',
                destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'], ports: [443] },
              },
              { action: 'Deny', destination: { notSelector: 'has(app)' } },
              {
                action: 'Allow',
                protocol: 'TCP',
                destination: { selector: "tier == 'db'", ports: ['5432:5440'] },
              },
            ],
          };
    out.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { namespace: ns, name: `c${i}` },
      spec: JSON.parse(JSON.stringify(spec)) as unknown,
    });
  }
  return out;
}

export function cniOf(objects: readonly unknown[]): CniPolicies {
  const parsed = parseClusterObjects(objects);
  if (parsed.problems.length > 0)
    throw new Error(`bench objects do not parse: ${JSON.stringify(parsed.problems.slice(0, 3))}`);
  if (parsed.snapshot.cni === undefined || parsed.snapshot.cni.ignored.length > 0)
    throw new Error('bench objects were ignored');
  return parsed.snapshot.cni;
}

/** 50-ish network-policy-api objects: Admin and Baseline ClusterNetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy. */
export function clusterPolicyObjects(
  count: number,
  pick: Pick,
  apps: readonly string[],
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const subject =
      i % 2 === 0
        ? { namespaces: { matchLabels: { team: `team${i % 20}` } } }
        : {
            pods: {
              namespaceSelector: { matchLabels: { env: i % 3 === 0 ? 'prod' : 'dev' } },
              podSelector: { matchLabels: { app: pick(apps) } },
            },
          };
    const v2 = i % 5 !== 4;
    const accept = v2 ? 'Accept' : 'Allow';
    const ports = (port: number, protocol: 'tcp' | 'udp') =>
      v2
        ? {
            protocols: [
              { [protocol]: { destinationPort: { number: port } } },
              { tcp: { destinationPort: { range: { start: 8000, end: 8100 } } } },
            ],
          }
        : {
            ports: [
              { portNumber: { protocol: protocol.toUpperCase(), port } },
              { portRange: { protocol: 'TCP', start: 8000, end: 8100 } },
            ],
          };
    const ingress = [
      {
        name: 'pass-same-team',
        action: 'Pass',
        from: [{ namespaces: { matchLabels: { team: `team${i % 20}` } } }],
      },
      {
        name: 'deny-dev-db',
        action: 'Deny',
        from: [
          {
            pods: {
              namespaceSelector: { matchLabels: { env: 'dev' } },
              podSelector: { matchLabels: { tier: 'db' } },
            },
          },
        ],
        ...ports(5432, 'tcp'),
      },
      {
        name: 'accept-metrics',
        action: accept,
        from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'ns0' } } }],
        ...(v2
          ? { protocols: [{ destinationNamedPort: 'metrics' }] }
          : { ports: [{ namedPort: 'metrics' }] }),
      },
    ];
    const egress = [
      {
        name: 'accept-dns',
        action: accept,
        to: [
          {
            pods: {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns0' } },
              podSelector: {},
            },
          },
        ],
        ...ports(53, 'udp'),
      },
      { name: 'accept-example', action: accept, to: [{ domainNames: ['*.example.com'] }] },
      { name: 'deny-outside', action: 'Deny', to: [{ networks: ['203.0.113.0/24', '198.51.100.0/24'] }] },
    ];
    const baseline = i % 5 === 3;
    if (!v2 && i === count - 1) {
      out.push({
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'BaselineAdminNetworkPolicy',
        metadata: { name: 'default' },
        spec: {
          subject: { namespaces: {} },
          ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }],
        },
      });
    } else if (v2) {
      out.push({
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: `cnp${i}` },
        spec: {
          tier: baseline ? 'Baseline' : 'Admin',
          priority: i * 10,
          subject,
          ingress: baseline ? ingress.slice(1) : ingress,
          egress,
        },
      });
    } else {
      out.push({
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: `anp${i}` },
        spec: { priority: i * 10 + 5, subject, ingress, egress },
      });
    }
  }
  return out;
}
