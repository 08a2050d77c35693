// Reconnect pacing for every live source (Hubble Relay, Goldmane, informers): capped exponential
// backoff with jitter. The random source is injected (and the Clock it waits on, lib/clock.ts),
// so tests compute and skip delays instead of sleeping (the client-node `delayFn` pattern).
//
// Delay n (0-based) is drawn uniformly from [initialMs, min(maxMs, initialMs * factor^n)]: full
// jitter spreads reconnect storms across clients, and the floor at initialMs means no failure
// loop ever spins faster than the base delay (reliability.md R4).

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 500, maxMs: 30_000, factor: 2 });

/** Returns a number in [0, 1), like Math.random. */
export type RandomFn = () => number;

export class Backoff {
  private attempt = 0;
  readonly options: BackoffOptions;
  private readonly random: RandomFn;

  constructor(options: Partial<BackoffOptions> = {}, random: RandomFn = Math.random) {
    const merged = { ...DEFAULT_BACKOFF, ...options };
    const initialMs = Math.max(1, merged.initialMs);
    this.options = {
      initialMs,
      maxMs: Math.max(initialMs, merged.maxMs),
      factor: Math.max(1, merged.factor),
    };
    this.random = random;
  }

  /** The ceiling for the next delay, before jitter. */
  ceilingMs(): number {
    const { initialMs, maxMs, factor } = this.options;
    // Cap the exponent so factor^attempt never overflows to Infinity on a very long outage.
    const exp = Math.min(this.attempt, 64);
    return Math.min(maxMs, initialMs * factor ** exp);
  }

  /** The delay before the next attempt; each call grows the ceiling until the cap. */
  nextDelayMs(): number {
    const ceiling = this.ceilingMs();
    const { initialMs } = this.options;
    this.attempt += 1;
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(initialMs + r * (ceiling - initialMs));
  }

  /** Call after a success (first message received): the next failure starts from initialMs. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
