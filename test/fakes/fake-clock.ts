// A clock for adapters (src/lib/clock.ts Clock) whose sleeps only end when the test says
// so: reconnect loops are observed and stepped, never waited for.
import { vi } from 'vitest';
import type { Clock } from '../../src/lib/clock.js';

interface Sleeper {
  ms: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private nowMs: number;
  private sleepers: Sleeper[] = [];
  /** Every delay ever requested, in order. */
  readonly delays: number[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.delays.push(ms);
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      const sleeper: Sleeper = { ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** Ends every pending sleep (advancing time by the longest one). */
  wakeAll(): void {
    const sleepers = this.sleepers;
    this.sleepers = [];
    const longest = Math.max(0, ...sleepers.map((s) => s.ms));
    this.nowMs += longest;
    for (const s of sleepers) s.resolve();
  }
}

/** vi.waitFor on a condition of real I/O progress (sockets), not on timers under test; names it on failure. */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  await vi.waitFor(
    () => {
      if (!cond()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 5 },
  );
}
