-- Wizard drafts, saved on every change, and the journal of a publication in progress: the plan
-- fixed when publishing started and the steps finished so far, so "resume" continues where a
-- failure stopped and nothing is applied twice.
CREATE TABLE drafts (
    id            TEXT PRIMARY KEY NOT NULL,
    -- The wizard's draft (product, new domain, current step) as the UI sent it.
    body_json     TEXT NOT NULL,
    -- editing | publishing | failed | published
    status        TEXT NOT NULL,
    plan_json     TEXT,
    -- The results of the finished steps, in order (one JSON value per step).
    done_json     TEXT NOT NULL DEFAULT '[]',
    last_error    TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
