// A `type: journal` source: Calico `Log` rule lines read from the systemd journal's kernel
// messages (`journalctl -k -f`), for nodes where the kernel log is not written to a file.
// Lines are RFC 3339 (`-o short-iso-precise`), which the calico-iptables parser reads as is; only
// lines carrying the Log rule prefix are parsed, the rest of the kernel's chatter is skipped.
// Addresses are named through the live inventory when there is one, like the file source.
//
// The journal is followed from "now" (`-n 0`): kernel lines logged while the daemon was down are
// not replayed (the journal cursor is not persisted). Backpressure: when the pipeline is full the
// child's stdout is paused, so journalctl blocks on its pipe instead of our memory growing.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parserFor } from '../flows/parsers.js';
import { MAX_LINE_BYTES_DEFAULT, reject } from '../flows/flow.js';
import { silentLogger, type SourceLogger } from '../lib/logger.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { enrichResult, type PodAt } from './kernel-log-enrich.js';
import { pauseOnFull } from './pause-on-full.js';
import type { FlowSink, FlowSource, SourceState, SourceStatus } from './source.js';

export const JOURNALCTL_ARGS: readonly string[] = [
  '-k',
  '-f',
  '-n',
  '0',
  '-o',
  'short-iso-precise',
  '--no-pager',
];

export interface JournalSourceOptions {
  readonly name: string;
  /** The journalctl executable (a path in tests). */
  readonly command?: string;
  readonly args?: readonly string[];
  /** Only lines containing this are Log rule lines (Calico's default prefixes start with `calico-`). */
  readonly prefix?: string;
  readonly maxLineBytes?: number;
  /** Restart delay after journalctl exits. */
  readonly restartMs?: number;
  readonly podAt?: PodAt;
  readonly clock?: Clock;
  readonly logger?: SourceLogger;
}

export class JournalSource implements FlowSource {
  readonly type = 'journal';
  readonly name: string;
  private readonly parse;
  private state: SourceState = 'stopped';
  private events = 0;
  private errors = 0;
  private lastEventMs: number | undefined;
  private lagMs: number | undefined;
  private lastError: string | undefined;
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly clock: Clock;
  private readonly logger: SourceLogger;

  constructor(private readonly options: JournalSourceOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    const parse = parserFor('calico-iptables', { year: new Date(this.clock.now()).getUTCFullYear() });
    const podAt = options.podAt;
    this.parse = podAt === undefined ? parse : (line: string) => enrichResult(parse(line), podAt);
  }

  start(sink: FlowSink): Promise<void> {
    this.stopped = false;
    this.state = 'starting';
    this.spawnChild(sink);
    return Promise.resolve();
  }

  private spawnChild(sink: FlowSink): void {
    const child = spawn(this.options.command ?? 'journalctl', [...(this.options.args ?? JOURNALCTL_ARGS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const prefix = this.options.prefix ?? 'calico-';
    const maxChars = this.options.maxLineBytes ?? MAX_LINE_BYTES_DEFAULT;
    child.once('spawn', () => {
      this.state = 'connected';
    });
    child.once('error', (error) =>
      this.failed(`cannot run ${this.options.command ?? 'journalctl'}: ${error.message}`, sink),
    );
    let stderrTail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-500);
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.stopped)
        this.failed(
          `journalctl exited (${signal ?? String(code)}): ${stderrTail.trim().split('\n').at(-1) ?? ''}`,
          sink,
        );
    });
    const onPushed = pauseOnFull(child.stdout, sink);
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!line.includes(prefix)) return;
      const result =
        line.length > maxChars ? reject('oversized_line', `line of ${line.length} chars`) : this.parse(line);
      this.events++;
      if (result.ok) {
        const now = this.clock.now();
        this.lastEventMs = now;
        this.lagMs = Math.max(0, now - result.flow.timeMs);
      }
      onPushed(sink.push(result));
    });
  }

  private failed(message: string, sink: FlowSink): void {
    if (this.stopped) return;
    this.errors++;
    this.lastError = message;
    this.state = 'reconnecting';
    this.logger.warn({ source: this.name, error: message }, 'journal source failed; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) this.spawnChild(sink);
    }, this.options.restartMs ?? 5000);
    this.restartTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
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
      ...(this.lagMs !== undefined ? { lagMs: this.lagMs } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }
}
