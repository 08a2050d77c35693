// Schema migrations: the numbered `migrations/NNN_name.sql` files, applied in order, each in its
// own transaction together with its row in `schema_migrations` (and `user_version`), so a newer
// binary upgrades an older database in place and a crash mid-migration leaves the old schema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{3,})_([a-z0-9_-]+)\.sql$/;

/**
 * The `migrations/` folder of this package. Walks up from this module to the directory holding
 * package.json, so it works from src/store under tsx and from dist/store after `tsc`.
 */
export function defaultMigrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'migrations');
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('cannot locate migrations/: no package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (match === null) continue;
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: readFileSync(path.join(dir, file), 'utf8'),
    });
  }
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1];
    const current = migrations[i];
    if (previous !== undefined && current !== undefined && previous.version === current.version) {
      throw new Error(`two migrations numbered ${current.version} in ${dir}`);
    }
  }
  return migrations;
}

export interface MigrateOptions {
  readonly migrations?: readonly Migration[];
  /** Stop after this version (tests build a database at an older schema). */
  readonly targetVersion?: number;
  readonly nowMs?: number;
}

/** Applies every pending migration; returns the versions applied (empty when up to date). */
export function migrate(db: Database.Database, options: MigrateOptions = {}): number[] {
  const migrations = options.migrations ?? loadMigrations();
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_ms INTEGER NOT NULL
  )`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (row) => row.version,
    ),
  );
  const latestKnown = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const newestApplied = Math.max(0, ...applied);
  if (newestApplied > latestKnown) {
    throw new Error(
      `database schema version ${newestApplied} is newer than this binary supports (${latestKnown})`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    if (options.targetVersion !== undefined && migration.version > options.targetVersion) break;
    const apply = db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, options.nowMs ?? Date.now());
      // The newest version applied, also when an older-numbered migration lands after a newer one.
      db.pragma(`user_version = ${Math.max(migration.version, newestApplied, ...done)}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      throw new Error(
        `migration ${migration.version}_${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    done.push(migration.version);
  }
  return done;
}

export function schemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as
    { v: number | null } | undefined;
  return row?.v ?? 0;
}
