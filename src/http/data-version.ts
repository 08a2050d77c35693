// What a computed view's version is made of (view-cache.ts keys its values by it): the store's
// data version, which changes whenever a batch is written, and the cluster snapshot's identity.
import type { ClusterSnapshot } from '../policy/model.js';
import type { FlowStore } from '../store/types.js';

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
