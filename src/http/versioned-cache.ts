// Caches the API's expensive computations (recommendations, drops, the graph, namespace figures)
// keyed by what they depend on: the store's data version and the snapshot's identity. An entry is
// reused while both are unchanged, or — so a live pipeline writing every second does not force a
// recomputation per page load — while it is younger than `maxStaleMs`. LRU-bounded in entries and,
// with `sizeOf`, in bytes.
import { BoundedLru } from './bounded-lru.js';
import type { ClusterSnapshot } from '../policy/model.js';
import type { FlowStore } from '../store/types.js';

export interface VersionedCacheOptions<T = unknown> {
  readonly maxEntries?: number;
  /** Bound on the bytes of the values kept (by sizeOf); a larger value is returned but not kept. */
  readonly maxBytes?: number;
  readonly sizeOf?: (value: T) => number;
  readonly maxStaleMs?: number;
  readonly now?: () => number;
}

interface Entry<T> {
  readonly version: string;
  readonly computedMs: number;
  readonly value: T;
}

export class VersionedCache<T> {
  private readonly entries: BoundedLru<string, Entry<T>>;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(options: VersionedCacheOptions<T> = {}) {
    const sizeOf = options.sizeOf;
    this.entries = new BoundedLru({
      maxEntries: options.maxEntries ?? 256,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(sizeOf !== undefined ? { sizeOf: (entry: Entry<T>) => sizeOf(entry.value) } : {}),
    });
    this.maxStaleMs = Math.max(0, options.maxStaleMs ?? 0);
    this.now = options.now ?? Date.now;
  }

  get(key: string, version: string, compute: () => T): T {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && (entry.version === version || now - entry.computedMs < this.maxStaleMs)) {
      this.hits++;
      return entry.value;
    }
    this.misses++;
    const value = compute();
    this.entries.set(key, { version, computedMs: this.now(), value });
    return value;
  }

  /** Bytes held by the kept values (by sizeOf). */
  get bytes(): number {
    return this.entries.bytes;
  }
}

/** Sets `key` as the most recent entry of an insertion-ordered map, dropping the oldest past `maxEntries` (LRU). */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > maxEntries) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
  }
}

/** Keeps `run` in `running` under `key` until it settles (the single flight of that key). */
export function track<T>(running: Map<string, Promise<T>>, key: string, run: Promise<T>): Promise<T> {
  running.set(key, run);
  const done = (): void => {
    if (running.get(key) === run) running.delete(key);
  };
  void run.then(done, done);
  return run;
}

/**
 * The store's data version: changes whenever a batch is written (counters and edge count).
 * Memoised for `memoMs` so a burst of requests costs one count query.
 */
export function dataVersion(
  store: Pick<FlowStore, 'totals'>,
  options: { readonly memoMs?: number; readonly now?: () => number } = {},
): () => string {
  const memoMs = options.memoMs ?? 250;
  const now = options.now ?? Date.now;
  let cached: { at: number; version: string } | undefined;
  return () => {
    const t = now();
    if (cached !== undefined && t - cached.at < memoMs) return cached.version;
    const totals = store.totals();
    cached = { at: t, version: `${totals.accepted}:${totals.rejected}:${totals.edges}` };
    return cached.version;
  };
}

const snapshotIds = new WeakMap<ClusterSnapshot, number>();
let nextSnapshotId = 1;

/** A stable id per snapshot object (a new snapshot from the inventory is a new object). */
export function snapshotVersion(snapshot: ClusterSnapshot | undefined): string {
  if (snapshot === undefined) return 'none';
  let id = snapshotIds.get(snapshot);
  if (id === undefined) {
    id = nextSnapshotId++;
    snapshotIds.set(snapshot, id);
  }
  return `s${id}`;
}
