// The one cache of the API's computed views, on lru-cache: bounded in entries and, with `sizeOf`,
// in bytes (a value larger than the whole budget is served but not kept); each value carries the
// version of the data it was computed from. A value is reused while its version is the one asked
// for, or while it is younger than `minRefreshMs` (lru-cache's `ttl`: a live pipeline writing
// every second must not force a recomputation per page load). Past that:
// - `get` is stale-while-revalidate (lru-cache's `fetchMethod` with `allowStale`): the previous
//   value at once, marked stale, while one recomputation runs in the background; the request that
//   starts it waits up to `staleGraceMs` for it (a small store then never looks stale). Only a key
//   never computed makes its request wait.
//   A value older than `staleMaxAgeMs` is not served stale: its request waits for the
//   recomputation (and gets the old value only if that fails).
// - `fresh` waits for the recomputation (the data under several rendered views).
// - `refresh` recomputes a value whose version is not the one asked for, young or not, and waits
//   (the background refresher, view-refresher.ts).
// - `getSync` computes on the caller's stack (a page of current data, rendered now).
// At most one computation per key at a time (lru-cache shares an in-flight fetch). A failed one
// is reported to `onError` and not cached: the previous value stays (noDeleteOnFetchRejection),
// and a request with nothing to fall back on gets the error.
import { LRUCache } from 'lru-cache';

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

export interface ViewCacheOptions<T> {
  readonly maxEntries: number;
  /** Bound on the bytes of the values kept (by sizeOf). */
  readonly maxBytes?: number;
  readonly sizeOf?: (value: T) => number;
  /** A value younger than this is reused whatever the version (default 0: never). */
  readonly minRefreshMs?: number;
  readonly now?: () => number;
  readonly onError?: (key: string, error: unknown) => void;
  /** How long the request that starts a background recomputation waits for it (default 0). */
  readonly staleGraceMs?: number;
  /** A stale value older than this (since computed) is not served while recomputing (default: any age). */
  readonly staleMaxAgeMs?: number;
}

interface Entry<T> extends Versioned<T> {
  readonly computedMs: number;
}

type Compute<T> = () => Promise<Versioned<T>> | Versioned<T>;

export class ViewCache<T> {
  private readonly cache: LRUCache<string, Entry<T>, Compute<T>>;
  private readonly minRefreshMs: number;
  private readonly now: () => number;
  private readonly onError: (key: string, error: unknown) => void;
  private readonly staleGraceMs: number;
  private readonly staleMaxAgeMs: number;
  /** The computation running now per key (settled(), and a stale get starts no second one). */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(options: ViewCacheOptions<T>) {
    const sizeOf = options.sizeOf;
    this.minRefreshMs = Math.max(0, options.minRefreshMs ?? 0);
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.staleGraceMs = Math.max(0, options.staleGraceMs ?? 0);
    this.staleMaxAgeMs = options.staleMaxAgeMs ?? Number.POSITIVE_INFINITY;
    this.cache = new LRUCache<string, Entry<T>, Compute<T>>({
      max: Math.max(1, options.maxEntries),
      ...(options.maxBytes !== undefined && sizeOf !== undefined
        ? {
            maxSize: Math.max(1, options.maxBytes),
            sizeCalculation: (entry) => Math.max(1, sizeOf(entry.value)),
          }
        : {}),
      // ttl 0 means "never stale" to lru-cache: without a refresh spacing, only the version decides.
      ...(this.minRefreshMs > 0 ? { ttl: this.minRefreshMs, ttlResolution: 0 } : {}),
      perf: { now: this.now },
      // A value past its ttl stays: it is the stale value served while recomputing.
      allowStale: true,
      noDeleteOnStaleGet: true,
      noDeleteOnFetchRejection: true,
      // A recomputation whose key was evicted meanwhile still answers the requests waiting for it.
      ignoreFetchAbort: true,
      fetchMethod: async (_key, _stale, { context }) => {
        const result = await context();
        return { value: result.value, version: result.version, computedMs: this.now() };
      },
    });
  }

  /** Bytes held by the kept values (by sizeOf). */
  get bytes(): number {
    return this.cache.calculatedSize;
  }

  /** The value of `key` for `version`, stale-while-revalidate (see the header). */
  async get(key: string, version: string, compute: Compute<T>): Promise<Revalidated<T>> {
    const entry = this.cache.get(key);
    if (entry === undefined) return mark(await this.fetch(key, compute, false), version);
    if (entry.version === version) return { ...entry, stale: false };
    const stale: Revalidated<T> = { ...entry, stale: true };
    if (this.isYoung(key)) return stale;
    const inFlight = this.running.get(key);
    if (inFlight !== undefined) {
      if (this.now() - entry.computedMs <= this.staleMaxAgeMs) return stale;
      return inFlight.then(
        (fresh) => mark(fresh as Entry<T>, version),
        () => stale,
      );
    }
    const refresh = this.fetch(key, compute, true).then(
      (fresh) => mark(fresh, version),
      (error: unknown) => {
        this.onError(key, error);
        return stale;
      },
    );
    // Too old to be served as current: wait for the new value, as a first request does.
    if (this.now() - entry.computedMs > this.staleMaxAgeMs) return refresh;
    if (this.staleGraceMs === 0) return stale;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(stale), this.staleGraceMs);
      timer.unref();
      void refresh.then((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }

  /** The value for `version` (or one younger than minRefreshMs), waiting for a recomputation. */
  async fresh(key: string, version: string, compute: Compute<T>): Promise<Versioned<T>> {
    const entry = this.cache.get(key);
    if (entry !== undefined && (entry.version === version || this.isYoung(key))) return entry;
    return this.fetch(key, compute, entry !== undefined);
  }

  /** The value for `version` exactly, recomputed (and waited for) unless it is the cached one's. */
  async refresh(key: string, version: string, compute: Compute<T>): Promise<Versioned<T>> {
    const entry = this.cache.get(key);
    if (entry !== undefined && entry.version === version) return entry;
    return this.fetch(key, compute, entry !== undefined);
  }

  /** Like `fresh`, computed on the caller's stack. */
  getSync(key: string, version: string, compute: () => T): T {
    const entry = this.cache.get(key);
    if (entry !== undefined && (entry.version === version || this.isYoung(key))) return entry.value;
    const value = compute();
    this.cache.set(key, { value, version, computedMs: this.now() });
    return value;
  }

  /** Every computation running now, settled (successful or not). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private isYoung(key: string): boolean {
    return this.minRefreshMs > 0 && this.cache.getRemainingTTL(key) > 0;
  }

  private async fetch(key: string, compute: Compute<T>, refresh: boolean): Promise<Entry<T>> {
    const run = this.cache.fetch(key, { context: compute, forceRefresh: refresh, allowStale: false });
    this.running.set(key, run);
    try {
      const entry = await run;
      // Only an abort resolves to nothing, and ignoreFetchAbort rules that out.
      if (entry === undefined) throw new Error(`view cache: the computation of ${key} was aborted`);
      return entry;
    } finally {
      if (this.running.get(key) === run) this.running.delete(key);
    }
  }
}

function mark<T>(entry: Entry<T>, version: string): Revalidated<T> {
  return { ...entry, stale: entry.version !== version };
}
