// A least-recently-used map bounded both in entries and in bytes (each value's size as the caller
// measures it). The API's caches of rendered bodies are bounded this way: an entry count alone
// let a few very large bodies (a whole-cluster drops list) hold hundreds of MiB. A value larger
// than the whole byte budget is not kept at all (the caller still has it for its request).
export interface BoundedLruOptions<V> {
  readonly maxEntries: number;
  /** Default: unbounded. */
  readonly maxBytes?: number;
  /** The bytes a value holds; required for a byte bound to mean anything (default 0). */
  readonly sizeOf?: (value: V) => number;
}

export class BoundedLru<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number }>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: V) => number;
  private totalBytes = 0;

  constructor(options: BoundedLruOptions<V>) {
    this.maxEntries = Math.max(1, options.maxEntries);
    this.maxBytes = Math.max(0, options.maxBytes ?? Number.POSITIVE_INFINITY);
    this.sizeOf = options.sizeOf ?? (() => 0);
  }

  /** The bytes held now (by sizeOf). */
  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, marked most recently used. */
  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, slot);
    return slot.value;
  }

  /** Stores `value` as the most recent; evicts the least recent past either bound. */
  set(key: K, value: V): void {
    this.delete(key);
    const bytes = Math.max(0, this.sizeOf(value));
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.totalBytes += bytes;
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const slot = this.map.get(key);
    if (slot === undefined) return;
    this.map.delete(key);
    this.totalBytes -= slot.bytes;
  }
}
