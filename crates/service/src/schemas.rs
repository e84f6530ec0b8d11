//! Schemas: the registry's versions copied into the cache, subjects and their versions for the
//! Schemas page, and registering a new version.

use meshdesk_contract as c;

use crate::{Meshdesk, ServiceError};

impl Meshdesk {
    /// Copies every registry version the cache lacks into it; returns (versions added, HTTP
    /// requests made).
    pub async fn sync_registry(&self) -> Result<(usize, u64), ServiceError> {
        let conn = self.connection().await?;
        let known = self.store.cached_registry_keys().await?;
        let before = conn.registry.requests_made();
        let fresh = conn.registry.all_versions(&known).await?;
        let rows: Vec<meshdesk_store::CachedVersion> = fresh
            .into_iter()
            .map(|v| meshdesk_store::CachedVersion {
                subject: v.subject,
                version: v.version,
                schema_id: v.id,
                schema_type: v.schema_type,
                schema: v.schema,
                metadata_json: v.metadata.map(|m| m.to_string()),
                rule_set_json: v.rule_set.map(|r| r.to_string()),
            })
            .collect();
        self.store.put_registry_versions(&rows).await?;
        Ok((rows.len(), conn.registry.requests_made() - before))
    }

    /// Subjects from the cache, refreshed from the registry first when it answers.
    pub async fn list_subjects(&self) -> Result<Vec<c::SubjectSummary>, ServiceError> {
        if let Err(e) = self.sync_registry().await {
            tracing::info!("listing subjects from the cache: {e}");
        }
        Ok(self
            .store
            .registry_subjects()
            .await?
            .into_iter()
            .map(|s| c::SubjectSummary {
                subject: s.subject,
                versions: s.versions,
                latest_version: s.latest_version,
                latest_id: s.latest_id,
                schema_type: s.schema_type,
            })
            .collect())
    }

    /// A subject's versions (from the cache, refreshed first) and its compatibility level.
    pub async fn subject_detail(&self, subject: &str) -> Result<c::SubjectDetail, ServiceError> {
        let _ = self.sync_registry().await;
        let (level, level_note) = match self.connection().await {
            Ok(conn) => match conn.registry.compatibility(subject).await {
                Ok(l) => (Some(l), None),
                Err(e) => (None, Some(e.to_string())),
            },
            Err(e) => (None, Some(e.to_string())),
        };
        let versions = self
            .store
            .registry_versions(subject)
            .await?
            .into_iter()
            .map(|v| c::SchemaVersionView {
                version: v.version,
                id: v.schema_id,
                schema_type: v.schema_type,
                schema: v.schema,
            })
            .collect();
        Ok(c::SubjectDetail { subject: subject.to_owned(), level, level_note, versions })
    }

    /// Registers a new version; the registry enforces the subject's level again.
    pub async fn register_schema(&self, req: &c::RegisterRequest) -> Result<c::Registered, ServiceError> {
        let conn = self.connection().await?;
        // A new version keeps the references of the latest (its imports and named types from
        // other subjects); the registry keeps its metadata and rule set.
        let references = match conn.registry.version(&req.subject, None).await {
            Ok(latest) => latest.references,
            Err(meshdesk_registry::RegistryError::NotFound { .. }) => vec![],
            Err(e) => return Err(e.into()),
        };
        let id = conn.registry.register_with(&req.subject, &req.schema, req.format, &references, None, None).await?;
        self.sync_registry().await?;
        let version =
            conn.registry.lookup(&req.subject, &req.schema, req.format).await?.map(|v| v.version).unwrap_or_default();
        Ok(c::Registered { id, version })
    }
}
