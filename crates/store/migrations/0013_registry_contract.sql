-- The data contract as the registry holds it with each version: `metadata` (properties, tags)
-- and `ruleSet`, as JSON. The cache is emptied once so every version is read again with them.
ALTER TABLE registry_versions ADD COLUMN metadata_json TEXT;
ALTER TABLE registry_versions ADD COLUMN rule_set_json TEXT;
DELETE FROM registry_versions;
