// The SQLite store of shadow mode: staged sets with their lifecycle (staging supersedes the
// namespace's active set in the same transaction; promote and retire end the active set), and
// what the live evaluation recorded per batch (counters, distinct paths, would-drop paths: written
// by staged-record.ts inside the flow store's batch transaction in the daemon, so edges and
// would-drop counters commit together). Opened on its own connection to the daemon's database file,
// like the alert store; the CLI opens the same file, so the daemon re-reads the active sets from
// the table (activeSets) rather than trusting what it was told in-process.
import Database from 'better-sqlite3';
import type { SetBatchResult, WouldDropObservation } from '../staged/shadow-evaluator.js';
import type {
  StagedFlavor,
  StagedObject,
  StagedOrigin,
  StagedSet,
  StagedStatus,
  StagedTraffic,
  WouldDropPath,
} from '../staged/staged-set.js';
import { migrate, type Migration } from './migrate.js';
import { decodeCursor, encodeCursor, InvalidCursorError } from './store.js';
import { StagedRecordStatements } from './staged-record.js';
import { setFromRow, wouldDropFromRow, type SetRow, type WouldDropRow } from './staged-rows.js';

export { InvalidCursorError };

export interface StageRequest {
  readonly namespace: string;
  readonly flavor: StagedFlavor;
  readonly origin: StagedOrigin;
  readonly policies: readonly StagedObject[];
  readonly by: string;
  readonly nowMs: number;
}

export interface WouldDropPage {
  readonly items: readonly WouldDropPath[];
  readonly nextCursor: string | null;
}

/** A set that is not active any more cannot be promoted or retired. */
export class StagedSetNotActiveError extends Error {
  override readonly name = 'StagedSetNotActiveError';
}

export interface StagedStoreOptions {
  readonly mustExist?: boolean;
  readonly busyTimeoutMs?: number;
  readonly migrations?: readonly Migration[];
}

const KNOWN_PATHS_MAX = 200_000;

export class StagedStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly recordTx;
  /** Recording statements per connection (its own, and the flow store's for Batch.companion). */
  private readonly recorders = new WeakMap<Database.Database, StagedRecordStatements>();
  /** Path keys already in staged_paths, per set: skips the INSERT for known paths (bounded). */
  private readonly knownPaths = new Map<number, Set<string>>();
  private knownPathCount = 0;

  constructor(file: string, options: StagedStoreOptions = {}) {
    this.db = new Database(file, { fileMustExist: options.mustExist ?? false });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      this.db.pragma('foreign_keys = ON');
      migrate(this.db, options.migrations !== undefined ? { migrations: options.migrations } : {});
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.statements = {
      byId: db.prepare('SELECT * FROM staged_sets WHERE id = ?'),
      active: db.prepare("SELECT * FROM staged_sets WHERE status = 'active' ORDER BY namespace"),
      activeIds: db.prepare("SELECT group_concat(id) FROM staged_sets WHERE status = 'active'").pluck(),
      all: db.prepare('SELECT * FROM staged_sets ORDER BY id DESC LIMIT ?'),
      insert:
        db.prepare(`INSERT INTO staged_sets (namespace, flavor, origin, policies, status, staged_ms, staged_by)
        VALUES (?, ?, ?, ?, 'active', ?, ?)`),
      end: db.prepare(
        "UPDATE staged_sets SET status = ?, ended_ms = ?, ended_by = ?, superseded_by = ? WHERE id = ? AND status = 'active'",
      ),
      activeOf: db.prepare("SELECT id FROM staged_sets WHERE namespace = ? AND status = 'active'").pluck(),
      // Distinct paths judged: the clean ones in staged_paths, the would-drops in their own table
      // (recorded there only), a path in both counted once.
      pathCount: db
        .prepare(
          'SELECT count(*) FROM (SELECT path_key FROM staged_paths WHERE set_id = ? UNION SELECT path_key FROM staged_would_drops WHERE set_id = ?)',
        )
        .pluck(),
      dropTotals: db.prepare(
        'SELECT count(*) AS paths, coalesce(sum(connections), 0) AS connections FROM staged_would_drops WHERE set_id = ?',
      ),
      dropPage: db.prepare(
        'SELECT * FROM staged_would_drops WHERE set_id = ? AND id > ? ORDER BY id LIMIT ?',
      ),
      // The edges of a pair are the keys `pair|…`: a range of the unique edge_key index ('}' follows '|').
      pairStarted: db
        .prepare('SELECT 1 FROM edges WHERE edge_key >= ? AND edge_key < ? AND count > 0 LIMIT 1')
        .pluck(),
    };
    this.recordTx = db.transaction((results: Iterable<SetBatchResult>, nowMs: number) =>
      this.recordOn(db, results, nowMs),
    );
  }

  /** Stages a set, superseding the namespace's active one (kept as history). */
  stage(request: StageRequest): StagedSet {
    const s = this.statements;
    const id = this.db
      .transaction(() => {
        const previous = s.activeOf.get(request.namespace) as number | undefined;
        if (previous !== undefined) s.end.run('superseded', request.nowMs, request.by, null, previous);
        const inserted = Number(
          s.insert.run(
            request.namespace,
            request.flavor,
            request.origin,
            JSON.stringify(request.policies),
            request.nowMs,
            request.by,
          ).lastInsertRowid,
        );
        if (previous !== undefined)
          this.db.prepare('UPDATE staged_sets SET superseded_by = ? WHERE id = ?').run(inserted, previous);
        return inserted;
      })
      .immediate();
    return this.get(id) as StagedSet;
  }

  get(id: number): StagedSet | undefined {
    const row = this.statements.byId.get(id) as SetRow | undefined;
    return row === undefined ? undefined : setFromRow(row);
  }

  /** Newest first, at most `limit`. */
  list(limit = 1000): StagedSet[] {
    return (this.statements.all.all(limit) as SetRow[]).map(setFromRow);
  }

  activeSets(): StagedSet[] {
    return (this.statements.active.all() as SetRow[]).map(setFromRow);
  }

  /** Whether a committed edge of the pair (flows/reply-read-backwards.ts pairKeyOf) counted a connection start. */
  hasStartedPair(pairKey: string): boolean {
    return this.statements.pairStarted.get(`${pairKey}|`, `${pairKey}}`) !== undefined;
  }

  /** Changes whenever the set of active sets does (one indexed query; the daemon asks per batch). */
  activeVersion(): string {
    return (this.statements.activeIds.get() as string | null) ?? '';
  }

  /** Ends an active set as promoted or retired. */
  end(
    id: number,
    status: Extract<StagedStatus, 'promoted' | 'retired'>,
    by: string,
    nowMs: number,
  ): StagedSet {
    const changed = this.statements.end.run(status, nowMs, by, null, id).changes;
    if (changed === 0) {
      const set = this.get(id);
      if (set === undefined) throw new StagedSetNotActiveError(`no staged set ${id}`);
      throw new StagedSetNotActiveError(`staged set ${id} is ${set.status}, not active`);
    }
    this.knownPaths.delete(id);
    return this.get(id) as StagedSet;
  }

  traffic(id: number): StagedTraffic {
    const row = this.statements.byId.get(id) as SetRow | undefined;
    if (row === undefined) throw new Error(`no staged set ${id}`);
    const drops = this.statements.dropTotals.get(id) as { paths: number; connections: number };
    return {
      paths: this.statements.pathCount.get(id, id) as number,
      connections: row.connections,
      unevaluated: row.unevaluated,
      wouldDropPaths: drops.paths,
      wouldDropConnections: drops.connections,
      ...(row.last_would_drop_ms !== null ? { lastWouldDropAtMs: row.last_would_drop_ms } : {}),
    };
  }

  wouldDrops(id: number, limit: number, cursor?: string): WouldDropPage {
    const after = cursor !== undefined ? decodeCursor(cursor) : 0;
    const rows = this.statements.dropPage.all(id, after, limit + 1) as WouldDropRow[];
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(wouldDropFromRow),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
    };
  }

  /**
   * Records one batch's evaluation in its own transaction on this store's connection; returns the
   * would-drops of paths seen for the first time (the stream's and the alerts' events).
   */
  recordBatch(results: Iterable<SetBatchResult>, nowMs: number): WouldDropObservation[] {
    return this.recordTx.immediate(results, nowMs);
  }

  /**
   * Records one batch's evaluation on `db`, inside the transaction the caller holds open there
   * (the flow store's batch: see Batch.companion). When that transaction does not commit, the
   * caller must call forgetRecordedPaths.
   */
  recordOn(db: Database.Database, results: Iterable<SetBatchResult>, nowMs: number): WouldDropObservation[] {
    let recorder = this.recorders.get(db);
    if (recorder === undefined) this.recorders.set(db, (recorder = new StagedRecordStatements(db)));
    return recorder.record(
      results,
      nowMs,
      (setId) => this.knownPaths.get(setId),
      (setId, pathKey) => this.rememberPath(setId, pathKey),
    );
  }

  /** A recorded batch rolled back: the remembered path keys may name rows that do not exist. */
  forgetRecordedPaths(): void {
    this.knownPaths.clear();
    this.knownPathCount = 0;
  }

  private rememberPath(setId: number, pathKey: string): void {
    if (this.knownPathCount >= KNOWN_PATHS_MAX) this.forgetRecordedPaths();
    let known = this.knownPaths.get(setId);
    if (known === undefined) this.knownPaths.set(setId, (known = new Set()));
    known.add(pathKey);
    this.knownPathCount++;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
