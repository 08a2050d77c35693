// FlowSource for Cilium's Hubble Relay (or one node's Hubble server): a long-lived
// `observer.Observer/GetFlows` stream with follow, server-side filters, TLS/mTLS, reconnect with
// capped jittered backoff, resume with `since` without double counting, lost-event accounting,
// and gRPC flow-control backpressure (a full sink pauses the call, so HTTP/2 windows fill and the
// relay stops sending to us; whatever it then drops it reports as LostEvent).
import * as grpc from '@grpc/grpc-js';
import type { ParseResult } from '../flows/flow.js';
import { hubbleParser } from '../flows/hubble.js';
import { Backoff } from '../lib/backoff.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import type { BackoffOptions, RandomFn } from '../lib/backoff.js';
import type { Clock } from '../lib/clock.js';
import type { SourceLogger } from '../lib/logger.js';
import { LazyResumeCursor, timestampToMs } from './grpc/resume-cursor.js';
import type { ProtoTimestamp } from './grpc/resume-cursor.js';
import { connectionStartFilters } from './hubble-relay-filters.js';
import type { RelayFilters } from './hubble-relay-filters.js';
import { decodeGetFlowsResponse } from './hubble-relay-decode.js';
import { checkLeanDecoder } from './hubble-relay-self-check.js';
import { channelSetup, serviceConstructor } from './grpc/proto.js';
import type { GrpcTlsOptions } from './grpc/proto.js';
import { describeGrpcError, isRetryableGrpcError } from './grpc/errors.js';
import { isRecord } from '../lib/is-record.js';
import { LogLimiter } from '../lib/log-limiter.js';
import { newStreamHealth, nextAttemptDelay, type StreamOutcome } from './grpc/reconnect.js';
import { pauseOnFull } from './pause-on-full.js';
import { LazyMark } from './resume-mark.js';
import type { FlowSink, FlowSource, SourceStatus } from './source.js';

/** Same signature as src/flows/hubble.ts `HubbleParser.normalize` (the default: this source's own parser). */
export type HubbleNormalizer = (obj: unknown, envelope?: { nodeName?: string; time?: string }) => ParseResult;

export interface HubbleRelayOptions {
  readonly name: string;
  /** host:port, e.g. `hubble-relay.kube-system.svc:80` (4245 when port-forwarded). */
  readonly address: string;
  readonly tls?: GrpcTlsOptions;
  /** Default: connectionStartFilters(). */
  readonly filters?: RelayFilters;
  /** Resume point on first connect (ms since epoch), e.g. a cursor persisted by the store. */
  readonly sinceMs?: number;
  /**
   * The committed resume point (the store's, after a restart): the first GetFlows asks `since`
   * that exact time and drops re-sent flows whose fingerprints it lists. Wins over sinceMs.
   */
  readonly resume?: {
    readonly seconds: number;
    readonly nanos: number;
    readonly boundary: readonly string[];
  };
  /** With it, every flow is pushed with a resume mark under this key (committed with its batch). */
  readonly resumeKey?: string;
  /**
   * Stale-stream watchdog: a stream that delivered nothing for this long while the relay's
   * ServerStatus shows its seen_flows growing is cancelled and reconnected (0: off).
   */
  readonly staleAfterMs?: number;
  /** Resume with since = newest − overlapMs (default 0: exactly the newest timestamp). */
  readonly overlapMs?: number;
  /** Bound on remembered flow fingerprints for de-duplication (default 100 000). */
  readonly maxDedupKeys?: number;
  readonly backoff?: Partial<BackoffOptions>;
  readonly normalize?: HubbleNormalizer;
  readonly clock?: Clock;
  readonly random?: RandomFn;
  readonly logger?: SourceLogger;
  /** Extra gRPC channel options (tests, tuning). */
  readonly channelOptions?: grpc.ChannelOptions;
}

export interface RelayServerStatus {
  readonly numFlows: number;
  readonly maxFlows: number;
  readonly seenFlows: number;
  readonly connectedNodes: number | undefined;
  readonly unavailableNodes: number | undefined;
  readonly unavailableNodeNames: readonly string[];
  readonly version: string;
}

export interface HubbleRelayStatus extends SourceStatus {
  readonly reconnects: number;
  readonly duplicates: number;
  /** Nodes the relay reported (node_status) as unavailable / gone / in error: results are partial. */
  readonly unavailableNodes: readonly string[];
  /** Times the sink was full and the stream was paused. */
  readonly pauses: number;
  /** Streams the watchdog found stale and reconnected. */
  readonly staleReconnects: number;
  readonly server?: RelayServerStatus;
}

const MAX_TRACKED_NODES = 1024;

export class HubbleRelaySource implements FlowSource {
  readonly name: string;
  readonly type = 'hubble-relay';
  private readonly opts: HubbleRelayOptions;
  private readonly clock: Clock;
  private readonly logger: SourceLogger;
  private readonly backoff: Backoff;
  private readonly cursor: LazyResumeCursor<Record<string, unknown>>;
  private readonly warnLimiter: LogLimiter;
  private readonly normalize: HubbleNormalizer;
  private client: grpc.Client | undefined;
  private call: grpc.ClientReadableStream<unknown> | undefined;
  private runPromise: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly health = newStreamHealth();
  private events = 0;
  private lostEvents = 0;
  private pauses = 0;
  private lastEventMs: number | undefined;
  private lagMs: number | undefined;
  private server: RelayServerStatus | undefined;
  private readonly unavailable = new Set<string>();
  /** Messages received on any stream (the watchdog's sign of life). */
  private messages = 0;
  private staleReconnects = 0;

  constructor(options: HubbleRelayOptions) {
    this.opts = options;
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = new Backoff(options.backoff, options.random);
    this.cursor = new LazyResumeCursor(
      { overlapMs: options.overlapMs ?? 0, maxKeys: options.maxDedupKeys ?? 100_000 },
      options.sinceMs,
      fingerprint,
    );
    if (options.resume !== undefined)
      this.cursor.seed(options.resume.seconds, options.resume.nanos, options.resume.boundary);
    this.normalize = options.normalize ?? hubbleParser().normalize;
    this.warnLimiter = new LogLimiter(this.clock, 30_000);
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
    this.closeClient();
    this.health.state = 'stopped';
  }

  status(): HubbleRelayStatus {
    return {
      name: this.name,
      type: this.type,
      state: this.health.state,
      ...(this.lastEventMs === undefined ? {} : { lastEventMs: this.lastEventMs }),
      ...(this.lagMs === undefined ? {} : { lagMs: this.lagMs }),
      events: this.events,
      errors: this.health.errors,
      lostEvents: this.lostEvents,
      ...(this.health.lastError === undefined ? {} : { lastError: this.health.lastError }),
      reconnects: this.health.reconnects,
      duplicates: this.cursor.duplicates,
      unavailableNodes: [...this.unavailable].sort(),
      pauses: this.pauses,
      staleReconnects: this.staleReconnects,
      ...(this.server === undefined ? {} : { server: this.server }),
    };
  }

  /** Calls ServerStatus (readiness: connected vs unavailable nodes). */
  async serverStatus(timeoutMs = 5000): Promise<RelayServerStatus> {
    const client = this.ensureClient();
    const raw = await new Promise<unknown>((resolve, reject) => {
      // gRPC deadlines are wall-clock, not the injected clock.
      const deadline = new Date(Date.now() + timeoutMs);
      const method = (client as unknown as Record<string, unknown>)['ServerStatus'];
      if (typeof method !== 'function') {
        reject(new Error('ServerStatus missing from proto'));
        return;
      }
      method.call(client, {}, { deadline }, (err: grpc.ServiceError | null, res: unknown) => {
        if (err !== null) reject(new Error(`ServerStatus failed: ${describeGrpcError(err)}`, { cause: err }));
        else resolve(res);
      });
    });
    this.server = parseServerStatus(raw);
    return this.server;
  }

  private ensureClient(): grpc.Client {
    if (this.client === undefined) {
      const { ctor: Ctor, problems } = observerClient();
      if (problems.length > 0) {
        this.logger.warn(
          { source: this.name, problems: problems.slice(0, 20) },
          'hubble relay: observer.proto no longer matches the lean flow decoder; using the generic decoder',
        );
      }
      const { credentials, options } = channelSetup(this.opts.tls);
      this.client = new Ctor(this.opts.address, credentials, { ...options, ...this.opts.channelOptions });
    }
    return this.client;
  }

  private closeClient(): void {
    this.client?.close();
    this.client = undefined;
  }

  private async run(sink: FlowSink): Promise<void> {
    while (!this.abort.signal.aborted) {
      let outcome: StreamOutcome;
      try {
        outcome = await this.streamOnce(sink);
      } catch (err) {
        // Setup failures (unreadable certificate files …): retried at the same pace.
        outcome = {
          kind: 'error',
          message: err instanceof Error ? err.message : String(err),
          retryable: true,
        };
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (this.abort.signal.aborted) break;
      // A new client per attempt: re-reads rotated certificates, drops a wedged channel.
      this.closeClient();
      const delayMs = nextAttemptDelay(this.health, outcome, this.backoff, {
        logger: this.logger,
        limiter: this.warnLimiter,
        source: this.name,
        message: 'hubble relay stream lost; reconnecting',
      });
      await this.clock.sleep(delayMs, this.abort.signal);
    }
  }

  private streamOnce(sink: FlowSink): Promise<StreamOutcome> {
    const client = this.ensureClient();
    const filters = this.opts.filters ?? connectionStartFilters();
    const since = this.cursor.since();
    const request = {
      follow: true,
      whitelist: filters.whitelist,
      blacklist: filters.blacklist,
      ...(since === undefined ? {} : { since }),
    };
    const method = (client as unknown as Record<string, unknown>)['GetFlows'];
    if (typeof method !== 'function') throw new Error('GetFlows missing from proto');
    const call = method.call(client, request) as grpc.ClientReadableStream<unknown>;
    this.call = call;
    return new Promise<StreamOutcome>((resolve) => {
      let settled = false;
      let stale: string | undefined;
      const watchdogStop = new AbortController();
      const finish = (outcome: StreamOutcome): void => {
        if (settled) return;
        settled = true;
        watchdogStop.abort();
        call.removeAllListeners('data');
        if (this.call === call) this.call = undefined;
        resolve(outcome);
      };
      void this.watchdog(watchdogStop.signal, (reason) => {
        stale = reason;
        call.cancel();
      });
      const onPushed = pauseOnFull(call, sink, {
        onPause: () => {
          this.pauses += 1;
        },
        isDone: () => settled,
      });
      call.on('metadata', () => {
        if (this.health.state !== 'connected')
          this.logger.info({ source: this.name, since }, 'hubble relay stream open');
        this.health.state = 'connected';
      });
      call.on('data', (msg: unknown) => {
        this.messages += 1;
        if (this.health.state !== 'connected') this.health.state = 'connected';
        this.backoff.reset();
        onPushed(this.handleResponse(msg, sink));
      });
      call.on('error', (err: unknown) => {
        if (this.abort.signal.aborted) return finish({ kind: 'stopped' });
        if (stale !== undefined) return finish({ kind: 'error', message: stale, retryable: true });
        finish({ kind: 'error', message: describeGrpcError(err), retryable: isRetryableGrpcError(err) });
      });
      call.on('end', () => finish({ kind: 'ended' }));
    });
  }

  /**
   * Every staleAfterMs: when no message arrived since the last look but the relay's seen_flows
   * grew, the stream is wedged (a relay or proxy that stopped forwarding): cancel it, the run
   * loop reconnects and resumes from the cursor.
   */
  private async watchdog(signal: AbortSignal, cancel: (reason: string) => void): Promise<void> {
    const everyMs = this.opts.staleAfterMs ?? 0;
    if (everyMs <= 0) return;
    let messagesBefore = this.messages;
    let seenBefore: number | undefined;
    while (!signal.aborted) {
      await this.clock.sleep(everyMs, signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (signal.aborted) return;
      const silent = this.messages === messagesBefore;
      messagesBefore = this.messages;
      let seen: number;
      try {
        seen = (await this.serverStatus()).seenFlows;
      } catch {
        continue; // the relay not answering is the stream's own error to report
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (signal.aborted) return;
      if (silent && seenBefore !== undefined && seen > seenBefore) {
        this.staleReconnects += 1;
        this.logger.warn(
          { source: this.name, silentMs: everyMs, relaySeenFlows: seen - seenBefore },
          'hubble relay stream stale: nothing received while the relay saw flows; reconnecting',
        );
        cancel(
          `stream stale: nothing received for ${everyMs} ms while the relay saw ${seen - seenBefore} flows`,
        );
        return;
      }
      seenBefore = seen;
    }
  }

  /** Returns the sink's push() answer (true when there was nothing to push). */
  private handleResponse(msg: unknown, sink: FlowSink): boolean {
    if (!isRecord(msg)) return true;
    const nodeName = typeof msg['node_name'] === 'string' ? msg['node_name'] : undefined;
    const kind = msg['response_types'];
    if (kind === 'flow' && isRecord(msg['flow'])) return this.handleFlow(msg['flow'], nodeName, sink);
    if (kind === 'lost_events' && isRecord(msg['lost_events'])) this.handleLost(msg['lost_events'], nodeName);
    else if (kind === 'node_status' && isRecord(msg['node_status']))
      this.handleNodeStatus(msg['node_status']);
    return true;
  }

  private handleFlow(flow: Record<string, unknown>, nodeName: string | undefined, sink: FlowSink): boolean {
    const time = isRecord(flow['time']) ? (flow['time'] as ProtoTimestamp) : undefined;
    if (time !== undefined && !this.cursor.accept(time, flow, nodeName)) return true;
    const result = this.normalize(flow, nodeName === undefined ? {} : { nodeName });
    this.events += 1;
    const now = this.clock.now();
    this.lastEventMs = now;
    if (time !== undefined) this.lagMs = Math.max(0, now - timestampToMs(time));
    const key = this.opts.resumeKey;
    if (key === undefined || time === undefined) return sink.push(result);
    const seconds = Number.isSafeInteger(time.seconds) ? (time.seconds ?? 0) : 0;
    const nanos = Number.isSafeInteger(time.nanos) ? (time.nanos ?? 0) : 0;
    return sink.push(result, new LazyMark(key, seconds, nanos, flow, nodeName, fingerprint));
  }

  private handleLost(lost: Record<string, unknown>, nodeName: string | undefined): void {
    const n = lost['num_events_lost'];
    const count = typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
    this.lostEvents += count;
    const source = typeof lost['source'] === 'string' ? lost['source'] : 'UNKNOWN_LOST_EVENT_SOURCE';
    if (this.warnLimiter.allow(`lost:${source}`)) {
      this.logger.warn(
        {
          source: this.name,
          lost: { from: source, count, node: nodeName ?? '', totalLost: this.lostEvents },
          suppressed: this.warnLimiter.suppressed(`lost:${source}`),
        },
        'hubble reported lost events',
      );
    }
  }

  private handleNodeStatus(status: Record<string, unknown>): void {
    const state = status['state_change'];
    const names = Array.isArray(status['node_names'])
      ? status['node_names'].filter((n): n is string => typeof n === 'string').slice(0, MAX_TRACKED_NODES)
      : [];
    for (const node of names) {
      if (state === 'NODE_CONNECTED') this.unavailable.delete(node);
      else if (
        (state === 'NODE_UNAVAILABLE' || state === 'NODE_GONE' || state === 'NODE_ERROR') &&
        this.unavailable.size < MAX_TRACKED_NODES
      )
        this.unavailable.add(node);
    }
    this.logger.info(
      {
        source: this.name,
        nodeStatus: { state: typeof state === 'string' ? state : 'unknown', nodes: names.slice(0, 20) },
      },
      'hubble relay node status',
    );
  }
}

let observerCtor:
  { readonly ctor: grpc.ServiceClientConstructor; readonly problems: readonly string[] } | undefined;

/**
 * The Observer client with GetFlows responses read by the lean flow decoder (hubble-relay-decode.ts)
 * when the loaded observer.proto still matches every field it reads (hubble-relay-self-check.ts);
 * otherwise proto-loader's own client, with the mismatches for the log.
 */
function observerClient(): {
  readonly ctor: grpc.ServiceClientConstructor;
  readonly problems: readonly string[];
} {
  if (observerCtor === undefined) {
    const plain = serviceConstructor('observer/observer.proto', 'observer', 'Observer');
    const problems = checkLeanDecoder();
    const getFlows = plain.service['GetFlows'];
    if (getFlows === undefined) throw new Error('GetFlows missing from proto');
    if (problems.length > 0) observerCtor = { ctor: plain, problems };
    else {
      const fallback = getFlows.responseDeserialize;
      const lean = grpc.makeGenericClientConstructor(
        {
          ...plain.service,
          GetFlows: {
            ...getFlows,
            responseDeserialize: (buf: Buffer) => decodeGetFlowsResponse(buf, fallback),
          },
        },
        'Observer',
      );
      observerCtor = { ctor: lean, problems };
    }
  }
  return observerCtor;
}

/** Flow identity for de-duplication: the uuid when the agent sets one, else time+node+5-tuple+verdict. */
export function fingerprint(flow: Record<string, unknown>, nodeName: string | undefined): string {
  const uuid = flow['uuid'];
  if (typeof uuid === 'string' && uuid !== '') return uuid.slice(0, 128);
  const t = isRecord(flow['time']) ? flow['time'] : {};
  const ip = isRecord(flow['IP']) ? flow['IP'] : {};
  const l4 = isRecord(flow['l4']) ? flow['l4'] : {};
  const proto = typeof l4['protocol'] === 'string' ? l4['protocol'] : '';
  const ports = isRecord(l4[proto]) ? l4[proto] : {};
  const node = typeof flow['node_name'] === 'string' ? flow['node_name'] : (nodeName ?? '');
  return [
    scalar(t['seconds']),
    scalar(t['nanos']),
    node.slice(0, 256),
    scalar(ip['source']),
    scalar(ip['destination']),
    proto,
    scalar(ports['source_port'] ?? ports['type']),
    scalar(ports['destination_port'] ?? ports['code']),
    scalar(flow['verdict']),
  ].join('|');
}

function scalar(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 64) : typeof v === 'number' ? String(v) : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function wrappedUint(v: unknown): number | undefined {
  if (!isRecord(v)) return undefined;
  return num(v['value']);
}

export function parseServerStatus(raw: unknown): RelayServerStatus {
  const r = isRecord(raw) ? raw : {};
  const names = Array.isArray(r['unavailable_nodes'])
    ? r['unavailable_nodes'].filter((n): n is string => typeof n === 'string').slice(0, MAX_TRACKED_NODES)
    : [];
  return {
    numFlows: num(r['num_flows']),
    maxFlows: num(r['max_flows']),
    seenFlows: num(r['seen_flows']),
    connectedNodes: wrappedUint(r['num_connected_nodes']),
    unavailableNodes: wrappedUint(r['num_unavailable_nodes']),
    unavailableNodeNames: names,
    version: typeof r['version'] === 'string' ? r['version'].slice(0, 128) : '',
  };
}
