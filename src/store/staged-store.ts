// The SQLite store of shadow mode: staged sets with their lifecycle (staging supersedes the
// namespace's active set in the same transaction; promote and retire end the active set), and
// what the live evaluation recorded per batch (counters, distinct paths, would-drop paths), each
// batch in one IMMEDIATE transaction. Opened on its own connection to the daemon's database file,
// like the alert store; the CLI opens the same file, so the daemon re-reads the active sets from
// the table (activeSets) rather than trusting what it was told in-process.
import Database from 'better-sqlite3';
import { EDGE_SAMPLE_PODS_MAX } from '../flows/edge.js';
import type { NetworkPolicy } from '../policy/model.js';
import type { SetBatchResult, WouldDropObservation } from '../staged/shadow-evaluator.js';
import type {
  StagedFlavor,
  StagedOrigin,
  StagedSet,
  StagedStatus,
  StagedTraffic,
  WouldDropPath,
} from '../staged/staged-set.js';
import { migrate, type Migration } from './migrate.js';
import { decodeCursor, encodeCursor, InvalidCursorError } from './store.js';
import { mergedSample, setFromRow, wouldDropFromRow, type SetRow, type WouldDropRow } from './staged-rows.js';

export { InvalidCursorError };

export interface StageRequest {
  readonly namespace: string;
  readonly flavor: StagedFlavor;
  readonly origin: StagedOrigin;
  readonly policies: readonly NetworkPolicy[];
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

/** The stored sample pods of `column` with the new row's added: distinct, first come, bounded. */
function mergedPodsSql(column: 'src_pods' | 'dst_pods'): string {
  return `CASE WHEN json_array_length(${column}) >= ${EDGE_SAMPLE_PODS_MAX} THEN ${column} ELSE (SELECT json_group_array(value) FROM (
    SELECT value FROM (SELECT value, min(o) AS o FROM (SELECT value, 0 * 1000 + key AS o FROM json_each(${column})
      UNION ALL SELECT value, 1000 + key AS o FROM json_each(excluded.${column})) GROUP BY value) ORDER BY o LIMIT ${EDGE_SAMPLE_PODS_MAX})) END`;
}

export class StagedStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly recordTx;
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
      bump: db.prepare(
        "UPDATE staged_sets SET connections = connections + ?, unevaluated = unevaluated + ?, last_would_drop_ms = coalesce(max(last_would_drop_ms, ?), ?, last_would_drop_ms) WHERE id = ? AND status = 'active'",
      ),
      addPath: db.prepare('INSERT OR IGNORE INTO staged_paths (set_id, path_key) VALUES (?, ?)'),
      pathCount: db.prepare('SELECT count(*) FROM staged_paths WHERE set_id = ?').pluck(),
      dropTotals: db.prepare(
        'SELECT count(*) AS paths, coalesce(sum(connections), 0) AS connections FROM staged_would_drops WHERE set_id = ?',
      ),
      // One statement per would-drop delta: insert, or add to the row (sample pods merged in SQL,
      // distinct, at most EDGE_SAMPLE_PODS_MAX). RETURNING connections equals the delta's own
      // count only for a row this statement created (an update always adds at least 1).
      upsertDrop: db
        .prepare(
          `INSERT INTO staged_would_drops (set_id, path_key, source, destination, protocol, port, connections, first_seen_ms,
        last_seen_ms, src_pods, dst_pods, decider, evaluated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (set_id, path_key) DO UPDATE SET connections = connections + excluded.connections,
          first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),
          src_pods = ${mergedPodsSql('src_pods')}, dst_pods = ${mergedPodsSql('dst_pods')},
          decider = excluded.decider, evaluated_ms = excluded.evaluated_ms
        RETURNING connections`,
        )
        .pluck(),
      dropPage: db.prepare(
        'SELECT * FROM staged_would_drops WHERE set_id = ? AND id > ? ORDER BY id LIMIT ?',
      ),
    };
    this.recordTx = db.transaction((results: Iterable<SetBatchResult>, nowMs: number) =>
      this.recordResults(results, nowMs),
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
      paths: this.statements.pathCount.get(id) as number,
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
   * Records one batch's evaluation in one transaction; returns the would-drops of paths seen for
   * the first time (the stream's and the alerts' events). A set ended meanwhile records nothing.
   */
  recordBatch(results: Iterable<SetBatchResult>, nowMs: number): WouldDropObservation[] {
    return this.recordTx.immediate(results, nowMs);
  }

  private recordResults(results: Iterable<SetBatchResult>, nowMs: number): WouldDropObservation[] {
    const s = this.statements;
    const fresh: WouldDropObservation[] = [];
    for (const result of results) {
      const lastDrop = result.wouldDrops.length > 0 ? nowMs : null;
      if (s.bump.run(result.connections, result.unevaluated, lastDrop, lastDrop, result.setId).changes === 0)
        continue;
      let known = this.knownPaths.get(result.setId);
      if (known === undefined) this.knownPaths.set(result.setId, (known = new Set()));
      for (const pathKey of result.paths.keys()) {
        if (known.has(pathKey)) continue;
        s.addPath.run(result.setId, pathKey);
        if (this.knownPathCount >= KNOWN_PATHS_MAX) {
          this.knownPaths.clear();
          this.knownPathCount = 0;
          this.knownPaths.set(result.setId, (known = new Set()));
        }
        known.add(pathKey);
        this.knownPathCount++;
      }
      for (const drop of result.wouldDrops) {
        const total = s.upsertDrop.get(
          drop.setId,
          drop.pathKey,
          JSON.stringify(drop.source),
          JSON.stringify(drop.destination),
          drop.protocol,
          drop.port,
          drop.connections,
          drop.firstSeenMs,
          drop.lastSeenMs,
          mergedSample('[]', drop.sourcePods, EDGE_SAMPLE_PODS_MAX),
          mergedSample('[]', drop.destinationPods, EDGE_SAMPLE_PODS_MAX),
          JSON.stringify(drop.decider),
          nowMs,
        ) as number;
        if (total === drop.connections) fresh.push(drop);
      }
    }
    return fresh;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
