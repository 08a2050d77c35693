// Resume-without-double-counting for a Hubble GetFlows stream (reliability.md R2). The relay's
// `since` is inclusive and it merges nodes only roughly in time order, so after a reconnect it
// re-sends flows we already delivered. We remember the fingerprints of the flows delivered in the
// last `overlapMs` before the newest time seen (with overlapMs = 0: exactly the flows at the last
// timestamp), resume with since = newest − overlapMs, and drop re-sent fingerprints. The memory is
// bounded by maxKeys; when it is exceeded the oldest fingerprints go first.

export interface ProtoTimestamp {
  readonly seconds?: number;
  readonly nanos?: number;
}

const NS_PER_S = 1_000_000_000n;

export function timestampToNs(ts: ProtoTimestamp): bigint {
  const s = Number.isSafeInteger(ts.seconds) ? (ts.seconds ?? 0) : 0;
  const n = Number.isSafeInteger(ts.nanos) ? (ts.nanos ?? 0) : 0;
  return BigInt(s) * NS_PER_S + BigInt(n);
}

export function nsToTimestamp(ns: bigint): { seconds: number; nanos: number } {
  const seconds = ns / NS_PER_S;
  return { seconds: Number(seconds), nanos: Number(ns - seconds * NS_PER_S) };
}

export function timestampToMs(ts: ProtoTimestamp): number {
  return (ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export interface ResumeCursorOptions {
  /** How far before the newest flow time a resume starts. 0: exactly at the newest time. */
  readonly overlapMs: number;
  /** Upper bound on remembered fingerprints. */
  readonly maxKeys: number;
}

export class ResumeCursor {
  private newestNs: bigint | undefined;
  /** Fingerprint → flow time, in arrival order (≈ time order; pruned from the front). */
  private readonly recent = new Map<string, bigint>();
  private readonly overlapNs: bigint;
  private readonly maxKeys: number;
  duplicates = 0;

  constructor(options: ResumeCursorOptions, initialSinceMs?: number) {
    this.overlapNs = BigInt(Math.max(0, Math.floor(options.overlapMs))) * 1_000_000n;
    this.maxKeys = Math.max(1, options.maxKeys);
    if (initialSinceMs !== undefined) this.newestNs = BigInt(Math.floor(initialSinceMs)) * 1_000_000n;
  }

  /**
   * Records a flow about to be delivered. Returns false when it is a duplicate of one already
   * delivered (the caller drops it).
   */
  accept(timeNs: bigint, fingerprint: string): boolean {
    if (this.recent.has(fingerprint)) {
      this.duplicates += 1;
      return false;
    }
    if (this.newestNs === undefined || timeNs > this.newestNs) {
      this.newestNs = timeNs;
      this.prune();
    }
    if (timeNs >= this.newestNs - this.overlapNs) {
      this.recent.set(fingerprint, timeNs);
      if (this.recent.size > this.maxKeys) {
        const oldest = this.recent.keys().next();
        if (oldest.done !== true) this.recent.delete(oldest.value);
      }
    }
    return true;
  }

  private prune(): void {
    if (this.newestNs === undefined) return;
    const cutoff = this.newestNs - this.overlapNs;
    for (const [key, t] of this.recent) {
      if (t >= cutoff) break;
      this.recent.delete(key);
    }
  }

  /** The `since` for the next GetFlows, or undefined before any flow was seen. */
  since(): { seconds: number; nanos: number } | undefined {
    if (this.newestNs === undefined) return undefined;
    const ns = this.newestNs - this.overlapNs;
    return nsToTimestamp(ns < 0n ? 0n : ns);
  }

  get rememberedKeys(): number {
    return this.recent.size;
  }
}
