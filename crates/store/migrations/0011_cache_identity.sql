-- What this cache was folded from: the cluster's id and, per log, the event id of the last
-- record folded. A cache that meets another cluster, or a log that was truncated or re-created,
-- is folded again from the start instead of being trusted.
CREATE TABLE cache_identity (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
