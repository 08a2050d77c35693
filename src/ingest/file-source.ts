// A `type: file` source for the daemon: tails a flow log (Hubble exporter file, Calico flow logs,
// kernel log lines) through the same reader and writer as `ingest --follow` (file-ingest.ts).
// It writes through its own BatchWriter rather than the shared pipeline queue because the file
// offset must commit in the same transaction as the edges it produced (exactly-once); the file
// itself is the buffer, so its backpressure is simply reading no faster than SQLite writes.
// A file that does not exist yet (the agent has not written it) is retried, not fatal.
import path from 'node:path';
import type { FlowFormat } from '../flows/parsers.js';
import { ingestParserFor, parserFor } from '../flows/parsers.js';
import type { IngestParser } from '../flows/flow.js';
import { enrichResult, type PodAt } from '../sources/kernel-log-enrich.js';
import type { FlowStore } from '../store/types.js';
import type { Clock } from '../lib/clock.js';
import type { BatchStats } from './batch-writer.js';
import { ingestInput } from './file-ingest.js';
import type { FlowSink, FlowSource, SourceState, SourceStatus } from '../sources/source.js';

export interface FileSourceOptions {
  readonly name: string;
  readonly path: string;
  readonly format: FlowFormat;
  readonly follow: boolean;
  /** Only the file's checkpoint and its batches go through it (a thread's bridge, file-source-worker.ts). */
  readonly store: Pick<FlowStore, 'writeBatch' | 'checkpoint'>;
  readonly batchSize: number;
  readonly maxLineBytes: number;
  readonly clock: Clock;
  /** Wait before trying a missing or unreadable file again. */
  readonly retryMs?: number;
  readonly onBatch?: (stats: BatchStats) => void;
  readonly onError?: (error: unknown) => void;
  /**
   * Resolves addresses to pods at the flow's time (the live inventory). Calico Log-rule lines
   * carry only addresses; with this they are named like every other source's flows.
   */
  readonly podAt?: PodAt;
}

export class FileSource implements FlowSource {
  readonly type = 'file';
  readonly name: string;
  private state: SourceState = 'stopped';
  private events = 0;
  private errors = 0;
  private lastEventMs: number | undefined;
  private lastError: string | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: FileSourceOptions) {
    this.name = options.name;
  }

  private parser(year: number): IngestParser {
    const podAt = this.options.podAt;
    if (podAt === undefined) return ingestParserFor(this.options.format, { year });
    const parse = parserFor(this.options.format, { year });
    return (line) => enrichResult(parse(line), podAt);
  }

  start(_sink: FlowSink): Promise<void> {
    if (this.running !== undefined) return Promise.reject(new Error(`source ${this.name} already started`));
    this.state = 'starting';
    this.running = this.run();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.state = 'stopped';
  }

  status(): SourceStatus {
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      events: this.events,
      errors: this.errors,
      lostEvents: 0,
      ...(this.lastEventMs !== undefined ? { lastEventMs: this.lastEventMs } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private async run(): Promise<void> {
    const { clock, store } = this.options;
    const signal = this.abort.signal;
    const year = new Date(clock.now()).getUTCFullYear();
    while (!signal.aborted) {
      try {
        this.state = 'connected';
        await ingestInput({
          store,
          parser: this.parser(year),
          input: { path: path.resolve(this.options.path) },
          batchSize: this.options.batchSize,
          maxLineBytes: this.options.maxLineBytes,
          follow: this.options.follow,
          signal,
          onBatch: (stats) => {
            this.events += stats.lines;
            this.lastEventMs = clock.now();
            this.options.onBatch?.(stats);
          },
        });
        if (!this.options.follow) {
          this.state = 'stopped';
          return;
        }
      } catch (error) {
        this.errors++;
        const code = (error as NodeJS.ErrnoException).code;
        this.lastError =
          code === 'ENOENT'
            ? `${this.options.path}: no such file (waiting for it)`
            : code === 'EACCES'
              ? `${this.options.path}: permission denied`
              : error instanceof Error
                ? error.message
                : String(error);
        this.state = 'reconnecting';
        this.options.onError?.(error);
      }
      await clock.sleep(this.options.retryMs ?? 5000, signal);
    }
  }
}
