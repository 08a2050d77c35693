import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('grows exponentially up to the cap, with jitter inside [initial, ceiling]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 1, maxLength: 120 }),
        (randoms) => {
          let i = 0;
          const b = new Backoff(
            { initialMs: 500, maxMs: 30_000, factor: 2 },
            () => randoms[i++ % randoms.length] ?? 0,
          );
          for (let n = 0; n < 100; n++) {
            const ceiling = Math.min(30_000, 500 * 2 ** n);
            const d = b.nextDelayMs();
            expect(d).toBeGreaterThanOrEqual(500); // never a tight loop
            expect(d).toBeLessThanOrEqual(ceiling);
            expect(d).toBeLessThanOrEqual(30_000);
          }
        },
      ),
    );
  });

  it('reaches the cap and resets after a success', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2 }, () => 0.999999);
    const delays = Array.from({ length: 6 }, () => b.nextDelayMs());
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.nextDelayMs()).toBe(100);
    expect(b.attempts).toBe(1);
  });

  it('does not overflow after a very long outage', () => {
    const b = new Backoff({ initialMs: 1, maxMs: 5000, factor: 10 }, () => 0.5);
    for (let n = 0; n < 10_000; n++) b.nextDelayMs();
    expect(Number.isFinite(b.nextDelayMs())).toBe(true);
  });
});
