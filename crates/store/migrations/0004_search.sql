-- Full-text search over the catalog, maintained by the fold. One row per product.
CREATE VIRTUAL TABLE product_search USING fts5(
    product_id UNINDEXED,
    title,
    description,
    tags,
    owners,
    topics,
    fields,
    docs,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Whether any field of the product's schemas looks like personal data (a facet).
ALTER TABLE products ADD COLUMN has_pii INTEGER NOT NULL DEFAULT 0;
