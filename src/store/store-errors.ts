// SQLite failures an operator must act on, named at the adapter boundary with the file they are
// about: a damaged database (SQLITE_CORRUPT, SQLITE_NOTADB; recovery in the README) and a full
// disk (SQLITE_FULL). Everything else passes through unchanged.

/** The database file is damaged: nothing more is read from or written to it. */
export class DatabaseCorruptError extends Error {
  override readonly name = 'DatabaseCorruptError';
  constructor(
    readonly file: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `the database ${file} is damaged (${detail}); nothing more is written to it. Recover it with \`sqlite3 ${file} .recover\` into a new file, or restore a backup (README: "Recovering a damaged database")`,
      options,
    );
  }
}

/** SQLITE_FULL: the disk (or the database's size limit) has no room for the write. */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  constructor(
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(`disk full: cannot write ${file} (SQLITE_FULL); free space on its filesystem, then retry`, options);
  }
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLITE_CORRUPT and SQLITE_NOTADB, with their extended codes (SQLITE_CORRUPT_INDEX …). */
export function isCorruptionError(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** The operator-facing error for a SQLite failure on `file`, or the error itself. */
export function storeError(file: string, error: unknown): unknown {
  if (error instanceof DatabaseCorruptError || error instanceof DiskFullError) return error;
  if (isCorruptionError(error))
    return new DatabaseCorruptError(
      file,
      `${sqliteCode(error) ?? 'SQLITE_CORRUPT'}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  if (sqliteCode(error) === 'SQLITE_FULL') return new DiskFullError(file, { cause: error });
  return error;
}
