-- Every version of every subject in the environment's Schema Registry, for offline reads.
CREATE TABLE registry_versions (
    subject     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    schema_id   INTEGER NOT NULL,
    schema_type TEXT NOT NULL,
    schema      TEXT NOT NULL,
    synced_at_ms INTEGER NOT NULL,
    PRIMARY KEY (subject, version)
);
CREATE INDEX registry_versions_by_id ON registry_versions (schema_id);
