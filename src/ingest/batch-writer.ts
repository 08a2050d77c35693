// The one way flows reach the store: per-batch aggregation into edge deltas, flushed every N lines
// or T ms (clock injected) in one store transaction together with the counters and the checkpoint
// of the last consumed line. Never holds more than one batch. Used by `ingest`, the daemon and
// the live sources (it is a FlowSink); metrics hang off the onBatch hook (no prom-client here).
import { performance } from 'node:perf_hooks';
import { aggregateFlow, type EdgeDelta } from '../flows/edge.js';
import type { IngestResult, NoEdgeReason, ParseResult, RejectReason } from '../flows/flow.js';
import type { ExpectedCheckpoint, FileCheckpoint, FlowStore, ResumePoint } from '../store/types.js';
import type { FlowSink, ResumeMark } from '../sources/source.js';

export interface BatchStats {
  /** Lines (events) the batch consumed, including rejected and blank ones. */
  readonly lines: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  /** Accepted events of the batch that made no edge, by why (see RunTotals). */
  readonly noEdgeByReason: Readonly<Partial<Record<NoEdgeReason, number>>>;
  /** Distinct edges the batch touched. */
  readonly edges: number;
  /** Time spent in the store transaction. */
  readonly durationMs: number;
  readonly checkpoint?: FileCheckpoint;
}

export interface RunTotals {
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  /** Accepted events that made no edge (neither a connection start nor evidence of one), by why. */
  readonly noEdgeByReason: Readonly<Partial<Record<NoEdgeReason, number>>>;
  readonly batches: number;
}

export interface BatchWriterOptions {
  readonly store: Pick<FlowStore, 'writeBatch'>;
  /** Lines per batch (default DEFAULT_BATCH_SIZE). */
  readonly batchSize?: number;
  /** Distinct edges a batch may hold before it is flushed (default DEFAULT_MAX_BATCH_EDGES): the memory bound. */
  readonly maxBatchEdges?: number;
  /** Oldest a non-empty batch may get before it is flushed (default 1000 ms). */
  readonly flushIntervalMs?: number;
  readonly now?: () => number;
  readonly onBatch?: (stats: BatchStats) => void;
}

export interface CheckpointSource {
  readonly sourceKey: string;
  readonly identity: string;
}

// Each batch rewrites every page its edges live on (one UPDATE per touched edge, then the WAL
// commit), so the store's cost per line falls with the lines per batch: on a file whose 100,000
// lines touch 22,000 edges, batches of 1,000,000 lines instead of 100,000 doubled the ingest
// rate (docs/benchmarks.md). What a batch holds in memory is one delta per distinct edge, not
// the lines, so the memory bound is on edges (maxBatchEdges); the line bound only caps how
// much a crash re-reads, and the time bound (the caller's flushIntervalMs) keeps a live tail's
// latency at about a second.
export const DEFAULT_BATCH_SIZE = 1_000_000;
export const DEFAULT_MAX_BATCH_EDGES = 50_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
/** Marks kept for one source at its newest time (the de-dup boundary; the store bounds it too). */
const MAX_MARKS_PER_TIME = 10_000;

export class BatchWriter implements FlowSink {
  private readonly store: Pick<FlowStore, 'writeBatch'>;
  private readonly batchSize: number;
  private readonly maxBatchEdges: number;
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  private readonly onBatch: ((stats: BatchStats) => void) | undefined;

  private deltas = new Map<string, EdgeDelta>();
  private lines = 0;
  private accepted = 0;
  private rejectedByReason: Partial<Record<RejectReason, number>> = {};
  private rejected = 0;
  private noEdgeByReason: Partial<Record<NoEdgeReason, number>> = {};
  private batchStartMs = 0;
  private source: CheckpointSource | undefined;
  private offset: number | undefined;
  /** Per live source: the newest resume marks of the pending batch (all at one time). */
  private marks = new Map<string, ResumeMark[]>();
  /** The stored checkpoint of the source's file as this writer last saw or wrote it (compare-and-set). */
  private expected: ExpectedCheckpoint | undefined;

  private totalAccepted = 0;
  private totalRejected = 0;
  private readonly totalByReason: Partial<Record<RejectReason, number>> = {};
  private readonly totalNoEdge: Partial<Record<NoEdgeReason, number>> = {};
  private batches = 0;

  constructor(options: BatchWriterOptions) {
    this.store = options.store;
    this.batchSize = Math.max(1, Math.trunc(options.batchSize ?? DEFAULT_BATCH_SIZE));
    this.maxBatchEdges = Math.max(1, Math.trunc(options.maxBatchEdges ?? DEFAULT_MAX_BATCH_EDGES));
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.onBatch = options.onBatch;
  }

  /** The file the next lines come from; the pending batch (of another file) is flushed first. */
  setSource(source: CheckpointSource | undefined): void {
    if (this.source?.sourceKey === source?.sourceKey && this.source?.identity === source?.identity) return;
    this.flush();
    // Another file: what this writer knew of the previous one's checkpoint says nothing about it.
    if (this.source !== undefined && this.source.sourceKey !== source?.sourceKey) this.expected = undefined;
    this.source = source;
    this.offset = undefined;
  }

  /**
   * Turns on compare-and-set for the current file's checkpoint: `stored` is the checkpoint read
   * before reading from it (null: none). Every batch then commits only if the stored checkpoint
   * is still the one this writer last saw or wrote, else it throws CheckpointConflictError.
   */
  expectCheckpoint(stored: ExpectedCheckpoint): void {
    this.expected = stored === null ? null : { identity: stored.identity, offset: stored.offset };
  }

  private resumePoints(): ResumePoint[] {
    const points: ResumePoint[] = [];
    for (const [sourceKey, marks] of this.marks) {
      const first = marks[0];
      if (first !== undefined)
        points.push({
          sourceKey,
          seconds: first.seconds,
          nanos: first.nanos,
          boundary: marks.map((m) => m.fingerprint()),
        });
    }
    return points;
  }

  /** Drops the pending batch (after a checkpoint conflict: another writer committed those lines). */
  discard(): void {
    this.marks = new Map();
    this.deltas = new Map();
    this.lines = 0;
    this.accepted = 0;
    this.rejected = 0;
    this.rejectedByReason = {};
    this.noEdgeByReason = {};
    this.offset = undefined;
  }

  /** One parsed line; `endOffset` is the offset just past it in the current source file. */
  add(result: IngestResult, endOffset?: number): void {
    this.begin();
    if (result.ok) {
      this.accepted++;
      const flow = result.flow;
      if (flow === null) this.countNoEdge(result.noEdge ?? 'not-a-connection-start');
      else if (flow.isConnectionStart || flow.established !== undefined) aggregateFlow(flow, this.deltas);
      else this.countNoEdge(flow.noEdge ?? 'not-a-connection-start');
    } else {
      this.countRejected(result.reason);
    }
    this.end(endOffset);
  }

  /** A line rejected before parsing (e.g. oversized, never read into memory). */
  addRejected(reason: RejectReason, endOffset?: number): void {
    this.begin();
    this.countRejected(reason);
    this.end(endOffset);
  }

  /** A line that carries nothing (blank): consumed, not counted. */
  skip(endOffset?: number): void {
    this.begin();
    this.end(endOffset);
  }

  push(result: ParseResult, mark?: ResumeMark): boolean {
    if (mark !== undefined) this.addMarked(result, mark);
    else this.add(result);
    return true;
  }

  /** A live source's event with its resume mark: the batch commits the newest mark per source. */
  addMarked(result: ParseResult, mark: ResumeMark): void {
    // Noted before add(): add() may flush, and the batch it flushes includes this event.
    const held = this.marks.get(mark.sourceKey);
    const first = held?.[0];
    const order = first === undefined ? 1 : mark.seconds - first.seconds || mark.nanos - first.nanos;
    if (order > 0) this.marks.set(mark.sourceKey, [mark]);
    else if (order === 0 && held !== undefined && held.length < MAX_MARKS_PER_TIME) held.push(mark);
    this.add(result);
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  /** Flushes when the pending batch is older than the flush interval (call it from a timer or poll). */
  flushIfDue(): void {
    if (this.lines > 0 && this.now() - this.batchStartMs >= this.flushIntervalMs) this.flush();
  }

  /** Writes the pending batch (if any) in one transaction. On failure the batch stays pending. */
  flush(): void {
    if (this.lines === 0) return;
    const checkpoint: FileCheckpoint | undefined =
      this.source !== undefined && this.offset !== undefined
        ? { sourceKey: this.source.sourceKey, identity: this.source.identity, offset: this.offset }
        : undefined;
    const rejectedByReason = this.rejectedByReason;
    const started = performance.now();
    const resume = this.resumePoints();
    this.store.writeBatch({
      ...(resume.length > 0 ? { resume } : {}),
      deltas: this.deltas.values(),
      accepted: this.accepted,
      rejectedByReason,
      ...(checkpoint !== undefined ? { checkpoint } : {}),
      ...(checkpoint !== undefined && this.expected !== undefined
        ? { expectedCheckpoint: this.expected }
        : {}),
    });
    if (checkpoint !== undefined && this.expected !== undefined)
      this.expected = { identity: checkpoint.identity, offset: checkpoint.offset };
    const stats: BatchStats = {
      lines: this.lines,
      accepted: this.accepted,
      rejected: this.rejected,
      rejectedByReason,
      noEdgeByReason: this.noEdgeByReason,
      edges: this.deltas.size,
      durationMs: performance.now() - started,
      ...(checkpoint !== undefined ? { checkpoint } : {}),
    };
    this.totalAccepted += this.accepted;
    this.totalRejected += this.rejected;
    for (const [reason, count] of Object.entries(rejectedByReason) as [RejectReason, number][]) {
      this.totalByReason[reason] = (this.totalByReason[reason] ?? 0) + count;
    }
    for (const [reason, count] of Object.entries(this.noEdgeByReason) as [NoEdgeReason, number][]) {
      this.totalNoEdge[reason] = (this.totalNoEdge[reason] ?? 0) + count;
    }
    this.noEdgeByReason = {};
    this.batches++;
    this.marks = new Map();
    this.deltas = new Map();
    this.lines = 0;
    this.accepted = 0;
    this.rejected = 0;
    this.rejectedByReason = {};
    this.onBatch?.(stats);
  }

  /** What this writer has committed so far (not counting the pending batch). */
  totals(): RunTotals {
    return {
      accepted: this.totalAccepted,
      rejected: this.totalRejected,
      rejectedByReason: { ...this.totalByReason },
      noEdgeByReason: { ...this.totalNoEdge },
      batches: this.batches,
    };
  }

  get pendingLines(): number {
    return this.lines;
  }

  private begin(): void {
    if (this.lines === 0) this.batchStartMs = this.now();
  }

  private end(endOffset: number | undefined): void {
    this.lines++;
    if (endOffset !== undefined) this.offset = endOffset;
    if (this.lines >= this.batchSize || this.deltas.size >= this.maxBatchEdges) this.flush();
    else this.flushIfDue();
  }

  private countNoEdge(reason: NoEdgeReason): void {
    this.noEdgeByReason[reason] = (this.noEdgeByReason[reason] ?? 0) + 1;
  }

  private countRejected(reason: RejectReason): void {
    this.rejected++;
    this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
  }
}
