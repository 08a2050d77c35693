// A bounded cache of what the store last committed for recently touched edges (row id, last seen,
// the JSON detail columns), so that folding a batch into a known edge needs no SELECT and no JSON
// re-parse: most batches only add counts to an edge whose detail is already saturated or
// unchanged, and that is one UPDATE by rowid.
//
// The cache is only ever a copy of committed rows: the store clears it when a write transaction
// fails (a rolled-back batch may have updated entries) and when another connection committed to
// the database since this one last wrote (PRAGMA data_version), so it can never make a batch
// skip or repeat detail; counts are always added by the UPDATE itself, never from the cache.
import { EDGE_NAMES_MAX, EDGE_SAMPLE_PODS_MAX, type EdgeDelta } from '../flows/edge.js';
import {
  EDGE_STRING_MAX_CHARS,
  labelsColumn,
  mergeCounts,
  mergeList,
  parseStringList,
  type EdgeDetail,
} from './edge-row.js';

/** Default bound on cached edges (~1 KiB each at most with saturated detail). */
export const EDGE_CACHE_MAX = 20_000;

type ListColumn = 'src_pods' | 'dst_pods' | 'src_names' | 'dst_names' | 'denied_by' | 'allowed_by';

/** A list column's values, parsed once; null when the stored text is not what mergeList would write. */
type ParsedList = ReadonlySet<string> | null;

export class CachedEdge {
  /** Hit since the cache last considered evicting it (see EdgeCache). */
  used = false;
  /** Parsed list columns, filled lazily (most columns are only ever compared by text). */
  private parsed: Partial<Record<ListColumn, ParsedList>> = {};

  constructor(
    readonly id: number,
    /** last_seen_ms of the committed row. */
    public lastSeenMs: number,
    /** The committed JSON columns. */
    public detail: EdgeDetail,
  ) {}

  /**
   * The detail columns after merging `delta`, exactly as mergedDetail(delta, row) computes them
   * for the committed row, or undefined when none of them changes. Does not update the entry
   * (see commit).
   */
  merge(delta: EdgeDelta): EdgeDetail | undefined {
    const d = this.detail;
    let out: EdgeDetail | undefined;
    const newer = delta.lastSeenMs >= this.lastSeenMs;
    if (newer) {
      const src = labelsColumn(delta.sourceLabels);
      const dst = labelsColumn(delta.destinationLabels);
      if (src !== d.src_labels || dst !== d.dst_labels) out = { ...d, src_labels: src, dst_labels: dst };
    }
    out = this.mergeListColumn(out, 'src_pods', delta.sourcePods, EDGE_SAMPLE_PODS_MAX);
    out = this.mergeListColumn(out, 'dst_pods', delta.destinationPods, EDGE_SAMPLE_PODS_MAX);
    out = this.mergeListColumn(out, 'src_names', delta.sourceNames, EDGE_NAMES_MAX);
    out = this.mergeListColumn(out, 'dst_names', delta.destinationNames, EDGE_NAMES_MAX);
    out = this.mergeListColumn(out, 'denied_by', delta.deniedBy, EDGE_NAMES_MAX);
    out = this.mergeListColumn(out, 'allowed_by', delta.allowedBy, EDGE_NAMES_MAX);
    if (delta.dropReasons.size > 0) {
      const merged = mergeCounts(d.drop_reasons, delta.dropReasons, EDGE_NAMES_MAX);
      if (merged !== d.drop_reasons) out = { ...(out ?? d), drop_reasons: merged };
    }
    return out;
  }

  /** Records what the batch wrote (call inside the transaction; the store clears the cache on rollback). */
  commit(lastSeenMs: number, detail: EdgeDetail | undefined): void {
    if (lastSeenMs > this.lastSeenMs) this.lastSeenMs = lastSeenMs;
    if (detail === undefined || detail === this.detail) return;
    for (const column of Object.keys(this.parsed) as ListColumn[]) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- one of the fixed ListColumn keys
      if (detail[column] !== this.detail[column]) delete this.parsed[column];
    }
    this.detail = detail;
  }

  private mergeListColumn(
    out: EdgeDetail | undefined,
    column: ListColumn,
    added: ReadonlySet<string>,
    max: number,
  ): EdgeDetail | undefined {
    if (added.size === 0) return out; // mergeList returns the stored text unchanged
    const known = this.parsedList(column, max);
    if (known !== null) {
      // mergeList would rewrite the same canonical text unless some fitting value is new and there is room.
      if (known.size >= max) return out;
      let anyNew = false;
      for (const value of added) {
        if (value.length <= EDGE_STRING_MAX_CHARS && !known.has(value)) {
          anyNew = true;
          break;
        }
      }
      if (!anyNew) return out;
    }
    const stored = this.detail[column];
    const merged = mergeList(stored, added, max);
    if (merged === stored) return out;
    const next = out ?? { ...this.detail };
    next[column] = merged;
    return next;
  }

  private parsedList(column: ListColumn, max: number): ParsedList {
    let known = this.parsed[column];
    if (known === undefined) {
      const text = this.detail[column];
      const values = new Set(parseStringList(text));
      // Only a list exactly as mergeList writes it (distinct, within bounds, same order) may be
      // compared by membership; anything else takes the full merge.
      known = values.size <= max && JSON.stringify([...values]) === text ? values : null;
      this.parsed[column] = known;
    }
    return known;
  }
}

/**
 * Map of edge key → CachedEdge with at most `max` entries, evicting with CLOCK (second chance),
 * the usual approximation of least-recently-used: a hit only sets a flag; when full, a hand
 * sweeps the entries in insertion order, clearing flags, and drops the first entry whose flag
 * was already clear. The hand is one live Map iterator that keeps its place between evictions
 * (a fresh iterator per eviction would walk past every deleted slot at the front of the table
 * each time: measured at a third of the store's cache upkeep on a 23,000-edge batch).
 */
export class EdgeCache {
  private readonly entries = new Map<string, CachedEdge>();
  private hand: Iterator<[string, CachedEdge]> | undefined;

  constructor(private readonly max: number = EDGE_CACHE_MAX) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedEdge | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) entry.used = true;
    return entry;
  }

  set(key: string, entry: CachedEdge): void {
    if (this.max <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.max) this.evictOne(entry);
  }

  /** Drops one entry other than `keep`; ends within two sweeps, since each sweep clears every flag. */
  private evictOne(keep: CachedEdge): void {
    for (;;) {
      let next = this.hand?.next();
      if (next === undefined || next.done === true) {
        this.hand = this.entries.entries();
        next = this.hand.next();
        if (next.done === true) return;
      }
      const [key, entry] = next.value;
      if (entry === keep) continue;
      if (entry.used) {
        entry.used = false;
        continue;
      }
      this.entries.delete(key);
      return;
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.hand = undefined;
  }
}
