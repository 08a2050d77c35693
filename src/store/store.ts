// The SQLite FlowStore: better-sqlite3 with WAL, every write batch in one IMMEDIATE transaction
// (edges, counters, the file checkpoint and a batch's companion writes together: the durability
// boundary of ingestion), and keyset-paged reads that stay stable while new edges arrive (new
// edges only ever get larger ids).
import Database from 'better-sqlite3';
import type { EdgeDelta } from '../flows/edge.js';
import type { RejectReason } from '../flows/flow.js';
import { loadMigrations, migrate, schemaVersion, type Migration } from './migrate.js';
import { guardStore } from './guarded-store.js';
import { openReadOnly } from './read-only-open.js';
import { storeError, type DatabaseCorruptError } from './store-errors.js';
import {
  EDGE_DETAIL_COLUMNS,
  detailValues,
  mergedDetail,
  recordFromRow,
  sameDetail,
  type EdgeDetail,
  type EdgeRow,
} from './edge-row.js';
import { CachedEdge, EDGE_CACHE_MAX, EdgeCache } from './edge-cache.js';
import { EdgeRowInterner } from './edge-row-interner.js';
import type {
  Batch,
  EdgePage,
  EdgeQuery,
  EdgeRecord,
  EdgeSummary,
  FileCheckpoint,
  FlowStore,
  IterateOptions,
  ResumePoint,
  StoreTotals,
} from './types.js';
import { EdgeSummaryReader } from './views.js';
import { ResumePoints } from './resume-points.js';
import { CheckpointConflictError, sameCheckpoint } from './checkpoint-conflict.js';
import { edgePageParams, edgePageSql, filterShape, type EdgeFilter } from './edge-filter-sql.js';
import { edgeReadColumns, readEdgeRows, type ReadEdgeRow } from './edge-row-pages.js';

/** The evidence counters of an edge added by migrations, in statement order (009, 010). */
const ESTABLISHED_COLUMNS = ['established', 'established_observed'] as const;
type EstablishedColumn = (typeof ESTABLISHED_COLUMNS)[number];
const NO_VALUES: number[] = [];

export interface StoreOptions {
  /** NORMAL (default) survives a process crash; FULL also survives power loss, at fsync cost. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly busyTimeoutMs?: number;
  /** Fail instead of creating a new database file (read-only commands). */
  readonly mustExist?: boolean;
  readonly migrations?: readonly Migration[];
  /** Build the database only up to this schema version (tests of the upgrade path). */
  readonly targetVersion?: number;
  readonly now?: () => number;
  /** SQLite page cache in KiB (default 32768). */
  readonly cacheKiB?: number;
  /** Edges whose committed state is kept in memory to skip the read on update (default EDGE_CACHE_MAX, 20,000; 0 disables). */
  readonly edgeCacheSize?: number;
  /**
   * Read commands: a read-only connection that never writes, never migrates and needs no WAL side
   * files (a database in a read-only directory or file). The schema must be current.
   */
  readonly readOnly?: boolean;
  /** Called once when a read or write finds the file damaged (every later call then fails). */
  readonly onCorrupt?: (error: DatabaseCorruptError) => void;
  /**
   * WAL pages after which a commit on this connection checkpoints (PRAGMA wal_autocheckpoint;
   * SQLite's default 1000). The daemon raises it and checkpoints in a worker (wal-checkpointer.ts).
   */
  readonly walAutoCheckpointPages?: number;
  /** Largest size in pages (PRAGMA max_page_count): writes beyond it fail as a full disk would. */
  readonly maxPageCount?: number;
}

/** A read-only open found a schema older than this binary's (a writable open would migrate it). */
export class SchemaOutdatedError extends Error {
  override readonly name = 'SchemaOutdatedError';
}

/** A cursor that this store did not issue. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export const LIST_LIMIT_MAX = 1000;
const ITERATE_PAGE = 500;

export function encodeCursor(id: number): string {
  return Buffer.from(String(id), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = cursor.length <= 32 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = Number(text);
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(id)) throw new InvalidCursorError('invalid cursor');
  return id;
}

export function openStore(file: string, options: StoreOptions = {}): FlowStore {
  const now = options.now ?? Date.now;
  const readOnly = options.readOnly === true;
  let db: Database.Database;
  let release: (() => void) | undefined;
  try {
    if (readOnly) ({ db, release } = openReadOnly(file));
    else db = new Database(file, { fileMustExist: options.mustExist ?? false });
  } catch (error) {
    throw storeError(file, error);
  }
  try {
    if (!readOnly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    // Batches update edges all over the table: a page cache that holds a large part of it saves
    // re-reading pages on every batch (bounded: 32 MiB).
    db.pragma(`cache_size = -${Math.max(2048, Math.trunc(options.cacheKiB ?? 32768))}`);
    if (options.walAutoCheckpointPages !== undefined)
      db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.trunc(options.walAutoCheckpointPages))}`);
    if (options.maxPageCount !== undefined)
      db.pragma(`max_page_count = ${Math.max(1, Math.trunc(options.maxPageCount))}`);
    if (readOnly) requireCurrentSchema(db, file, options.migrations ?? loadMigrations());
    else {
      migrate(db, {
        ...(options.migrations !== undefined ? { migrations: options.migrations } : {}),
        ...(options.targetVersion !== undefined ? { targetVersion: options.targetVersion } : {}),
        nowMs: now(),
      });
    }
  } catch (error) {
    if (release !== undefined) release();
    else db.close();
    throw storeError(file, error);
  }
  const store = new SqliteFlowStore(
    db,
    now,
    new EdgeCache(Math.max(0, Math.trunc(options.edgeCacheSize ?? EDGE_CACHE_MAX))),
    release,
  );
  return guardStore(store, file, options.onCorrupt);
}

/** A read-only connection cannot migrate: an older schema is an error that says what to do. */
function requireCurrentSchema(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  const hasTable =
    db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .pluck()
      .get() !== undefined;
  if (!hasTable) throw new Error(`${file} is not a netpol-advisor database (no schema_migrations table)`);
  const version = schemaVersion(db);
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (version > latest)
    throw new Error(`database schema version ${version} is newer than this binary supports (${latest})`);
  if (version < latest) {
    throw new SchemaOutdatedError(
      `${file} has schema version ${version}, this binary needs ${latest}; it is opened read-only, so it cannot be upgraded here: run \`netpol-advisor ingest\` or \`serve\` on it once with write access`,
    );
  }
}

/** Edges deleted per transaction when pruning. */
const PRUNE_CHUNK = 5000;

class SqliteFlowStore implements FlowStore {
  private readonly selectByKey;
  private readonly insertEdge;
  private readonly updateEdge;
  private readonly bumpEdge;
  private readonly bumpCounter;
  private readonly upsertCheckpoint;
  private readonly selectCheckpoint;
  private readonly selectCounters;
  private readonly countEdges;
  /** The ESTABLISHED_COLUMNS this schema has (none before migration 009). */
  private readonly establishedColumns: readonly EstablishedColumn[];
  /** The SELECT list of the paged reads (edge-row-pages.ts). */
  private readonly readColumns: string;
  private readonly listStatements = new Map<string, Database.Statement>();
  private readonly writeTx;
  private readonly resumePoints: ResumePoints;
  private readonly dataVersion;
  /** PRAGMA data_version when this connection last wrote: another value means another connection committed. */
  private cacheVersion: number | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
    private readonly cache: EdgeCache,
    /** Closes the connection and removes a private read-only copy, if one was made. */
    private readonly release?: () => void,
  ) {
    this.selectByKey =
      db.prepare(`SELECT id, last_seen_ms, src_labels, dst_labels, src_pods, dst_pods, src_names, dst_names,
      drop_reasons, denied_by, allowed_by FROM edges WHERE edge_key = ?`);
    // A store opened at an older schema (tests, `targetVersion`) lacks the `established` (009)
    // and `established_observed` (010) columns: the statements then leave them out, unbound.
    const present = new Set(
      db.prepare("SELECT name FROM pragma_table_info('edges')").pluck().all() as string[],
    );
    this.establishedColumns = ESTABLISHED_COLUMNS.filter((column) => present.has(column));
    this.readColumns = edgeReadColumns(present);
    const established = this.establishedColumns.map((column) => `${column} = ${column} + ?,`).join(' ');
    this.bumpEdge = db.prepare(`UPDATE edges SET count = count + ?, ${established}
      first_seen_ms = min(first_seen_ms, ?), last_seen_ms = max(last_seen_ms, ?) WHERE id = ?`);
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    // Positional parameters: better-sqlite3 binds a named-parameter object by looking up each name
    // on it, which cost about 40% of the insert (bench/out measurements in docs/benchmarks.md).
    const insertColumns = [
      'edge_key',
      'src_kind',
      'src_namespace',
      'src_workload',
      'src_workload_kind',
      'src_ip',
      'dst_kind',
      'dst_namespace',
      'dst_workload',
      'dst_workload_kind',
      'dst_ip',
      'protocol',
      'port',
      'verdict',
      'count',
      ...this.establishedColumns,
      'first_seen_ms',
      'last_seen_ms',
      ...EDGE_DETAIL_COLUMNS,
    ];
    this.insertEdge = db.prepare(
      `INSERT INTO edges (${insertColumns.join(', ')}) VALUES (${insertColumns.map(() => '?').join(', ')})`,
    );
    this.updateEdge = db.prepare(`UPDATE edges SET count = count + ?, ${established}
      first_seen_ms = min(first_seen_ms, ?), last_seen_ms = max(last_seen_ms, ?),
      ${EDGE_DETAIL_COLUMNS.map((column) => `${column} = ?`).join(', ')}
      WHERE id = ?`);
    this.bumpCounter = db.prepare(
      'INSERT INTO ingest_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
    );
    this.upsertCheckpoint =
      db.prepare(`INSERT INTO file_checkpoints (source_key, identity, byte_offset, updated_ms)
      VALUES (?, ?, ?, ?) ON CONFLICT (source_key) DO UPDATE SET identity = excluded.identity,
      byte_offset = excluded.byte_offset, updated_ms = excluded.updated_ms`);
    this.selectCheckpoint = db.prepare(
      'SELECT identity, byte_offset FROM file_checkpoints WHERE source_key = ?',
    );
    this.resumePoints = new ResumePoints(db, now);
    this.selectCounters = db.prepare('SELECT name, value FROM ingest_counters');
    this.countEdges = db.prepare('SELECT count(*) AS n FROM edges').pluck();
    this.writeTx = db.transaction((batch: Batch) => {
      // Inside BEGIN IMMEDIATE: nobody else can commit until this transaction ends, so the
      // compare-and-set of the file checkpoint cannot race another writer.
      const cp = batch.checkpoint;
      if (cp !== undefined && batch.expectedCheckpoint !== undefined) {
        const stored = this.checkpoint(cp.sourceKey);
        if (!sameCheckpoint(batch.expectedCheckpoint, stored))
          throw new CheckpointConflictError(cp.sourceKey, batch.expectedCheckpoint, stored);
      }
      const version = this.dataVersion.get() as number;
      if (version !== this.cacheVersion) {
        this.cache.clear();
        this.cacheVersion = version;
      }
      // Known edges first, in rowid order (neighbouring rows share pages), then the rest.
      const known: { delta: EdgeDelta; cached: CachedEdge }[] = [];
      const rest: EdgeDelta[] = [];
      for (const delta of batch.deltas) {
        const cached = this.cache.get(delta.key);
        if (cached !== undefined) known.push({ delta, cached });
        else rest.push(delta);
      }
      known.sort((a, b) => a.cached.id - b.cached.id);
      for (const { delta, cached } of known) this.updateCached(delta, cached);
      for (const delta of rest) this.upsert(delta);
      if (batch.accepted > 0) this.bumpCounter.run('accepted', batch.accepted);
      for (const [reason, count] of Object.entries(batch.rejectedByReason)) {
        if (count > 0) this.bumpCounter.run(`rejected:${reason}`, count);
      }
      for (const point of batch.resume ?? []) this.resumePoints.merge(point);
      if (cp !== undefined) this.upsertCheckpoint.run(cp.sourceKey, cp.identity, cp.offset, this.now());
      batch.companion?.write(db);
    });
  }

  /** Most batches only add counts to a known edge: one UPDATE by rowid, no read, no JSON parse. */
  private updateCached(delta: EdgeDelta, cached: CachedEdge): void {
    const detail = cached.merge(delta);
    if (this.writeEdge(cached.id, delta, detail) === 1) {
      cached.commit(delta.lastSeenMs, detail);
      return;
    }
    this.cache.delete(delta.key); // the row is gone: cannot happen while data_version is watched
    this.upsert(delta);
  }

  /** Reads the row (if any), merges, and updates or inserts it; the result is cached. */
  private upsert(delta: EdgeDelta): void {
    const row = this.selectByKey.get(delta.key) as EdgeRow | undefined;
    const detail = mergedDetail(delta, row);
    if (row !== undefined) {
      const same = sameDetail(row, detail);
      this.writeEdge(row.id, delta, same ? undefined : detail);
      this.cache.set(delta.key, new CachedEdge(row.id, Math.max(row.last_seen_ms, delta.lastSeenMs), detail));
      return;
    }
    const s = delta.source;
    const d = delta.destination;
    const inserted = this.insertEdge.run(
      delta.key,
      s.kind,
      s.namespace ?? null,
      s.workload ?? null,
      s.workloadKind ?? null,
      s.ip ?? null,
      d.kind,
      d.namespace ?? null,
      d.workload ?? null,
      d.workloadKind ?? null,
      d.ip ?? null,
      delta.protocol,
      delta.port,
      delta.verdict,
      delta.count,
      ...this.establishedValue(delta),
      delta.firstSeenMs,
      delta.lastSeenMs,
      ...detailValues(detail),
    );
    this.cache.set(delta.key, new CachedEdge(Number(inserted.lastInsertRowid), delta.lastSeenMs, detail));
  }

  /** Adds the delta's counts and times to row `id`, rewriting the JSON detail only when given. */
  private writeEdge(id: number, delta: EdgeDelta, detail: EdgeDetail | undefined): number {
    const established = this.establishedValue(delta);
    if (detail === undefined)
      return this.bumpEdge.run(delta.count, ...established, delta.firstSeenMs, delta.lastSeenMs, id).changes;
    return this.updateEdge.run(
      delta.count,
      ...established,
      delta.firstSeenMs,
      delta.lastSeenMs,
      ...detailValues(detail),
      id,
    ).changes;
  }

  /** The parameters of the ESTABLISHED_COLUMNS the schema has (a prefix: migrations apply in order). */
  private establishedValue(delta: EdgeDelta): number[] {
    const columns = this.establishedColumns.length;
    if (columns === 2) return [delta.established ?? 0, delta.establishedObserved ?? 0];
    return columns === 1 ? [delta.established ?? 0] : NO_VALUES;
  }

  writeBatch(batch: Batch): void {
    try {
      this.writeTx.immediate(batch);
    } catch (error) {
      // The transaction rolled back: entries it touched may hold uncommitted detail.
      this.cache.clear();
      this.cacheVersion = undefined;
      throw error;
    }
  }

  resumePoint(sourceKey: string): ResumePoint | undefined {
    return this.resumePoints.get(sourceKey);
  }

  checkpoint(sourceKey: string): FileCheckpoint | undefined {
    const row = this.selectCheckpoint.get(sourceKey) as { identity: string; byte_offset: number } | undefined;
    return row === undefined ? undefined : { sourceKey, identity: row.identity, offset: row.byte_offset };
  }

  private listStatement(filter: EdgeFilter, withCursor: boolean): Database.Statement {
    const shape = filterShape(filter, withCursor);
    let statement = this.listStatements.get(shape);
    if (statement === undefined) {
      statement = this.db.prepare(edgePageSql(filter, withCursor, this.readColumns));
      this.listStatements.set(shape, statement);
    }
    return statement;
  }

  private page(filter: EdgeFilter, afterId: number | undefined, limit: number): ReadEdgeRow[] {
    return readEdgeRows(
      this.listStatement(filter, afterId !== undefined),
      edgePageParams(filter, afterId, limit),
    );
  }

  listEdges(query: EdgeQuery): EdgePage {
    const limit = Math.min(Math.max(1, Math.trunc(query.limit)), LIST_LIMIT_MAX);
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = this.page(query, after, limit + 1);
    const items = rows.slice(0, limit).map((row) => recordFromRow(row));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null };
  }

  /** Pages internally, so no read statement stays open between items (writes may interleave). */
  *iterateEdges(filter: EdgeFilter = {}, options: IterateOptions = {}): IterableIterator<EdgeRecord> {
    let after: number | undefined;
    // Edges of the same workloads carry the same labels, pods and names: parsed once per read and
    // shared, so a caller that keeps the records (the recommender) holds one copy of each.
    const interner = new EdgeRowInterner(options.internedMax);
    for (;;) {
      const rows = this.page(filter, after, ITERATE_PAGE);
      for (const row of rows) yield interner.record(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < ITERATE_PAGE) return;
      after = last.id;
    }
  }

  private summaries: EdgeSummaryReader | undefined;

  iterateEdgeSummaries(filter: EdgeFilter = {}): IterableIterator<EdgeSummary> {
    this.summaries ??= new EdgeSummaryReader(this.db);
    return this.summaries.iterate(filter);
  }

  totals(): StoreTotals {
    let accepted = 0;
    let rejected = 0;
    const rejectedByReason: Partial<Record<RejectReason, number>> = {};
    for (const { name, value } of this.selectCounters.all() as { name: string; value: number }[]) {
      if (name === 'accepted') accepted = value;
      else if (name.startsWith('rejected:')) {
        rejected += value;
        rejectedByReason[name.slice('rejected:'.length) as RejectReason] = value;
      }
    }
    return { accepted, rejected, rejectedByReason, edges: this.countEdges.get() as number };
  }

  newestSeenMs(): number | undefined {
    const newest = this.db.prepare('SELECT max(last_seen_ms) FROM edges').pluck().get() as number | null;
    return newest ?? undefined;
  }

  pruneEdges(beforeMs: number): number {
    // Oldest first through the (last_seen_ms, id) index, PRUNE_CHUNK rows per transaction.
    const chunk = this.db.prepare(
      'DELETE FROM edges WHERE id IN (SELECT id FROM edges WHERE last_seen_ms < ? ORDER BY last_seen_ms, id LIMIT ?)',
    );
    const prune = this.db.transaction(() => chunk.run(beforeMs, PRUNE_CHUNK).changes);
    let deleted = 0;
    for (;;) {
      const changes = prune.immediate();
      deleted += changes;
      if (changes < PRUNE_CHUNK) break;
    }
    // Cached row ids of deleted edges must not be updated in place: the next batch re-reads.
    if (deleted > 0) {
      this.cache.clear();
      this.cacheVersion = undefined;
    }
    return deleted;
  }

  pruneGaps(beforeMs: number | undefined, keepMax: number): number {
    // A gap is about the window of events it lost; a gap without one is dated by when it was recorded.
    const byAge = this.db.prepare(
      'DELETE FROM ingest_gaps WHERE coalesce(last_ms, first_ms, recorded_ms) < ?',
    );
    const byCount = this.db.prepare(
      'DELETE FROM ingest_gaps WHERE id <= (SELECT id FROM ingest_gaps ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    const prune = this.db.transaction(
      () =>
        (beforeMs === undefined ? 0 : byAge.run(beforeMs).changes) +
        byCount.run(Math.max(0, Math.trunc(keepMax))).changes,
    );
    return prune.immediate();
  }

  close(): void {
    if (this.release !== undefined) {
      if (this.db.open) this.release();
      return;
    }
    if (this.db.open) this.db.close();
  }
}
