// Issue 15 item 9 through the real CLI: on one capture and one cluster snapshot, the fix `drops`
// proposes and the policies `recommend` emits (every flavour) never share a namespace/name, even
// with a workload named as the old fix-name scheme would have named a fix
// (`web-from-api-8080-tcp`, whose allow policy was `allow-ingress-web-from-api-8080-tcp`, the
// very name the old `drops` fix for api → web:8080 had). Applying one after the other replaces
// nothing. Hubble lines shaped like the real ones, ingest into a real SQLite file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../ingest/cli-helpers.js';
import { hubbleLines, type PodEnd } from './flow-lines.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const pod = (name: string, app: string, ip: string, workload: string): PodEnd => ({
  ns: 'shop',
  pod: name,
  ip,
  labels: { app },
  workload: { name: workload, kind: 'Deployment' },
});
const api = pod('api-5f6b7c8d9b-qq4zt', 'api', '10.0.4.2', 'api');
const web = pod('web-7d4b9c8f6d-x2k9p', 'web', '10.0.4.3', 'web');
// A Deployment whose name is the old fix name's suffix.
const tricky = pod('web-from-api-8080-tcp-6c9d8f7b5-k2j3h', 'tricky', '10.0.4.4', 'web-from-api-8080-tcp');
const coredns: PodEnd = {
  ns: 'kube-system',
  pod: 'coredns-5d78c9869d-7xk2p',
  ip: '10.0.0.10',
  labels: { 'k8s-app': 'kube-dns' },
  workload: { name: 'coredns', kind: 'Deployment' },
};

function podObject(p: PodEnd): Record<string, unknown> {
  const hash = p.pod.split('-').slice(-2, -1)[0] ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.pod,
      namespace: p.ns,
      labels: { ...p.labels, 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${p.workload?.name ?? ''}-${hash}`,
          controller: true,
          uid: p.pod,
        },
      ],
    },
    spec: { containers: [{ name: 'c' }] },
    status: { podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}

const snapshot = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    ...['shop', 'kube-system'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    })),
    ...[api, web, tricky, coredns].map(podObject),
    // web admits only tricky today: api → web:8080 is dropped by policy.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-ingress', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'tricky' } } }] }],
      },
    },
  ],
};

const lines = [
  ...[0, 1, 2].flatMap((i) => hubbleLines({ from: tricky, to: web, port: 8080, timeMs: T0 + i * 1000 })),
  ...[0, 1, 2].flatMap((i) => hubbleLines({ from: api, to: tricky, port: 8080, timeMs: T0 + i * 1000 })),
  ...[0, 1].flatMap((i) =>
    hubbleLines({ from: api, to: web, port: 8080, verdict: 'DROPPED', timeMs: T0 + 10_000 + i * 1000 }),
  ),
  ...[api, web, tricky].flatMap((from) =>
    hubbleLines({ from, to: coredns, port: 53, protocol: 'UDP', timeMs: T0 }),
  ),
];

let dir = '';
let db = '';
let cluster = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netpol-fix-names-'));
  db = path.join(dir, 'flows.db');
  cluster = path.join(dir, 'cluster.json');
  writeFileSync(cluster, JSON.stringify(snapshot));
  const file = path.join(dir, 'flows.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const ingest = runCli(['ingest', '--format', 'hubble', '--db', db, file]);
  expect(ingest.status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nameOf(object: unknown): string {
  const metadata = (object as { metadata: { namespace?: string; name: string } }).metadata;
  return `${metadata.namespace ?? ''}/${metadata.name}`;
}

describe('drops fixes and recommend policies never share a name', () => {
  let drops: ReturnType<typeof runCli>;
  let fixes: string[] = [];
  beforeAll(() => {
    drops = runCli(['drops', '--db', db, '--cluster', cluster, '--json']);
    if (drops.status === 0)
      fixes = (JSON.parse(drops.stdout) as { fix: unknown[] }[]).flatMap((p) => p.fix).map(nameOf);
  });

  it('drops --cluster proposes a fix for the dropped path, named fix-…', () => {
    expect(drops.stderr).toBe('');
    expect(drops.status).toBe(0);
    expect(fixes).toEqual(['shop/fix-ingress-web-from-api-8080-tcp']);
  });

  it.each(['k8s', 'cilium', 'calico'])('recommend --flavor %s emits none of those names', (flavor) => {
    expect(fixes).not.toEqual([]);
    const recommend = runCli(['recommend', '--db', db, '--cluster', cluster, '--flavor', flavor, '--json']);
    expect(recommend.status).toBe(0);
    const out = JSON.parse(recommend.stdout) as { namespaces: Record<string, { policies: unknown[] }> };
    const names = Object.values(out.namespaces).flatMap((n) => n.policies.map(nameOf));
    // The workload whose policy name used to collide with that fix is there.
    expect(names).toContain('shop/allow-ingress-web-from-api-8080-tcp');
    expect(names.filter((n) => fixes.includes(n))).toEqual([]);
  });
});
