// The daemon (the real composition root) with a `type: goldmane` source and a cluster snapshot:
// aggregated pod names are resolved against the snapshot's real controllers. `db-*` without
// labels reads as a DaemonSet by naming conventions alone; the snapshot knows db-0 belongs to
// the StatefulSet db, and db-migrate-* to a Job (a prefix of `db-` that is not db's pod).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDaemon } from '../../src/daemon.js';
import { FakeGoldmane } from '../fakes/fake-goldmane.js';
import { aggregateConnections, type EndpointSpec } from '../fakes/fake-goldmane-aggregator.js';

const T0 = 1_777_636_800;
const dir = mkdtempSync(path.join(tmpdir(), 'npa-daemon-goldmane-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pod = (name: string, generateName: string, labels: Record<string, string>): EndpointSpec => ({
  type: 'WorkloadEndpoint',
  namespace: 'shop',
  pod: name,
  generateName,
  node: 'node-a',
  labels,
});
const api = pod('api-6b7c8d9f5-x2k9p', 'api-6b7c8d9f5-', { app: 'api', 'pod-template-hash': '6b7c8d9f5' });
// Goldmane's labels are the intersection over the aggregated pods: none left here.
const db = pod('db-0', 'db-', {});
const migrate = pod('db-migrate-q7z4m', 'db-migrate-', {});
const allow = { action: 'Allow' as const, enforced: [] };

function snapshotObjects(): unknown {
  const owned = (
    name: string,
    labels: Record<string, string>,
    owner: { apiVersion: string; kind: string; name: string },
  ): unknown => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels,
      ownerReferences: [{ ...owner, uid: owner.name, controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'x' }] },
    status: { podIP: `10.0.0.${name.length}` },
  });
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      owned('db-0', { app: 'db', tier: 'data' }, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }),
      owned(
        'db-migrate-q7z4m',
        { app: 'migrate' },
        { apiVersion: 'batch/v1', kind: 'Job', name: 'db-migrate' },
      ),
    ],
  };
}

describe('daemon with a goldmane source and a cluster snapshot', () => {
  it('names Goldmane workloads by the real controllers of the snapshot', async () => {
    const records = aggregateConnections([
      { timeS: T0 + 1, src: api, dst: db, proto: 'tcp', port: 5432, egress: allow, ingress: allow },
      { timeS: T0 + 2, src: migrate, dst: db, proto: 'tcp', port: 5432, egress: allow, ingress: allow },
    ]);
    const gm = await new FakeGoldmane({ history: records }).start();
    const snapshot = path.join(dir, 'cluster.json');
    writeFileSync(snapshot, JSON.stringify(snapshotObjects()));
    const file = path.join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'listen: "127.0.0.1:0"',
        `db: ${JSON.stringify(path.join(dir, 'flows.db'))}`,
        'sources:',
        '  - type: goldmane',
        `    address: "${gm.address}"`,
        'kubernetes:',
        '  enabled: false',
        `  snapshot: ${JSON.stringify(snapshot)}`,
        '',
      ].join('\n'),
    );
    const loaded = loadConfig({ file, env: {} });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const daemon = await startDaemon(loaded.config, { logger: pino({ level: 'silent' }) });
    try {
      const base = `http://127.0.0.1:${daemon.address.port}`;
      type Item = { source: Record<string, unknown>; destination: Record<string, unknown>; count: number };
      const items = await vi.waitFor(
        async () => {
          const page = (await (await fetch(`${base}/api/v1/flows?limit=100`)).json()) as { items: Item[] };
          if (page.items.reduce((n, i) => n + i.count, 0) < 2) throw new Error('not yet stored');
          return page.items;
        },
        { timeout: 20_000, interval: 50 },
      );
      const summary = items
        .map((i) => [
          i.source['workload'],
          i.source['kind'],
          i.destination['workload'],
          i.destination['kind'],
          i.destination['labels'],
          i.count,
        ])
        .sort();
      expect(summary).toEqual([
        ['api', 'Deployment', 'db', 'StatefulSet', { app: 'db', tier: 'data' }, 1],
        ['db-migrate', 'Job', 'db', 'StatefulSet', { app: 'db', tier: 'data' }, 1],
      ]);
    } finally {
      await daemon.stop();
      await gm.stop();
    }
  }, 60_000);
});
