// The daemon's flow sources: one factory per configured source type, and what each may use.
//
// Adding a source type: add its config to src/config/schema.ts and one entry to
// SOURCE_FACTORIES below (the FlowSource contract is src/sources/source.ts).
import type { Logger } from 'pino';
import type { Config, SourceConfig } from './config/schema.js';
import { DaemonConfigError } from './daemon-config.js';
import { FileSource } from './ingest/file-source.js';
import { ThreadedFileSource } from './ingest/file-source-thread.js';
import type { BatchStats } from './ingest/batch-writer.js';
import type { Clock } from './lib/clock.js';
import type { ClusterSnapshot, PodInfo } from './policy/model.js';
import { DemoSource } from './sources/demo-source.js';
import { GoldmaneSource } from './sources/goldmane.js';
import { aggregatedWorkloadResolver } from './sources/goldmane-workloads.js';
import type { GrpcTlsOptions } from './sources/grpc/proto.js';
import { HubbleRelaySource } from './sources/hubble-relay.js';
import { JournalSource } from './sources/journal-source.js';
import { resumeKey } from './sources/resume-mark.js';
import type { FlowSource } from './sources/source.js';
import type { EdgeDelta } from './flows/edge.js';
import type { EventBus } from './http/event-bus.js';
import { DEFAULT_MAX_EVENTS_PER_BATCH, type PublishingStore } from './http/publishing-store.js';
import type { BatchRoute } from './ingest/file-source-thread-protocol.js';
import { DatabaseCorruptError } from './store/store-errors.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from './store/wal-checkpointer.js';
import type { FlowStore } from './store/types.js';

/** Everything a source factory may use. */
export interface SourceContext {
  readonly config: Config;
  readonly store: FlowStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onBatch: (stats: BatchStats) => void;
  /** IP → pod at a time, from the live inventory (absent without one). */
  readonly podAt?: (ip: string, timeMs: number) => PodInfo | undefined;
  /** The cluster as last seen (live inventory or snapshot file), when there is one. */
  readonly clusterSnapshot?: () => ClusterSnapshot | undefined;
  /** File sources read, parse and commit in worker threads (without an inventory; see the file factory). */
  readonly fileSourceThreads?: FileSourceThreading;
}

/** What a file source's thread is given by the daemon (file-source-thread.ts). */
export interface FileSourceThreading {
  /** The database file the threads commit to on their own connections (absent: every batch here). */
  readonly dbFile?: string;
  readonly walAutoCheckpointPages?: number;
  readonly routeBatch: () => BatchRoute;
  readonly onCommitted: (events: readonly EdgeDelta[], edges: number) => void;
  readonly onDamaged: (detail: string) => void;
}

/**
 * The daemon's threading of file sources: a batch is committed by its thread unless shadow mode
 * has sets to judge (then here, through the daemon's store, which judges it in the same
 * transaction); a batch the thread committed moves the data version and feeds the live stream.
 */
export function fileSourceThreading(deps: {
  readonly db: string;
  readonly store: PublishingStore;
  readonly bus: EventBus;
  readonly isJudging: () => boolean;
  readonly reportDamage: (error: DatabaseCorruptError) => void;
}): FileSourceThreading {
  return {
    ...(deps.db !== ':memory:'
      ? { dbFile: deps.db, walAutoCheckpointPages: FALLBACK_AUTOCHECKPOINT_PAGES }
      : {}),
    routeBatch: () => ({
      onMain: deps.isJudging(),
      maxEvents: deps.bus.size > 0 ? DEFAULT_MAX_EVENTS_PER_BATCH : 0,
    }),
    onCommitted: (events, edges) => deps.store.publishCommitted(events, edges),
    onDamaged: (detail) => deps.reportDamage(new DatabaseCorruptError(deps.db, detail)),
  };
}

type Named<T> = T & { readonly name: string };

/** Config `tls: {ca, cert, key, serverName}` → the gRPC sources' file-based TLS options. */
function grpcTls(
  tls:
    | {
        ca?: string | undefined;
        cert?: string | undefined;
        key?: string | undefined;
        serverName?: string | undefined;
      }
    | undefined,
): { tls?: GrpcTlsOptions } {
  if (tls === undefined) return {};
  return {
    tls: {
      ...(tls.ca !== undefined ? { caFile: tls.ca } : {}),
      ...(tls.cert !== undefined ? { certFile: tls.cert } : {}),
      ...(tls.key !== undefined ? { keyFile: tls.key } : {}),
      ...(tls.serverName !== undefined ? { serverName: tls.serverName } : {}),
    },
  };
}
type SourceFactories = {
  readonly [K in SourceConfig['type']]:
    ((source: Named<Extract<SourceConfig, { type: K }>>, ctx: SourceContext) => FlowSource) | undefined;
};

/** One entry per source type; undefined: accepted by the schema, not available in this build. */
export const SOURCE_FACTORIES: SourceFactories = {
  'hubble-relay': (source, ctx) => {
    // Resumes where the last committed batch left off (store ResumePoint, same transaction as its edges).
    const resumeKeyOf = resumeKey('hubble-relay', source.name);
    const resume = ctx.store.resumePoint(resumeKeyOf);
    return new HubbleRelaySource({
      name: source.name,
      address: source.address,
      ...grpcTls(source.tls),
      clock: ctx.clock,
      logger: ctx.logger,
      resumeKey: resumeKeyOf,
      ...(resume !== undefined ? { resume } : {}),
      staleAfterMs: source.staleAfterMs,
    });
  },
  goldmane: (source, ctx) => {
    const resumeKeyOf = resumeKey('goldmane', source.name);
    const resume = ctx.store.resumePoint(resumeKeyOf);
    return new GoldmaneSource({
      name: source.name,
      address: source.address,
      ...grpcTls(source.tls),
      clock: ctx.clock,
      logger: ctx.logger,
      ...(ctx.clusterSnapshot !== undefined
        ? { resolveWorkload: aggregatedWorkloadResolver(ctx.clusterSnapshot) }
        : {}),
      resumeKey: resumeKeyOf,
      ...(resume !== undefined ? { resume } : {}),
    });
  },
  journal: (source, ctx) =>
    new JournalSource({
      name: source.name,
      ...(source.command !== undefined ? { command: source.command } : {}),
      ...(source.prefix !== undefined ? { prefix: source.prefix } : {}),
      maxLineBytes: ctx.config.limits.maxLineBytes,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(ctx.podAt !== undefined ? { podAt: ctx.podAt } : {}),
    }),
  file: (source, ctx) => {
    const options = {
      name: source.name,
      path: source.path,
      format: source.format,
      follow: source.follow,
      store: ctx.store,
      batchSize: ctx.config.limits.batchSize,
      maxLineBytes: ctx.config.limits.maxLineBytes,
      clock: ctx.clock,
      onBatch: ctx.onBatch,
      onError: (error: unknown) => ctx.logger.warn({ err: error }, 'file source failed; retrying'),
    };
    // Read, parsed and (mostly) committed in a thread (file-source-thread.ts); not with an
    // inventory, whose IP → pod lookups the parser makes for every flow live on this thread.
    const threading = ctx.fileSourceThreads;
    if (threading !== undefined && ctx.podAt === undefined)
      return new ThreadedFileSource({ ...options, ...threading });
    return new FileSource({ ...options, ...(ctx.podAt !== undefined ? { podAt: ctx.podAt } : {}) });
  },
};

export function createSource(source: Named<SourceConfig>, ctx: SourceContext): FlowSource {
  // The mapped type guarantees the entry matches the config's type; TypeScript cannot follow
  // the correlation through the union, hence the widening.
  const factory = SOURCE_FACTORIES[source.type] as
    ((s: Named<SourceConfig>, c: SourceContext) => FlowSource) | undefined;
  if (factory === undefined)
    throw new DaemonConfigError(
      `sources: type "${source.type}" (${source.name}) is not available in this build yet`,
    );
  return factory(source, ctx);
}

/**
 * The configured sources (the demo replay in demo mode). A damaged database: no source is even
 * built (building one reads its resume point).
 */
export function buildSources(config: Config, damaged: boolean, ctx: SourceContext): FlowSource[] {
  if (damaged) return [];
  if (config.demoMode)
    return [
      new DemoSource({
        clock: ctx.clock,
        loop: config.demo.loop,
        flowsPerSecond: config.demo.flowsPerSecond,
      }),
    ];
  return config.sources.map((source) =>
    createSource(source, { ...ctx, logger: ctx.logger.child({ component: 'source', source: source.name }) }),
  );
}
