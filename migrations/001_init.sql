-- 001: the aggregated edges, ingest counters and file checkpoints.
-- One row per distinct communication path; `edge_key` is EdgeDelta.key (src/flows/edge.ts).
CREATE TABLE edges (
  id                INTEGER PRIMARY KEY,
  edge_key          TEXT    NOT NULL UNIQUE,
  src_kind          TEXT    NOT NULL,
  src_namespace     TEXT,
  src_workload      TEXT,
  src_workload_kind TEXT,
  src_ip            TEXT,
  dst_kind          TEXT    NOT NULL,
  dst_namespace     TEXT,
  dst_workload      TEXT,
  dst_workload_kind TEXT,
  dst_ip            TEXT,
  protocol          TEXT    NOT NULL,
  port              INTEGER,
  verdict           TEXT    NOT NULL,
  count             INTEGER NOT NULL DEFAULT 0,
  first_seen_ms     INTEGER NOT NULL,
  last_seen_ms      INTEGER NOT NULL,
  -- JSON detail, merged on upsert with the bounds of edge.ts
  src_labels        TEXT    NOT NULL DEFAULT '{}',
  dst_labels        TEXT    NOT NULL DEFAULT '{}',
  src_pods          TEXT    NOT NULL DEFAULT '[]',
  dst_pods          TEXT    NOT NULL DEFAULT '[]',
  src_names         TEXT    NOT NULL DEFAULT '[]',
  dst_names         TEXT    NOT NULL DEFAULT '[]',
  drop_reasons      TEXT    NOT NULL DEFAULT '{}',
  denied_by         TEXT    NOT NULL DEFAULT '[]',
  allowed_by        TEXT    NOT NULL DEFAULT '[]'
);

-- Keyset paging is `ORDER BY id`: every filter index ends in id.
CREATE INDEX edges_src_namespace ON edges (src_namespace, id);
CREATE INDEX edges_dst_namespace ON edges (dst_namespace, id);
CREATE INDEX edges_verdict ON edges (verdict, id);

-- `accepted`, and `rejected:<reason>` per RejectReason.
CREATE TABLE ingest_counters (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
);

-- Where each file source stands; written in the same transaction as the edges it produced.
CREATE TABLE file_checkpoints (
  source_key  TEXT    PRIMARY KEY,
  identity    TEXT    NOT NULL,
  byte_offset INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
);
