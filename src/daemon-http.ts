// The daemon's HTTP side that is not the app: the readiness report /readyz and the metrics
// read, and listening (with the server's timeouts and its answer to malformed requests).
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Config } from './config/schema.js';
import type { StoreHealth } from './daemon-storage.js';
import { answerClientErrors } from './http/client-error.js';
import type { ReadinessReport } from './http/deps.js';
import type { LiveInventory } from './k8s/inventory.js';
import type { FlowSource } from './sources/source.js';

export function readinessOf(
  config: Config,
  health: StoreHealth,
  lifecycle: { readonly ready: boolean; readonly stopping: boolean },
  sources: readonly FlowSource[],
  inventory: LiveInventory | undefined,
  analysisWorkerStatusOf: () => ReadinessReport['analysisWorker'],
  ingest?: ReadinessReport['ingest'],
): ReadinessReport {
  const statuses = sources.map((s) => s.status());
  const reason = lifecycle.stopping
    ? 'shutting down'
    : health.state === 'damaged'
      ? `database damaged: ${config.db} (see the server log)`
      : health.state !== 'open'
        ? 'store not open'
        : !lifecycle.ready
          ? 'sources starting'
          : inventory !== undefined && !inventory.isReady()
            ? 'kubernetes inventory not synced yet'
            : undefined;
  const analysisWorkerStatus = analysisWorkerStatusOf();
  return {
    ready: reason === undefined,
    ...(reason !== undefined ? { reason } : {}),
    store: health.state,
    sources: statuses,
    ...(inventory !== undefined ? { inventory: inventory.status() } : {}),
    ...(ingest !== undefined ? { ingest } : {}),
    ...(analysisWorkerStatus !== undefined ? { analysisWorker: analysisWorkerStatus } : {}),
  };
}

/** Waits until the server listens (or fails to: then `cleanUp` and a message naming why). */
export async function listenOn(
  server: Server,
  config: Config,
  cleanUp: () => Promise<void>,
): Promise<Server> {
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => Promise.reject(error as Error)),
    ]);
  } catch (error) {
    await cleanUp();
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
  return server;
}
