-- What each publication of a product changed for its readers (a new schema version, a port
-- added, deprecated or removed, the product deprecated), derived by the fold from the product
-- as it was and as it is; and which readers took note of which change.
CREATE TABLE product_changes (
    event_id     TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    product_id   TEXT NOT NULL,
    at_ms        INTEGER NOT NULL,
    by_principal TEXT NOT NULL,
    topic        TEXT,
    needs_action INTEGER NOT NULL,
    body_json    TEXT NOT NULL,
    PRIMARY KEY (event_id, seq)
);
CREATE INDEX product_changes_by_product ON product_changes (product_id, at_ms);

CREATE TABLE change_acknowledgements (
    event_id  TEXT NOT NULL,
    principal TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (event_id, principal)
);
