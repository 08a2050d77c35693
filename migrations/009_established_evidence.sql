-- 009: evidence of connections established before observation (issue 15.3). Mid-stream packets
-- of a connection whose start was never seen (long-lived database pools, Kafka, gRPC streams)
-- are counted here, on the edge of that connection (client -> server port); `count` keeps
-- counting connection starts only. An edge with count 0 and established > 0 is proven by
-- mid-stream evidence alone.
ALTER TABLE edges ADD COLUMN established INTEGER NOT NULL DEFAULT 0;
