// FlowSource for Calico OSS 3.30+ Goldmane (`goldmane.Flows/Stream`, usually
// goldmane.calico-system.svc:7443 with mTLS). Goldmane emits one aggregated FlowResult per flow
// key per 15 s window. On reconnect we resume with start_time_gte = the newest window start seen
// (inclusive) and drop records already delivered (content fingerprint over the whole FlowKey and
// the window, goldmane-fingerprint.ts), so nothing is counted twice; reconnects use the shared capped jittered backoff; a full sink pauses the call.
import type * as grpc from '@grpc/grpc-js';
import { Backoff } from '../lib/backoff.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import type { BackoffOptions, RandomFn } from '../lib/backoff.js';
import type { Clock } from '../lib/clock.js';
import type { SourceLogger } from '../lib/logger.js';
import {
  goldmaneFingerprint,
  normalizeGoldmaneFlow,
  type AggregatedWorkloadResolver,
} from './goldmane-flow.js';
import { ResumeCursor } from './grpc/resume-cursor.js';
import { describeGrpcError, isRetryableGrpcError } from './grpc/errors.js';
import { isRecord } from '../lib/is-record.js';
import { LogLimiter } from '../lib/log-limiter.js';
import { newStreamHealth, nextAttemptDelay, type StreamOutcome } from './grpc/reconnect.js';
import { channelSetup, serviceConstructor } from './grpc/proto.js';
import type { GrpcTlsOptions } from './grpc/proto.js';
import { pauseOnFull } from './pause-on-full.js';
import { FingerprintedMark } from './resume-mark.js';
import type { FlowSink, FlowSource, SourceStatus } from './source.js';

export interface GoldmaneOptions {
  readonly name: string;
  /** host:port, e.g. `goldmane.calico-system.svc:7443`. */
  readonly address: string;
  readonly tls?: GrpcTlsOptions;
  /** First connect: Unix seconds to start from (0 or absent: now, Goldmane's default). */
  readonly startTimeGteS?: number;
  /**
   * The committed resume point (the store's, after a restart): start_time_gte = its window start,
   * and re-sent records whose fingerprints it lists are dropped. Wins over startTimeGteS.
   */
  readonly resume?: { readonly seconds: number; readonly boundary: readonly string[] };
  /** With it, every record is pushed with a resume mark under this key (committed with its batch). */
  readonly resumeKey?: string;
  readonly maxDedupKeys?: number;
  /** With an inventory: the real controller behind an aggregated pod name (goldmane-workloads.ts). */
  readonly resolveWorkload?: AggregatedWorkloadResolver;
  readonly backoff?: Partial<BackoffOptions>;
  readonly clock?: Clock;
  readonly random?: RandomFn;
  readonly logger?: SourceLogger;
  readonly channelOptions?: grpc.ChannelOptions;
}

export interface GoldmaneStatus extends SourceStatus {
  readonly reconnects: number;
  readonly duplicates: number;
  readonly pauses: number;
}

export class GoldmaneSource implements FlowSource {
  readonly name: string;
  readonly type = 'goldmane';
  private readonly opts: GoldmaneOptions;
  private readonly clock: Clock;
  private readonly logger: SourceLogger;
  private readonly backoff: Backoff;
  private readonly cursor: ResumeCursor;
  private readonly limiter: LogLimiter;
  private readonly abort = new AbortController();
  private client: grpc.Client | undefined;
  private call: grpc.ClientReadableStream<unknown> | undefined;
  private runPromise: Promise<void> | undefined;
  private readonly health = newStreamHealth();
  private events = 0;
  private pauses = 0;
  private lastEventMs: number | undefined;
  private lagMs: number | undefined;

  constructor(options: GoldmaneOptions) {
    this.opts = options;
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = new Backoff(options.backoff, options.random);
    const since =
      options.startTimeGteS !== undefined && options.startTimeGteS > 0
        ? options.startTimeGteS * 1000
        : undefined;
    this.cursor = new ResumeCursor({ overlapMs: 0, maxKeys: options.maxDedupKeys ?? 100_000 }, since);
    if (options.resume !== undefined)
      this.cursor.seed(BigInt(options.resume.seconds) * 1_000_000_000n, options.resume.boundary);
    this.limiter = new LogLimiter(this.clock, 30_000);
  }

  start(sink: FlowSink): Promise<void> {
    if (this.runPromise !== undefined)
      return Promise.reject(new Error(`source ${this.name} already started`));
    this.health.state = 'starting';
    this.runPromise = this.run(sink);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.call?.cancel();
    await this.runPromise;
    this.client?.close();
    this.client = undefined;
    this.health.state = 'stopped';
  }

  status(): GoldmaneStatus {
    return {
      name: this.name,
      type: this.type,
      state: this.health.state,
      ...(this.lastEventMs === undefined ? {} : { lastEventMs: this.lastEventMs }),
      ...(this.lagMs === undefined ? {} : { lagMs: this.lagMs }),
      events: this.events,
      errors: this.health.errors,
      lostEvents: 0, // Goldmane does not report loss
      ...(this.health.lastError === undefined ? {} : { lastError: this.health.lastError }),
      reconnects: this.health.reconnects,
      duplicates: this.cursor.duplicates,
      pauses: this.pauses,
    };
  }

  private async run(sink: FlowSink): Promise<void> {
    while (!this.abort.signal.aborted) {
      let outcome: StreamOutcome;
      try {
        outcome = await this.streamOnce(sink);
      } catch (err) {
        outcome = {
          kind: 'error',
          message: err instanceof Error ? err.message : String(err),
          retryable: true,
        };
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (this.abort.signal.aborted) break;
      this.client?.close();
      this.client = undefined;
      const delayMs = nextAttemptDelay(this.health, outcome, this.backoff, {
        logger: this.logger,
        limiter: this.limiter,
        source: this.name,
        message: 'goldmane stream lost; reconnecting',
      });
      await this.clock.sleep(delayMs, this.abort.signal);
    }
  }

  private streamOnce(sink: FlowSink): Promise<StreamOutcome> {
    const Ctor = serviceConstructor('goldmane/api.proto', 'goldmane', 'Flows');
    const { credentials, options } = channelSetup(this.opts.tls);
    const client = new Ctor(this.opts.address, credentials, { ...options, ...this.opts.channelOptions });
    this.client = client;
    const since = this.cursor.since();
    // aggregation_interval must be 15; start_time_gte 0 means "now".
    const request = { start_time_gte: since === undefined ? 0 : since.seconds, aggregation_interval: 15 };
    const method = (client as unknown as Record<string, unknown>)['Stream'];
    if (typeof method !== 'function') throw new Error('Stream missing from proto');
    const call = method.call(client, request) as grpc.ClientReadableStream<unknown>;
    this.call = call;
    return new Promise<StreamOutcome>((resolve) => {
      let settled = false;
      const finish = (o: StreamOutcome): void => {
        if (settled) return;
        settled = true;
        call.removeAllListeners('data');
        resolve(o);
      };
      const onPushed = pauseOnFull(call, sink, {
        onPause: () => {
          this.pauses += 1;
        },
        isDone: () => settled,
      });
      call.on('metadata', () => {
        this.health.state = 'connected';
      });
      call.on('data', (msg: unknown) => {
        this.health.state = 'connected';
        this.backoff.reset();
        onPushed(this.handle(msg, sink));
      });
      call.on('error', (err: unknown) => {
        if (this.abort.signal.aborted) return finish({ kind: 'stopped' });
        finish({ kind: 'error', message: describeGrpcError(err), retryable: isRetryableGrpcError(err) });
      });
      call.on('end', () => finish({ kind: 'ended' }));
    });
  }

  private handle(msg: unknown, sink: FlowSink): boolean {
    if (!isRecord(msg)) return true;
    const flow = isRecord(msg['flow']) ? msg['flow'] : {};
    const start = flow['start_time'];
    const startS = typeof start === 'number' && Number.isSafeInteger(start) && start > 0 ? start : 0;
    const key = goldmaneFingerprint(msg);
    if (!this.cursor.accept(BigInt(startS) * 1_000_000_000n, key)) return true;
    const result = normalizeGoldmaneFlow(
      msg,
      this.opts.resolveWorkload === undefined ? {} : { resolveWorkload: this.opts.resolveWorkload },
    );
    this.events += 1;
    const now = this.clock.now();
    this.lastEventMs = now;
    if (startS > 0) this.lagMs = Math.max(0, now - startS * 1000);
    const resumeKey = this.opts.resumeKey;
    return resumeKey === undefined || startS === 0
      ? sink.push(result)
      : sink.push(result, new FingerprintedMark(resumeKey, startS, 0, key));
  }
}
