// Restarts resume without gaps or double counts (issue 14 item 8): the Hubble Relay source's
// resume point is committed with the edges (store ResumePoint, migration 004); after the relay is
// killed and restarted while flows keep arriving, and our process "crashes" with a batch still
// uncommitted, the new process asks `since` the committed point and the stored counts equal what
// the relay sent. Also the stale-stream watchdog and the resume point's merge rules.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { GoldmaneSource } from '../../src/sources/goldmane.js';
import { HubbleRelaySource } from '../../src/sources/hubble-relay.js';
import { Pipeline } from '../../src/ingest/pipeline.js';
import { resumeKey } from '../../src/sources/resume-mark.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';
import { CollectingSink } from '../fakes/collecting-sink.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { FakeGoldmane, goldmaneFlow } from '../fakes/fake-goldmane.js';
import { FakeRelay, tcpSyn, type RelayResponse } from '../fakes/fake-relay.js';
import { tempDir } from '../store/store-helpers.js';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const KEY = resumeKey('hubble-relay', 'relay');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Flows in pairs sharing a timestamp (a batch boundary falls inside a pair), distinct source ports. */
function flows(from: number, to: number): RelayResponse[] {
  const out: RelayResponse[] = [];
  for (let i = from; i < to; i++)
    out.push(tcpSyn(T0 + Math.floor(i / 2) * 10, { srcPort: 10_000 + i, dstPort: 8000 + (i % 5) }));
  return out;
}

interface Process {
  readonly store: FlowStore;
  readonly source: HubbleRelaySource;
  readonly pipeline: Pipeline;
  readonly clock: FakeClock;
}

/** One "netpol-advisor process": store, batch writer (7 events a batch), pipeline and relay source. */
async function startProcess(db: string, relay: FakeRelay): Promise<Process> {
  const clock = new FakeClock(T0);
  const store = openStore(db);
  const writer = new BatchWriter({ store, batchSize: 7, flushIntervalMs: 3_600_000, now: () => clock.now() });
  const pipeline = new Pipeline({
    writer,
    queueCapacity: 10_000,
    drainChunk: 50,
    flushIntervalMs: 3_600_000,
    clock,
  });
  pipeline.start();
  const resume = store.resumePoint(KEY);
  const source = new HubbleRelaySource({
    name: 'relay',
    address: relay.address,
    clock,
    random: () => 0.5,
    resumeKey: KEY,
    ...(resume !== undefined ? { resume } : {}),
  });
  await source.start(pipeline);
  return { store, source, pipeline, clock };
}

/** A crash: the source stops, the pending batch is never written, the database is closed. */
async function crash(p: Process): Promise<void> {
  await p.source.stop();
  p.store.close();
}

function countSum(store: FlowStore): number {
  let sum = 0;
  for (const edge of store.iterateEdges()) sum += edge.count;
  return sum;
}

describe('Hubble Relay resume point', () => {
  it('relay killed and restarted while flows keep arriving, our process crashing with a batch pending: stored counts equal what the relay sent', async () => {
    const { dir, cleanup } = tempDir('npa-relay-resume-');
    cleanups.push(cleanup);
    const db = path.join(dir, 'flows.db');
    const relay1 = await new FakeRelay({ history: flows(0, 100) }).start();
    cleanups.push(() => relay1.stop());
    const port = relay1.port;
    const first = await startProcess(db, relay1);
    await waitFor(() => first.source.status().events === 100, 10_000, 'the first 100 flows');
    await waitFor(() => first.store.totals().accepted === 98, 10_000, '14 batches of 7 committed');
    const committed = first.store.resumePoint(KEY);
    // The 98th flow (index 97) shares its time with the 97th: both are in the boundary.
    expect(committed).toMatchObject({
      seconds: Math.floor((T0 + 48 * 10) / 1000),
      nanos: ((T0 + 480) % 1000) * 1e6,
    });
    expect(committed?.boundary).toHaveLength(2);
    relay1.kill();
    await crash(first); // flows 98 and 99 were received but never committed

    // The relay comes back with its ring buffer, which kept filling while it was down.
    const relay2 = await new FakeRelay({ port, history: flows(0, 150) }).start();
    cleanups.push(() => relay2.stop());
    const second = await startProcess(db, relay2);
    cleanups.push(async () => {
      await second.source.stop();
      second.store.close();
    });
    await waitFor(() => second.source.status().events === 52, 10_000, 'flows 98..149 re-read from the relay');
    expect(relay2.requests[0]?.['since']).toEqual({ seconds: committed?.seconds, nanos: committed?.nanos });
    expect(second.source.status().duplicates).toBe(2);
    // Flows keep arriving on the live stream.
    for (const item of flows(150, 170)) relay2.emit(item);
    await waitFor(() => second.source.status().events === 72, 10_000, 'live flows');
    await waitFor(() => second.pipeline.depth === 0, 10_000, 'the queue drained');
    second.pipeline.flushNow();
    expect(second.store.totals().accepted).toBe(170);
    expect(countSum(second.store)).toBe(170);
    expect(second.store.resumePoint(KEY)).toMatchObject({ seconds: Math.floor((T0 + 84 * 10) / 1000) });
  });
});

describe('stale-stream watchdog', () => {
  it('reconnects a stream that delivered nothing while the relay saw flows, and not one that is merely quiet', async () => {
    const relay = await new FakeRelay({ history: flows(0, 2) }).start();
    cleanups.push(() => relay.stop());
    const clock = new FakeClock(T0);
    const sink = new CollectingSink();
    const source = new HubbleRelaySource({
      name: 'relay',
      address: relay.address,
      clock,
      random: () => 0.5,
      staleAfterMs: 60_000,
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    cleanups.push(() => source.stop());
    await source.start(sink);
    await waitFor(
      () => sink.results.length === 2 && clock.pendingSleeps === 1,
      10_000,
      'history and the watchdog timer',
    );
    const seen = (n: number) => (relay.serverStatus = { ...relay.serverStatus, seen_flows: n });
    seen(10);
    // First look: messages arrived since the stream opened; the relay's count is recorded.
    clock.wakeAll();
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'watchdog rearmed');
    // Quiet, and the relay saw nothing new either: no reconnect.
    clock.wakeAll();
    await waitFor(() => clock.pendingSleeps === 1, 10_000, 'watchdog rearmed again');
    expect(relay.requests).toHaveLength(1);
    // Quiet while the relay saw 5 more flows: the stream is stale.
    seen(15);
    clock.wakeAll();
    await waitFor(() => source.status().staleReconnects === 1, 10_000, 'stale detected');
    await waitFor(
      () => clock.pendingSleeps === 1 && source.status().state === 'reconnecting',
      10_000,
      'reconnect backoff',
    );
    clock.wakeAll();
    await waitFor(() => relay.requests.length === 2, 10_000, 'reconnected');
    expect(relay.requests[1]?.['since']).toBeDefined();
    expect(sink.results).toHaveLength(2);
    expect(source.status().state).not.toBe('failed');
  });
});

describe('ResumePoint in the store', () => {
  it('never moves back, and merges the boundary of batches that end at the same time', () => {
    const { dir, cleanup } = tempDir('npa-resume-point-');
    cleanups.push(cleanup);
    const store = openStore(path.join(dir, 'flows.db'));
    cleanups.push(() => store.close());
    const write = (seconds: number, nanos: number, boundary: string[]) =>
      store.writeBatch({
        deltas: [],
        accepted: 0,
        rejectedByReason: {},
        resume: [{ sourceKey: KEY, seconds, nanos, boundary }],
      });
    write(100, 5, ['a']);
    write(100, 5, ['b', 'a']);
    expect(store.resumePoint(KEY)).toEqual({ sourceKey: KEY, seconds: 100, nanos: 5, boundary: ['a', 'b'] });
    write(100, 4, ['old']);
    write(99, 999, ['older']);
    expect(store.resumePoint(KEY)?.boundary).toEqual(['a', 'b']);
    write(100, 6, ['c']);
    expect(store.resumePoint(KEY)).toEqual({ sourceKey: KEY, seconds: 100, nanos: 6, boundary: ['c'] });
    expect(store.resumePoint('hubble-relay:other')).toBeUndefined();
  });
});

describe('Goldmane resume point', () => {
  it('a restarted process asks start_time_gte the committed window and drops the records it committed there', async () => {
    const { dir, cleanup } = tempDir('npa-goldmane-resume-');
    cleanups.push(cleanup);
    const T = Math.floor(T0 / 1000);
    const history = [
      goldmaneFlow(T, { dstPort: 1 }),
      goldmaneFlow(T + 15, { dstPort: 2 }),
      goldmaneFlow(T + 15, { dstPort: 3 }),
    ];
    const gm1 = await new FakeGoldmane({ history }).start();
    cleanups.push(() => gm1.stop());
    const db = path.join(dir, 'flows.db');
    const key = resumeKey('goldmane', 'gm');
    const run = async (gm: FakeGoldmane) => {
      const clock = new FakeClock(T0);
      const store = openStore(db);
      const writer = new BatchWriter({
        store,
        batchSize: 1000,
        flushIntervalMs: 3_600_000,
        now: () => clock.now(),
      });
      const resume = store.resumePoint(key);
      const source = new GoldmaneSource({
        name: 'gm',
        address: gm.address,
        clock,
        random: () => 0,
        resumeKey: key,
        ...(resume !== undefined ? { resume } : {}),
      });
      await source.start(writer);
      return { store, writer, source };
    };
    const first = await run(gm1);
    await waitFor(() => first.source.status().events === 3, 10_000, 'three records');
    first.writer.flush();
    expect(first.store.resumePoint(key)).toMatchObject({ seconds: T + 15, nanos: 0 });
    expect(first.store.resumePoint(key)?.boundary).toHaveLength(2);
    // Every record here carries the same connection count.
    const perRecord = countSum(first.store) / 3;
    await first.source.stop();
    first.store.close();

    const gm2 = await new FakeGoldmane({
      history: [...history, goldmaneFlow(T + 15, { dstPort: 4 }), goldmaneFlow(T + 30, { dstPort: 5 })],
    }).start();
    cleanups.push(() => gm2.stop());
    const second = await run(gm2);
    cleanups.push(async () => {
      await second.source.stop();
      second.store.close();
    });
    await waitFor(() => second.source.status().events === 2, 10_000, 'the two new records');
    expect(gm2.requests[0]?.['start_time_gte']).toBe(T + 15);
    second.writer.flush();
    expect(second.store.totals().accepted).toBe(5);
    expect(countSum(second.store)).toBe(5 * perRecord);
  });
});
