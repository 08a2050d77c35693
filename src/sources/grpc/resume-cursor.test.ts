import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LazyResumeCursor, ResumeCursor, timestampToNs } from './resume-cursor.js';

interface Item {
  readonly seconds: number;
  readonly nanos: number;
  readonly id: number;
}

const fp = (item: Item, node: string | undefined): string =>
  `${item.seconds}|${item.nanos}|${node ?? ''}|${item.id}`;

describe('LazyResumeCursor', () => {
  it('accepts and drops exactly what ResumeCursor does (re-sends after resume, out-of-order nodes)', () => {
    const item = fc.record({
      seconds: fc.integer({ min: 0, max: 5 }),
      nanos: fc.integer({ min: 0, max: 3 }).map((n) => n * 250_000_000),
      id: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 60 }),
        fc.integer({ min: 0, max: 2500 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
        (items, overlapMs, maxKeys, sinceMs) => {
          const eager = new ResumeCursor({ overlapMs, maxKeys: 1000 }, sinceMs);
          const lazy = new LazyResumeCursor<Item>({ overlapMs, maxKeys: 1000 }, sinceMs, fp);
          expect(lazy.since()).toEqual(eager.since());
          for (const it of items) {
            const want = eager.accept(timestampToNs(it), fp(it, 'n1'));
            expect(lazy.accept(it, it, 'n1')).toBe(want);
            expect(lazy.since()).toEqual(eager.since());
          }
          expect(lazy.duplicates).toBe(eager.duplicates);
          expect(lazy.rememberedKeys).toBe(eager.rememberedKeys);
          // The bound holds whatever arrives.
          const bounded = new LazyResumeCursor<Item>({ overlapMs: 10_000, maxKeys }, undefined, fp);
          for (const it of items) bounded.accept(it, it, undefined);
          expect(bounded.rememberedKeys).toBeLessThanOrEqual(maxKeys);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never fingerprints flows that arrive strictly in time order', () => {
    let calls = 0;
    const cursor = new LazyResumeCursor<Item>({ overlapMs: 0, maxKeys: 100 }, undefined, (i, n) => {
      calls++;
      return fp(i, n);
    });
    for (let i = 0; i < 1000; i++)
      expect(cursor.accept({ seconds: i, nanos: 5 }, { seconds: i, nanos: 5, id: 0 }, 'n')).toBe(true);
    expect(calls).toBe(0);
    expect(cursor.rememberedKeys).toBe(1);
    // A resume re-sends the boundary flow: now fingerprints are needed, and it is dropped.
    expect(cursor.since()).toEqual({ seconds: 999, nanos: 5 });
    expect(cursor.accept({ seconds: 999, nanos: 5 }, { seconds: 999, nanos: 5, id: 0 }, 'n')).toBe(false);
    expect(cursor.duplicates).toBe(1);
    expect(calls).toBe(2);
  });

  it('keeps at most 1024 flows unfingerprinted in a wide overlap window', () => {
    let calls = 0;
    const cursor = new LazyResumeCursor<Item>(
      { overlapMs: 3_600_000, maxKeys: 100_000 },
      undefined,
      (i, n) => {
        calls++;
        return fp(i, n);
      },
    );
    for (let i = 0; i < 5000; i++)
      cursor.accept({ seconds: i, nanos: 0 }, { seconds: i, nanos: 0, id: 0 }, undefined);
    expect(cursor.rememberedKeys).toBe(3601);
    expect(calls).toBeGreaterThanOrEqual(5000 - 1025);
    expect(cursor.accept({ seconds: 4000, nanos: 0 }, { seconds: 4000, nanos: 0, id: 0 }, undefined)).toBe(
      false,
    );
  });
});
