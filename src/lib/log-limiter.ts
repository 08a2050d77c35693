// Rate-limiting repeated warnings into counted summaries (house style §4): one log line per key
// per interval, and how many were suppressed in between.
import type { Clock } from './clock.js';

/** Allows one log line per key per interval and counts what it suppressed. */
export class LogLimiter {
  private readonly last = new Map<string, number>();
  private readonly dropped = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  allow(key: string): boolean {
    const now = this.clock.now();
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.intervalMs) {
      this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
      return false;
    }
    if (this.last.size > 1000) this.last.clear();
    this.last.set(key, now);
    return true;
  }

  /** How many lines for key were suppressed since the last allowed one (and resets it). */
  suppressed(key: string): number {
    const n = this.dropped.get(key) ?? 0;
    this.dropped.delete(key);
    return n;
  }
}
