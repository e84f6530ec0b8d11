-- Each cached registry version's references (Avro named types, Protobuf imports, JSON Schema
-- `$ref`s to other subjects), as JSON; the cache is emptied once so every version is read again
-- with them.
ALTER TABLE registry_versions ADD COLUMN references_json TEXT;
DELETE FROM registry_versions;
