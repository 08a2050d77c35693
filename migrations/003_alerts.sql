-- 003: alerts on blocked traffic and their delivery outbox (reliability.md R15).
-- One alert per blocked path while it fires; a resolved alert stays as history. Each
-- notification (firing or resolved) to each sink is an outbox row with an idempotency key,
-- written in the same transaction as the alert change that caused it.
CREATE TABLE alerts (
  id               INTEGER PRIMARY KEY,
  path_key         TEXT    NOT NULL,
  classification   TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
  summary          TEXT    NOT NULL,
  detail           TEXT    NOT NULL DEFAULT '{}',
  count            INTEGER NOT NULL DEFAULT 0,
  first_seen_ms    INTEGER NOT NULL,
  last_seen_ms     INTEGER NOT NULL,
  started_ms       INTEGER NOT NULL,
  resolved_ms      INTEGER,
  last_notified_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX alerts_firing_path ON alerts (path_key) WHERE status = 'firing';
CREATE INDEX alerts_started ON alerts (started_ms, id);

CREATE TABLE alert_deliveries (
  id               INTEGER PRIMARY KEY,
  alert_id         INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  sink             TEXT    NOT NULL,
  event            TEXT    NOT NULL CHECK (event IN ('firing', 'resolved')),
  idempotency_key  TEXT    NOT NULL UNIQUE,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms  INTEGER NOT NULL,
  last_error       TEXT,
  created_ms       INTEGER NOT NULL,
  sent_ms          INTEGER
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_attempt_ms, id);
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);
