-- Keys revoked as compromised, and since when: what they signed from then on is void. Kept when
-- the folded state is reset, since the log is folded again exactly in order to leave those
-- events out (see KeyRevoked's compromised_since_ms).
CREATE TABLE compromised_keys (
    key          TEXT PRIMARY KEY NOT NULL,
    since_ms     INTEGER NOT NULL,
    revoked_by   TEXT NOT NULL
);
