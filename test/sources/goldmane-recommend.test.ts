// A NetworkSet Calico named as a peer becomes a rule the recommender can write: with the set in
// the cluster snapshot, the k8s flavour writes its nets as ipBlocks, the cilium flavour as CIDRs,
// the calico flavour a selector on the set's labels (global() for a GlobalNetworkSet). Without
// it, the path is named as not expressible and the proposal refuses (exit 1). Real CLI, real
// SQLite, the Calico reports as flow-log lines (the Goldmane path stores the same edges:
// goldmane-fidelity.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  aggregateConnections,
  type Connection,
  type EndpointSpec,
} from '../fakes/fake-goldmane-aggregator.js';
import { runCli } from '../ingest/cli-helpers.js';
import { flowLogLineOf } from './goldmane-as-flowlog.js';
import { T0, ep } from './goldmane-scenario.js';

const partners: EndpointSpec = { type: 'NetworkSet', name: 'partners', labels: { trust: 'partner' } };
const allow = { action: 'Allow' as const, enforced: [] };
const traffic: Connection[] = [
  { timeS: T0 + 1, src: ep.cart, dst: ep.gateways, proto: 'tcp', port: 443, egress: allow },
  { timeS: T0 + 2, src: partners, dst: ep.frontendA, proto: 'tcp', port: 8080, ingress: allow },
];

const pod = (name: string, app: string, hash: string): unknown => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    labels: { app, 'pod-template-hash': hash },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: app, controller: true },
    ],
  },
  spec: { containers: [{ name: 'c', image: 'x' }] },
  status: { podIP: `10.0.0.${app.length}` },
});
const sets: unknown[] = [
  {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkSet',
    metadata: { name: 'payment-gateways', namespace: 'shop', labels: { role: 'payments' } },
    spec: { nets: ['203.0.113.0/24', '198.51.100.7', 'not-a-net'] },
  },
  {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkSet',
    metadata: { name: 'partners', labels: { trust: 'partner' } },
    spec: { nets: ['192.0.2.0/25'] },
  },
];

let dir = '';
let db = '';
const snapshot = (withSets: boolean): string => {
  const file = path.join(dir, withSets ? 'with-sets.json' : 'without-sets.json');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        pod('cart-5f6d7c8b9-bbq2w', 'cart', '5f6d7c8b9'),
        pod('frontend-7d9f8b6c4-x2k9p', 'frontend', '7d9f8b6c4'),
        ...(withSets ? sets : []),
      ],
    }),
  );
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netpol-goldmane-recommend-'));
  db = path.join(dir, 'flows.db');
  const lines = path.join(dir, 'flows.jsonl');
  writeFileSync(lines, aggregateConnections(traffic).map(flowLogLineOf).join('\n') + '\n');
  const result = runCli(['ingest', '--format', 'calico-flowlog', '--db', db, lines]);
  if (result.status !== 0) throw new Error(result.stderr);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Obj = Record<string, unknown>;
function recommend(
  flavor: string,
  withSets = true,
): { status: number | null; objects: Obj[]; stderr: string } {
  const result = runCli([
    'recommend',
    '--db',
    db,
    '--cluster',
    snapshot(withSets),
    '--namespace',
    'shop',
    '--flavor',
    flavor,
  ]);
  const objects = parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o !== null);
  return { status: result.status, objects, stderr: result.stderr };
}
const named = (objects: Obj[], name: string): Obj => {
  const found = objects.find((o) => (o['metadata'] as Obj | undefined)?.['name'] === name);
  if (found === undefined)
    throw new Error(
      `no ${name} in ${objects.map((o) => (o['metadata'] as Obj | undefined)?.['name']).join(', ')}`,
    );
  return found['spec'] as Obj;
};

describe('NetworkSet peers in recommendations', () => {
  it("k8s: the set's nets as ipBlocks (invalid entries left out)", () => {
    const { status, objects } = recommend('k8s');
    expect(status).toBe(0);
    expect(named(objects, 'allow-egress-cart')['egress']).toEqual([
      {
        to: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '198.51.100.7/32' } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
    expect(named(objects, 'allow-ingress-frontend')['ingress']).toEqual([
      { from: [{ ipBlock: { cidr: '192.0.2.0/25' } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
  });

  it("calico: a selector on the set's labels, global() for a GlobalNetworkSet", () => {
    const { status, objects } = recommend('calico');
    expect(status).toBe(0);
    // Each Calico rule carries its own evidence (Rule.metadata.annotations).
    const evidence = (peer: string): unknown => ({
      annotations: { 'netpol-advisor.io/evidence': expect.stringContaining(peer) as unknown },
    });
    expect(named(objects, 'allow-egress-cart')['egress']).toEqual([
      {
        metadata: evidence('to Calico NetworkSet shop/payment-gateways'),
        action: 'Allow',
        protocol: 'TCP',
        destination: { selector: "role == 'payments'", ports: [443] },
      },
    ]);
    expect(named(objects, 'allow-ingress-frontend')['ingress']).toEqual([
      {
        metadata: evidence('Calico GlobalNetworkSet'),
        action: 'Allow',
        protocol: 'TCP',
        source: { selector: "trust == 'partner'", namespaceSelector: 'global()' },
        destination: { ports: [8080] },
      },
    ]);
  });

  it("cilium: the set's nets as CIDRs", () => {
    const { status, objects } = recommend('cilium');
    expect(status).toBe(0);
    expect(named(objects, 'allow-egress-cart')['egress']).toEqual([
      {
        toCIDR: ['203.0.113.0/24', '198.51.100.7/32'],
        toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }],
      },
    ]);
  });

  it('without the set in the snapshot: named as not expressible, and refused', () => {
    const { status, stderr } = recommend('calico', false);
    expect(status).toBe(1);
    expect(stderr).toContain(
      'shop/cart -> world:NetworkSet shop/payment-gateways TCP/443 [unresolved-endpoint] Calico NetworkSet shop/payment-gateways is not in the cluster snapshot',
    );
    expect(stderr).toContain(
      'world:GlobalNetworkSet partners -> shop/frontend TCP/8080 [unresolved-endpoint]',
    );
  });
});
