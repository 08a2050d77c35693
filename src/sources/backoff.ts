// Reconnect pacing for every live source (Hubble Relay, Goldmane, informers): capped exponential
// backoff with jitter, and the clock it waits on. Both are injected so tests compute and skip
// delays instead of sleeping (the client-node `delayFn` pattern).
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

/** Time for adapters: wall-clock now and an abortable sleep. Tests pass a fake. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or early (without rejecting) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The logger surface sources use (a pino child fits); injected, never imported. */
export interface SourceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: SourceLogger = { info: () => undefined, warn: () => undefined };
