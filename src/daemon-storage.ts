// The daemon's start-up check of its database (storage.integrityCheck: PRAGMA quick_check by
// default, the full integrity_check, or off), bounded by storage.integrityCheckTimeoutMs on the
// daemon's clock, and the stand-ins used when the file is damaged: the daemon then still serves
// /healthz and /readyz (503, naming the file) and answers the API with 503 database_corrupt,
// but opens no connection that could write to the file. Also: opening the store with the
// daemon's view of its health (its WAL checkpoints in a worker: store/wal-checkpointer.ts), and
// the retention pruning that runs while it is healthy.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Alerting } from './daemon-alerting.js';
import type { Config } from './config/schema.js';
import type { ReadinessReport } from './http/deps.js';
import type { Clock } from './lib/clock.js';
import type { AlertStore } from './store/alerts.js';
import { damagedStore } from './store/guarded-store.js';
import { checkIntegrity } from './store/integrity.js';
import { RETENTION_INTERVAL_MS, pruneExpiredEdges } from './store/retention.js';
import { DatabaseCorruptError } from './store/store-errors.js';
import { openStore } from './store/store.js';
import type { FlowStore } from './store/types.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from './store/wal-checkpointer.js';

/** A failing WAL checkpoint is logged at most this often (it is retried every second). */
const CHECKPOINT_ERROR_LOG_MS = 300_000;

export async function checkStoreAtStart(
  config: Config,
  clock: Clock,
  log: Logger,
): Promise<DatabaseCorruptError | undefined> {
  const { integrityCheck: mode, integrityCheckTimeoutMs: timeoutMs } = config.storage;
  if (mode === 'off' || !existsSync(config.db)) return undefined;
  const result = await checkIntegrity(config.db, {
    mode,
    timeoutMs,
    sleep: (ms, signal) => clock.sleep(ms, signal),
  });
  const check = mode === 'full' ? 'integrity_check' : 'quick_check';
  switch (result.status) {
    case 'ok':
      log.info({ db: config.db, check }, 'database integrity check passed');
      return undefined;
    case 'timed_out':
      log.warn(
        { db: config.db, check, timeoutMs },
        'database integrity check did not finish in time; starting without it',
      );
      return undefined;
    case 'failed':
      // Not evidence of damage: opening the file reports what is wrong with it.
      log.warn({ db: config.db, check, reason: result.message }, 'database integrity check could not run');
      return undefined;
    case 'corrupt': {
      const error = new DatabaseCorruptError(
        config.db,
        `${check}: ${result.problems.slice(0, 3).join('; ')}`,
      );
      log.error({ db: config.db, check, problems: result.problems }, error.message);
      return error;
    }
  }
}

/** Alerting over a damaged file: nothing evaluated or delivered; reading alerts answers 503. */
export function damagedAlerting(error: DatabaseCorruptError): Pick<Alerting, 'store' | 'evaluate' | 'stop'> {
  const store = new Proxy({} as AlertStore, {
    get: (_target, name) =>
      name === 'close'
        ? () => undefined
        : () => {
            throw error;
          },
  });
  return { store, evaluate: () => undefined, stop: () => Promise.resolve() };
}

/**
 * The database's condition for readiness and for every stage that must not touch a damaged
 * file. Damage found by the start-up check, or later by any read or write: the API answers 503
 * database_corrupt, /readyz fails, and nothing more is written to the file.
 */
export interface StoreHealth {
  damage: DatabaseCorruptError | undefined;
  state: ReadinessReport['store'];
  /** Called once when damage is found after start (the daemon stops sources and alerting). */
  onDamage: () => void;
  /** Damage found by another connection to the file (a file source's thread): the same as the store's own. */
  reportDamage: (error: DatabaseCorruptError) => void;
}

export async function openDaemonStore(
  config: Config,
  clock: Clock,
  storeLog: Logger,
): Promise<StoreHealth & { store: FlowStore; checkpointer?: WalCheckpointer }> {
  const damage = await checkStoreAtStart(config, clock, storeLog);
  const health: StoreHealth = {
    damage,
    state: damage === undefined ? 'open' : 'damaged',
    onDamage: () => undefined,
    reportDamage: (error) => {
      if (health.state === 'damaged') return;
      health.damage = error;
      health.state = 'damaged';
      storeLog.error(
        { err: error, db: config.db },
        'the database is damaged: no longer serving or writing it (see README, "Recovering a damaged database")',
      );
      health.onDamage();
    },
  };
  if (damage !== undefined) return Object.assign(health, { store: damagedStore(damage) });
  let store: FlowStore;
  try {
    store = openStore(config.db, {
      // Checkpoints run in a worker (WalCheckpointer below); a commit on the event loop only
      // checkpoints itself if the WAL grows past this (the worker far behind or gone).
      walAutoCheckpointPages: FALLBACK_AUTOCHECKPOINT_PAGES,
      onCorrupt: (error) => health.reportDamage(error),
    });
  } catch (error) {
    throw new Error(
      `cannot open the database ${config.db}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  storeLog.info({ db: config.db }, 'database open');
  let lastErrorLogMs = Number.NEGATIVE_INFINITY;
  let failures = 0;
  const checkpointer = new WalCheckpointer(config.db, {
    clock,
    onError: (error) => {
      failures++;
      if (clock.now() - lastErrorLogMs < CHECKPOINT_ERROR_LOG_MS) return;
      lastErrorLogMs = clock.now();
      storeLog.warn({ err: error, failures }, 'WAL checkpoint failed; retrying every second');
      failures = 0;
    },
  });
  return Object.assign(health, { store, checkpointer });
}

/** Retention (limits.retentionDays): prune once before the sources start, then every hour. */
export function runRetention(
  store: FlowStore,
  config: Config,
  clock: Clock,
  storeLog: Logger,
  stopSignal: AbortSignal,
  health: StoreHealth,
): Promise<void> {
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
  if (health.damage === undefined) prune();
  return (async () => {
    while (!stopSignal.aborted) {
      await clock.sleep(RETENTION_INTERVAL_MS, stopSignal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may abort it during the await
      if (!stopSignal.aborted) prune();
    }
  })();
}
