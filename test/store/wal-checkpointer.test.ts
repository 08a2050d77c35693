// The WAL checkpointer: with the writing connection's automatic checkpoint off, committed batches
// stay in the WAL until the worker's PASSIVE checkpoint moves them into the database file; the
// worker checkpoints on the injected clock's interval, and a store file copied without its WAL
// afterwards holds every committed edge (the pages really reached the main file).
import { copyFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregateFlows } from '../../src/flows/edge.js';
import { openStore } from '../../src/store/store.js';
import type { FlowStore } from '../../src/store/types.js';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { FakeClock, waitFor } from '../fakes/fake-clock.js';
import { flow, pod, tempDir } from './store-helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function writeEdges(store: FlowStore, from: number, count: number): void {
  const flows = Array.from({ length: count }, (_, i) =>
    flow(pod('shop', `client-${from + i}`), pod('shop', 'server'), { destinationPort: 8080 }),
  );
  store.writeBatch({ deltas: aggregateFlows(flows).values(), accepted: count, rejectedByReason: {} });
}

function setup(): { file: string; dir: string; store: FlowStore } {
  const { dir, cleanup } = tempDir('npa-wal-checkpointer-');
  cleanups.push(cleanup);
  const file = path.join(dir, 'flows.db');
  const store = openStore(file, { walAutoCheckpointPages: 0 });
  cleanups.push(() => store.close());
  return { file, dir, store };
}

describe('WalCheckpointer', () => {
  it('moves every committed frame into the database file, off the writing connection', async () => {
    const { file, dir, store } = setup();
    const checkpointer = new WalCheckpointer(file, { clock: new FakeClock() });
    cleanups.push(() => checkpointer.close());
    writeEdges(store, 0, 500);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);

    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(false);
    expect(result.walFrames).toBeGreaterThan(0);
    expect(result.checkpointedFrames).toBe(result.walFrames);
    // The main file alone (no WAL beside it) now has every edge.
    const copy = path.join(dir, 'copy.db');
    copyFileSync(file, copy);
    const alone = openStore(copy, { readOnly: true });
    cleanups.push(() => alone.close());
    expect(alone.totals()).toMatchObject({ edges: 500, accepted: 500 });
  });

  it('checkpoints on the clock interval and stops cleanly', async () => {
    const { file, store } = setup();
    const clock = new FakeClock();
    const errors: Error[] = [];
    const checkpointer = new WalCheckpointer(file, {
      clock,
      intervalMs: 1000,
      onError: (e) => errors.push(e),
    });
    writeEdges(store, 0, 200);
    await waitFor(() => clock.pendingSleeps === 1, 5000, 'the first interval');
    expect(clock.delays).toEqual([1000]);
    clock.wakeAll();
    // The loop sleeps again only after its checkpoint answered.
    await waitFor(() => clock.pendingSleeps === 1 && clock.delays.length === 2, 5000, 'the second interval');
    expect(checkpointer.completed).toBe(1);
    const after = await checkpointer.checkpointNow();
    expect(after.checkpointedFrames).toBe(after.walFrames);
    await checkpointer.close();
    expect(errors).toEqual([]);
    await expect(checkpointer.checkpointNow()).rejects.toThrow(/exited/);
  });
});
