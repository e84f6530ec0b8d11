//! Catalog search: an FTS5 index over products (titles, descriptions, tags, owners, topics,
//! schema field names and docs), maintained by the fold, with facets and highlights.
//!
//! The query's shape depends on which filters are set, so its SQL is assembled from the fixed
//! fragments below with every value bound as a parameter; it is covered by tests rather than
//! by the compile-time query macros.

use meshdesk_domain::policy::Rule;
use meshdesk_domain::schema::AvroSchema;
use meshdesk_domain::{DataProduct, SchemaFormat, looks_like_pii};
use sqlx::{Row, Sqlite, SqliteConnection, Transaction};

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
    /// Only products that break (or meet) every policy in force.
    pub breaks_policy: Option<bool>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub product: ProductRow,
    pub has_pii: bool,
    pub breaks_policy: bool,
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
    pub breaks_policy: Vec<(String, i64)>,
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

/// `text` with every word that starts with one of `words` between [`MARK_START`] and
/// [`MARK_END`], shortened around the first match; `None` if nothing matches.
fn highlight(text: &str, words: &[String]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut first = None;
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| c.is_alphanumeric()).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
        let word = &rest[..end];
        if !word.is_empty() && words.iter().any(|w| starts_with_ignore_case(word, w)) {
            first.get_or_insert(out.len());
            out.push(MARK_START);
            out.push_str(word);
            out.push(MARK_END);
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    let first = first?;
    // About 60 characters of context before the first match, 120 in all.
    let from = out[..first].char_indices().rev().nth(60).map(|(i, _)| i).unwrap_or(0);
    let shown: String = out[from..].chars().take(120).collect();
    let mut s = if from > 0 { format!("…{shown}") } else { shown };
    if s.matches(MARK_START).count() > s.matches(MARK_END).count() {
        s.push(MARK_END);
    }
    if out[from..].chars().count() > 120 {
        s.push('…');
    }
    Some(s)
}

/// Whether `word` starts with `prefix` (already lower case), ignoring case.
fn starts_with_ignore_case(word: &str, prefix: &str) -> bool {
    if word.is_ascii() {
        word.len() >= prefix.len() && word.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    } else {
        word.to_lowercase().starts_with(prefix)
    }
}

/// A field name and its words: `productId` → `productId product Id`, so that typing a word that
/// starts inside a name (`prod`, `id`) finds it.
fn name_words(name: &str) -> String {
    let mut words = vec![name.to_owned()];
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        let boundary = match prev {
            Some(p) => {
                (c.is_uppercase() && p.is_lowercase())
                    || (c.is_ascii_digit() != p.is_ascii_digit())
                    || !c.is_alphanumeric()
            }
            None => false,
        };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c.is_alphanumeric() {
            cur.push(c);
        }
        prev = Some(c);
    }
    if !cur.is_empty() && words.len() > 1 {
        words.push(cur);
    }
    words.join(" ")
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
                    fields.push(name_words(&name));
                    docs.extend(doc);
                }
            }
        }
    }
    (fields.join(" "), docs.join(" \n "), pii)
}

/// Indexes `p` for search and its facets; `rules` are the published rules in force (for the
/// "breaks a policy" facet), read by the caller once for all it indexes.
pub(crate) async fn index_product(tx: &mut Transaction<'_, Sqlite>, p: &DataProduct, rules: &[Rule]) -> Result<()> {
    let id = p.id.as_str();
    let (fields, docs, pii) = terms(p);
    let tags = p.tags.join(" ");
    let owners = p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(" ");
    let topics = p.output_ports.iter().map(|o| o.topic.as_str()).collect::<Vec<_>>().join(" ");
    let (domain, classification, status) = (p.domain.as_str(), p.classification.as_str(), p.status.as_str());
    let breaks = crate::policies::breaks(p, rules);
    // The index and facet rows share the product row's rowid: matches, joins and deletes go by
    // rowid and never read the indexed text.
    let rowid = sqlx::query_scalar!(r#"SELECT rowid AS "rowid!: i64" FROM products WHERE id = ?"#, id)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query!("DELETE FROM product_search WHERE rowid = ?", rowid).execute(&mut **tx).await?;
    sqlx::query!(
        "INSERT INTO product_search (rowid, product_id, title, description, tags, owners, topics, fields, docs)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rowid,
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
    sqlx::query!(
        "INSERT OR REPLACE INTO product_facets (rid, product_id, domain, classification, status, has_pii, breaks_policy)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        rowid,
        id,
        domain,
        classification,
        status,
        pii,
        breaks
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("DELETE FROM product_tags WHERE rid = ?", rowid).execute(&mut **tx).await?;
    for tag in &p.tags {
        sqlx::query!("INSERT OR IGNORE INTO product_tags (rid, tag) VALUES (?, ?)", rowid, tag)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// How many tags the tag facet lists (the most used first).
const TAG_FACETS: usize = 20;

/// The filters, over `product_facets f`; `?1`..`?5` and `?7` are domain, classification, status,
/// tag, has-PII and breaks-a-policy, each ignored when NULL.
const FILTERS: &str = "(?1 IS NULL OR f.domain = ?1) AND (?2 IS NULL OR f.classification = ?2) \
     AND (?3 IS NULL OR f.status = ?3) \
     AND (?4 IS NULL OR EXISTS (SELECT 1 FROM product_tags t WHERE t.rid = f.rid AND t.tag = ?4)) \
     AND (?5 IS NULL OR f.has_pii = ?5) AND (?7 IS NULL OR f.breaks_policy = ?7)";

impl Store {
    /// Refills the search index and facets from the products' bodies when they are behind the
    /// products (after a migration that rebuilt them). Returns how many products were indexed.
    pub(crate) async fn reindex_if_needed(&self) -> Result<usize> {
        let products =
            sqlx::query_scalar!(r#"SELECT count(*) AS "n!: i64" FROM products"#).fetch_one(&self.pool).await?;
        let indexed =
            sqlx::query_scalar!(r#"SELECT count(*) AS "n!: i64" FROM product_facets"#).fetch_one(&self.pool).await?;
        if products == indexed {
            return Ok(0);
        }
        let bodies = sqlx::query_scalar!("SELECT body_json FROM products").fetch_all(&self.pool).await?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query!("DELETE FROM product_facets").execute(&mut *tx).await?;
        sqlx::query!("DELETE FROM product_tags").execute(&mut *tx).await?;
        sqlx::query!("DELETE FROM product_search").execute(&mut *tx).await?;
        let rules = crate::policies::in_force(&mut tx).await?;
        let mut n = 0;
        for body in bodies {
            // A body this version cannot read stays out of the index; the fold kept it as is.
            if let Ok(p) = serde_json::from_str::<DataProduct>(&body) {
                index_product(&mut tx, &p, &rules).await?;
                n += 1;
            }
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Searches the catalog. The page (ranked hits with highlights) and the facet counts are
    /// computed at the same time on two connections; each runs the match and the filters once
    /// into a temporary table of its connection and reads only that afterwards.
    pub async fn search(&self, q: &SearchQuery) -> Result<SearchResult> {
        let fts = q.text.as_deref().and_then(fts_query);
        let (hits, facets) =
            tokio::try_join!(self.search_page(q, fts.as_deref()), self.search_facets(q, fts.as_deref()))?;
        let total = facets.domain.iter().map(|(_, n)| n).sum();
        Ok(SearchResult { hits, total, facets })
    }

    /// Fills this connection's `search_hits` with the products that match `fts` (all when
    /// `None`) and pass the filters; ranked by BM25 when `ranked`.
    async fn collect_hits(conn: &mut SqliteConnection, q: &SearchQuery, fts: Option<&str>, ranked: bool) -> Result<()> {
        sqlx::query(
            "CREATE TEMP TABLE IF NOT EXISTS search_hits (rid INTEGER PRIMARY KEY, rank REAL NOT NULL, \
             product_id TEXT NOT NULL, domain TEXT NOT NULL, classification TEXT NOT NULL, status TEXT NOT NULL, \
             has_pii INTEGER NOT NULL, breaks_policy INTEGER NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM search_hits").execute(&mut *conn).await?;
        // Weights per column: title and field names count most.
        let rank = if ranked { "bm25(product_search, 0.0, 10.0, 3.0, 5.0, 2.0, 4.0, 8.0, 2.0)" } else { "0.0" };
        let insert = match fts {
            Some(_) => format!(
                "INSERT INTO search_hits SELECT s.rowid, {rank}, f.product_id, f.domain, f.classification, f.status, \
                 f.has_pii, f.breaks_policy FROM product_search s JOIN product_facets f ON f.rid = s.rowid \
                 WHERE product_search MATCH ?6 AND {FILTERS}"
            ),
            None => format!(
                "INSERT INTO search_hits SELECT f.rid, 0.0, f.product_id, f.domain, f.classification, f.status, f.has_pii, \
                 f.breaks_policy FROM product_facets f WHERE ?6 IS NULL AND {FILTERS}"
            ),
        };
        sqlx::query(&insert)
            .bind(q.domain.clone())
            .bind(q.classification.clone())
            .bind(q.status.clone())
            .bind(q.tag.clone())
            .bind(q.has_pii)
            .bind(fts)
            .bind(q.breaks_policy)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The first `q.limit` hits, best first, with their highlights.
    async fn search_page(&self, q: &SearchQuery, fts: Option<&str>) -> Result<Vec<SearchHit>> {
        let mut conn = self.pool.acquire().await?;
        Self::collect_hits(&mut conn, q, fts, true).await?;
        let rows = sqlx::query(
            "SELECT p.rowid AS rid, p.id, p.domain, p.title, p.description, p.classification, p.status, p.version, \
             p.owners_json, p.tags_json, page.has_pii, page.breaks_policy, \
             (SELECT json_group_array(topic) FROM (SELECT topic FROM ports WHERE product_id = p.id ORDER BY position)) AS topics_json \
             FROM (SELECT rid, rank, has_pii, breaks_policy, domain, product_id FROM search_hits \
                   ORDER BY rank, domain, product_id LIMIT ?1) AS page \
             JOIN products p ON p.rowid = page.rid ORDER BY page.rank, page.domain, page.product_id",
        )
        .bind(q.limit.max(1))
        .fetch_all(&mut *conn)
        .await?;
        let mut hits = Vec::with_capacity(rows.len());
        let mut rids: Vec<i64> = Vec::with_capacity(rows.len());
        for r in &rows {
            rids.push(r.try_get("rid")?);
            hits.push(SearchHit {
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
                breaks_policy: r.try_get::<bool, _>("breaks_policy")?,
                highlights: Vec::new(),
            });
        }
        let Some(text) = q.text.as_deref().filter(|_| fts.is_some()) else { return Ok(hits) };
        let words: Vec<String> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
        let ids = serde_json::to_string(&rids).expect("rowids serialize");
        let rows = sqlx::query(
            "SELECT rowid, title, description, tags, owners, topics, fields, docs FROM product_search \
             WHERE rowid IN (SELECT value FROM json_each(?1))",
        )
        .bind(ids)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let rid: i64 = r.try_get(0)?;
            let Some(at) = rids.iter().position(|x| *x == rid) else { continue };
            for (i, field) in SEARCH_FIELDS.iter().enumerate() {
                let text: &str = r.try_get(i + 1)?;
                if let Some(marked) = highlight(text, &words) {
                    hits[at].highlights.push(((*field).to_owned(), marked));
                }
            }
        }
        Ok(hits)
    }

    /// The facet counts over every hit that passes the filters: the few combinations of the
    /// small facets in one grouping, and the most used tags.
    async fn search_facets(&self, q: &SearchQuery, fts: Option<&str>) -> Result<Facets> {
        let mut conn = self.pool.acquire().await?;
        Self::collect_hits(&mut conn, q, fts, false).await?;
        let rows = sqlx::query(
            "SELECT domain, classification, status, has_pii, breaks_policy, count(*) AS n FROM search_hits \
             GROUP BY domain, classification, status, has_pii, breaks_policy",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut small: [std::collections::BTreeMap<String, i64>; 5] = Default::default();
        for r in &rows {
            let n: i64 = r.try_get("n")?;
            for (i, col) in ["domain", "classification", "status"].iter().enumerate() {
                *small[i].entry(r.try_get(*col)?).or_default() += n;
            }
            let pii = if r.try_get::<bool, _>("has_pii")? { "yes" } else { "no" };
            *small[3].entry(pii.to_owned()).or_default() += n;
            let breaks = if r.try_get::<bool, _>("breaks_policy")? { "yes" } else { "no" };
            *small[4].entry(breaks.to_owned()).or_default() += n;
        }
        let tags = sqlx::query(&format!(
            "SELECT t.tag, count(*) AS n FROM search_hits h CROSS JOIN product_tags t ON t.rid = h.rid \
             GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT {TAG_FACETS}"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let [domain, classification, status, has_pii, breaks_policy] = small.map(|m| {
            let mut v: Vec<(String, i64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        });
        let mut tag = Vec::with_capacity(tags.len());
        for r in &tags {
            tag.push((r.try_get("tag")?, r.try_get("n")?));
        }
        Ok(Facets { domain, classification, status, tag, has_pii, breaks_policy })
    }
}
