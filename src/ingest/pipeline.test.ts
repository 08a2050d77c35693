import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { ParseResult } from '../flows/flow.js';
import { parserFor } from '../flows/parsers.js';
import { openStore } from '../store/store.js';
import type { FlowStore } from '../store/types.js';
import { BatchWriter, type BatchStats } from './batch-writer.js';
import { Pipeline } from './pipeline.js';

const demoLines = readFileSync(new URL('../../demo/flows.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);
const parse = parserFor('hubble');
const results: ParseResult[] = demoLines.slice(0, 200).map((line) => parse(line));

let dir: string;
let store: FlowStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'npa-pipeline-'));
  store = openStore(path.join(dir, 'flows.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(queueCapacity: number, batchSize = 1000) {
  const clock = new FakeClock();
  const batches: BatchStats[] = [];
  const writer = new BatchWriter({
    store,
    batchSize,
    flushIntervalMs: 1000,
    now: () => clock.now(),
    onBatch: (s) => batches.push(s),
  });
  let pauses = 0;
  let drops = 0;
  const pipeline = new Pipeline({
    writer,
    queueCapacity,
    drainChunk: 10,
    flushIntervalMs: 1000,
    clock,
    hooks: { onPause: () => pauses++, onDrop: () => drops++ },
  });
  pipeline.start();
  return { clock, pipeline, batches, counts: () => ({ pauses, drops }) };
}

describe('Pipeline', () => {
  it('answers false once the queue is full, and drops (counted) what a source pushes past it', () => {
    const { pipeline, counts } = setup(5);
    const answers = results.slice(0, 5).map((r) => pipeline.push(r));
    expect(answers).toEqual([true, true, true, true, false]);
    expect(pipeline.depth).toBe(5);
    expect(counts()).toEqual({ pauses: 1, drops: 0 });
    expect(pipeline.push(results[5] as ParseResult)).toBe(false);
    expect(pipeline.depth).toBe(5);
    expect(counts()).toEqual({ pauses: 1, drops: 1 });
    expect(pipeline.stats()).toMatchObject({ pushed: 6, droppedQueueFull: 1, pauses: 1 });
  });

  it('drained() resolves once the queue empties, and a flush commits what was pushed', async () => {
    const { clock, pipeline, batches } = setup(50);
    let i = 0;
    let accepted = 0;
    while (pipeline.push(results[i++] as ParseResult)) accepted++;
    accepted++;
    expect(pipeline.depth).toBe(50);
    await pipeline.drained();
    expect(pipeline.depth).toBe(0);
    // Moved into the writer but younger than the flush interval: not written yet.
    expect(store.totals().accepted).toBe(0);
    clock.advance(1000);
    clock.wakeAll();
    await new Promise((r) => setImmediate(r));
    expect(batches.length).toBe(1);
    expect(store.totals().accepted + store.totals().rejected).toBe(accepted);
    await pipeline.stop();
  });

  it('flushes on size without waiting for the clock', async () => {
    const { pipeline, batches } = setup(1000, 40);
    for (const r of results.slice(0, 100)) expect(pipeline.push(r)).toBe(true);
    await pipeline.drained();
    expect(batches.map((b) => b.lines)).toEqual([40, 40]);
    expect(store.totals().accepted).toBe(80);
    await pipeline.stop();
    expect(store.totals().accepted).toBe(100);
  });

  it('stop() writes everything still queued and refuses later events', async () => {
    const { pipeline } = setup(1000);
    for (const r of results.slice(0, 30)) pipeline.push(r);
    await pipeline.stop();
    expect(store.totals().accepted).toBe(30);
    expect(pipeline.push(results[0] as ParseResult)).toBe(false);
    expect(pipeline.stats().droppedQueueFull).toBe(1);
    expect(store.listEdges({ limit: 100 }).items.length).toBeGreaterThan(0);
  });
});
