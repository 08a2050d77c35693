-- 008: shadow mode (src/staged). A staged set is a namespace's proposed policies frozen at
-- staging time; one active set per namespace, the others kept as history with who ended them.
-- Live traffic judged against a set since staging: its counters here, its distinct paths in
-- staged_paths, the paths it would have dropped in staged_would_drops.
CREATE TABLE staged_sets (
  id                 INTEGER PRIMARY KEY,
  namespace          TEXT    NOT NULL,
  flavor             TEXT    NOT NULL,
  origin             TEXT    NOT NULL CHECK (origin IN ('recommendation', 'given')),
  policies           TEXT    NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('active', 'superseded', 'promoted', 'retired')),
  staged_ms          INTEGER NOT NULL,
  staged_by          TEXT    NOT NULL,
  ended_ms           INTEGER,
  ended_by           TEXT,
  superseded_by      INTEGER REFERENCES staged_sets (id),
  connections        INTEGER NOT NULL DEFAULT 0,
  unevaluated        INTEGER NOT NULL DEFAULT 0,
  last_would_drop_ms INTEGER
);
CREATE UNIQUE INDEX staged_sets_active ON staged_sets (namespace) WHERE status = 'active';
CREATE INDEX staged_sets_namespace ON staged_sets (namespace, id);

CREATE TABLE staged_paths (
  set_id   INTEGER NOT NULL REFERENCES staged_sets (id) ON DELETE CASCADE,
  path_key TEXT    NOT NULL,
  PRIMARY KEY (set_id, path_key)
) WITHOUT ROWID;

CREATE TABLE staged_would_drops (
  id            INTEGER PRIMARY KEY,
  set_id        INTEGER NOT NULL REFERENCES staged_sets (id) ON DELETE CASCADE,
  path_key      TEXT    NOT NULL,
  source        TEXT    NOT NULL,
  destination   TEXT    NOT NULL,
  protocol      TEXT    NOT NULL,
  port          INTEGER,
  connections   INTEGER NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms  INTEGER NOT NULL,
  src_pods      TEXT    NOT NULL DEFAULT '[]',
  dst_pods      TEXT    NOT NULL DEFAULT '[]',
  decider       TEXT    NOT NULL,
  evaluated_ms  INTEGER NOT NULL,
  UNIQUE (set_id, path_key)
);
CREATE INDEX staged_would_drops_set ON staged_would_drops (set_id, id);
