// The daemon's FlowSink: one bounded queue between the live sources and the BatchWriter.
// push() enqueues and answers false once the queue is full (stream-style: the source pauses
// until drained()); an event pushed while already full is dropped and counted, so the queue
// never exceeds its capacity whatever a source does. The queue is drained into the writer a
// batch per event-loop turn (the HTTP server stays responsive), and a timer on the injected
// clock flushes a partial batch once it is older than the flush interval.
//
// Accounting: pushed = accepted into the writer + droppedQueueFull + depth (in flight).
import type { ParseResult } from '../flows/flow.js';
import type { Clock } from '../lib/clock.js';
import type { FlowSink, ResumeMark } from '../sources/source.js';

/** What the pipeline needs from the BatchWriter. */
export interface PipelineWriter {
  add(result: ParseResult): void;
  /** An event of a live source with its resume mark (committed with the batch). */
  addMarked?(result: ParseResult, mark: ResumeMark): void;
  flush(): void;
  flushIfDue(): void;
}

export interface PipelineHooks {
  /** A push filled the queue: the source is told to pause. */
  onPause?(): void;
  /** An event arrived while the queue was full and was dropped. */
  onDrop?(): void;
  /** Writing a batch failed; the batch stays pending and is retried on the next tick. */
  onError?(error: unknown): void;
}

export interface PipelineOptions {
  readonly writer: PipelineWriter;
  readonly queueCapacity: number;
  /** Events moved from the queue into the writer per event-loop turn. */
  readonly drainChunk: number;
  readonly flushIntervalMs: number;
  readonly clock: Clock;
  readonly hooks?: PipelineHooks;
}

export interface PipelineStats {
  readonly depth: number;
  readonly pushed: number;
  readonly written: number;
  readonly droppedQueueFull: number;
  readonly pauses: number;
}

export class Pipeline implements FlowSink {
  private queue: ParseResult[] = [];
  /** Resume marks by queue index (sparse: only live sources' events carry one). */
  private marks = new Map<number, ResumeMark>();
  private head = 0;
  private waiters: (() => void)[] = [];
  private drainScheduled = false;
  private failing = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private ticker: Promise<void> | undefined;
  private pushed = 0;
  private written = 0;
  private dropped = 0;
  private pauses = 0;

  constructor(private readonly options: PipelineOptions) {}

  /** Starts the flush timer. */
  start(): void {
    this.ticker ??= this.tick();
  }

  get depth(): number {
    return this.queue.length - this.head;
  }

  stats(): PipelineStats {
    return {
      depth: this.depth,
      pushed: this.pushed,
      written: this.written,
      droppedQueueFull: this.dropped,
      pauses: this.pauses,
    };
  }

  push(result: ParseResult, mark?: ResumeMark): boolean {
    this.pushed++;
    if (this.stopped || this.depth >= this.options.queueCapacity) {
      this.dropped++;
      this.options.hooks?.onDrop?.();
      return false;
    }
    if (mark !== undefined) this.marks.set(this.queue.length, mark);
    this.queue.push(result);
    this.scheduleDrain();
    if (this.depth >= this.options.queueCapacity) {
      this.pauses++;
      this.options.hooks?.onPause?.();
      return false;
    }
    return true;
  }

  drained(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Moves everything queued into the writer and commits it (shutdown, tests). Throws if the store does. */
  flushNow(): void {
    this.moveToWriter(Number.POSITIVE_INFINITY);
    this.options.writer.flush();
    this.failing = false;
  }

  /** Stops the timer, refuses further events, and writes everything pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.ticker;
    this.flushNow();
    this.wakeWaiters();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.failing) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drainSome();
    });
  }

  private drainSome(): void {
    try {
      this.moveToWriter(this.options.drainChunk);
      if (this.depth === 0) this.options.writer.flushIfDue();
    } catch (error) {
      // The writer keeps the failed batch; the timer retries it, and the queue fills meanwhile
      // (sources pause) instead of growing.
      this.failing = true;
      this.options.hooks?.onError?.(error);
      return;
    }
    if (this.depth > 0) this.scheduleDrain();
    else this.wakeWaiters();
  }

  private moveToWriter(max: number): void {
    const writer = this.options.writer;
    let moved = 0;
    while (this.head < this.queue.length && moved < max) {
      const result = this.queue[this.head] as ParseResult;
      // Advance first: if add() throws (a flush inside it failed), this event is already in
      // the writer's pending batch and must not be added twice.
      this.head++;
      moved++;
      this.written++;
      const mark = this.marks.size > 0 ? this.marks.get(this.head - 1) : undefined;
      if (mark !== undefined && writer.addMarked !== undefined) {
        this.marks.delete(this.head - 1);
        writer.addMarked(result, mark);
      } else writer.add(result);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.marks.clear();
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      if (this.marks.size > 0) {
        const shifted = new Map<number, ResumeMark>();
        for (const [index, mark] of this.marks) if (index >= this.head) shifted.set(index - this.head, mark);
        this.marks = shifted;
      }
      this.head = 0;
    }
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async tick(): Promise<void> {
    const { clock, flushIntervalMs } = this.options;
    while (!this.abort.signal.aborted) {
      await clock.sleep(flushIntervalMs, this.abort.signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (this.abort.signal.aborted) return;
      try {
        if (this.failing) this.options.writer.flush();
        this.failing = false;
        this.options.writer.flushIfDue();
      } catch (error) {
        this.failing = true;
        this.options.hooks?.onError?.(error);
        continue;
      }
      if (this.depth > 0) this.scheduleDrain();
    }
  }
}
