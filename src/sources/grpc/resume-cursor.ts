// Resume-without-double-counting for a gRPC flow stream (reliability.md R2); used by the Hubble
// Relay and Goldmane sources. For Hubble GetFlows: the relay's
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

  /** Starts from a committed resume point: the newest time, and the flows at it already delivered. */
  seed(timeNs: bigint, fingerprints: readonly string[]): void {
    if (this.newestNs !== undefined && timeNs < this.newestNs) return;
    this.newestNs = timeNs;
    this.prune();
    for (const fp of fingerprints.slice(-this.maxKeys)) this.recent.set(fp, timeNs);
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

interface WindowEntry<T> {
  readonly s: number;
  readonly n: number;
  /** Released once the fingerprint is computed (bounds what the window keeps alive). */
  item: T | undefined;
  node: string | undefined;
  fp: string | undefined;
}

const NS = 1_000_000_000;
/** At most this many remembered flows wait for their fingerprint. */
const MAX_PENDING = 1024;

/**
 * The same resume semantics as ResumeCursor, for the hot path of a live stream: times as two
 * numbers (no BigInt per flow) and fingerprints computed lazily. A flow strictly newer than every
 * flow seen cannot be a re-send (a fingerprint carries its flow's time, or is the uuid of a flow
 * with that time), so in the common in-order case nothing is fingerprinted; fingerprints of the
 * remembered window are computed only when a flow arrives at or before the newest time.
 */
export class LazyResumeCursor<T> {
  private newestS: number | undefined;
  private newestN = 0;
  private cutS = 0;
  private cutN = 0;
  private window: WindowEntry<T>[] = [];
  private head = 0;
  /** Index in window of the first entry whose fingerprint is not computed yet. */
  private materialized = 0;
  private readonly keys = new Map<string, WindowEntry<T>>();
  private readonly overlapS: number;
  private readonly overlapN: number;
  private readonly maxKeys: number;
  duplicates = 0;

  constructor(
    options: ResumeCursorOptions,
    initialSinceMs: number | undefined,
    private readonly fingerprintOf: (item: T, node: string | undefined) => string,
  ) {
    const overlapMs = Math.max(0, Math.floor(options.overlapMs));
    this.overlapS = Math.floor(overlapMs / 1000);
    this.overlapN = (overlapMs % 1000) * 1_000_000;
    this.maxKeys = Math.max(1, options.maxKeys);
    if (initialSinceMs !== undefined) {
      const ms = Math.floor(initialSinceMs);
      this.setNewest(Math.floor(ms / 1000), (ms - Math.floor(ms / 1000) * 1000) * 1_000_000);
    }
  }

  /** Records a flow about to be delivered; false when it re-sends one already delivered. */
  accept(ts: ProtoTimestamp, item: T, node: string | undefined): boolean {
    let s = Number.isSafeInteger(ts.seconds) ? (ts.seconds ?? 0) : 0;
    let n = Number.isSafeInteger(ts.nanos) ? (ts.nanos ?? 0) : 0;
    if (n < 0 || n >= NS) {
      const carry = Math.floor(n / NS);
      s += carry;
      n -= carry * NS;
    }
    if (this.newestS === undefined || s > this.newestS || (s === this.newestS && n > this.newestN)) {
      this.setNewest(s, n);
      this.prune();
      this.remember(s, n, item, node, undefined);
      return true;
    }
    // At or before the newest time: possibly a re-send of a remembered flow.
    this.materialize();
    const fp = this.fingerprintOf(item, node);
    if (this.keys.has(fp)) {
      this.duplicates += 1;
      return false;
    }
    if (s > this.cutS || (s === this.cutS && n >= this.cutN)) {
      this.remember(s, n, item, node, fp);
      this.materialized = this.window.length;
    }
    return true;
  }

  /**
   * Starts from a committed resume point (the store's, after a restart): since = that time, and
   * flows at it with these fingerprints are re-sends of flows already committed.
   */
  seed(seconds: number, nanos: number, fingerprints: readonly string[]): void {
    if (
      this.newestS !== undefined &&
      (seconds < this.newestS || (seconds === this.newestS && nanos < this.newestN))
    )
      return;
    this.setNewest(seconds, nanos);
    this.prune();
    this.materialize();
    for (const fp of fingerprints.slice(-this.maxKeys)) {
      const entry: WindowEntry<T> = { s: seconds, n: nanos, item: undefined, node: undefined, fp };
      this.window.push(entry);
      this.keys.set(fp, entry);
      if (this.window.length - this.head > this.maxKeys) this.dropHead();
    }
    this.materialized = this.window.length;
  }

  /** The `since` for the next GetFlows, or undefined before any flow was seen. */
  since(): { seconds: number; nanos: number } | undefined {
    if (this.newestS === undefined) return undefined;
    return this.cutS < 0 ? { seconds: 0, nanos: 0 } : { seconds: this.cutS, nanos: this.cutN };
  }

  get rememberedKeys(): number {
    return this.window.length - this.head;
  }

  private setNewest(s: number, n: number): void {
    this.newestS = s;
    this.newestN = n;
    let cs = s - this.overlapS;
    let cn = n - this.overlapN;
    if (cn < 0) {
      cn += NS;
      cs -= 1;
    }
    this.cutS = cs;
    this.cutN = cn;
  }

  private remember(s: number, n: number, item: T, node: string | undefined, fp: string | undefined): void {
    const entry: WindowEntry<T> = { s, n, item, node, fp };
    this.window.push(entry);
    if (fp !== undefined) this.keys.set(fp, entry);
    if (this.window.length - this.head > this.maxKeys) this.dropHead();
    // A wide overlap window would keep every decoded flow alive: fingerprint in bulk instead.
    if (this.window.length - this.materialized > MAX_PENDING) this.materialize();
  }

  private dropHead(): void {
    const entry = this.window[this.head];
    if (entry === undefined) return;
    this.head += 1;
    if (entry.fp !== undefined && this.keys.get(entry.fp) === entry) this.keys.delete(entry.fp);
    if (this.head === this.window.length) {
      this.window = [];
      this.head = 0;
      this.materialized = 0;
    } else if (this.head > 1024 && this.head * 2 > this.window.length) {
      this.window = this.window.slice(this.head);
      this.materialized = Math.max(0, this.materialized - this.head);
      this.head = 0;
    }
  }

  /** Drops remembered flows older than the window, from the front (arrival ≈ time order). */
  private prune(): void {
    for (;;) {
      const entry = this.window[this.head];
      if (entry === undefined || entry.s > this.cutS || (entry.s === this.cutS && entry.n >= this.cutN))
        return;
      this.dropHead();
    }
  }

  private materialize(): void {
    if (this.materialized < this.head) this.materialized = this.head;
    for (let i = this.materialized; i < this.window.length; i++) {
      const entry = this.window[i];
      if (entry === undefined || entry.fp !== undefined || entry.item === undefined) continue;
      entry.fp = this.fingerprintOf(entry.item, entry.node);
      entry.item = undefined;
      entry.node = undefined;
      this.keys.set(entry.fp, entry);
    }
    this.materialized = this.window.length;
  }
}
