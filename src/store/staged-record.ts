// The write side of shadow mode's live evaluation: one batch's outcome per active set (counters,
// distinct paths, would-drop paths) written with statements prepared on whichever connection the
// caller hands in. The daemon hands in the flow store's connection inside the batch's own
// transaction (Batch.companion), so the edges and what they taught about the staged sets commit
// together or not at all. Nothing here opens a transaction.
import type Database from 'better-sqlite3';
import { EDGE_SAMPLE_PODS_MAX } from '../flows/edge.js';
import type { SetBatchResult, WouldDropObservation } from '../staged/shadow-evaluator.js';

/** The stored sample pods of `column` with the new row's added: distinct, first come, bounded. */
function mergedPodsSql(column: 'src_pods' | 'dst_pods'): string {
  return `CASE WHEN json_array_length(${column}) >= ${EDGE_SAMPLE_PODS_MAX} THEN ${column} ELSE (SELECT json_group_array(value) FROM (
    SELECT value FROM (SELECT value, min(o) AS o FROM (SELECT value, 0 * 1000 + key AS o FROM json_each(${column})
      UNION ALL SELECT value, 1000 + key AS o FROM json_each(excluded.${column})) GROUP BY value) ORDER BY o LIMIT ${EDGE_SAMPLE_PODS_MAX})) END`;
}

/** At most EDGE_SAMPLE_PODS_MAX distinct pods, first come, as a JSON array. */
function samplePods(pods: readonly string[]): string {
  if (pods.length === 0) return '[]';
  if (pods.length === 1) return JSON.stringify(pods);
  return JSON.stringify([...new Set(pods)].slice(0, EDGE_SAMPLE_PODS_MAX));
}

/** Per-path JSON built once per decision (the same decider object for every batch of a path). */
const deciderJson = new WeakMap<object, string>();
function jsonOfDecider(decider: object): string {
  let text = deciderJson.get(decider);
  if (text === undefined) deciderJson.set(decider, (text = JSON.stringify(decider)));
  return text;
}

export class StagedRecordStatements {
  private readonly bump;
  private readonly addPath;
  private readonly upsertDrop;
  private readonly dropExists;

  constructor(db: Database.Database) {
    this.bump = db.prepare(
      "UPDATE staged_sets SET connections = connections + ?, unevaluated = unevaluated + ?, last_would_drop_ms = coalesce(max(last_would_drop_ms, ?), ?, last_would_drop_ms) WHERE id = ? AND status = 'active'",
    );
    this.addPath = db.prepare('INSERT OR IGNORE INTO staged_paths (set_id, path_key) VALUES (?, ?)');
    // One statement per would-drop delta: insert, or add to the row (sample pods merged in SQL,
    // distinct, at most EDGE_SAMPLE_PODS_MAX). RETURNING connections equals the delta's own count
    // only for a row this statement created when the delta adds at least 1 connection; a delta of
    // connections established before observation adds none (shadow counts starts), so for it
    // dropExists asks first, and a path is reported new once either way.
    this.upsertDrop = db
      .prepare(
        `INSERT INTO staged_would_drops (set_id, path_key, source, destination, protocol, port, connections, first_seen_ms,
        last_seen_ms, src_pods, dst_pods, decider, evaluated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (set_id, path_key) DO UPDATE SET connections = connections + excluded.connections,
          first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),
          src_pods = ${mergedPodsSql('src_pods')}, dst_pods = ${mergedPodsSql('dst_pods')},
          decider = excluded.decider, evaluated_ms = excluded.evaluated_ms
        RETURNING connections`,
      )
      .pluck();
    this.dropExists = db
      .prepare('SELECT 1 FROM staged_would_drops WHERE set_id = ? AND path_key = ?')
      .pluck();
  }

  /**
   * Writes the results (inside the caller's transaction); returns the would-drops of paths seen
   * for the first time. `known`: path keys already in staged_paths, per set (skips their INSERT);
   * `remember` is told each key this call inserted. A set ended meanwhile records nothing.
   */
  record(
    results: Iterable<SetBatchResult>,
    nowMs: number,
    known: (setId: number) => ReadonlySet<string> | undefined,
    remember: (setId: number, pathKey: string) => void,
  ): WouldDropObservation[] {
    const fresh: WouldDropObservation[] = [];
    for (const result of results) {
      const lastDrop = result.wouldDrops.length > 0 ? nowMs : null;
      if (
        this.bump.run(result.connections, result.unevaluated, lastDrop, lastDrop, result.setId).changes === 0
      )
        continue;
      const seen = known(result.setId);
      // A would-drop path is counted by its staged_would_drops row (traffic() counts the union):
      // one INSERT per new path, not two.
      const dropping =
        result.wouldDrops.length > 0 ? new Set(result.wouldDrops.map((d) => d.pathKey)) : undefined;
      for (const pathKey of result.paths.keys()) {
        if (seen?.has(pathKey) === true || dropping?.has(pathKey) === true) continue;
        this.addPath.run(result.setId, pathKey);
        remember(result.setId, pathKey);
      }
      for (const drop of result.wouldDrops) {
        const existed =
          drop.connections === 0 ? this.dropExists.get(drop.setId, drop.pathKey) !== undefined : undefined;
        const total = this.upsertDrop.get(
          drop.setId,
          drop.pathKey,
          JSON.stringify(drop.source),
          JSON.stringify(drop.destination),
          drop.protocol,
          drop.port,
          drop.connections,
          drop.firstSeenMs,
          drop.lastSeenMs,
          samplePods(drop.sourcePods),
          samplePods(drop.destinationPods),
          jsonOfDecider(drop.decider),
          nowMs,
        ) as number;
        if (existed === undefined ? total === drop.connections : !existed) fresh.push(drop);
      }
    }
    return fresh;
  }
}
