// A read-only connection to a database that may sit in a read-only directory. SQLite reads a
// WAL-mode file through its `-shm` index; when that side file is missing and cannot be created
// (read-only directory or mount), even a read-only open fails (SQLITE_READONLY_DIRECTORY or
// SQLITE_CANTOPEN) unless the file is opened `immutable`, which needs a URI filename that this
// better-sqlite3 build does not accept (SQLITE_USE_URI is off). We then read a private copy: the
// file (and its `-wal`, when one holds frames not yet checkpointed) copied to a temporary
// directory that is removed on close. The copy costs one sequential read of the file, about
// what a read command's full scan costs anyway, and needs that much free space in os.tmpdir().
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface ReadOnlyConnection {
  readonly db: Database.Database;
  /** Set when a private copy is read: the directory removed by `release`. */
  readonly copyDir?: string;
  readonly release: () => void;
}

/** Errors of a read-only open that a copy in a writable directory avoids. */
function needsCopy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_READONLY_DIRECTORY' ||
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_READONLY_CANTINIT' ||
    code === 'SQLITE_READONLY_RECOVERY'
  );
}

function openProbed(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // The first read is what touches the WAL index: fail here, not in the middle of a command.
    db.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function openReadOnly(file: string): ReadOnlyConnection {
  try {
    const db = openProbed(file);
    return { db, release: () => db.close() };
  } catch (error) {
    if (!needsCopy(error)) throw error;
  }
  const copyDir = mkdtempSync(path.join(tmpdir(), 'netpol-advisor-ro-'));
  try {
    const copy = path.join(copyDir, 'copy.db');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = openProbed(copy);
    return {
      db,
      copyDir,
      release: () => {
        db.close();
        rmSync(copyDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(copyDir, { recursive: true, force: true });
    throw error;
  }
}
