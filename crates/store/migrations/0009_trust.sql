-- Signed governance events (see meshdesk_domain::trust). Append-only: never edit a released
-- migration.

-- What the log says of each signing key: enrollment requested, endorsed (with roles), rejected
-- or revoked. The environment's pinned admin keys are not here: they come from its file.
CREATE TABLE trust_keys (
    key             TEXT PRIMARY KEY NOT NULL,
    principal       TEXT NOT NULL,
    -- pending | endorsed | rejected | revoked
    state           TEXT NOT NULL,
    roles_json      TEXT NOT NULL DEFAULT '[]',
    -- The enrollment note, the rejection or the revocation reason.
    note            TEXT,
    requested_at_ms INTEGER,
    -- Who endorsed, rejected or revoked it, and when.
    decided_by      TEXT,
    decided_at_ms   INTEGER,
    updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX trust_keys_by_principal ON trust_keys (principal);

-- The key that signed each event read from the log (null: unsigned).
ALTER TABLE events ADD COLUMN signer TEXT;

-- The state folded so far was folded without checking who wrote it: fold the log again from
-- its start under the trust rules. Local things (drafts, the outbox, caches of the cluster
-- and the registry) stay.
DELETE FROM events;
DELETE FROM log_position;
DELETE FROM access_requests;
DELETE FROM ports;
DELETE FROM products;
DELETE FROM domains;
DELETE FROM product_facets;
DELETE FROM product_tags;
DELETE FROM product_search;
