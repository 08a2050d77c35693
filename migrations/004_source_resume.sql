-- 004: where each live stream source (Hubble Relay, Goldmane) resumes after a restart, committed
-- in the same transaction as the edges its events produced: the newest event time committed,
-- and the fingerprints of the events at exactly that time already committed (the relay's `since`
-- and Goldmane's start time are inclusive, so those are re-sent and must be dropped).
CREATE TABLE source_resume (
  source_key  TEXT    PRIMARY KEY,
  seconds     INTEGER NOT NULL,
  nanos       INTEGER NOT NULL,
  -- JSON array of strings, bounded by the writer.
  boundary    TEXT    NOT NULL,
  updated_ms  INTEGER NOT NULL
);
