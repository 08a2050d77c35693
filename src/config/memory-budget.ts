// How the daemon's memory adds up, so that the pod's memory limit holds even when every bounded
// part is full: the main thread's V8 old generation (NODE_OPTIONS --max-old-space-size), the
// analysis worker's (limits.analysisHeapMb, Node's resourceLimits), the rendered-body caches
// (limits.bodyCacheBytes: Buffers, outside the V8 heaps) and a reserve for what no setting bounds.
// deploy/base ships main 160 + worker 192 + bodies 64 + reserve 96 = 512 MiB, its memory limit
// (test/deploy/memory-budget.test.ts parses the rendered manifests and checks they add up). The
// daemon's peak at issue 24's scale (100,000 edges, 15,000 pods) measured 416 MiB with both
// heaps far from full. Pure.

/**
 * MiB of resident memory beyond the two old generations and the body caches: Node's and V8's
 * code and builtins for two isolates, both young generations, SQLite's page caches (the store,
 * the worker's read-only connection, the file sources' connections), socket and stream buffers,
 * allocator slack.
 */
export const UNBOUNDED_RESERVE_MIB = 96;

export interface MemoryBudget {
  /** The main thread's old generation (--max-old-space-size). */
  readonly mainHeapMb: number;
  /** The analysis worker's old generation (limits.analysisHeapMb). */
  readonly workerHeapMb: number;
  /** limits.bodyCacheBytes. */
  readonly bodyCacheBytes: number;
}

/** The memory (MiB) the daemon may reach with every bounded part full. */
export function memoryNeededMiB(budget: MemoryBudget): number {
  return (
    budget.mainHeapMb +
    budget.workerHeapMb +
    Math.ceil(budget.bodyCacheBytes / (1024 * 1024)) +
    UNBOUNDED_RESERVE_MIB
  );
}

/** A Kubernetes memory quantity in MiB (Mi, Gi, M, G, Ki or plain bytes); undefined when not one. */
export function quantityMiB(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity.trim());
  if (match === null) return undefined;
  const factor: Record<string, number> = {
    '': 1 / (1024 * 1024),
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    k: 1000 / (1024 * 1024),
    M: 1e6 / (1024 * 1024),
    G: 1e9 / (1024 * 1024),
  };
  return Number(match[1]) * (factor[match[2] ?? ''] ?? 1);
}

/** The --max-old-space-size of a NODE_OPTIONS value, in MiB; undefined when not set. */
export function maxOldSpaceMb(nodeOptions: string): number | undefined {
  const match = /(?:^|\s)--max-old-space-size=(\d+)(?:\s|$)/.exec(nodeOptions);
  return match === null ? undefined : Number(match[1]);
}
