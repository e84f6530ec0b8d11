-- A write the cluster refused for good (too large, invalid, forbidden by policy) is parked with
-- its reason: it no longer blocks the writes behind it, and waits for its author to retry or
-- discard it.
ALTER TABLE outbox ADD COLUMN parked_at_ms INTEGER;
