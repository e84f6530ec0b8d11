//! What a cache was folded from, and starting over when that changed.

use crate::{Result, Store};

impl Store {
    /// A remembered fact about this cache's origin (`cluster_id`, ...).
    pub async fn identity(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar!("SELECT value FROM cache_identity WHERE key = ?", key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_identity(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query!(
            "INSERT INTO cache_identity (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The event id of the record at `offset` of `log`, as folded (`invalid@N` for non-events).
    pub async fn event_id_at(&self, log: &str, offset: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar!(r#"SELECT id FROM events WHERE log = ? AND "offset" = ?"#, log, offset)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Whether the fold has judged the event `id` (applied, refused or a duplicate).
    pub async fn event_folded(&self, id: &str) -> Result<bool> {
        Ok(sqlx::query_scalar!(r#"SELECT 1 AS "x!: i64" FROM events WHERE id = ? LIMIT 1"#, id)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// Forgets everything folded from the governance log, so it is folded again from offset 0.
    /// Local things stay: drafts, the outbox, the caches of the cluster and the registry (see
    /// [`LOCAL_TABLES`]).
    pub async fn reset_folded(&self) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for table in FOLDED_TABLES {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM cache_identity WHERE key LIKE 'log:%'").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The tables the fold writes: emptied when the log is folded again from the start.
pub(crate) const FOLDED_TABLES: &[&str] = &[
    "events",
    "log_position",
    "access_requests",
    "ports",
    "products",
    "domains",
    "product_facets",
    "product_tags",
    "product_search",
    "trust_keys",
    "policy_rules",
    "product_changes",
    "change_acknowledgements",
    "topic_adoptions",
];

/// The tables that outlive a new fold: this desktop's own (drafts, outbox), caches of the cluster
/// and the registry, the cache's identity (its `log:` keys are reset with the fold), and the
/// compromised keys (the log is folded again precisely to leave their events out).
#[cfg(test)]
pub(crate) const LOCAL_TABLES: &[&str] =
    &["drafts", "outbox", "cluster_topics", "registry_versions", "cache_identity", "compromised_keys"];
