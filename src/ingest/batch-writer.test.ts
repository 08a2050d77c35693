import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Flow } from '../flows/flow.js';
import { NO_POLICIES } from '../flows/flow.js';
import { openStore } from '../store/store.js';
import type { FlowStore } from '../store/types.js';
import { BatchWriter, type BatchStats } from './batch-writer.js';

let dir: string;
let store: FlowStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-batch-writer-'));
  store = openStore(path.join(dir, 'flows.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A connection start from client-<c> to server:<port>. */
function flow(client: number, port: number): Flow {
  const pod = (name: string) => ({
    kind: 'pod' as const,
    namespace: 'shop',
    pod: `${name}-7d9f8-abcde`,
    workload: { kind: 'Deployment', name },
    labels: { app: name },
    names: [],
  });
  return {
    timeMs: 1_700_000_000_000 + client,
    source: pod(`client-${client}`),
    destination: pod('server'),
    protocol: 'TCP',
    destinationPort: port,
    direction: 'egress',
    verdict: 'forwarded',
    isPolicyDrop: false,
    policies: NO_POLICIES,
    isReply: false,
    isConnectionStart: true,
  };
}

describe('BatchWriter bounds', () => {
  it('flushes when the batch holds maxBatchEdges distinct edges, however few lines it has', () => {
    const batches: BatchStats[] = [];
    const writer = new BatchWriter({
      store,
      batchSize: 1_000_000,
      maxBatchEdges: 3,
      flushIntervalMs: 60_000,
      now: () => 0,
      onBatch: (s) => batches.push(s),
    });
    // Repeats of one edge never reach the bound: lines are not what a batch holds in memory.
    for (let i = 0; i < 10; i++) writer.add({ ok: true, flow: flow(1, 80) });
    expect(batches).toHaveLength(0);
    writer.add({ ok: true, flow: flow(2, 80) });
    expect(batches).toHaveLength(0);
    writer.add({ ok: true, flow: flow(3, 80) });
    expect(batches.map((b) => [b.lines, b.edges])).toEqual([[12, 3]]);
    writer.add({ ok: true, flow: flow(4, 80) });
    writer.flush();
    expect(batches.map((b) => [b.lines, b.edges])).toEqual([
      [12, 3],
      [1, 1],
    ]);
    expect(store.totals()).toMatchObject({ accepted: 13, edges: 4 });
  });

  it('flushes at batchSize lines even when every line is the same edge', () => {
    const batches: BatchStats[] = [];
    const writer = new BatchWriter({
      store,
      batchSize: 5,
      maxBatchEdges: 100,
      flushIntervalMs: 60_000,
      now: () => 0,
      onBatch: (s) => batches.push(s),
    });
    for (let i = 0; i < 12; i++) writer.add({ ok: true, flow: flow(1, 80) });
    expect(batches.map((b) => b.lines)).toEqual([5, 5]);
    expect(writer.pendingLines).toBe(2);
  });
});
