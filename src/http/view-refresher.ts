// Background recomputation of the API's cached views when new data lands, so that a request after
// new flows finds a recent body instead of starting a cold computation (issue 24). It polls the
// data version (a counter: no query) every `checkIntervalMs` and calls `refresh` (ApiAnalysis's:
// the analyses in the worker, then the bodies re-rendered) when the version moved and either no
// new data came for `debounceMs` or the first unrefreshed change is `maxDelayMs` old (a steady
// ingest still gets refreshes). Its CPU is bounded: after a refresh that took d ms the next starts
// no earlier than d × (1 / cpuShare − 1) later (cpuShare 0.25: a quarter of one core at most, the
// worker's jobs being one thread). One refresh at a time; a failed one is logged and retried at
// the next change. Timers go through `schedule` and time through `now`, so tests drive it.
export const DEFAULT_REFRESH_DEBOUNCE_MS = 5_000;
export const DEFAULT_REFRESH_MAX_DELAY_MS = 30_000;
export const DEFAULT_REFRESH_CPU_SHARE = 0.25;
export const DEFAULT_REFRESH_CHECK_MS = 1_000;

export interface ViewRefresherOptions {
  /** The version of the data and snapshot the views are computed from. */
  readonly version: () => string;
  /** Recomputes the tracked views for the current version. */
  readonly refresh: () => Promise<void>;
  readonly debounceMs?: number;
  readonly maxDelayMs?: number;
  readonly cpuShare?: number;
  readonly checkIntervalMs?: number;
  /** Runs `fn` after `ms`; returns a cancel. Default: an unref'd setTimeout. */
  readonly schedule?: (fn: () => void, ms: number) => () => void;
  readonly now?: () => number;
  readonly logger?: { error(obj: object, msg?: string): void };
}

export interface ViewRefresherStatus {
  /** Refreshes completed (successful or not). */
  readonly refreshes: number;
  readonly lastDurationMs: number;
  /** The version the last refresh started from. */
  readonly refreshedVersion: string | undefined;
  readonly running: boolean;
}

const defaultSchedule = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export class ViewRefresher {
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private readonly now: () => number;
  private cancel: (() => void) | undefined;
  private seenVersion: string | undefined;
  private refreshedVersion: string | undefined;
  private lastChangeMs = 0;
  private pendingSinceMs: number | undefined;
  private notBeforeMs = 0;
  private running: Promise<void> | undefined;
  private refreshes = 0;
  private lastDurationMs = 0;

  constructor(private readonly options: ViewRefresherOptions) {
    this.schedule = options.schedule ?? defaultSchedule;
    this.now = options.now ?? Date.now;
  }

  /** Starts polling; the views of the current version count as refreshed (the prewarm computes them). */
  start(): void {
    this.seenVersion = this.refreshedVersion = this.options.version();
    this.arm();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  status(): ViewRefresherStatus {
    return {
      refreshes: this.refreshes,
      lastDurationMs: this.lastDurationMs,
      refreshedVersion: this.refreshedVersion,
      running: this.running !== undefined,
    };
  }

  /** The refresh running now, if any, settled (tests). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** One poll: notes a new version and starts a refresh when one is due (the timer calls it). */
  tick(): void {
    const now = this.now();
    const version = this.options.version();
    if (version !== this.seenVersion) {
      this.seenVersion = version;
      this.lastChangeMs = now;
      this.pendingSinceMs ??= now;
    }
    if (this.running !== undefined || version === this.refreshedVersion || now < this.notBeforeMs) return;
    const quiet = now - this.lastChangeMs >= (this.options.debounceMs ?? DEFAULT_REFRESH_DEBOUNCE_MS);
    const overdue =
      now - (this.pendingSinceMs ?? now) >= (this.options.maxDelayMs ?? DEFAULT_REFRESH_MAX_DELAY_MS);
    if (quiet || overdue) this.running = this.run(version);
  }

  private async run(version: string): Promise<void> {
    const startedMs = this.now();
    this.pendingSinceMs = undefined;
    try {
      await this.options.refresh();
    } catch (error) {
      this.options.logger?.error({ err: error }, 'refreshing the cached views failed');
    } finally {
      const endMs = this.now();
      this.refreshedVersion = version;
      this.refreshes++;
      this.lastDurationMs = endMs - startedMs;
      const share = Math.min(1, Math.max(0.01, this.options.cpuShare ?? DEFAULT_REFRESH_CPU_SHARE));
      this.notBeforeMs = endMs + this.lastDurationMs * (1 / share - 1);
      // Data that landed during the refresh is still pending, counted from its arrival.
      if (this.seenVersion !== version) this.pendingSinceMs = this.lastChangeMs;
      this.running = undefined;
    }
  }

  private arm(): void {
    this.cancel = this.schedule(() => {
      this.tick();
      this.arm();
    }, this.options.checkIntervalMs ?? DEFAULT_REFRESH_CHECK_MS);
  }
}
