// Alert state in SQLite (migration 003): the alerts raised on blocked paths and the outbox of
// their deliveries to each sink. Every alert change and the notifications it causes are written
// in one transaction, so a crash never loses a notification nor sends one for a change that did
// not commit (at-least-once, reliability.md R15). Opens its own connection to the store's file.
// Both tables are bounded: resolved alerts and finished deliveries past the retention are pruned,
// resolved alerts beyond a count too, and pending deliveries beyond a count are given up.
import Database from 'better-sqlite3';
import type { EdgePeer } from '../flows/edge.js';
import { migrate, type Migration } from './migrate.js';
import { readEdgesFromSources } from './source-edges.js';
import type { EdgeRecord } from './types.js';

export type AlertStatus = 'firing' | 'resolved';
export type DeliveryState = 'pending' | 'sent' | 'failed';

export interface AlertRecord {
  readonly id: number;
  readonly pathKey: string;
  readonly classification: string;
  readonly status: AlertStatus;
  readonly summary: string;
  readonly detail: unknown;
  readonly count: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly startedMs: number;
  readonly resolvedMs: number | null;
  readonly lastNotifiedMs: number;
}

export interface DeliveryRecord {
  readonly id: number;
  readonly alertId: number;
  readonly sink: string;
  readonly event: AlertStatus;
  readonly idempotencyKey: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptMs: number;
  readonly lastError: string | null;
  readonly createdMs: number;
  readonly sentMs: number | null;
}

export interface AlertFields {
  readonly pathKey: string;
  readonly classification: string;
  readonly summary: string;
  readonly detail: unknown;
  readonly count: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

export type AlertChange =
  | { readonly kind: 'open'; readonly alert: AlertFields; readonly notify: readonly string[] }
  | {
      readonly kind: 'update';
      readonly id: number;
      readonly alert: AlertFields;
      readonly notify: readonly string[];
    }
  | { readonly kind: 'resolve'; readonly id: number; readonly notify: readonly string[] };

export interface AlertWithDeliveries extends AlertRecord {
  readonly deliveries: readonly DeliveryRecord[];
}

export interface AlertStore {
  firingAlerts(): AlertRecord[];
  /** Firing alerts per classification. */
  firingCounts(): Map<string, number>;
  /** Applies the changes and enqueues their notifications in one transaction. */
  apply(changes: readonly AlertChange[], nowMs: number): void;
  /** Pending deliveries due at nowMs, oldest first, with their alert. */
  dueDeliveries(nowMs: number, limit: number): { delivery: DeliveryRecord; alert: AlertRecord }[];
  /** The earliest next attempt of any pending delivery, if any. */
  nextDueMs(): number | undefined;
  markSent(id: number, attempts: number, nowMs: number): void;
  markRetry(id: number, attempts: number, nextAttemptMs: number, error: string): void;
  markFailed(id: number, attempts: number, error: string): void;
  listAlerts(query: { limit: number; status?: AlertStatus; beforeId?: number }): {
    items: AlertWithDeliveries[];
    nextBeforeId: number | null;
  };
  /** Deletes resolved alerts (with their deliveries) and finished deliveries past the bounds. */
  prune(bounds: AlertRetention): PruneCounts;
  /** Gives up the oldest pending deliveries beyond maxPending (state failed); the count per sink. */
  boundOutbox(maxPending: number): Map<string, number>;
  /** Every edge sent by these sources, in id order (the alert path's classification evidence). */
  edgesFromSources(sources: readonly EdgePeer[]): EdgeRecord[];
  close(): void;
}

export interface AlertRetention {
  /** Resolved alerts resolved before this, and sent/failed deliveries created before it, go. */
  readonly beforeMs: number;
  /** At most this many resolved alerts are kept (the most recently resolved). */
  readonly maxResolved: number;
}

export interface PruneCounts {
  readonly alerts: number;
  readonly deliveries: number;
}

export const OUTBOX_FULL = 'given up: the alert outbox is over its bound (alerting.maxPendingDeliveries)';

export interface AlertStoreOptions {
  readonly migrations?: readonly Migration[];
  readonly busyTimeoutMs?: number;
}

interface AlertRow {
  id: number;
  path_key: string;
  classification: string;
  status: AlertStatus;
  summary: string;
  detail: string;
  count: number;
  first_seen_ms: number;
  last_seen_ms: number;
  started_ms: number;
  resolved_ms: number | null;
  last_notified_ms: number;
}
interface DeliveryRow {
  id: number;
  alert_id: number;
  sink: string;
  event: AlertStatus;
  idempotency_key: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
  created_ms: number;
  sent_ms: number | null;
}

const MAX_ERROR_CHARS = 500;

function alertFromRow(row: AlertRow): AlertRecord {
  let detail: unknown;
  try {
    detail = JSON.parse(row.detail) as unknown;
  } catch {
    detail = {};
  }
  return {
    id: row.id,
    pathKey: row.path_key,
    classification: row.classification,
    status: row.status,
    summary: row.summary,
    detail,
    count: row.count,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    startedMs: row.started_ms,
    resolvedMs: row.resolved_ms,
    lastNotifiedMs: row.last_notified_ms,
  };
}

function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    alertId: row.alert_id,
    sink: row.sink,
    event: row.event,
    idempotencyKey: row.idempotency_key,
    state: row.state,
    attempts: row.attempts,
    nextAttemptMs: row.next_attempt_ms,
    lastError: row.last_error,
    createdMs: row.created_ms,
    sentMs: row.sent_ms,
  };
}

export function openAlertStore(file: string, options: AlertStoreOptions = {}): AlertStore {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations !== undefined ? { migrations: options.migrations } : {});
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteAlertStore(db);
}

class SqliteAlertStore implements AlertStore {
  private readonly insertAlert;
  private readonly updateAlert;
  private readonly resolveAlert;
  private readonly touchNotified;
  private readonly insertDelivery;
  private readonly applyTx;

  constructor(private readonly db: Database.Database) {
    this.insertAlert =
      db.prepare(`INSERT INTO alerts (path_key, classification, status, summary, detail, count, first_seen_ms, last_seen_ms, started_ms, last_notified_ms)
      VALUES (@pathKey, @classification, 'firing', @summary, @detail, @count, @firstSeenMs, @lastSeenMs, @now, @now)`);
    this.updateAlert =
      db.prepare(`UPDATE alerts SET classification = @classification, summary = @summary, detail = @detail, count = @count,
      first_seen_ms = @firstSeenMs, last_seen_ms = @lastSeenMs WHERE id = @id`);
    this.resolveAlert = db.prepare(
      `UPDATE alerts SET status = 'resolved', resolved_ms = @now, last_notified_ms = @now WHERE id = @id AND status = 'firing'`,
    );
    this.touchNotified = db.prepare('UPDATE alerts SET last_notified_ms = ? WHERE id = ?');
    this.insertDelivery =
      db.prepare(`INSERT OR IGNORE INTO alert_deliveries (alert_id, sink, event, idempotency_key, state, next_attempt_ms, created_ms)
      VALUES (?, ?, ?, ?, 'pending', ?, ?)`);
    this.applyTx = db.transaction((changes: readonly AlertChange[], now: number) => {
      for (const change of changes) this.applyOne(change, now);
    });
  }

  private enqueue(alertId: number, event: AlertStatus, sinks: readonly string[], now: number): void {
    for (const sink of sinks)
      this.insertDelivery.run(alertId, sink, event, `${alertId}-${event}-${now}-${sink}`, now, now);
  }

  private applyOne(change: AlertChange, now: number): void {
    if (change.kind === 'open') {
      const a = change.alert;
      const info = this.insertAlert.run({ ...a, detail: JSON.stringify(a.detail), now });
      this.enqueue(Number(info.lastInsertRowid), 'firing', change.notify, now);
      return;
    }
    if (change.kind === 'update') {
      const a = change.alert;
      this.updateAlert.run({ ...a, detail: JSON.stringify(a.detail), id: change.id });
      if (change.notify.length > 0) {
        this.touchNotified.run(now, change.id);
        this.enqueue(change.id, 'firing', change.notify, now);
      }
      return;
    }
    if (this.resolveAlert.run({ id: change.id, now }).changes > 0)
      this.enqueue(change.id, 'resolved', change.notify, now);
  }

  firingAlerts(): AlertRecord[] {
    return (
      this.db.prepare(`SELECT * FROM alerts WHERE status = 'firing' ORDER BY id`).all() as AlertRow[]
    ).map(alertFromRow);
  }

  firingCounts(): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT classification, count(*) AS n FROM alerts WHERE status = 'firing' GROUP BY classification`,
      )
      .all() as { classification: string; n: number }[];
    return new Map(rows.map((r) => [r.classification, r.n]));
  }

  apply(changes: readonly AlertChange[], nowMs: number): void {
    if (changes.length > 0) this.applyTx.immediate(changes, nowMs);
  }

  dueDeliveries(nowMs: number, limit: number): { delivery: DeliveryRecord; alert: AlertRecord }[] {
    const rows = this.db
      .prepare(
        `SELECT d.*, a.id AS a_id FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
      WHERE d.state = 'pending' AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms, d.id LIMIT ?`,
      )
      .all(nowMs, limit) as DeliveryRow[];
    const getAlert = this.db.prepare('SELECT * FROM alerts WHERE id = ?');
    return rows.map((row) => ({
      delivery: deliveryFromRow(row),
      alert: alertFromRow(getAlert.get(row.alert_id) as AlertRow),
    }));
  }

  nextDueMs(): number | undefined {
    const v = this.db
      .prepare(`SELECT min(next_attempt_ms) AS v FROM alert_deliveries WHERE state = 'pending'`)
      .pluck()
      .get() as number | null;
    return v ?? undefined;
  }

  markSent(id: number, attempts: number, nowMs: number): void {
    this.db
      .prepare(
        `UPDATE alert_deliveries SET state = 'sent', attempts = ?, sent_ms = ?, last_error = NULL WHERE id = ?`,
      )
      .run(attempts, nowMs, id);
  }

  markRetry(id: number, attempts: number, nextAttemptMs: number, error: string): void {
    this.db
      .prepare('UPDATE alert_deliveries SET attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?')
      .run(attempts, nextAttemptMs, error.slice(0, MAX_ERROR_CHARS), id);
  }

  markFailed(id: number, attempts: number, error: string): void {
    this.db
      .prepare(`UPDATE alert_deliveries SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?`)
      .run(attempts, error.slice(0, MAX_ERROR_CHARS), id);
  }

  listAlerts(query: { limit: number; status?: AlertStatus; beforeId?: number }): {
    items: AlertWithDeliveries[];
    nextBeforeId: number | null;
  } {
    const limit = Math.min(Math.max(1, Math.trunc(query.limit)), 1000);
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: limit + 1 };
    if (query.status !== undefined) {
      where.push('status = @status');
      params['status'] = query.status;
    }
    if (query.beforeId !== undefined) {
      where.push('id < @before');
      params['before'] = query.beforeId;
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${clause} ORDER BY id DESC LIMIT @limit`)
      .all(params) as AlertRow[];
    const page = rows.slice(0, limit);
    const deliveries = this.db.prepare('SELECT * FROM alert_deliveries WHERE alert_id = ? ORDER BY id');
    const items = page.map((row) => ({
      ...alertFromRow(row),
      deliveries: (deliveries.all(row.id) as DeliveryRow[]).map(deliveryFromRow),
    }));
    const last = page[page.length - 1];
    return { items, nextBeforeId: rows.length > limit && last !== undefined ? last.id : null };
  }

  prune(bounds: AlertRetention): PruneCounts {
    return this.db
      .transaction((): PruneCounts => {
        // Deliveries of the deleted alerts go by ON DELETE CASCADE; counted first for the log.
        const doomed = `SELECT id FROM alerts WHERE status = 'resolved' AND (resolved_ms < @before OR id NOT IN
        (SELECT id FROM alerts WHERE status = 'resolved' ORDER BY resolved_ms DESC, id DESC LIMIT @keep))`;
        const params = { before: bounds.beforeMs, keep: Math.max(0, Math.trunc(bounds.maxResolved)) };
        const cascaded = this.db
          .prepare(`SELECT count(*) FROM alert_deliveries WHERE alert_id IN (${doomed})`)
          .pluck()
          .get(params) as number;
        const alerts = this.db.prepare(`DELETE FROM alerts WHERE id IN (${doomed})`).run(params).changes;
        const deliveries = this.db
          .prepare(`DELETE FROM alert_deliveries WHERE state != 'pending' AND created_ms < ?`)
          .run(bounds.beforeMs).changes;
        return { alerts, deliveries: cascaded + deliveries };
      })
      .immediate();
  }

  boundOutbox(maxPending: number): Map<string, number> {
    const dropped = new Map<string, number>();
    const pending = this.db
      .prepare(`SELECT count(*) FROM alert_deliveries WHERE state = 'pending'`)
      .pluck()
      .get() as number;
    const excess = pending - Math.max(0, Math.trunc(maxPending));
    if (excess <= 0) return dropped;
    this.db
      .transaction(() => {
        const rows = this.db
          .prepare(
            `SELECT id, sink FROM alert_deliveries WHERE state = 'pending' ORDER BY created_ms, id LIMIT ?`,
          )
          .all(excess) as { id: number; sink: string }[];
        const fail = this.db.prepare(
          `UPDATE alert_deliveries SET state = 'failed', last_error = ? WHERE id = ? AND state = 'pending'`,
        );
        for (const row of rows) {
          if (fail.run(OUTBOX_FULL, row.id).changes > 0)
            dropped.set(row.sink, (dropped.get(row.sink) ?? 0) + 1);
        }
      })
      .immediate();
    return dropped;
  }

  edgesFromSources(sources: readonly EdgePeer[]): EdgeRecord[] {
    return sources.length === 0 ? [] : readEdgesFromSources(this.db, sources);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
