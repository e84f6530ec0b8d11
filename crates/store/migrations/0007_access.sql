-- Cross-domain access requests as folded from the governance log, with their state and the
-- grant's last outcome on the cluster. A decision the rules refuse (deciding twice, approving
-- one's own request, ...) changes nothing here and is kept in `events` with outcome `refused`.
CREATE TABLE access_requests (
    id               TEXT PRIMARY KEY NOT NULL,
    product_id       TEXT NOT NULL,
    requester_domain TEXT NOT NULL,
    consumer         TEXT NOT NULL,
    requested_by     TEXT NOT NULL,
    requested_at_ms  INTEGER NOT NULL,
    -- The AccessRequest as published.
    body_json        TEXT NOT NULL,
    -- pending | approved | denied | withdrawn | revoked (expiry is time: until_ms)
    state            TEXT NOT NULL,
    -- The domain's RequestState, for the rules.
    state_json       TEXT NOT NULL,
    until_ms         INTEGER,
    -- When the current state was reached by a decision (approval, denial, ...).
    decided_at_ms    INTEGER,
    -- null | applied | removed | not_applied
    grant_status     TEXT,
    grant_detail     TEXT,
    updated_at_ms    INTEGER NOT NULL
);
CREATE INDEX access_by_product ON access_requests (product_id);
CREATE INDEX access_by_domain ON access_requests (requester_domain);
