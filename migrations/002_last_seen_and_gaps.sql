-- 002: the `sinceMs` filter (recent traffic, drops over a window) and recorded ingest gaps.
CREATE INDEX edges_last_seen ON edges (last_seen_ms, id);

-- Data a source knows it lost (Hubble lost_events, our own intentional drops): counted, never
-- hidden, so the recommender can lower its confidence for the affected window.
CREATE TABLE ingest_gaps (
  id            INTEGER PRIMARY KEY,
  source        TEXT    NOT NULL,
  node          TEXT,
  reason        TEXT    NOT NULL,
  lost          INTEGER NOT NULL,
  first_ms      INTEGER,
  last_ms       INTEGER,
  intentional   INTEGER NOT NULL DEFAULT 0,
  recorded_ms   INTEGER NOT NULL
);
CREATE INDEX ingest_gaps_recorded ON ingest_gaps (recorded_ms);
