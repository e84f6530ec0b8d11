-- The governance log as folded by this desktop. Append-only: never edit a released migration.

-- Where each log has been applied up to; updated in the same transaction as the changes.
CREATE TABLE log_position (
    log           TEXT PRIMARY KEY NOT NULL,
    next_offset   INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);

-- Every record read from the log, applied or not: the audit trail.
CREATE TABLE events (
    log       TEXT NOT NULL,
    "offset"  INTEGER NOT NULL,
    id        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    payload   TEXT NOT NULL,
    -- applied | duplicate | skipped | invalid
    outcome   TEXT NOT NULL,
    note      TEXT,
    PRIMARY KEY (log, "offset")
);
CREATE INDEX events_by_id ON events (id);

CREATE TABLE domains (
    id               TEXT PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    owners_json      TEXT NOT NULL,
    contact          TEXT NOT NULL,
    registered_at_ms INTEGER NOT NULL,
    registered_by    TEXT NOT NULL
);

CREATE TABLE products (
    id              TEXT PRIMARY KEY NOT NULL,
    domain          TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    classification  TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         TEXT NOT NULL,
    owners_json     TEXT NOT NULL,
    tags_json       TEXT NOT NULL,
    -- The whole DataProduct as published, for pages that need more than the columns.
    body_json       TEXT NOT NULL,
    published_at_ms INTEGER NOT NULL,
    published_by    TEXT NOT NULL
);
CREATE INDEX products_by_domain ON products (domain);

CREATE TABLE ports (
    topic              TEXT PRIMARY KEY NOT NULL,
    product_id         TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    partitions         INTEGER NOT NULL,
    replication_factor INTEGER NOT NULL,
    retention_ms       INTEGER NOT NULL,
    cleanup_policy     TEXT NOT NULL,
    value_subject      TEXT,
    value_schema_id    INTEGER
);
CREATE INDEX ports_by_product ON ports (product_id);
