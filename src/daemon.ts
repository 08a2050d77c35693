// The composition root of `serve`: config → logger → store (migrations run at open) → pipeline
// → sources → HTTP app → listen, and the reverse on shutdown: stop accepting requests, stop the
// sources, flush the pending batch, close the server and the database. Nothing else wires.
// startDaemon reads as those steps; the config it resolves first is daemon-config.ts, the
// sources daemon-sources.ts, storage checks daemon-storage.ts, alerting and shadow mode
// daemon-alerting.ts and daemon-staged.ts.
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { parseListen, formatListen, type ListenAddress } from './config/listen.js';
import type { Config } from './config/schema.js';
import { startAlerting } from './daemon-alerting.js';
import {
  createInventory,
  createLogger,
  DaemonConfigError,
  loadStartSnapshot,
  resolveApiAuth,
  resolveAuth,
} from './daemon-config.js';
import { buildSources, fileSourceThreading, SOURCE_FACTORIES, type SourceContext } from './daemon-sources.js';
import { damagedAlerting, openDaemonStore, runRetention } from './daemon-storage.js';
import { startIngest } from './daemon-ingest.js';
import { listenOn, readinessOf } from './daemon-http.js';
import { startShadowMode } from './daemon-staged.js';
import { buildApp } from './http/app.js';
import { registerAnalysisWorkerMetrics } from './http/analysis-metrics.js';
import { ApiAnalysis } from './http/analysis.js';
import type { ReadinessReport } from './http/deps.js';
import { EventBus } from './http/event-bus.js';
import { createMetrics, type DaemonMetrics } from './http/metrics.js';
import { publishingStore } from './http/publishing-store.js';
import { ViewRefresher } from './http/view-refresher.js';
import { attachStream } from './http/stream.js';
import { Pipeline } from './ingest/pipeline.js';
import type { LiveInventory } from './k8s/inventory.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { ClusterSnapshot } from './policy/model.js';
import type { FlowSource } from './sources/source.js';
import type { FlowStore } from './store/types.js';

export { createLogger, DaemonConfigError, resolveAuth, SOURCE_FACTORIES, type SourceContext };

export interface DaemonOptions {
  readonly clock?: Clock;
  /** Root logger; by default pino JSON on stdout at the configured level. */
  readonly logger?: Logger;
  /** Starts the analysis worker thread (default: the real one; tests watch the thread). */
  readonly startAnalysisWorker?: (file: string) => Worker;
  /**
   * File sources read, parse and commit in worker threads, off the API's event loop (default: yes,
   * with the system clock; an injected clock keeps them on this thread, where it can drive them).
   */
  readonly fileSourceThreads?: boolean;
}

export interface Daemon {
  readonly address: ListenAddress;
  readonly logger: Logger;
  /** Graceful shutdown; safe to call more than once. */
  stop(): Promise<void>;
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
  const { auth, writeAuth } = resolveApiAuth(config);
  const snapshot = await loadStartSnapshot(config);
  const inventory = createInventory(config, clock, logger);
  const clusterSnapshot = (): ClusterSnapshot | undefined =>
    inventory?.isReady() === true ? inventory.snapshot() : snapshot;
  const podAt =
    inventory === undefined ? undefined : (ip: string, timeMs: number) => inventory.podAt(ip, timeMs);

  const metrics: DaemonMetrics = createMetrics({
    defaultMetrics: true,
    queueCapacity: config.limits.queueCapacity,
  });
  const storeLog = logger.child({ component: 'store' });
  const health = await openDaemonStore(config, clock, storeLog);
  // Writes go through the publishing store: each committed batch is pushed to the live stream.
  // Shadow mode's live evaluation runs after each committed batch, before it is published (not
  // over a damaged file: nothing may open a writing connection to it).
  const bus = new EventBus();
  const shadow =
    health.damage === undefined
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
  const liveStore = publishingStore(shadow?.recorder.wrap(health.store) ?? health.store, bus);
  const store: FlowStore = liveStore;
  const alerting =
    health.damage !== undefined
      ? damagedAlerting(health.damage)
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

  const ingest = startIngest(config, store, clock, logger, metrics, storeLog);
  const sourceCtx: SourceContext = {
    config,
    store,
    clock,
    logger: logger.child({ component: 'source' }),
    onBatch: ingest.onBatch,
    clusterSnapshot,
    ...((options.fileSourceThreads ?? options.clock === undefined)
      ? {
          fileSourceThreads: fileSourceThreading({
            db: config.db,
            store: liveStore,
            bus,
            isJudging: () => shadow?.recorder.isJudging() ?? false,
            reportDamage: health.reportDamage,
          }),
        }
      : {}),
    ...(podAt !== undefined ? { podAt } : {}),
  };
  const sources = buildSources(config, health.damage !== undefined, sourceCtx);

  const lifecycle = { ready: false, stopping: false };
  const readiness = (): ReadinessReport =>
    readinessOf(
      config,
      health,
      lifecycle,
      sources,
      inventory,
      () => analysis.worker?.status(),
      ingest.totals.report(),
    );
  metrics.setProbes({
    edges: () => (health.state === 'open' ? store.totals().edges : 0),
    queueDepth: () => ingest.pipeline.depth,
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
    ...(health.damage === undefined && config.db !== ':memory:' ? { dbFile: config.db } : {}),
    ...(options.startAnalysisWorker !== undefined ? { startWorker: options.startAnalysisWorker } : {}),
    bodyCacheBytes: config.limits.bodyCacheBytes,
    wholeClusterEdgesMax: config.limits.wholeClusterEdgesMax,
    workerHeapMb: config.limits.analysisHeapMb,
    staleMaxAgeMs: config.limits.staleMaxAgeMs,
  });
  // After new data, the whole-store views are recomputed in the background (debounced, a bounded
  // CPU share), so a request finds a recent body instead of computing cold.
  const refresher =
    analysis.worker !== undefined
      ? new ViewRefresher({
          version: () => analysis.currentVersion(),
          refresh: () => analysis.refresh(),
          logger: httpLog,
        })
      : undefined;
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
  const server = await listenOn(app.listen(listen.port, listen.host), config, async () => {
    await ingest.pipeline.stop();
    await alerting.stop();
    refresher?.stop();
    await analysis.close();
    // The checkpoint worker's connection first: the last one to close empties the WAL.
    await health.checkpointer?.close();
    store.close();
    shadow?.close();
  });
  const stream = attachStream(server, { bus, auth, logger: httpLog });
  metrics.setStreamClients(() => stream.clients);
  const bound = server.address() as AddressInfo;
  const address: ListenAddress = { host: bound.address, port: bound.port };
  httpLog.info({ address: formatListen(address), demoMode: config.demoMode }, 'listening');

  const sourceLog = logger.child({ component: 'sources' });
  const startSources = async (): Promise<void> => {
    await startEachSource(sources, ingest.pipeline, sourceLog);
    lifecycle.ready = true;
    // A large store's whole-store views, computed in the analysis worker before anyone asks
    // (after the sources, so an inventory's snapshot is in): their first request finds them done.
    void analysis.prewarm();
    refresher?.start();
    sourceLog.info(
      { sources: sources.map((s) => ({ name: s.name, type: s.type })) },
      config.demoMode ? 'demo mode: replaying the bundled demo flows' : 'sources started',
    );
  };
  const stopRequested = new AbortController();
  // A damaged file: no source starts, no pruning, no alerting (nothing writes to it).
  health.onDamage = () => {
    stopRequested.abort();
    void alerting.stop();
  };
  const retention = runRetention(store, config, clock, storeLog, stopRequested.signal, health);
  let sourcesStarting: Promise<void> | undefined;
  if (health.damage !== undefined) {
    sourceLog.error({ db: config.db }, 'the database is damaged: sources not started');
  } else if (inventory === undefined) {
    await startSources();
  } else {
    ({ sourcesStarting } = await startSourcesWhenSynced(
      inventory,
      stopRequested.signal,
      startSources,
      sourceLog,
    ));
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      lifecycle.stopping = true;
      stopRequested.abort();
      logger.info('shutting down');
      await sourcesStarting?.catch(() => undefined);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await stream.close();
      server.closeIdleConnections();
      await Promise.allSettled(sources.map((source) => source.stop()));
      await inventory?.stop();
      try {
        await ingest.pipeline.stop();
      } catch (error) {
        ingest.pipelineLog.error({ err: error, lost: ingest.pipeline.depth }, 'final flush failed');
      }
      server.closeAllConnections();
      await closed;
      await analysis.close();
      await alerting.stop();
      await retention;
      const totals = health.state === 'damaged' ? undefined : store.totals();
      await health.checkpointer?.close();
      store.close();
      await shadow?.settled();
      shadow?.close();
      if (health.state !== 'damaged') health.state = 'closed';
      logger.info({ ...totals, droppedQueueFull: ingest.pipeline.stats().droppedQueueFull }, 'stopped');
    })();
    return stopped;
  };

  return { address, logger, stop };
}

async function startEachSource(
  sources: readonly FlowSource[],
  pipeline: Pipeline,
  sourceLog: Logger,
): Promise<void> {
  const started = await Promise.allSettled(sources.map((source) => source.start(pipeline)));
  started.forEach((result, i) => {
    const source = sources[i];
    if (result.status === 'rejected' && source !== undefined)
      sourceLog.error({ err: result.reason as unknown, source: source.name }, 'source failed to start');
  });
}

/**
 * With an inventory, sources start once its first full list is in: a flow read earlier could
 * not be resolved to its pods and would be stored under a bare address for good. Until then
 * /readyz says why; a stop before that never starts them.
 */
async function startSourcesWhenSynced(
  inventory: LiveInventory,
  stopSignal: AbortSignal,
  startSources: () => Promise<void>,
  sourceLog: Logger,
): Promise<{ sourcesStarting: Promise<void> }> {
  await inventory.start();
  const synced = inventory.whenReady();
  const aborted = new Promise<'stop'>((resolve) =>
    stopSignal.addEventListener('abort', () => resolve('stop'), { once: true }),
  );
  const sourcesStarting = Promise.race([synced.then(() => 'synced' as const), aborted]).then((outcome) =>
    outcome === 'synced' ? startSources() : undefined,
  );
  sourcesStarting.catch((error: unknown) => sourceLog.error({ err: error }, 'starting the sources failed'));
  return { sourcesStarting };
}
