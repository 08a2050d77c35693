// Which cached views the background refresher (view-refresher.ts) recomputes after new data: the
// whole-store analyses the daemon computes ahead (pinned: the overview's traffic, the cluster map,
// the drops, every namespace's diagnostics) and the rendered bodies of the analysis routes
// requested lately. Bounded: at most `maxEntries` unpinned entries, least recently requested out
// first, and an entry not requested for `idleMs` is dropped (nobody is looking at it: recomputing
// it would spend CPU for nothing). Analyses run before bodies, so a body re-rendered in the same
// pass finds its analysis done.
export const DEFAULT_REFRESH_MAX_ENTRIES = 32;
export const DEFAULT_REFRESH_IDLE_MS = 60 * 60_000;

interface Entry {
  readonly kind: 'analysis' | 'body';
  readonly pinned: boolean;
  run: () => Promise<unknown>;
  usedMs: number;
}

export interface RefreshListOptions {
  readonly maxEntries?: number;
  readonly idleMs?: number;
}

export class RefreshList {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly idleMs: number;

  constructor(options: RefreshListOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_REFRESH_MAX_ENTRIES);
    this.idleMs = options.idleMs ?? DEFAULT_REFRESH_IDLE_MS;
  }

  /** Records (or renews) a view to recompute after new data; the latest `run` for a key wins. */
  track(key: string, kind: Entry['kind'], run: () => Promise<unknown>, nowMs: number, pinned = false): void {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    this.entries.set(key, { kind, pinned: pinned || entry?.pinned === true, run, usedMs: nowMs });
    let unpinned = 0;
    for (const e of this.entries.values()) if (!e.pinned) unpinned++;
    for (const [k, e] of this.entries) {
      if (unpinned <= this.maxEntries) break;
      if (e.pinned) continue;
      this.entries.delete(k);
      unpinned--;
    }
  }

  /** The views to recompute now: analyses (as first tracked), then bodies (most recently requested first); idle ones are dropped. */
  due(nowMs: number): { readonly key: string; readonly run: () => Promise<unknown> }[] {
    for (const [key, e] of this.entries)
      if (!e.pinned && nowMs - e.usedMs > this.idleMs) this.entries.delete(key);
    const list = [...this.entries];
    return [
      ...list.filter(([, e]) => e.kind === 'analysis'),
      ...list.filter(([, e]) => e.kind === 'body').reverse(),
    ].map(([key, e]) => ({ key, run: e.run }));
  }

  get size(): number {
    return this.entries.size;
  }
}
