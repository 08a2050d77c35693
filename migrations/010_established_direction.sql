-- 010: how much of an edge's `established` evidence (migration 009) had its direction reported by
-- the source rather than inferred from ports and flags (issue 15.3): Hubble events with an explicit
-- is_reply false, Calico flow-log and Goldmane records (reported by the initiator). The recommender
-- takes an established-only edge toward an ephemeral port, against a pair seen starting the other
-- way, as replies read backwards only when none of its evidence had a reported direction. Existing
-- rows default to 0: all inferred, as every edge was read before this column.
ALTER TABLE edges ADD COLUMN established_observed INTEGER NOT NULL DEFAULT 0;
