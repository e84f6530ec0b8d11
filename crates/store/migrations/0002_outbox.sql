-- Governance events written by this desktop, waiting to be produced. Sent in `seq` order.
CREATE TABLE outbox (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    log                TEXT NOT NULL,
    event_id           TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    -- The envelope's bytes exactly as they will be produced.
    envelope           BLOB NOT NULL,
    created_at_ms      INTEGER NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT,
    next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
    -- Where it landed; NULL while pending.
    sent_offset        INTEGER,
    sent_at_ms         INTEGER
);
CREATE INDEX outbox_pending ON outbox (log, seq) WHERE sent_offset IS NULL;
