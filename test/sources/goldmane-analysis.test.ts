// Recommendations, drops and doctor on Goldmane-fed data name workloads and policies as they do
// for Hubble: the scenario's pod-to-pod connections are stored once from the fake Goldmane
// (through the real GoldmaneSource into a SQLite file) and once as Hubble lines (the real
// `ingest --format hubble`), and the real CLI commands must say the same about both.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { GoldmaneSource } from '../../src/sources/goldmane.js';
import { openStore } from '../../src/store/store.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeGoldmane } from '../fakes/fake-goldmane.js';
import {
  aggregateConnections,
  type Connection,
  type EndpointSpec,
  type SideVerdict,
} from '../fakes/fake-goldmane-aggregator.js';
import { runCli } from '../ingest/cli-helpers.js';
import { connections, ep } from './goldmane-scenario.js';

type Pod = Extract<EndpointSpec, { type: 'WorkloadEndpoint' }>;
const podToPod = connections.filter(
  (c): c is Connection & { src: Pod; dst: Pod } =>
    c.src.type === 'WorkloadEndpoint' && c.dst.type === 'WorkloadEndpoint',
);
const pods: Pod[] = [
  ep.frontendA,
  ep.frontendB,
  ep.cart,
  ep.db,
  ep.debug,
  ep.prometheus,
  ep.exporterA,
  ep.exporterB,
  ep.report,
];
const ipOf = (p: Pod): string => `10.0.0.${pods.indexOf(p) + 10}`;

const OWNER: Readonly<Record<string, { kind: string; name: string } | undefined>> = {
  'frontend-7d9f8b6c4-': { kind: 'ReplicaSet', name: 'frontend-7d9f8b6c4' },
  'cart-5f6d7c8b9-': { kind: 'ReplicaSet', name: 'cart-5f6d7c8b9' },
  'db-': { kind: 'StatefulSet', name: 'db' },
  'prometheus-': { kind: 'StatefulSet', name: 'prometheus' },
  'node-exporter-': { kind: 'DaemonSet', name: 'node-exporter' },
  'report-29012345-': { kind: 'Job', name: 'report-29012345' },
};

function clusterList(): unknown {
  const ns = (name: string): unknown => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
  });
  const pod = (p: Pod): unknown => {
    const owner = p.generateName === undefined ? undefined : OWNER[p.generateName];
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.pod,
        namespace: p.namespace,
        labels: p.labels,
        ...(owner === undefined
          ? {}
          : {
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: owner.kind,
                  name: owner.name,
                  uid: owner.name,
                  controller: true,
                },
              ],
            }),
      },
      spec: { nodeName: p.node, containers: [{ name: 'c', image: 'x' }] },
      status: { phase: 'Running', podIP: ipOf(p), podIPs: [{ ip: ipOf(p) }] },
    };
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'report-29012345',
      namespace: 'batch',
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'cj', controller: true },
      ],
    },
    spec: { template: {} },
  };
  const policy = (name: string, spec: unknown): unknown => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec,
  });
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      ns('shop'),
      ns('monitoring'),
      ns('batch'),
      ...pods.map(pod),
      job,
      policy('db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }),
      policy('cart-ingress', {
        podSelector: { matchLabels: { app: 'cart' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { app: 'frontend' } } },
              { podSelector: { matchLabels: { run: 'debug' } } },
            ],
          },
        ],
      }),
    ],
  };
}

const refs = (v: SideVerdict | undefined): { namespace?: string; name: string }[] =>
  (v?.enforced ?? [])
    .filter((h) => h.action === 'Deny')
    .map((h) => (h.kind === 'EndOfTier' ? h.trigger : h))
    .flatMap((h) =>
      h?.name === undefined
        ? []
        : [{ name: h.name, ...(h.namespace === undefined ? {} : { namespace: h.namespace }) }],
    );

/** One Hubble event per connection, as a node's Hubble shows it (formats.md §1). */
function hubbleLine(c: Connection & { src: Pod; dst: Pod }, i: number): string {
  const endpoint = (p: Pod, identity: number): unknown => ({
    namespace: p.namespace,
    pod_name: p.pod,
    identity,
    labels: Object.entries(p.labels).map(([k, v]) => `k8s:${k}=${v}`),
  });
  const deniedAtSource = c.egress?.action === 'Deny';
  const denied = deniedAtSource || c.ingress?.action === 'Deny';
  const time = new Date(c.timeS * 1000 + 100).toISOString();
  return JSON.stringify({
    flow: {
      time,
      verdict: denied ? 'DROPPED' : 'FORWARDED',
      ...(denied ? { drop_reason_desc: 'POLICY_DENIED' } : {}),
      IP: { source: ipOf(c.src), destination: ipOf(c.dst), ipVersion: 'IPv4' },
      l4:
        c.proto === 'icmp'
          ? { ICMPv4: { type: 8 } }
          : { TCP: { source_port: 40000 + i, destination_port: c.port, flags: { SYN: true } } },
      source: endpoint(c.src, 1000 + pods.indexOf(c.src)),
      destination: endpoint(c.dst, 1000 + pods.indexOf(c.dst)),
      traffic_direction: deniedAtSource ? 'EGRESS' : 'INGRESS',
      is_reply: false,
      ...(deniedAtSource
        ? { egress_denied_by: refs(c.egress) }
        : denied
          ? { ingress_denied_by: refs(c.ingress) }
          : {}),
      node_name: deniedAtSource ? c.src.node : c.dst.node,
    },
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let dir = '';
const db = { goldmane: '', hubble: '' };
let cluster = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netpol-goldmane-analysis-'));
  db.goldmane = path.join(dir, 'goldmane.db');
  db.hubble = path.join(dir, 'hubble.db');
  cluster = path.join(dir, 'cluster.json');
  writeFileSync(cluster, JSON.stringify(clusterList()));
  const records = aggregateConnections(podToPod);
  const gm = await new FakeGoldmane({ history: records }).start();
  const store = openStore(db.goldmane);
  const writer = new BatchWriter({ store, batchSize: 1_000_000 });
  const source = new GoldmaneSource({
    name: 'gm',
    address: gm.address,
    clock: new FakeClock(),
    random: () => 0,
  });
  await source.start(writer);
  await waitFor(() => source.status().events === records.length, 10_000, 'goldmane records');
  writer.flush();
  await source.stop();
  await gm.stop();
  store.close();
  const lines = path.join(dir, 'hubble.jsonl');
  writeFileSync(lines, podToPod.map(hubbleLine).join('\n') + '\n');
  const ingested = runCli(['ingest', '--format', 'hubble', '--db', db.hubble, lines]);
  if (ingested.status !== 0) throw new Error(ingested.stderr);
  return () => rmSync(dir, { recursive: true, force: true });
});

function json(args: string[], which: 'goldmane' | 'hubble'): unknown {
  const result = runCli([...args, '--db', db[which], '--cluster', cluster, '--json']);
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`${args.join(' ')}: exit ${String(result.status)} ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}

interface DropJson {
  source: Record<string, unknown>;
  destination: Record<string, unknown>;
  port: number;
  protocol: string;
  count: number;
  deniedBy: string[];
  classification: string;
}

describe('Goldmane-fed data through recommend, drops and doctor', () => {
  it('drops name the same workloads and policies as for Hubble', () => {
    const summary = (items: unknown): unknown[] =>
      (items as DropJson[])
        .map((d) => ({
          source: [d.source['namespace'], d.source['workload']],
          destination: [d.destination['namespace'], d.destination['workload']],
          port: d.port,
          protocol: d.protocol,
          count: d.count,
          deniedBy: [...d.deniedBy].sort(),
        }))
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    const goldmane = summary(json(['drops'], 'goldmane'));
    expect(goldmane).toEqual(summary(json(['drops'], 'hubble')));
    expect(goldmane).toContainEqual({
      source: ['shop', 'frontend'],
      destination: ['shop', 'db'],
      port: 5432,
      protocol: 'TCP',
      count: 2,
      deniedBy: ['shop/db-ingress'],
    });
    expect(goldmane).toContainEqual({
      source: ['batch', 'report'],
      destination: ['shop', 'db'],
      port: 5432,
      protocol: 'TCP',
      count: 2,
      deniedBy: ['batch/report-egress', 'shop/db-ingress'],
    });
  });

  const TIME_KEYS = new Set([
    'evidence',
    'rules',
    'tests',
    'generatedAt',
    'annotations',
    'window',
    'firstSeenMs',
    'lastSeenMs',
    'observedSec',
  ]);
  it('recommendations propose the same policies as for Hubble', () => {
    // Goldmane times are window starts, Hubble's the packets': only observation spans may differ.
    const policies = (out: unknown): unknown =>
      JSON.parse(
        JSON.stringify(out, (k, v: unknown) => (TIME_KEYS.has(k) ? undefined : v)).replace(
          /observed for \d+s/g,
          'observed for Ns',
        ),
      ) as unknown;
    const goldmane = policies(json(['recommend'], 'goldmane'));
    expect(goldmane).toEqual(policies(json(['recommend'], 'hubble')));
    expect(JSON.stringify(goldmane)).toContain('"app":"frontend"');
  });

  it('the doctor reports the same findings as for Hubble', () => {
    const findings = (out: unknown): unknown[] =>
      (out as { kind: string; namespace: string; objects: string[] }[])
        .map((f) => ({ kind: f.kind, namespace: f.namespace, objects: [...f.objects].sort() }))
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    const goldmane = findings(json(['doctor'], 'goldmane'));
    expect(goldmane).toEqual(findings(json(['doctor'], 'hubble')));
    expect(goldmane).toContainEqual(
      expect.objectContaining({ kind: 'default-deny-blocks', namespace: 'shop' }),
    );
  });
});
