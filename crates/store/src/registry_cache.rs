//! The cached copy of the Schema Registry: subjects and their versions.

use std::collections::HashSet;

use crate::{Result, Store, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedVersion {
    pub subject: String,
    pub version: u32,
    pub schema_id: u32,
    pub schema_type: String,
    pub schema: String,
    /// The registry's `metadata` and `ruleSet` for this version, as JSON text.
    pub metadata_json: Option<String>,
    pub rule_set_json: Option<String>,
    /// The version's references (`[{name, subject, version}]`), as JSON text.
    pub references_json: Option<String>,
}

impl Store {
    /// Adds (or refreshes) registry versions, in one transaction.
    pub async fn put_registry_versions(&self, versions: &[CachedVersion]) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        for v in versions {
            let (version, id) = (v.version as i64, v.schema_id as i64);
            sqlx::query!(
                "INSERT INTO registry_versions (subject, version, schema_id, schema_type, schema, synced_at_ms,
                     metadata_json, rule_set_json, references_json)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (subject, version) DO UPDATE SET schema_id = excluded.schema_id,
                     schema_type = excluded.schema_type, schema = excluded.schema, synced_at_ms = excluded.synced_at_ms,
                     metadata_json = excluded.metadata_json, rule_set_json = excluded.rule_set_json,
                     references_json = excluded.references_json",
                v.subject,
                version,
                id,
                v.schema_type,
                v.schema,
                now,
                v.metadata_json,
                v.rule_set_json,
                v.references_json
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The (subject, version) pairs already cached.
    pub async fn cached_registry_keys(&self) -> Result<HashSet<(String, u32)>> {
        let rows = sqlx::query!("SELECT subject, version FROM registry_versions").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| (r.subject, r.version as u32)).collect())
    }

    /// A subject's cached versions, oldest first.
    pub async fn registry_versions(&self, subject: &str) -> Result<Vec<CachedVersion>> {
        let rows = sqlx::query!(
            "SELECT subject, version, schema_id, schema_type, schema, metadata_json, rule_set_json, references_json
             FROM registry_versions WHERE subject = ? ORDER BY version",
            subject
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CachedVersion {
                subject: r.subject,
                version: r.version as u32,
                schema_id: r.schema_id as u32,
                schema_type: r.schema_type,
                schema: r.schema,
                metadata_json: r.metadata_json,
                rule_set_json: r.rule_set_json,
                references_json: r.references_json,
            })
            .collect())
    }

    /// Versions whose references mention `subject` (a superset: the caller matches exactly),
    /// as (subject, version, references JSON).
    pub async fn registry_referrers(&self, subject: &str) -> Result<Vec<(String, u32, String)>> {
        let rows = sqlx::query!(
            r#"SELECT subject, version, references_json AS "refs!: String" FROM registry_versions
               WHERE references_json IS NOT NULL AND instr(references_json, ?) > 0 ORDER BY subject, version"#,
            subject
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.subject, r.version as u32, r.refs)).collect())
    }

    /// Forgets a version the registry deleted.
    pub async fn forget_registry_version(&self, subject: &str, version: u32) -> Result<()> {
        let v = version as i64;
        sqlx::query!("DELETE FROM registry_versions WHERE subject = ? AND version = ?", subject, v)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// One subject as cached: how many versions, and the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSubject {
    pub subject: String,
    pub versions: u32,
    pub latest_version: u32,
    pub latest_id: u32,
    pub schema_type: String,
}

impl Store {
    pub async fn registry_subjects(&self) -> Result<Vec<CachedSubject>> {
        let rows = sqlx::query!(
            r#"SELECT subject AS "subject!: String", COUNT(*) AS "versions!: i64", MAX(version) AS "latest!: i64",
                      (SELECT schema_id FROM registry_versions l WHERE l.subject = v.subject ORDER BY version DESC LIMIT 1) AS "latest_id!: i64",
                      (SELECT schema_type FROM registry_versions l WHERE l.subject = v.subject ORDER BY version DESC LIMIT 1) AS "schema_type!: String"
               FROM registry_versions v GROUP BY subject ORDER BY subject"#
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| CachedSubject {
                subject: r.subject,
                versions: r.versions as u32,
                latest_version: r.latest as u32,
                latest_id: r.latest_id as u32,
                schema_type: r.schema_type,
            })
            .collect())
    }
}
