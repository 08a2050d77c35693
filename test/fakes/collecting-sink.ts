// A FlowSink that keeps what it receives and can refuse (push → false) above a capacity until the
// test drains it: the pipeline's backpressure contract without the store behind it.
import type { ParseResult } from '../../src/flows/flow.js';
import type { FlowSink } from '../../src/sources/source.js';

export class CollectingSink implements FlowSink {
  readonly results: ParseResult[] = [];
  private waiters: (() => void)[] = [];
  refusals = 0;
  /** push() answers false once this many results are held (Infinity: never). */
  capacity: number;

  constructor(capacity = Number.POSITIVE_INFINITY) {
    this.capacity = capacity;
  }

  push(result: ParseResult): boolean {
    this.results.push(result);
    const ok = this.results.length < this.capacity;
    if (!ok) this.refusals += 1;
    return ok;
  }

  drained(): Promise<void> {
    if (this.results.length < this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Raises the capacity (e.g. to Infinity) and wakes a paused source. */
  open(capacity = Number.POSITIVE_INFINITY): void {
    this.capacity = capacity;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  get flows() {
    return this.results.flatMap((r) => (r.ok ? [r.flow] : []));
  }
}
