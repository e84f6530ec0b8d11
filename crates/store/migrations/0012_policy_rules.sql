-- Policy rules published in the governance log (PolicyPublished, PolicyWithdrawn), beside the
-- built-in policies. One row per rule id: the version in force (or the last one, withdrawn).
-- Their history is the events table. Append-only: never edit a released migration.
CREATE TABLE policy_rules (
    id               TEXT PRIMARY KEY NOT NULL,
    -- 'global', or 'domain:<id>' for the domain whose products alone it checks (Scope::key).
    scope            TEXT NOT NULL,
    -- The rule as published (meshdesk_domain::policy::Rule).
    rule_json        TEXT NOT NULL,
    -- 1 for the first publication, one more for each after it.
    version          INTEGER NOT NULL,
    published_at_ms  INTEGER NOT NULL,
    published_by     TEXT NOT NULL,
    withdrawn_at_ms  INTEGER,
    withdrawn_by     TEXT,
    withdrawn_reason TEXT
);

-- A rule's history is read from its events; only policy events are indexed, so the fold of
-- every other event pays nothing for it.
CREATE INDEX policy_events ON events (kind) WHERE kind IN ('PolicyPublished', 'PolicyWithdrawn');

-- Whether a product breaks a policy in force (a built-in or a published rule, errors or
-- warnings): the catalog's "breaks a policy" facet. Kept by the fold when a product is
-- published and for every product when a rule is published or withdrawn. The index is emptied
-- so that opening the store refills it with the new column (Store::reindex_if_needed).
ALTER TABLE product_facets ADD COLUMN breaks_policy INTEGER NOT NULL DEFAULT 0;
DELETE FROM product_facets;
DELETE FROM product_tags;
DELETE FROM product_search;
