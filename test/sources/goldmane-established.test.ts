// Issue 15 item 3 on Calico OSS: a connection opened before observation is reported by Goldmane
// as live in each 15 s window (num_connections_started 0). Through the fake Felix+Goldmane, the
// real GoldmaneSource, the real BatchWriter and a real SQLite file it is evidence on its edge
// (`established`), never a count; the same reports as Calico flow-log lines through the real
// `ingest --format calico-flowlog` store the very same edges; a portless one makes no edge on
// either path and is counted as `missing-port`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { GoldmaneSource } from '../../src/sources/goldmane.js';
import { edgeToJson } from '../../src/store/edge-json.js';
import { openStore } from '../../src/store/store.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeGoldmane } from '../fakes/fake-goldmane.js';
import {
  aggregateConnections,
  type Connection,
  type SideVerdict,
} from '../fakes/fake-goldmane-aggregator.js';
import { runCli } from '../ingest/cli-helpers.js';
import { flowLogLineOf } from './goldmane-as-flowlog.js';
import { T0, ep } from './goldmane-scenario.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-goldmane-established-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const profile: SideVerdict = {
  action: 'Allow',
  enforced: [
    {
      kind: 'Profile',
      name: 'kns.shop',
      tier: '__PROFILE__',
      action: 'Allow',
      policy_index: 0,
      rule_index: 0,
    },
  ],
};
const open = (timeS: number, openSinceS: number | undefined, c: Omit<Connection, 'timeS'>): Connection => ({
  ...c,
  timeS,
  ...(openSinceS === undefined ? {} : { openSinceS }),
});
const toDb = {
  src: ep.frontendA,
  dst: ep.db,
  proto: 'tcp',
  port: 5432,
  egress: profile,
  ingress: profile,
} as const;
const toCart = {
  src: ep.frontendA,
  dst: ep.cart,
  proto: 'tcp',
  port: 8080,
  egress: profile,
  ingress: profile,
} as const;

const connections: Connection[] = [
  // A pool opened ten minutes before observation, live in all three windows.
  ...[1, 16, 31].map((s) => open(T0 + s, T0 - 600, toDb)),
  // A connection that starts in the first window and is still open in the second.
  open(T0 + 2, undefined, toCart),
  open(T0 + 17, T0 + 2, toCart),
  // A live connection whose key has no port: no edge on either path.
  open(T0 + 3, T0 - 600, { ...toCart, src: ep.frontendB, port: 0 }),
];

/** The comparable content of every stored edge (ids depend on insertion order only). */
function storedEdges(db: string): unknown[] {
  const store = openStore(db, { mustExist: true });
  try {
    return [...store.iterateEdges()]
      .map((e) => {
        const { id: _id, ...rest } = edgeToJson(e);
        return rest;
      })
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  } finally {
    store.close();
  }
}

describe('Goldmane: connections open before observation', () => {
  const records = aggregateConnections(connections);

  it('the fake reports them live, not started', () => {
    const started = records.map((r) => Number(r.flow['num_connections_started']));
    const live = records.map((r) => Number(r.flow['num_connections_live']));
    expect(started.filter((n) => n === 0).length).toBeGreaterThan(0);
    expect(live.reduce((a, b) => a + b, 0)).toBe(2 * 5); // Src and Dst report each live one
  });

  it('store as evidence, the same from the Goldmane source and from flow-log lines', async () => {
    const dir = tempDir();
    const gm = await new FakeGoldmane({ history: records }).start();
    cleanups.push(() => gm.stop());
    const viaGoldmane = path.join(dir, 'goldmane.db');
    const store = openStore(viaGoldmane);
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
    store.close();
    expect(writer.totals().noEdgeByReason).toEqual({ 'other-end-report': 6, 'missing-port': 1 });

    const file = path.join(dir, 'flows.jsonl');
    writeFileSync(file, records.map(flowLogLineOf).join('\n') + '\n');
    const viaFile = path.join(dir, 'file.db');
    const ingest = runCli(['ingest', '--format', 'calico-flowlog', '--db', viaFile, '--json', file]);
    expect(ingest.status).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({
      noEdgeByReason: { 'other-end-report': 6, 'missing-port': 1 },
    });

    const fromGoldmane = storedEdges(viaGoldmane);
    expect(fromGoldmane).toEqual(storedEdges(viaFile));
    expect(
      (fromGoldmane as ReturnType<typeof edgeToJson>[]).map(
        (e) =>
          `${'workload' in e.source ? e.source.workload : '-'}>${'workload' in e.destination ? e.destination.workload : '-'}:${e.port} ${e.count}+${e.established}/${e.establishedObserved} ${e.evidence}`,
      ),
    ).toEqual([
      // Goldmane and flow logs report by the initiator: every established record's direction is observed.
      'frontend>cart:8080 1+1/1 connection-start',
      'frontend>db:5432 0+3/3 established-before-observation',
    ]);
  });
});
