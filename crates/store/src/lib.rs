//! The SQLite cache: the only crate that knows sqlx. It folds governance events into tables and
//! serves the catalog's reads, offline too. Folding stores the log position in the same
//! transaction as the changes it made, so a crash never applies an event twice or skips one.
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

mod access;
mod changes;
mod drafts;
mod fold;
mod identity;
mod outbox;
mod policies;
mod products;
mod registry_cache;
mod search;
mod trust;

use std::path::Path;
use std::str::FromStr;

use meshdesk_domain::Envelope;
use meshdesk_domain::events::Outcome;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use access::{AccessRow, AuditRow};
pub use changes::ChangeRow;
pub use drafts::DraftRow;
pub use outbox::{OutboxEntry, OutboxStatus, ParkedEntry};
pub use policies::{PolicyEventRow, PolicyRuleRow};
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
    pub envelope: std::result::Result<Envelope, NotAnEvent>,
}

/// Why a log record is not an event (the fold keeps it in the audit as invalid).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAnEvent {
    #[error("empty record")]
    Empty,
    #[error("the record holds {kib} KiB; governance events are at most {max_kib} KiB")]
    TooLarge { kib: usize, max_kib: usize },
    /// Not an envelope: what the JSON reader said.
    #[error("{0}")]
    Unreadable(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: u64,
    /// Duplicates, unknown types or versions, and records that were not events.
    pub skipped: u64,
    pub next_offset: i64,
    /// Why the log must be folded again from the start (a key was newly revoked as
    /// compromised: what it signed since is void); the caller resets and folds again.
    pub rebuild: Option<String>,
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
    pub outcome: Outcome,
    pub note: Option<String>,
    /// The key that signed the event, when it was signed.
    pub signer: Option<String>,
}

/// An audit row as SQLite holds it.
struct RawEventRow {
    offset: i64,
    id: String,
    kind: String,
    actor: String,
    at_ms: i64,
    outcome: String,
    note: Option<String>,
    signer: Option<String>,
}

impl RawEventRow {
    fn typed(self) -> Result<EventRow> {
        Ok(EventRow {
            offset: self.offset,
            id: self.id,
            kind: self.kind,
            actor: self.actor,
            at_ms: self.at_ms,
            outcome: outcome(&self.outcome)?,
            note: self.note,
            signer: self.signer,
        })
    }
}

/// An audit outcome read back from the cache.
pub(crate) fn outcome(s: &str) -> Result<Outcome> {
    Outcome::parse(s).ok_or_else(|| StoreError::Corrupt(format!("audit outcome `{s}`")))
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
            // Writers take the lock up front (`BEGIN IMMEDIATE`) and wait for each other: a long
            // fold on a slow machine must not fail a form's save.
            .busy_timeout(std::time::Duration::from_secs(30))
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

    /// How many of a log's records came to each outcome (outcomes with none are left out).
    pub async fn outcome_counts(&self, log: &str) -> Result<Vec<(Outcome, u64)>> {
        let rows =
            sqlx::query!(r#"SELECT outcome, COUNT(*) AS "n!: i64" FROM events WHERE log = ? GROUP BY outcome"#, log)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(|r| Ok((outcome(&r.outcome)?, r.n.max(0) as u64))).collect()
    }

    /// The newest `limit` events read from a log, newest first, with what the fold made of them.
    pub async fn recent_events(&self, log: &str, limit: i64) -> Result<Vec<EventRow>> {
        sqlx::query_as!(
            RawEventRow,
            r#"SELECT "offset" AS "offset!: i64", id, kind, actor, at_ms, outcome, note, signer
               FROM events WHERE log = ? ORDER BY "offset" DESC LIMIT ?"#,
            log,
            limit
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(RawEventRow::typed)
        .collect()
    }

    /// The audit trail of a log, oldest first.
    pub async fn events(&self, log: &str) -> Result<Vec<EventRow>> {
        sqlx::query_as!(
            RawEventRow,
            r#"SELECT "offset" AS "offset!: i64", id, kind, actor, at_ms, outcome, note, signer
               FROM events WHERE log = ? ORDER BY "offset""#,
            log
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(RawEventRow::typed)
        .collect()
    }
}

#[cfg(test)]
mod tests;
