-- Faster catalog search. Append-only: 0004 stays as released.
-- The index gets prefix indexes for 2 and 3 characters (results as you type), and the facet
-- columns move to a narrow table keyed by the product's rowid, so that counting facets over
-- many hits never reads the products' large bodies. The store refills both from
-- products.body_json when they are behind (see Store::reindex_if_needed).
DROP TABLE product_search;
CREATE VIRTUAL TABLE product_search USING fts5(
    product_id UNINDEXED,
    title,
    description,
    tags,
    owners,
    topics,
    fields,
    docs,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TABLE product_facets (
    rid            INTEGER PRIMARY KEY NOT NULL,
    product_id     TEXT NOT NULL,
    domain         TEXT NOT NULL,
    classification TEXT NOT NULL,
    status         TEXT NOT NULL,
    has_pii        INTEGER NOT NULL
);

-- One row per tag of a product, for the tag filter and the tag facet.
CREATE TABLE product_tags (
    rid INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (rid, tag)
) WITHOUT ROWID;
