// The daemon's start-up check of its database (storage.integrityCheck: PRAGMA quick_check by
// default, the full integrity_check, or off), bounded by storage.integrityCheckTimeoutMs on the
// daemon's clock, and the stand-ins used when the file is damaged: the daemon then still serves
// /healthz and /readyz (503, naming the file) and answers the API with 503 database_corrupt,
// but opens no connection that could write to the file.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Alerting } from './daemon-alerting.js';
import type { Config } from './config/schema.js';
import type { Clock } from './lib/clock.js';
import type { AlertStore } from './store/alerts.js';
import { checkIntegrity } from './store/integrity.js';
import { DatabaseCorruptError } from './store/store-errors.js';

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
