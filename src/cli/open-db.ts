// How the CLI opens a database. Read commands (flows, drops, recommend, simulate, doctor) open it
// read-only, so they work in a read-only directory or on a read-only file and never create WAL
// side files; `ingest` opens it for writing. Both first run `PRAGMA quick_check` (bounded in
// time; NETPOL_ADVISOR_INTEGRITY_CHECK=full|off changes that): a damaged file stops the command
// with exit 1 naming it, before anything is read from or written to it.
import { existsSync } from 'node:fs';
import { checkIntegrity, type IntegrityMode } from '../store/integrity.js';
import { DatabaseCorruptError } from '../store/store-errors.js';
import { openStore, SchemaOutdatedError } from '../store/store.js';
import type { FlowStore } from '../store/types.js';
import { UsageError } from './args.js';

/** How long the CLI waits for the start-up check before going on without it. */
export const CLI_INTEGRITY_TIMEOUT_MS = 10_000;

function integrityMode(): IntegrityMode | 'off' {
  const value = process.env['NETPOL_ADVISOR_INTEGRITY_CHECK'];
  if (value === undefined || value === '' || value === 'quick') return 'quick';
  if (value === 'full' || value === 'off') return value;
  throw new UsageError(`NETPOL_ADVISOR_INTEGRITY_CHECK: "${value.slice(0, 40)}" is not quick, full or off`);
}

/** Runs the start-up check of an existing file; throws DatabaseCorruptError when it finds damage. */
export async function checkDatabase(db: string): Promise<void> {
  const mode = integrityMode();
  if (mode === 'off' || !existsSync(db)) return;
  const result = await checkIntegrity(db, { mode, timeoutMs: CLI_INTEGRITY_TIMEOUT_MS });
  if (result.status === 'corrupt')
    throw new DatabaseCorruptError(
      db,
      `${mode === 'full' ? 'integrity_check' : 'quick_check'}: ${result.problems.slice(0, 3).join('; ')}`,
    );
  if (result.status === 'timed_out')
    process.stderr.write(
      `netpol-advisor: ${db}: the integrity check did not finish within ${CLI_INTEGRITY_TIMEOUT_MS / 1000} s; going on without it\n`,
    );
  // 'failed': the open below reports why the file cannot be read.
}

/** An existing database, read-only. An older schema is upgraded first when the file is writable. */
export async function openReadStore(db: string): Promise<FlowStore> {
  if (!existsSync(db)) throw new UsageError(`cannot read ${db}: no such database (run ingest first)`);
  await checkDatabase(db);
  try {
    return openStore(db, { readOnly: true });
  } catch (error) {
    if (!(error instanceof SchemaOutdatedError)) throw error;
    try {
      openStore(db, { mustExist: true }).close();
    } catch {
      throw error;
    }
    return openStore(db, { readOnly: true });
  }
}

/** The database `ingest` writes to (created when missing). */
export async function openWriteStore(db: string): Promise<FlowStore> {
  await checkDatabase(db);
  return openStore(db);
}
