// Tailing sources for Calico logs on disk: Calico `Log` rule kernel lines (kern.log / syslog,
// format `calico-iptables`, enriched through the inventory's IP → pod index) and Calico flow-log
// files (`calico-flowlog`). Both wrap the shared file reader (src/sources/file-reader.ts: identity,
// truncation and rotation handling). Backpressure: the reader hands lines synchronously, so when
// the sink refuses (push → false) we stop consuming at that line, abort the read, wait for
// drained(), and reopen from the consumed offset (same file identity, else from 0) — the file is
// the buffer, nothing is queued here.
import { open } from 'node:fs/promises';
import type { FlowFormat } from '../flows/parsers.js';
import { parseLineBytes, parserFor } from '../flows/parsers.js';
import { MAX_LINE_BYTES_DEFAULT, reject } from '../flows/flow.js';
import type { LineParser, ParseResult } from '../flows/flow.js';
import { silentLogger, systemClock } from './backoff.js';
import type { Clock, SourceLogger } from './backoff.js';
import { formatIdentity, readFile, resumeOffset } from './file-reader.js';
import { enrichResult } from './kernel-log-enrich.js';
import type { PodAt } from './kernel-log-enrich.js';
import type { FlowSink, FlowSource, SourceState, SourceStatus } from './source.js';

export interface LogTailOptions {
  readonly name: string;
  readonly path: string;
  /** `calico-iptables` for kernel LOG lines, `calico-flowlog` for Calico flow-log files. */
  readonly format: Extract<FlowFormat, 'calico-iptables' | 'calico-flowlog'>;
  /** Resume point (e.g. the store's checkpoint for this path); absent: from the start of the file. */
  readonly resumeFrom?: { readonly identity: string; readonly offset: number };
  readonly follow?: boolean;
  readonly pollMs?: number;
  readonly maxLineBytes?: number;
  /** Resolves addresses to pods at the flow's time (LiveInventory.podAt). */
  readonly podAt?: PodAt;
  readonly clock?: Clock;
  readonly logger?: SourceLogger;
}

export interface LogTailStatus extends SourceStatus {
  /** Where reading stands: identity of the current file and the offset just past the last consumed line. */
  readonly position?: { readonly identity: string; readonly offset: number };
  readonly pauses: number;
}

export class LogTailSource implements FlowSource {
  readonly name: string;
  readonly type: string;
  private readonly opts: LogTailOptions;
  private readonly clock: Clock;
  private readonly logger: SourceLogger;
  private readonly parser: LineParser;
  private readonly abort = new AbortController();
  private runPromise: Promise<void> | undefined;
  private state: SourceState = 'stopped';
  private position: { identity: string; offset: number } | undefined;
  private events = 0;
  private errors = 0;
  private pauses = 0;
  private lastEventMs: number | undefined;
  private lagMs: number | undefined;
  private lastError: string | undefined;

  constructor(options: LogTailOptions) {
    this.opts = options;
    this.name = options.name;
    this.type = options.format === 'calico-iptables' ? 'kernel-log' : 'calico-flowlog';
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    // Classic syslog timestamps have no year: the adapter supplies it from its clock.
    this.parser = parserFor(options.format, { year: new Date(this.clock.now()).getUTCFullYear() });
    if (options.resumeFrom !== undefined) this.position = { ...options.resumeFrom };
  }

  start(sink: FlowSink): Promise<void> {
    if (this.runPromise !== undefined) return Promise.reject(new Error(`source ${this.name} already started`));
    this.state = 'starting';
    this.runPromise = this.run(sink);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.runPromise;
    this.state = 'stopped';
  }

  status(): LogTailStatus {
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      ...(this.lastEventMs === undefined ? {} : { lastEventMs: this.lastEventMs }),
      ...(this.lagMs === undefined ? {} : { lagMs: this.lagMs }),
      events: this.events,
      errors: this.errors,
      lostEvents: 0,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.position === undefined ? {} : { position: { ...this.position } }),
      pauses: this.pauses,
    };
  }

  private async run(sink: FlowSink): Promise<void> {
    const maxLineBytes = this.opts.maxLineBytes ?? MAX_LINE_BYTES_DEFAULT;
    while (!this.abort.signal.aborted) {
      // One read pass: ends at EOF (no follow), on stop, or when the sink asked us to pause.
      const pass = new AbortController();
      const onStop = (): void => pass.abort();
      this.abort.signal.addEventListener('abort', onStop, { once: true });
      let full = false;
      try {
        const handle = await open(this.opts.path, 'r');
        const startOffset = await resumeOffset(handle, this.position);
        this.state = 'connected';
        await readFile({
          path: this.opts.path,
          handle,
          startOffset,
          maxLineBytes,
          follow: this.opts.follow ?? true,
          pollMs: this.opts.pollMs ?? 250,
          sleep: (ms, signal) => this.clock.sleep(ms, signal),
          signal: pass.signal,
          fileChanged: (identity) => {
            this.position = { identity: formatIdentity(identity), offset: this.position?.identity === formatIdentity(identity) ? this.position.offset : 0 };
          },
          line: (bytes, endOffset) => {
            if (full) return; // consumed after the pause point: read again on resume
            let result = parseLineBytes(this.parser, bytes, maxLineBytes);
            if (this.opts.podAt !== undefined) result = enrichResult(result, this.opts.podAt);
            this.consumed(endOffset);
            if (!result.ok && bytes.length === 0) return; // blank line
            if (!this.deliver(sink, result)) {
              full = true;
              pass.abort();
            }
          },
          oversized: (byteLength, endOffset) => {
            if (full) return;
            this.consumed(endOffset);
            if (!this.deliver(sink, reject('oversized_line', `line of ${byteLength} bytes exceeds ${maxLineBytes}`))) {
              full = true;
              pass.abort();
            }
          },
        });
        if (!full && this.opts.follow === false) break;
      } catch (err) {
        this.errors += 1;
        this.lastError = err instanceof Error ? err.message.slice(0, 300) : String(err);
        this.state = 'reconnecting';
        this.logger.warn({ source: this.name, error: this.lastError }, 'log tail failed; retrying');
        await this.clock.sleep(this.opts.pollMs ?? 1000, this.abort.signal);
      } finally {
        this.abort.signal.removeEventListener('abort', onStop);
      }
      if (full) {
        this.pauses += 1;
        await Promise.race([sink.drained(), new Promise<void>((resolve) => this.abort.signal.addEventListener('abort', () => resolve(), { once: true }))]);
      }
    }
    if (this.state !== 'failed') this.state = 'stopped';
  }

  private consumed(endOffset: number): void {
    if (this.position !== undefined) this.position.offset = endOffset;
  }

  private deliver(sink: FlowSink, result: ParseResult): boolean {
    this.events += 1;
    const now = this.clock.now();
    this.lastEventMs = now;
    if (result.ok) this.lagMs = Math.max(0, now - result.flow.timeMs);
    return sink.push(result);
  }
}
