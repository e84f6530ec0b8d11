-- Topics outside a domain's namespace that a governance admin let the domain adopt
-- (TopicAdopted): a product of that domain may then name them as ports. Folded from the log.
CREATE TABLE topic_adoptions (
    topic          TEXT PRIMARY KEY NOT NULL,
    domain         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    adopted_at_ms  INTEGER NOT NULL,
    adopted_by     TEXT NOT NULL
);
