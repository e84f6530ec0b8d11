//! The SQLite cache: the only crate that knows sqlx. It folds governance events into tables and
//! serves the catalog's reads, offline too. Folding stores the log position in the same
//! transaction as the changes it made, so a crash never applies an event twice or skips one.

mod access;
mod drafts;
mod identity;
mod outbox;
mod products;
mod registry_cache;
mod search;
mod trust;

use std::path::Path;
use std::str::FromStr;

use meshdesk_domain::trust::TrustRoot;
use meshdesk_domain::{Decoded, Envelope, EventBody};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub use access::{AccessRow, AuditRow};
pub use drafts::DraftRow;
pub use outbox::{OutboxEntry, OutboxStatus, ParkedEntry};
pub use products::{ClusterTopic, ProductRef, PublishedProduct};
pub use registry_cache::{CachedSubject, CachedVersion};
pub use search::{Facets, MARK_END, MARK_START, SEARCH_FIELDS, SearchHit, SearchQuery, SearchResult, fts_query};
pub use trust::TrustKeyRow;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the local cache failed: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the local cache could not be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the local cache holds data it cannot read: {0}")]
    Corrupt(String),
    /// One event of a batch failed in SQLite (internal: the batch is folded again carefully).
    #[error("{0}")]
    EventFailed(String),
}

impl StoreError {
    fn into_event_failed(self) -> Self {
        match self {
            StoreError::EventFailed(_) => self,
            other => StoreError::EventFailed(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// One record read from a log, as handed to [`Store::apply`]: its offset and either the
/// envelope or why the bytes were not one.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub offset: i64,
    /// The broker's timestamp of the record: an event's own time must lie near it.
    pub timestamp_ms: Option<i64>,
    pub envelope: std::result::Result<Envelope, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: u64,
    /// Duplicates, unknown types or versions, and records that were not events.
    pub skipped: u64,
    pub next_offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub id: String,
    pub domain: String,
    pub title: String,
    pub description: String,
    pub classification: String,
    pub status: String,
    pub version: String,
    pub owners: Vec<String>,
    pub tags: Vec<String>,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owners: Vec<String>,
    pub contact: String,
    pub product_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub offset: i64,
    pub id: String,
    pub kind: String,
    pub actor: String,
    pub at_ms: i64,
    pub outcome: String,
    pub note: Option<String>,
    /// The key that signed the event, when it was signed.
    pub signer: Option<String>,
}

/// Failpoints for crash tests (the `fail` crate), compiled only with the `failpoints` feature:
/// the integration tests turn it on; `cargo build --release` leaves it out.
pub mod failpoints {
    /// Configures the failpoints named in `FAILPOINTS` (e.g. `fold-before-commit=sleep(150)`);
    /// does nothing in builds without the feature.
    pub fn setup_from_env() {
        // The scenario lives as long as the process.
        #[cfg(feature = "failpoints")]
        std::mem::forget(fail::FailScenario::setup());
    }
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list column: {e}")))
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the cache at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Search and the catalog read many rows: a 16 MiB page cache per connection and
            // memory-mapped reads keep them off the read(2) path.
            .pragma("cache_size", "-16384")
            .pragma("mmap_size", "268435456");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        Self::from_pool(pool).await
    }

    /// Wraps an existing pool (used by `#[sqlx::test]`), applying migrations.
    pub async fn from_pool(pool: SqlitePool) -> Result<Self> {
        MIGRATOR.run(&pool).await?;
        let store = Self { pool };
        store.reindex_if_needed().await?;
        Ok(store)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The offset of the next record to read from `log` (0 when nothing was applied yet).
    pub async fn next_offset(&self, log: &str) -> Result<i64> {
        let row = sqlx::query_scalar!("SELECT next_offset FROM log_position WHERE log = ?", log)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.unwrap_or(0))
    }

    /// When the log was last applied to, in ms since the epoch.
    pub async fn last_applied_at(&self, log: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar!("SELECT updated_at_ms FROM log_position WHERE log = ?", log)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Folds a batch of consecutive records into the cache in one transaction, together with
    /// the new log position. Records below the stored position were applied before and are
    /// ignored; an event id seen before is recorded as a duplicate and changes nothing. Every
    /// event is verified against `root` first (signature, time, standing, authorization, see
    /// `meshdesk_domain::trust`); one that fails is recorded as refused with the reason.
    ///
    /// An event that fails in SQLite itself (a constraint no rule foresaw) must not freeze every
    /// desktop on this batch: the batch is then folded again with each event in a savepoint, and
    /// that event is refused with the database's reason while the others apply. Savepoints cost a
    /// third of the fold's speed, so only such a batch pays for them.
    pub async fn apply(&self, log: &str, root: &TrustRoot, records: &[LogRecord]) -> Result<ApplyReport> {
        match self.apply_batch(log, root, records, false).await {
            Err(StoreError::EventFailed(e)) => {
                tracing::warn!("an event failed in the cache ({e}); folding the batch again event by event");
                self.apply_batch(log, root, records, true).await
            }
            other => other,
        }
    }

    async fn apply_batch(
        &self,
        log: &str,
        root: &TrustRoot,
        records: &[LogRecord],
        careful: bool,
    ) -> Result<ApplyReport> {
        /// One audit row; the batch's rows are inserted with one statement.
        #[derive(serde::Serialize)]
        struct Row<'a> {
            offset: i64,
            id: std::borrow::Cow<'a, str>,
            kind: &'a str,
            version: i64,
            actor: &'a str,
            at_ms: i64,
            payload: String,
            outcome: &'static str,
            note: Option<String>,
            signer: Option<&'a str>,
        }

        let mut tx = self.pool.begin().await?;
        let mut next = sqlx::query_scalar!("SELECT next_offset FROM log_position WHERE log = ?", log)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or(0);
        let mut report = ApplyReport { next_offset: next, ..Default::default() };
        let fresh: Vec<&LogRecord> = records.iter().filter(|r| r.offset >= next).collect();
        // Signatures are pure CPU: checked for the whole batch up front, on every core.
        let signatures = verify_all(&fresh);

        // Which of the batch's event ids were applied before: one query for the whole batch.
        let ids: Vec<&str> = fresh.iter().filter_map(|r| r.envelope.as_ref().ok()).map(|e| e.id.as_str()).collect();
        let ids_json = serde_json::to_string(&ids).expect("ids serialize");
        let mut seen: std::collections::HashSet<String> = sqlx::query_scalar!(
            "SELECT id FROM events WHERE outcome = 'applied' AND id IN (SELECT value FROM json_each(?))",
            ids_json
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();

        let mut keys = trust::KeyRecords::default();
        let mut rows = Vec::with_capacity(fresh.len());
        for (rec, signature) in fresh.into_iter().zip(signatures) {
            if rec.offset < next {
                continue;
            }
            let row = match &rec.envelope {
                Err(reason) => {
                    tracing::warn!(offset = rec.offset, "governance record is not an event: {reason}");
                    Row {
                        offset: rec.offset,
                        id: format!("invalid@{}", rec.offset).into(),
                        kind: "?",
                        version: 0,
                        actor: "",
                        at_ms: 0,
                        payload: "null".into(),
                        outcome: "invalid",
                        note: Some(reason.clone()),
                        signer: None,
                    }
                }
                Ok(env) => {
                    let (outcome, note) = if seen.contains(&env.id) {
                        ("duplicate", Some(format!("event {} was applied before", env.id)))
                    } else {
                        match env.decode() {
                            Decoded::Known(body) => {
                                // Trust first, then the event's own rules (access decisions). The
                                // event's changes sit in a savepoint: whatever fails for this one
                                // event (a constraint its author found a way around) refuses it
                                // with the reason and rolls back its changes alone; the batch and
                                // every event after it go on.
                                if careful {
                                    sqlx::query("SAVEPOINT event").execute(&mut *tx).await?;
                                }
                                let failed = |e: StoreError| {
                                    if careful {
                                        Ok(format!("could not be applied: {e}"))
                                    } else {
                                        Err(e.into_event_failed())
                                    }
                                };
                                let verdict = match admit(&mut tx, &mut keys, root, rec, env, &body, signature).await {
                                    Err(e) => Err(failed(e)?),
                                    Ok(Err(why)) => Err(why),
                                    Ok(Ok(note)) => match apply_body(&mut tx, &mut keys, env, &body).await {
                                        Ok(None) => Ok(note),
                                        Ok(Some(why)) => Err(why),
                                        Err(e) => Err(failed(e)?),
                                    },
                                };
                                if careful {
                                    if verdict.is_err() {
                                        sqlx::query("ROLLBACK TO event").execute(&mut *tx).await?;
                                        // The per-fold key cache may hold what was rolled back.
                                        keys = trust::KeyRecords::default();
                                    }
                                    sqlx::query("RELEASE event").execute(&mut *tx).await?;
                                }
                                match verdict {
                                    Ok(note) => {
                                        seen.insert(env.id.clone());
                                        ("applied", note)
                                    }
                                    Err(why) => {
                                        tracing::info!(offset = rec.offset, "governance event refused: {why}");
                                        ("refused", Some(why))
                                    }
                                }
                            }
                            Decoded::Unknown { reason } => {
                                tracing::warn!(offset = rec.offset, "skipping governance event: {reason}");
                                ("skipped", Some(reason))
                            }
                        }
                    };
                    Row {
                        offset: rec.offset,
                        id: env.id.as_str().into(),
                        kind: &env.kind,
                        version: env.version as i64,
                        actor: &env.actor,
                        at_ms: env.at_ms,
                        payload: env.payload.to_string(),
                        outcome,
                        note,
                        signer: env.key.as_deref(),
                    }
                }
            };
            if row.outcome == "applied" {
                report.applied += 1;
            } else {
                report.skipped += 1;
            }
            next = rec.offset + 1;
            rows.push(row);
        }
        if !rows.is_empty() {
            let rows_json = serde_json::to_string(&rows).expect("rows serialize");
            sqlx::query!(
                r#"INSERT INTO events (log, "offset", id, kind, version, actor, at_ms, payload, outcome, note, signer)
                   SELECT ?1, json_extract(value, '$.offset'), json_extract(value, '$.id'), json_extract(value, '$.kind'),
                          json_extract(value, '$.version'), json_extract(value, '$.actor'), json_extract(value, '$.at_ms'),
                          json_extract(value, '$.payload'), json_extract(value, '$.outcome'), json_extract(value, '$.note'),
                          json_extract(value, '$.signer')
                   FROM json_each(?2)"#,
                log,
                rows_json
            )
            .execute(&mut *tx)
            .await?;
        }
        let now = now_ms();
        sqlx::query!(
            r#"INSERT INTO log_position (log, next_offset, updated_at_ms) VALUES (?, ?, ?)
               ON CONFLICT (log) DO UPDATE SET next_offset = excluded.next_offset, updated_at_ms = excluded.updated_at_ms"#,
            log,
            next,
            now
        )
        .execute(&mut *tx)
        .await?;
        // Crash tests widen the window between applying and committing here
        // (`FAILPOINTS=fold-before-commit=sleep(150)`); only builds with `failpoints` have it.
        #[cfg(feature = "failpoints")]
        fail::fail_point!("fold-before-commit");
        tx.commit().await?;
        report.next_offset = next;
        Ok(report)
    }

    /// Products, optionally filtered by a case-insensitive text on id, title, description,
    /// tags and topics; ordered by domain, then id.
    pub async fn list_products(&self, text: Option<&str>) -> Result<Vec<ProductRow>> {
        let pattern = text.map(str::trim).filter(|t| !t.is_empty()).map(|t| format!("%{}%", t.to_lowercase()));
        let rows = sqlx::query!(
            r#"SELECT p.id, p.domain, p.title, p.description, p.classification, p.status, p.version,
                      p.owners_json, p.tags_json,
                      (SELECT json_group_array(topic) FROM (SELECT topic FROM ports WHERE product_id = p.id ORDER BY position)) AS "topics_json!: String"
               FROM products p
               WHERE ?1 IS NULL
                  OR lower(p.id || ' ' || p.title || ' ' || p.description || ' ' || p.tags_json) LIKE ?1
                  OR EXISTS (SELECT 1 FROM ports WHERE product_id = p.id AND lower(topic) LIKE ?1)
               ORDER BY p.domain, p.id"#,
            pattern
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ProductRow {
                    id: r.id,
                    domain: r.domain,
                    title: r.title,
                    description: r.description,
                    classification: r.classification,
                    status: r.status,
                    version: r.version,
                    owners: json_list(&r.owners_json)?,
                    tags: json_list(&r.tags_json)?,
                    topics: json_list(&r.topics_json)?,
                })
            })
            .collect()
    }

    pub async fn list_domains(&self) -> Result<Vec<DomainRow>> {
        let rows = sqlx::query!(
            r#"SELECT d.id, d.name, d.description, d.owners_json, d.contact,
                      (SELECT COUNT(*) FROM products WHERE domain = d.id) AS "product_count!: i64"
               FROM domains d ORDER BY d.id"#
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(DomainRow {
                    id: r.id,
                    name: r.name,
                    description: r.description,
                    owners: json_list(&r.owners_json)?,
                    contact: r.contact,
                    product_count: r.product_count,
                })
            })
            .collect()
    }

    /// The newest `limit` events read from a log, newest first, with what the fold made of them.
    pub async fn recent_events(&self, log: &str, limit: i64) -> Result<Vec<EventRow>> {
        Ok(sqlx::query_as!(
            EventRow,
            r#"SELECT "offset" AS "offset!: i64", id, kind, actor, at_ms, outcome, note, signer
               FROM events WHERE log = ? ORDER BY "offset" DESC LIMIT ?"#,
            log,
            limit
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The audit trail of a log, oldest first.
    pub async fn events(&self, log: &str) -> Result<Vec<EventRow>> {
        Ok(sqlx::query_as!(
            EventRow,
            r#"SELECT "offset" AS "offset!: i64", id, kind, actor, at_ms, outcome, note, signer
               FROM events WHERE log = ? ORDER BY "offset""#,
            log
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Applies one event; `Ok(Some(reason))` when the rules refuse it and nothing changed.
async fn apply_body(
    tx: &mut Transaction<'_, Sqlite>,
    keys: &mut trust::KeyRecords,
    env: &Envelope,
    body: &EventBody,
) -> Result<Option<String>> {
    match body {
        EventBody::DomainRegistered(d) => {
            let id = d.id.as_str();
            let owners = serde_json::to_string(&d.owners).expect("principals serialize");
            sqlx::query!(
                r#"INSERT INTO domains (id, name, description, owners_json, contact, registered_at_ms, registered_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                       owners_json = excluded.owners_json, contact = excluded.contact"#,
                id,
                d.name,
                d.description,
                owners,
                d.contact,
                env.at_ms,
                env.actor
            )
            .execute(&mut **tx)
            .await?;
        }
        EventBody::ProductPublished(p) => {
            let id = p.id.as_str();
            let domain = p.domain.as_str();
            let classification = p.classification.as_str();
            let status = p.status.as_str();
            let owners = serde_json::to_string(&p.owners).expect("principals serialize");
            let tags = serde_json::to_string(&p.tags).expect("tags serialize");
            let body = serde_json::to_string(p).expect("products serialize");
            sqlx::query!(
                r#"INSERT INTO products (id, domain, title, description, classification, status, version,
                                         owners_json, tags_json, body_json, published_at_ms, published_by)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description,
                       classification = excluded.classification, status = excluded.status, version = excluded.version,
                       owners_json = excluded.owners_json, tags_json = excluded.tags_json, body_json = excluded.body_json,
                       published_at_ms = excluded.published_at_ms, published_by = excluded.published_by"#,
                id,
                domain,
                p.title,
                p.description,
                classification,
                status,
                p.version,
                owners,
                tags,
                body,
                env.at_ms,
                env.actor
            )
            .execute(&mut **tx)
            .await?;
            sqlx::query!("DELETE FROM ports WHERE product_id = ?", id).execute(&mut **tx).await?;
            for (position, port) in p.output_ports.iter().enumerate() {
                let topic = port.topic.as_str();
                let position = position as i64;
                let cleanup = port.cleanup_policy.as_str();
                let subject = port.value_schema.as_ref().map(|s| s.subject.clone());
                let schema_id = port.value_schema.as_ref().and_then(|s| s.id).map(i64::from);
                sqlx::query!(
                    r#"INSERT INTO ports (topic, product_id, position, partitions, replication_factor, retention_ms,
                                          cleanup_policy, value_subject, value_schema_id)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"#,
                    topic,
                    id,
                    position,
                    port.partitions,
                    port.replication_factor,
                    port.retention_ms,
                    cleanup,
                    subject,
                    schema_id
                )
                .execute(&mut **tx)
                .await?;
            }
            search::index_product(tx, p).await?;
        }
        EventBody::KeyEnrollmentRequested { .. }
        | EventBody::KeyEndorsed { .. }
        | EventBody::EnrollmentRejected { .. }
        | EventBody::KeyRevoked { .. } => trust::apply(tx, keys, env, body).await?,
        other => return access::apply(tx, env, other).await,
    }
    Ok(None)
}

/// Signature checks for a batch, index-aligned with it: the verified key id, or why not
/// (`None` for records that are not envelopes). Split over the machine's cores.
fn verify_all(records: &[&LogRecord]) -> Vec<Option<std::result::Result<String, String>>> {
    use meshdesk_domain::trust::{KeyCache, verify_cached};
    let check = |chunk: &[&LogRecord]| {
        let mut keys = KeyCache::default();
        chunk
            .iter()
            .map(|r| r.envelope.as_ref().ok().map(|env| verify_cached(&mut keys, env).map(|k| k.id())))
            .collect::<Vec<_>>()
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if cores < 2 || records.len() < 64 {
        return check(records);
    }
    let chunk = records.len().div_ceil(cores);
    std::thread::scope(|s| {
        let parts: Vec<_> = records.chunks(chunk).map(|c| s.spawn(move || check(c))).collect();
        parts.into_iter().flat_map(|h| h.join().expect("signature checks do not panic")).collect()
    })
}

/// Whether an event may be applied: `Ok(note)` (a note for a legacy unsigned event), or why it
/// is refused. Legacy unsigned events (below the root's `accept_unsigned_before_offset`) skip the
/// trust checks; every other event needs a good signature, a time near its record's and the
/// rules' consent.
async fn admit(
    tx: &mut Transaction<'_, Sqlite>,
    keys: &mut trust::KeyRecords,
    root: &TrustRoot,
    rec: &LogRecord,
    env: &Envelope,
    body: &EventBody,
    signature: Option<std::result::Result<String, String>>,
) -> Result<std::result::Result<Option<String>, String>> {
    if env.sig.is_none() && env.key.is_none() && root.accepts_unsigned_at(rec.offset) {
        return Ok(Ok(Some(format!(
            "unsigned: accepted as written before signing (trust.accept_unsigned_before_offset = {})",
            root.accept_unsigned_before_offset.unwrap_or_default()
        ))));
    }
    let key = match signature {
        Some(Ok(key)) => key,
        Some(Err(why)) => return Ok(Err(why)),
        None => return Ok(Err("not an event".into())),
    };
    if let Err(why) = meshdesk_domain::trust::check_time(env.at_ms, rec.timestamp_ms) {
        return Ok(Err(why));
    }
    Ok(trust::judge(&mut **tx, keys, root, &key, &env.actor, body).await?.map(|()| None))
}

#[cfg(test)]
mod tests;
