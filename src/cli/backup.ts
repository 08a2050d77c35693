// `netpol-advisor backup --db FILE OUT`: a consistent copy of the database while the service keeps
// writing to it, through SQLite's online backup API. The database runs in WAL mode, so its main
// file alone lacks every transaction not yet checkpointed: `cp` gives an empty or stale copy.
// The copy is written next to OUT and renamed into place once it passed an integrity check.
import { existsSync, realpathSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { defaultDbPath, parseCommandArgs, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `usage: netpol-advisor backup [--db FILE] OUT

Copies the database to OUT, consistently, even while \`netpol-advisor serve\` or an ingest is
writing to it (do not use cp: most recent data sits in FILE-wal until SQLite moves it). OUT must
not exist. Restore by stopping the service and putting OUT in place of the database file (and
removing any FILE-wal and FILE-shm left beside it).

options:
  --db FILE    the database (default $NETPOL_ADVISOR_DB or ./netpol-advisor.db)
  -h, --help   this help
`;

function samePath(a: string, b: string): boolean {
  const resolve = (p: string): string => (existsSync(p) ? realpathSync(p) : path.resolve(p));
  return resolve(a) === resolve(b);
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' } }, true);
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? 'give the file to write the copy to (OUT)'
        : `one OUT file, got ${positionals.length} arguments`,
    );
  const out = positionals[0] as string;
  const db = values.db ?? defaultDbPath();
  if (!existsSync(db)) throw new UsageError(`--db ${db}: no such file`);
  if (existsSync(out)) throw new UsageError(`${out} already exists; remove it or choose another name`);
  if (samePath(db, out)) throw new UsageError('OUT is the database itself');
  const outDir = path.dirname(path.resolve(out));
  if (!existsSync(outDir)) throw new UsageError(`${out}: directory ${outDir} does not exist`);

  let source: Database.Database;
  try {
    // Read-only: the backup never changes the database, and works beside a running writer.
    source = new Database(db, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UsageError(
      `--db ${db}: cannot open: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const partial = path.join(outDir, `.${path.basename(out)}.partial-${process.pid}`);
  try {
    const { totalPages } = await source.backup(partial);
    const copy = new Database(partial, { readonly: true });
    try {
      const check: unknown = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed SQLite's integrity check: ${String(check)}`);
    } finally {
      copy.close();
    }
    await rename(partial, out);
    const { size } = await stat(out);
    process.stdout.write(`backed up ${db} to ${out} (${totalPages} pages, ${size} bytes)\n`);
    return 0;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

export const backupCommand: Command = {
  summary: 'copy the database safely while the service is using it',
  run,
};
