// Stale-while-revalidate for the API's computed views. A dashboard wants an answer now: when the
// data changed since a view was computed, the previous value is returned at once (marked stale,
// with the version it was computed from) and one recomputation starts in the background; the
// next request after it finishes gets the new value. Only a view never computed makes its
// request wait (for a recomputation that may run off the main thread). At most one computation
// per key at a time; a failed one is reported to `onError` and the previous value kept (a
// request with nothing to fall back on gets the error). `minRefreshMs` spaces recomputations of
// a key under a live pipeline writing every second. LRU-bounded in entries and, with `sizeOf`, in bytes.
import { BoundedLru } from './bounded-lru.js';
import { setNewest, track } from './versioned-cache.js';

export interface Versioned<T> {
  readonly value: T;
  /** The version of the inputs the value was computed from. */
  readonly version: string;
}

export interface Revalidated<T> extends Versioned<T> {
  /** When the value was computed (the cache's clock). */
  readonly computedMs: number;
  /** True when `version` is older than the version asked for (a recomputation is running or due). */
  readonly stale: boolean;
}

export interface RevalidatingCacheOptions<T = unknown> {
  readonly maxEntries?: number;
  /** Bound on the bytes of the values kept (by sizeOf); a larger value is served but not kept. */
  readonly maxBytes?: number;
  readonly sizeOf?: (value: T) => number;
  /** Don't start a new computation of a key within this long of its last one (default 0). */
  readonly minRefreshMs?: number;
  readonly now?: () => number;
  readonly onError?: (key: string, error: unknown) => void;
  /**
   * The request that starts a background recomputation waits for it up to this long and gets the
   * new value if it is done by then (a small store then never looks stale); others never wait.
   */
  readonly staleGraceMs?: number;
}

interface Entry<T> extends Versioned<T> {
  readonly computedMs: number;
}

export class RevalidatingCache<T> {
  private readonly entries: BoundedLru<string, Entry<T>>;
  private readonly running = new Map<string, Promise<Entry<T>>>();
  private readonly minRefreshMs: number;
  private readonly now: () => number;
  private readonly onError: (key: string, error: unknown) => void;
  private readonly staleGraceMs: number;
  hits = 0;
  staleHits = 0;
  misses = 0;

  constructor(options: RevalidatingCacheOptions<T> = {}) {
    const sizeOf = options.sizeOf;
    this.entries = new BoundedLru({
      maxEntries: options.maxEntries ?? 256,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(sizeOf !== undefined ? { sizeOf: (entry: Entry<T>) => sizeOf(entry.value) } : {}),
    });
    this.minRefreshMs = Math.max(0, options.minRefreshMs ?? 0);
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.staleGraceMs = Math.max(0, options.staleGraceMs ?? 0);
  }

  /**
   * The value of `key` for `version`: the cached one at once (stale if computed from another
   * version, then recomputed in the background), else the running or a new computation's.
   */
  get(key: string, version: string, compute: () => Promise<Versioned<T>>): Promise<Revalidated<T>> {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      const running = this.running.get(key) ?? this.start(key, compute);
      return running.then((fresh) => ({ ...fresh, stale: fresh.version !== version }));
    }
    if (entry.version === version) {
      this.hits++;
      return Promise.resolve({ ...entry, stale: false });
    }
    this.staleHits++;
    const stale: Revalidated<T> = { ...entry, stale: true };
    if (this.running.has(key) || this.now() - entry.computedMs < this.minRefreshMs)
      return Promise.resolve(stale);
    const refresh = this.start(key, compute).then(
      (fresh): Revalidated<T> => ({ ...fresh, stale: fresh.version !== version }),
      (error: unknown) => {
        this.onError(key, error);
        return stale;
      },
    );
    if (this.staleGraceMs === 0) return Promise.resolve(stale);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(stale), this.staleGraceMs);
      timer.unref();
      void refresh.then((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }

  /** Bytes held by the kept values (by sizeOf). */
  get bytes(): number {
    return this.entries.bytes;
  }

  /** The computation of `key` running now, if any (tests, the bench). */
  pending(key: string): Promise<unknown> | undefined {
    return this.running.get(key);
  }

  /** Every computation running now, settled (successful or not). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private start(key: string, compute: () => Promise<Versioned<T>>): Promise<Entry<T>> {
    const run = (async (): Promise<Entry<T>> => {
      const result = await compute();
      const entry: Entry<T> = { value: result.value, version: result.version, computedMs: this.now() };
      this.entries.set(key, entry);
      return entry;
    })();
    return track(this.running, key, run);
  }
}

/**
 * The latest result of one computation per key, recomputed when asked for a newer version: the
 * running computation is shared (never two at once per key), and a caller asking for a version
 * already computed gets it without waiting. For the data under several rendered views.
 */
export class SingleFlight<T> {
  private readonly latest = new Map<string, Versioned<T> & { readonly computedMs: number }>();
  private readonly running = new Map<string, Promise<Versioned<T>>>();
  private readonly maxEntries: number;
  private readonly minRefreshMs: number;
  private readonly now: () => number;

  constructor(
    options: {
      readonly maxEntries?: number;
      readonly minRefreshMs?: number;
      readonly now?: () => number;
    } = {},
  ) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 128);
    this.minRefreshMs = Math.max(0, options.minRefreshMs ?? 0);
    this.now = options.now ?? Date.now;
  }

  /** The result for `version` (or the latest one if computed within minRefreshMs). */
  get(key: string, version: string, compute: () => Promise<T> | T): Promise<Versioned<T>> {
    const latest = this.latest.get(key);
    if (
      latest !== undefined &&
      (latest.version === version || this.now() - latest.computedMs < this.minRefreshMs)
    )
      return Promise.resolve(latest);
    const running = this.running.get(key);
    if (running !== undefined) return running;
    const run = (async (): Promise<Versioned<T>> => {
      const value = await compute();
      const result = { value, version, computedMs: this.now() };
      setNewest(this.latest, key, result, this.maxEntries);
      return result;
    })();
    return track(this.running, key, run);
  }
}
