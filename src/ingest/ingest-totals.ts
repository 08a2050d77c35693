// What the daemon's writers have committed since it started, summed from their batch stats (the
// shared pipeline's writer and each file source's own): the `ingest` block of /readyz. Accepted
// events that made no edge are counted by why, as the `ingest` summary counts them, so a user of
// the daemon who sees fewer edges than events can tell why (`missing-port`, `reply` …).
import type { NoEdgeReason, RejectReason } from '../flows/flow.js';
import type { BatchStats } from './batch-writer.js';

export interface IngestTotalsReport {
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  readonly noEdgeByReason: Readonly<Partial<Record<NoEdgeReason, number>>>;
  readonly batches: number;
}

export class IngestTotals {
  private accepted = 0;
  private rejected = 0;
  private batches = 0;
  private readonly rejectedByReason: Partial<Record<RejectReason, number>> = {};
  private readonly noEdgeByReason: Partial<Record<NoEdgeReason, number>> = {};

  add(stats: BatchStats): void {
    this.accepted += stats.accepted;
    this.rejected += stats.rejected;
    this.batches++;
    addCounts(this.rejectedByReason, stats.rejectedByReason);
    addCounts(this.noEdgeByReason, stats.noEdgeByReason);
  }

  report(): IngestTotalsReport {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      rejectedByReason: { ...this.rejectedByReason },
      noEdgeByReason: { ...this.noEdgeByReason },
      batches: this.batches,
    };
  }
}

function addCounts<K extends string>(
  into: Partial<Record<K, number>>,
  from: Readonly<Partial<Record<K, number>>>,
): void {
  for (const [key, count] of Object.entries(from) as [K, number | undefined][])
    if (count !== undefined && count > 0) into[key] = (into[key] ?? 0) + count;
}
