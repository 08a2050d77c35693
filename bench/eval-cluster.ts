// A generated cluster snapshot as `kubectl get namespaces,pods,networkpolicies -A -o json` prints
// it, and a `eval --queries` file, for the CLI benchmark (bench/cli-scale.ts): `pods` pods in
// pods/25 namespaces, pods/5 NetworkPolicies of five kinds (default deny, pod and namespace
// selectors with matchExpressions, named ports, port ranges, ipBlocks with except), queries 90%
// pod → pod and 10% pod → external address. Deterministic for a size.
import { writeFileSync } from 'node:fs';
import { rng } from './cluster-edges.js';

export function writeEvalCluster(
  snapshotFile: string,
  queriesFile: string,
  pods: number,
  queries: number,
): void {
  const rand = rng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const namespaces = Math.max(1, Math.round(pods / 25));
  const apps = Array.from({ length: 10 }, (_, i) => `app${i}`);
  const tiers = ['web', 'api', 'db', 'cache'];
  const items: unknown[] = [];
  for (let i = 0; i < namespaces; i++) {
    items.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: `ns${i}`,
        labels: {
          'kubernetes.io/metadata.name': `ns${i}`,
          team: `team${i % 20}`,
          env: i % 3 === 0 ? 'prod' : 'dev',
        },
      },
    });
  }
  const podNames: string[] = [];
  for (let i = 0; i < pods; i++) {
    const ns = `ns${i % namespaces}`;
    podNames.push(`${ns}/pod${i}`);
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        namespace: ns,
        name: `pod${i}`,
        labels: { app: pick(apps), tier: pick(tiers), version: `v${i % 3}` },
      },
      spec: {
        containers: [
          {
            name: 'main',
            ports: [
              { name: 'http', containerPort: 8080, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
            ],
          },
        ],
      },
      status: { phase: 'Running', podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    });
  }
  const policies = Math.max(1, Math.round(pods / 5));
  for (let i = 0; i < policies; i++) {
    const kind = i % 5;
    const metadata = { namespace: `ns${i % namespaces}`, name: `p${i}` };
    const base = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata };
    let spec: unknown;
    if (kind === 0) spec = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
    else if (kind === 1) {
      spec = {
        podSelector: { matchLabels: { tier: pick(tiers) } },
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { app: pick(apps) } } },
              {
                namespaceSelector: { matchLabels: { team: `team${i % 20}` } },
                podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
              },
            ],
            ports: [{ port: 'http' }, { port: 9090 }],
          },
        ],
      };
    } else if (kind === 2) {
      spec = {
        podSelector: { matchLabels: { app: pick(apps) } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns0' } } }],
            ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }],
          },
          {
            to: [
              {
                namespaceSelector: { matchLabels: { env: 'prod' } },
                podSelector: { matchLabels: { tier: 'db' } },
              },
            ],
            ports: [{ port: 5432 }],
          },
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.0.0/16'] } }],
            ports: [{ port: 443 }],
          },
        ],
      };
    } else if (kind === 3) {
      spec = {
        podSelector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v0'] }] },
        ingress: [
          { from: [{ namespaceSelector: {} }], ports: [{ port: 8000, endPort: 8100 }] },
          { from: [{ ipBlock: { cidr: '10.0.0.0/16' } }] },
        ],
      };
    } else spec = { podSelector: { matchLabels: { app: pick(apps), tier: pick(tiers) } }, ingress: [{}] };
    items.push({ ...base, spec });
  }
  writeFileSync(snapshotFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const list: unknown[] = [];
  for (let i = 0; i < queries; i++) {
    const port = pick([8080, 9090, 5432, 443, 53, 8050]);
    const from = pick(podNames);
    const to = i % 10 === 9 ? `203.0.113.${i % 250}` : pick(podNames);
    list.push({ from, to, port, ...(port === 53 && i % 2 === 0 ? { protocol: 'UDP' } : {}) });
  }
  writeFileSync(queriesFile, JSON.stringify(list));
}
