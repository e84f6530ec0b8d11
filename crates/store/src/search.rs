//! Catalog search: an FTS5 index over products (titles, descriptions, tags, owners, topics,
//! schema field names and docs), maintained by the fold, with facets and highlights.
//!
//! The query's shape depends on which filters are set, so its SQL is assembled from the fixed
//! fragments below with every value bound as a parameter; it is covered by tests rather than
//! by the compile-time query macros.

use meshdesk_domain::schema::AvroSchema;
use meshdesk_domain::{DataProduct, SchemaFormat, looks_like_pii};
use sqlx::{Row, Sqlite, Transaction};

use crate::{ProductRow, Result, Store, json_list};

/// Marks around matched words in highlights (Unicode private use: never in real text).
pub const MARK_START: char = '\u{e000}';
pub const MARK_END: char = '\u{e001}';

/// The indexed columns, in the order of the FTS5 table (after `product_id`).
pub const SEARCH_FIELDS: &[&str] = &["title", "description", "tags", "owners", "topics", "fields", "docs"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub text: Option<String>,
    pub domain: Option<String>,
    pub classification: Option<String>,
    pub status: Option<String>,
    pub tag: Option<String>,
    pub has_pii: Option<bool>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub product: ProductRow,
    pub has_pii: bool,
    /// (field, snippet with matches between [`MARK_START`] and [`MARK_END`]).
    pub highlights: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub domain: Vec<(String, i64)>,
    pub classification: Vec<(String, i64)>,
    pub status: Vec<(String, i64)>,
    pub tag: Vec<(String, i64)>,
    pub has_pii: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    pub total: i64,
    pub facets: Facets,
}

/// The user's text as an FTS5 query: every word must match, each as a prefix (results as you
/// type); `None` when there is no word.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// What the index holds for a product: schema field names and docs, and whether any field looks
/// like personal data.
fn terms(p: &DataProduct) -> (String, String, bool) {
    let mut fields = Vec::new();
    let mut docs = Vec::new();
    let mut pii = false;
    for port in &p.output_ports {
        for s in port.key_schema.iter().chain(port.value_schema.iter()) {
            if s.format != SchemaFormat::Avro {
                continue;
            }
            if let Ok(schema) = AvroSchema::parse(&s.schema) {
                for (path, doc) in schema.field_paths() {
                    let name = path.rsplit('.').next().unwrap_or(&path).to_owned();
                    pii |= looks_like_pii(&name) || doc.as_deref().is_some_and(|d| d.contains("PII"));
                    fields.push(name);
                    docs.extend(doc);
                }
            }
        }
    }
    (fields.join(" "), docs.join(" \n "), pii)
}

pub(crate) async fn index_product(tx: &mut Transaction<'_, Sqlite>, p: &DataProduct) -> Result<()> {
    let id = p.id.as_str();
    let (fields, docs, pii) = terms(p);
    let tags = p.tags.join(" ");
    let owners = p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(" ");
    let topics = p.output_ports.iter().map(|o| o.topic.as_str()).collect::<Vec<_>>().join(" ");
    sqlx::query!("DELETE FROM product_search WHERE product_id = ?", id).execute(&mut **tx).await?;
    sqlx::query!(
        "INSERT INTO product_search (product_id, title, description, tags, owners, topics, fields, docs)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        id,
        p.title,
        p.description,
        tags,
        owners,
        topics,
        fields,
        docs
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("UPDATE products SET has_pii = ? WHERE id = ?", pii, id).execute(&mut **tx).await?;
    Ok(())
}

const FILTERS: &str = " AND (?2 IS NULL OR p.domain = ?2) AND (?3 IS NULL OR p.classification = ?3) \
     AND (?4 IS NULL OR p.status = ?4) \
     AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(p.tags_json) WHERE value = ?5)) \
     AND (?6 IS NULL OR p.has_pii = ?6)";

fn hits(text: bool) -> &'static str {
    if text {
        // Weights per column: title and field names count most.
        "WITH hits AS (SELECT product_id AS id, bm25(product_search, 0.0, 10.0, 3.0, 5.0, 2.0, 4.0, 8.0, 2.0) AS rank \
         FROM product_search WHERE product_search MATCH ?1)"
    } else {
        "WITH hits AS (SELECT id, 0.0 AS rank FROM products WHERE ?1 IS NULL)"
    }
}

impl Store {
    pub async fn search(&self, q: &SearchQuery) -> Result<SearchResult> {
        let fts = q.text.as_deref().and_then(fts_query);
        let cte = hits(fts.is_some());
        let run = |sql: String| {
            let fts = fts.clone();
            let q = q.clone();
            let pool = self.pool.clone();
            async move {
                sqlx::query(&sql)
                    .bind(fts)
                    .bind(q.domain)
                    .bind(q.classification)
                    .bind(q.status)
                    .bind(q.tag)
                    .bind(q.has_pii)
                    .bind(q.limit.max(1))
                    .fetch_all(&pool)
                    .await
            }
        };
        let rows = run(format!(
            "{cte} SELECT p.id, p.domain, p.title, p.description, p.classification, p.status, p.version, \
             p.owners_json, p.tags_json, p.has_pii, \
             (SELECT json_group_array(topic) FROM (SELECT topic FROM ports WHERE product_id = p.id ORDER BY position)) AS topics_json \
             FROM hits JOIN products p ON p.id = hits.id WHERE 1 = 1 {FILTERS} \
             ORDER BY hits.rank, p.domain, p.id LIMIT ?7"
        ))
        .await?;
        let mut hits_out = Vec::with_capacity(rows.len());
        for r in &rows {
            hits_out.push(SearchHit {
                product: ProductRow {
                    id: r.try_get("id")?,
                    domain: r.try_get("domain")?,
                    title: r.try_get("title")?,
                    description: r.try_get("description")?,
                    classification: r.try_get("classification")?,
                    status: r.try_get("status")?,
                    version: r.try_get("version")?,
                    owners: json_list(r.try_get("owners_json")?)?,
                    tags: json_list(r.try_get("tags_json")?)?,
                    topics: json_list(r.try_get("topics_json")?)?,
                },
                has_pii: r.try_get::<bool, _>("has_pii")?,
                highlights: Vec::new(),
            });
        }
        if let Some(fts) = &fts {
            let ids: Vec<&str> = hits_out.iter().map(|h| h.product.id.as_str()).collect();
            let ids = serde_json::to_string(&ids).expect("ids serialize");
            let snippets = SEARCH_FIELDS
                .iter()
                .enumerate()
                .map(|(i, _)| format!("snippet(product_search, {}, '{MARK_START}', '{MARK_END}', '…', 10)", i + 1))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = sqlx::query(&format!(
                "SELECT product_id, {snippets} FROM product_search \
                 WHERE product_search MATCH ?1 AND product_id IN (SELECT value FROM json_each(?2))"
            ))
            .bind(fts)
            .bind(ids)
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                let id: String = r.try_get(0)?;
                let Some(hit) = hits_out.iter_mut().find(|h| h.product.id == id) else { continue };
                for (i, field) in SEARCH_FIELDS.iter().enumerate() {
                    let s: String = r.try_get(i + 1)?;
                    if s.contains(MARK_START) {
                        hit.highlights.push(((*field).to_owned(), s));
                    }
                }
            }
        }
        let facet = |select: &str, join: &str| {
            format!(
                "{cte} SELECT {select} AS value, COUNT(*) AS n FROM hits JOIN products p ON p.id = hits.id {join} WHERE ?7 IS NOT NULL {FILTERS} GROUP BY 1 ORDER BY 2 DESC, 1"
            )
        };
        let counts = |rows: Vec<sqlx::sqlite::SqliteRow>| -> Result<Vec<(String, i64)>> {
            rows.iter().map(|r| Ok((r.try_get::<String, _>("value")?, r.try_get::<i64, _>("n")?))).collect()
        };
        let facets = Facets {
            domain: counts(run(facet("p.domain", "")).await?)?,
            classification: counts(run(facet("p.classification", "")).await?)?,
            status: counts(run(facet("p.status", "")).await?)?,
            tag: counts(run(facet("t.value", "JOIN json_each(p.tags_json) t")).await?)?,
            has_pii: counts(run(facet("CASE p.has_pii WHEN 1 THEN 'yes' ELSE 'no' END", "")).await?)?,
        };
        let total = facets.domain.iter().map(|(_, n)| n).sum();
        Ok(SearchResult { hits: hits_out, total, facets })
    }
}
