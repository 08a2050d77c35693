// The composition root of `serve`: config → logger → store (migrations run at open) → pipeline
// → sources → HTTP app → listen, and the reverse on shutdown: stop accepting requests, stop the
// sources, flush the pending batch, close the server and the database. Nothing else wires.
//
// Adding a source type: add its config to src/config/schema.ts and one entry to
// SOURCE_FACTORIES below (the FlowSource contract is src/sources/source.ts).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type DestinationStream, type Logger } from 'pino';
import { parseListen, formatListen, type ListenAddress } from './config/listen.js';
import type { Config, SourceConfig } from './config/schema.js';
import { startAlerting } from './daemon-alerting.js';
import { checkStoreAtStart, damagedAlerting } from './daemon-storage.js';
import { resolveWriteAuth, startShadowMode } from './daemon-staged.js';
import { buildApp } from './http/app.js';
import { MIN_TOKEN_CHARS, type ApiAuth } from './http/auth.js';
import { EventBus } from './http/event-bus.js';
import { KubeTokenReviewer } from './http/kube-auth.js';
import { publishingStore } from './http/publishing-store.js';
import { attachStream } from './http/stream.js';
import { answerClientErrors } from './http/client-error.js';
import { registerAnalysisWorkerMetrics } from './http/analysis-metrics.js';
import { ApiAnalysis } from './http/analysis.js';
import type { Worker } from 'node:worker_threads';
import { LiveInventory, loadKubeConfig } from './k8s/inventory.js';
import { loadClusterSnapshot } from './k8s/snapshot-file.js';
import type { ClusterSnapshot, PodInfo } from './policy/model.js';
import type { ReadinessReport } from './http/deps.js';
import { createMetrics, type DaemonMetrics } from './http/metrics.js';
import { systemClock, type Clock } from './lib/clock.js';
import { BatchWriter, type BatchStats } from './ingest/batch-writer.js';
import { DEMO_CLUSTER_FILE, DemoSource } from './sources/demo-source.js';
import { FileSource } from './ingest/file-source.js';
import { GoldmaneSource } from './sources/goldmane.js';
import { aggregatedWorkloadResolver } from './sources/goldmane-workloads.js';
import { HubbleRelaySource } from './sources/hubble-relay.js';
import { JournalSource } from './sources/journal-source.js';
import type { GrpcTlsOptions } from './sources/grpc/proto.js';
import { Pipeline } from './ingest/pipeline.js';
import { resumeKey } from './sources/resume-mark.js';
import type { FlowSource } from './sources/source.js';
import { openStore } from './store/store.js';
import { RETENTION_INTERVAL_MS, pruneExpiredEdges } from './store/retention.js';
import type { FlowStore } from './store/types.js';
import { damagedStore } from './store/guarded-store.js';
import type { DatabaseCorruptError } from './store/store-errors.js';

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
  file: (source, ctx) =>
    new FileSource({
      name: source.name,
      path: source.path,
      format: source.format,
      follow: source.follow,
      store: ctx.store,
      batchSize: ctx.config.limits.batchSize,
      maxLineBytes: ctx.config.limits.maxLineBytes,
      clock: ctx.clock,
      onBatch: ctx.onBatch,
      onError: (error) => ctx.logger.warn({ err: error }, 'file source failed; retrying'),
      ...(ctx.podAt !== undefined ? { podAt: ctx.podAt } : {}),
    }),
};

function createSource(source: Named<SourceConfig>, ctx: SourceContext): FlowSource {
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

/** A configuration this build cannot run (exit status 2). */
export class DaemonConfigError extends Error {
  override readonly name = 'DaemonConfigError';
}

export interface DaemonOptions {
  readonly clock?: Clock;
  /** Root logger; by default pino JSON on stdout at the configured level. */
  readonly logger?: Logger;
  /** Starts the analysis worker thread (default: the real one; tests watch the thread). */
  readonly startAnalysisWorker?: (file: string) => Worker;
}

export interface Daemon {
  readonly address: ListenAddress;
  readonly logger: Logger;
  /** Graceful shutdown; safe to call more than once. */
  stop(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'netpol-advisor' },
      // Tokens and webhook URLs (which often embed a secret) never reach the log.
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'req.headers.authorization',
          'req.headers.cookie',
          'url',
          '*.url',
          'webhookUrl',
          '*.webhookUrl',
          'alerts[*].url',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** The API's authentication from config; the token is read once, from its file. */
export function resolveAuth(config: Config): ApiAuth {
  const { mode, tokenFile } = config.auth;
  if (mode === 'none') return { mode };
  if (mode === 'kubernetes') {
    try {
      const kubeConfig = loadKubeConfig(
        config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {},
      );
      return { mode, reviewer: new KubeTokenReviewer({ kubeConfig }) };
    } catch (error) {
      throw new DaemonConfigError(
        `auth.mode kubernetes: cannot load a kubeconfig: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
  let token: string;
  try {
    token = readFileSync(tokenFile ?? '', 'utf8').trim();
  } catch (error) {
    throw new DaemonConfigError(
      `auth.tokenFile: cannot read ${tokenFile ?? '(unset)'}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw new DaemonConfigError(
      `auth.tokenFile: ${tokenFile ?? ''} must hold one token of at least ${MIN_TOKEN_CHARS} characters without spaces`,
    );
  }
  return { mode, token };
}

/** The alert sinks; demo mode with none configured alerts to the log, so the demo's alerts fire. */
function alertsOf(config: Config): Config['alerts'] {
  if (!config.demoMode || config.alerts.length > 0) return config.alerts;
  return [{ type: 'log', minSeverity: 'warning', timeoutMs: 5000 }];
}

export async function startDaemon(config: Config, options: DaemonOptions = {}): Promise<Daemon> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config);
  const listen = parseListen(config.listen);
  if (typeof listen === 'string') throw new DaemonConfigError(`listen: ${listen}`);
  const readAuth = resolveAuth(config);
  let writeAuth: ReturnType<typeof resolveWriteAuth>;
  try {
    writeAuth = resolveWriteAuth(config, MIN_TOKEN_CHARS);
  } catch (error) {
    throw new DaemonConfigError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (readAuth.mode === 'token' && writeAuth.writeToken === readAuth.token) {
    throw new DaemonConfigError(
      'auth.writeTokenFile: must hold a different token from auth.tokenFile (the read token must not be able to change state)',
    );
  }
  // The write token reads too; what it may change is decided by writeAuth.authorize.
  const auth: ApiAuth =
    readAuth.mode === 'token' && writeAuth.writeToken !== undefined
      ? { ...readAuth, writeToken: writeAuth.writeToken }
      : readAuth;
  // The cluster as the API and the alerts see it: the snapshot file for now (the live inventory
  // plugs in behind the same function).
  // Demo mode without an inventory of its own uses the demo application's bundled snapshot, so
  // coverage, explanations and the doctor work on the demo as on a cluster.
  const snapshotFile =
    config.kubernetes.snapshot ??
    (config.demoMode && !config.kubernetes.enabled ? DEMO_CLUSTER_FILE : undefined);
  let snapshot: ClusterSnapshot | undefined;
  if (snapshotFile !== undefined) {
    const loaded = await loadClusterSnapshot([snapshotFile]);
    if (!loaded.ok)
      throw new DaemonConfigError(`kubernetes.snapshot: ${loaded.problems[0] ?? 'invalid snapshot'}`);
    snapshot = loaded.snapshot;
  }
  // With kubernetes.enabled the live inventory replaces the snapshot file once its first full
  // list is in, so every feature that takes a snapshot works on the live cluster.
  let inventory: LiveInventory | undefined;
  if (config.kubernetes.enabled) {
    try {
      const kubeConfig = loadKubeConfig(
        config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {},
      );
      inventory = new LiveInventory({
        kubeConfig,
        clock,
        logger: logger.child({ component: 'inventory' }),
        relistAfterMs: config.kubernetes.relistAfterMs,
      });
    } catch (error) {
      throw new DaemonConfigError(
        `kubernetes: cannot load a kubeconfig: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
  const clusterSnapshot = (): ClusterSnapshot | undefined =>
    inventory?.isReady() === true ? inventory.snapshot() : snapshot;
  const podAt =
    inventory === undefined ? undefined : (ip: string, timeMs: number) => inventory.podAt(ip, timeMs);

  const metrics: DaemonMetrics = createMetrics({
    defaultMetrics: true,
    queueCapacity: config.limits.queueCapacity,
  });
  const storeLog = logger.child({ component: 'store' });
  // Damage found by the start-up check, or later by any read or write: the API answers 503
  // database_corrupt, /readyz fails, and nothing more is written to the file.
  let damage: DatabaseCorruptError | undefined = await checkStoreAtStart(config, clock, storeLog);
  let storeState: ReadinessReport['store'] = damage === undefined ? 'open' : 'damaged';
  let onDamage = (): void => undefined;
  let store: FlowStore;
  if (damage !== undefined) {
    store = damagedStore(damage);
  } else {
    try {
      store = openStore(config.db, {
        onCorrupt: (error) => {
          damage = error;
          storeState = 'damaged';
          storeLog.error(
            { err: error, db: config.db },
            'the database is damaged: no longer serving or writing it (see README, "Recovering a damaged database")',
          );
          onDamage();
        },
      });
    } catch (error) {
      throw new Error(
        `cannot open the database ${config.db}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    storeLog.info({ db: config.db }, 'database open');
  }
  // Writes go through the publishing store: each committed batch is pushed to the live stream.
  const bus = new EventBus();
  const rawStore = store;
  // Shadow mode's live evaluation runs after each committed batch, before it is published (not
  // over a damaged file: nothing may open a writing connection to it).
  const shadow =
    damage === undefined
      ? startShadowMode({
          config,
          snapshot: () => clusterSnapshot(),
          clock,
          logger,
          registry: metrics.registry,
          bus,
          generatorBaseUrl: `http://${config.listen}`,
        })
      : undefined;
  const liveStore = publishingStore(shadow?.recorder.wrap(rawStore) ?? rawStore, bus);
  store = liveStore;
  const alerting =
    damage !== undefined
      ? damagedAlerting(damage)
      : startAlerting({
          db: config.db,
          store,
          alerts: alertsOf(config),
          alerting: config.alerting,
          snapshot: clusterSnapshot,
          clock,
          logger,
          registry: metrics.registry,
          bus,
          generatorBaseUrl: `http://${config.listen}`,
        });

  const onBatch = (stats: BatchStats): void => {
    metrics.recordBatch(stats);
    storeLog.debug(
      {
        lines: stats.lines,
        accepted: stats.accepted,
        rejected: stats.rejected,
        edges: stats.edges,
        durationMs: Math.round(stats.durationMs * 10) / 10,
      },
      'batch written',
    );
  };
  const writer = new BatchWriter({
    store,
    batchSize: config.limits.batchSize,
    flushIntervalMs: config.limits.flushIntervalMs,
    now: () => clock.now(),
    onBatch,
  });
  const pipelineLog = logger.child({ component: 'pipeline' });
  let lastWriteErrorLogMs = Number.NEGATIVE_INFINITY;
  let suppressedWriteErrors = 0;
  const pipeline = new Pipeline({
    writer,
    queueCapacity: config.limits.queueCapacity,
    drainChunk: config.limits.batchSize,
    flushIntervalMs: config.limits.flushIntervalMs,
    clock,
    hooks: {
      onPause: () => metrics.backpressurePauses.inc(),
      onDrop: () => metrics.queueDropped.inc(),
      onError: (error) => {
        metrics.writeErrors.inc();
        // Rate-limited: a full disk would otherwise log once per tick.
        if (clock.now() - lastWriteErrorLogMs < 30_000) {
          suppressedWriteErrors++;
          return;
        }
        lastWriteErrorLogMs = clock.now();
        pipelineLog.error(
          { err: error, suppressed: suppressedWriteErrors },
          'writing a batch failed; will retry',
        );
        suppressedWriteErrors = 0;
      },
    },
  });
  pipeline.start();

  const sourceCtx: SourceContext = {
    config,
    store,
    clock,
    logger: logger.child({ component: 'source' }),
    onBatch,
    clusterSnapshot,
    ...(podAt !== undefined ? { podAt } : {}),
  };
  // A damaged database: no source is even built (building one reads its resume point).
  const sources: FlowSource[] =
    damage !== undefined
      ? []
      : config.demoMode
        ? [new DemoSource({ clock, loop: config.demo.loop, flowsPerSecond: config.demo.flowsPerSecond })]
        : config.sources.map((source) =>
            createSource(source, {
              ...sourceCtx,
              logger: logger.child({ component: 'source', source: source.name }),
            }),
          );

  let ready = false;
  let stopping = false;
  const readiness = (): ReadinessReport => {
    const statuses = sources.map((s) => s.status());
    const reason = stopping
      ? 'shutting down'
      : storeState === 'damaged'
        ? `database damaged: ${config.db} (see the server log)`
        : storeState !== 'open'
          ? 'store not open'
          : !ready
            ? 'sources starting'
            : inventory !== undefined && !inventory.isReady()
              ? 'kubernetes inventory not synced yet'
              : undefined;
    const analysisWorkerStatus = analysis.worker?.status();
    return {
      ready: reason === undefined,
      ...(reason !== undefined ? { reason } : {}),
      store: storeState,
      sources: statuses,
      ...(inventory !== undefined ? { inventory: inventory.status() } : {}),
      ...(analysisWorkerStatus !== undefined ? { analysisWorker: analysisWorkerStatus } : {}),
    };
  };
  metrics.setProbes({
    edges: () => (storeState === 'open' ? store.totals().edges : 0),
    queueDepth: () => pipeline.depth,
    sources: () => sources.map((s) => s.status()),
  });

  const httpLog = logger.child({ component: 'http' });
  // The analysis service: the API's computed views, their caches and the heavy analyses' worker
  // thread (restarted with a backoff; none on a damaged file: nothing reads it). One service,
  // handed to the app, closed on shutdown.
  const analysis = new ApiAnalysis({
    store,
    readiness,
    logger: httpLog,
    clusterSnapshot,
    dataVersion: liveStore.version,
    ...(damage === undefined && config.db !== ':memory:' ? { dbFile: config.db } : {}),
    ...(options.startAnalysisWorker !== undefined ? { startWorker: options.startAnalysisWorker } : {}),
    bodyCacheBytes: config.limits.bodyCacheBytes,
    wholeClusterEdgesMax: config.limits.wholeClusterEdgesMax,
  });
  const analysisWorker = analysis.worker;
  if (analysisWorker !== undefined)
    registerAnalysisWorkerMetrics(metrics.registry, () => analysisWorker.status());
  const app = buildApp({
    store,
    auth,
    registry: metrics.registry,
    readiness,
    limits: config.limits,
    logger: httpLog,
    analysis,
    alerts: alerting.store,
    ...(shadow !== undefined ? { staged: shadow.store, stagedReadiness: shadow.readiness } : {}),
    stagedNow: () => clock.now(),
    writeAuth: writeAuth.authorize,
    auditLogger: httpLog,
  });
  const server: Server = app.listen(listen.port, listen.host);
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
  } catch (error) {
    await pipeline.stop();
    await alerting.stop();
    await analysis.close();
    store.close();
    shadow?.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot listen on ${config.listen}: ${code === 'EADDRINUSE' ? 'address in use' : code === 'EACCES' ? 'permission denied' : String(error)}`,
      { cause: error },
    );
  }
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  answerClientErrors(server);
  const stream = attachStream(server, { bus, auth, logger: httpLog });
  metrics.setStreamClients(() => stream.clients);
  const bound = server.address() as AddressInfo;
  const address: ListenAddress = { host: bound.address, port: bound.port };
  httpLog.info({ address: formatListen(address), demoMode: config.demoMode }, 'listening');

  const sourceLog = logger.child({ component: 'sources' });
  const startSources = async (): Promise<void> => {
    const started = await Promise.allSettled(sources.map((source) => source.start(pipeline)));
    started.forEach((result, i) => {
      const source = sources[i];
      if (result.status === 'rejected' && source !== undefined)
        sourceLog.error({ err: result.reason as unknown, source: source.name }, 'source failed to start');
    });
    ready = true;
    // A large store's whole-store views, computed in the analysis worker before anyone asks
    // (after the sources, so an inventory's snapshot is in): their first request finds them done.
    void analysis.prewarm();
    sourceLog.info(
      { sources: sources.map((s) => ({ name: s.name, type: s.type })) },
      config.demoMode ? 'demo mode: replaying the bundled demo flows' : 'sources started',
    );
  };
  // With an inventory, sources start once its first full list is in: a flow read earlier could
  // not be resolved to its pods and would be stored under a bare address for good. Until then
  // /readyz says why; a stop before that never starts them.
  let sourcesStarting: Promise<void> | undefined;
  const stopRequested = new AbortController();
  // Retention (limits.retentionDays): prune once before the sources start, then every hour.
  const prune = (): void => {
    try {
      const { deleted, cutoffMs, gapsDeleted } = pruneExpiredEdges(store, config.limits.retentionDays);
      if ((deleted > 0 || gapsDeleted > 0) && cutoffMs !== undefined) {
        storeLog.info(
          {
            deleted,
            gapsDeleted,
            lastSeenBefore: new Date(cutoffMs).toISOString(),
            retentionDays: config.limits.retentionDays,
          },
          'deleted edges past the retention',
        );
      }
    } catch (error) {
      storeLog.error({ err: error }, 'deleting edges past the retention failed; will retry in an hour');
    }
  };
  // A damaged file: no source starts, no pruning, no alerting (nothing writes to it).
  onDamage = () => {
    stopRequested.abort();
    void alerting.stop();
  };
  if (damage === undefined) prune();
  const retention = (async () => {
    while (!stopRequested.signal.aborted) {
      await clock.sleep(RETENTION_INTERVAL_MS, stopRequested.signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (!stopRequested.signal.aborted) prune();
    }
  })();
  if (damage !== undefined) {
    sourceLog.error({ db: config.db }, 'the database is damaged: sources not started');
  } else if (inventory === undefined) {
    await startSources();
  } else {
    await inventory.start();
    const synced = inventory.whenReady();
    const aborted = new Promise<'stop'>((resolve) =>
      stopRequested.signal.addEventListener('abort', () => resolve('stop'), { once: true }),
    );
    sourcesStarting = Promise.race([synced.then(() => 'synced' as const), aborted]).then((outcome) =>
      outcome === 'synced' ? startSources() : undefined,
    );
    sourcesStarting.catch((error: unknown) => sourceLog.error({ err: error }, 'starting the sources failed'));
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      stopRequested.abort();
      logger.info('shutting down');
      await sourcesStarting?.catch(() => undefined);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await stream.close();
      server.closeIdleConnections();
      await Promise.allSettled(sources.map((source) => source.stop()));
      await inventory?.stop();
      try {
        await pipeline.stop();
      } catch (error) {
        pipelineLog.error({ err: error, lost: pipeline.depth }, 'final flush failed');
      }
      server.closeAllConnections();
      await closed;
      await analysis.close();
      await alerting.stop();
      await retention;
      const totals = storeState === 'damaged' ? undefined : store.totals();
      store.close();
      await shadow?.settled();
      shadow?.close();
      if (storeState !== 'damaged') storeState = 'closed';
      logger.info({ ...totals, droppedQueueFull: pipeline.stats().droppedQueueFull }, 'stopped');
    })();
    return stopped;
  };

  return { address, logger, stop };
}
