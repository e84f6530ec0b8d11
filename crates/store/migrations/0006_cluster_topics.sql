-- The cluster's topics as last listed, so "unmanaged" works offline. Replaced wholesale on each
-- successful listing.
CREATE TABLE cluster_topics (
    name        TEXT PRIMARY KEY NOT NULL,
    partitions  INTEGER NOT NULL,
    listed_at_ms INTEGER NOT NULL
);
