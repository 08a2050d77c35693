import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import type { Flow, ParseResult } from '../flows/flow.js';
import { DemoSource } from './demo-source.js';
import type { FlowSink } from './source.js';

/** A sink that records, and is "full" every `fullEvery` pushes until the test drains it. */
class RecordingSink implements FlowSink {
  readonly flows: Flow[] = [];
  rejected = 0;
  private wake: (() => void) | undefined;
  waiting = false;

  constructor(private readonly fullEvery = Number.POSITIVE_INFINITY) {}

  push(result: ParseResult): boolean {
    if (result.ok) this.flows.push(result.flow);
    else this.rejected++;
    return (this.flows.length + this.rejected) % this.fullEvery !== 0;
  }

  drained(): Promise<void> {
    this.waiting = true;
    return new Promise((resolve) => {
      this.wake = () => {
        this.waiting = false;
        resolve();
      };
    });
  }

  release(): void {
    this.wake?.();
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('DemoSource', () => {
  it('replays the whole bundled dataset with the newest event at "now"', async () => {
    const clock = new FakeClock(Date.UTC(2030, 5, 1, 12));
    const source = new DemoSource({ clock, loop: false, flowsPerSecond: 3 });
    const sink = new RecordingSink();
    await source.start(sink);
    for (let i = 0; i < 100 && source.completedReplays === 0; i++) await settle();
    await source.stop();
    expect(sink.rejected).toBe(0);
    expect(sink.flows.length).toBeGreaterThan(500);
    const times = sink.flows.map((f) => f.timeMs);
    expect(Math.max(...times)).toBe(clock.now());
    expect(Math.min(...times)).toBeGreaterThan(clock.now() - 2 * 3600_000);
    expect(source.completedReplays).toBe(1);
    expect(source.status()).toMatchObject({
      name: 'demo',
      state: 'stopped',
      errors: 0,
      events: sink.flows.length,
    });
    const namespaces = new Set(sink.flows.map((f) => f.source.namespace).filter((ns) => ns !== undefined));
    expect([...namespaces].sort()).toEqual([
      'data',
      'ingress-nginx',
      'kube-system',
      'monitoring',
      'shop',
      'tools',
    ]);
    expect(sink.flows.some((f) => f.verdict === 'dropped' && f.isPolicyDrop)).toBe(true);
    expect(sink.flows.some((f) => f.verdict === 'dropped' && !f.isPolicyDrop)).toBe(true);
    expect(sink.flows.some((f) => f.isReply === true)).toBe(true);
    expect(sink.flows.some((f) => f.destination.names.includes('payments.example.com'))).toBe(true);
  });

  it('waits for drained() when the sink is full', async () => {
    const clock = new FakeClock();
    const source = new DemoSource({ clock, loop: false, flowsPerSecond: 3 });
    const sink = new RecordingSink(100);
    await source.start(sink);
    await settle();
    expect(sink.waiting).toBe(true);
    expect(sink.flows.length).toBe(100);
    sink.release();
    await settle();
    expect(sink.flows.length).toBe(200);
    const stopping = source.stop();
    sink.release();
    await stopping;
  });

  it('keeps replaying at the configured pace with current times when looping', async () => {
    const clock = new FakeClock();
    const source = new DemoSource({ clock, loop: true, flowsPerSecond: 4 });
    const sink = new RecordingSink();
    await source.start(sink);
    await settle();
    const firstPass = sink.flows.length;
    expect(source.completedReplays).toBe(1);
    expect(clock.delays).toEqual([250]);
    clock.advance(250);
    clock.wakeAll();
    await settle();
    const looped = sink.flows.slice(firstPass);
    expect(looped.length).toBeGreaterThan(0);
    expect(looped.every((f) => f.timeMs === clock.now())).toBe(true);
    expect(looped.filter((f) => f.isConnectionStart).length).toBe(1);
    await source.stop();
    expect(source.status().state).toBe('stopped');
  });

  it('fails to start, with the reason, when the dataset is missing', async () => {
    const source = new DemoSource({
      clock: new FakeClock(),
      file: '/nonexistent/flows.jsonl',
      loop: false,
      flowsPerSecond: 1,
    });
    await expect(source.start(new RecordingSink())).rejects.toThrow(/cannot read the demo dataset .*ENOENT/);
    expect(source.status()).toMatchObject({ state: 'failed', errors: 1 });
  });
});
