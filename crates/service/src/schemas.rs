//! Schemas: the registry's versions copied into the cache, subjects and their versions for the
//! Schemas page, and registering a new version.

use meshdesk_contract as c;

use crate::{Meshdesk, ServiceError, invalid};

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
                references_json: (!v.references.is_empty())
                    .then(|| serde_json::to_string(&v.references).expect("references serialize")),
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
        let cached = self.store.registry_versions(subject).await?;
        let latest = cached.last().map(|v| v.version);
        let referrers: Vec<(String, u32, Vec<c::SchemaReferenceView>)> = self
            .store
            .registry_referrers(subject)
            .await?
            .into_iter()
            .map(|(s, v, json)| (s, v, references_of(Some(&json))))
            .collect();
        let mut versions = Vec::with_capacity(cached.len());
        for v in cached {
            let references = references_of(v.references_json.as_ref());
            let (resolved, unresolved) = match self.resolve_references(&references).await {
                Ok(r) => (r, None),
                Err(why) => (vec![], Some(why.to_string())),
            };
            let referenced_by = referrers
                .iter()
                .filter_map(|(s, n, refs)| {
                    let r = refs.iter().find(|r| {
                        r.subject == subject
                            && (r.version == i64::from(v.version) || (r.version == -1 && latest == Some(v.version)))
                    })?;
                    Some(c::SchemaReferenceView { name: r.name.clone(), subject: s.clone(), version: i64::from(*n) })
                })
                .collect();
            versions.push(c::SchemaVersionView {
                version: v.version,
                id: v.schema_id,
                schema_type: v.schema_type,
                schema: v.schema,
                references,
                referenced_by,
                resolved,
                unresolved,
            });
        }
        Ok(c::SubjectDetail { subject: subject.to_owned(), level, level_note, versions })
    }

    /// Every schema `refs` reach, from the cache, dependencies first and each once, as
    /// `(name, schema)`; why not, when one is missing or they nest too deep.
    async fn resolve_references(&self, refs: &[c::SchemaReferenceView]) -> Result<Vec<(String, String)>, ServiceError> {
        const MAX_DEPTH: usize = 32;
        const MAX_REACHED: usize = 1_000;
        let mut out = Vec::new();
        let mut seen: Vec<(String, u32)> = Vec::new();
        // An explicit stack: (references, next index, depth).
        let mut stack: Vec<(Vec<c::SchemaReferenceView>, usize)> = vec![(refs.to_vec(), 0)];
        let mut pending: Vec<(String, String)> = Vec::new();
        while let Some((list, i)) = stack.pop() {
            if i >= list.len() {
                if let Some(done) = pending.pop() {
                    out.push(done);
                }
                continue;
            }
            let r = list[i].clone();
            stack.push((list, i + 1));
            if stack.len() > MAX_DEPTH {
                return Err(invalid(format!("references nest deeper than {MAX_DEPTH} levels")));
            }
            let versions = self.store.registry_versions(&r.subject).await?;
            let found = if r.version == -1 {
                versions.last()
            } else {
                versions.iter().find(|v| i64::from(v.version) == r.version)
            };
            let Some(v) = found else {
                return Err(invalid(format!(
                    "`{}` names {} version {}, which is not in the cache",
                    r.name, r.subject, r.version
                )));
            };
            if seen.contains(&(r.subject.clone(), v.version)) {
                continue;
            }
            seen.push((r.subject.clone(), v.version));
            if seen.len() > MAX_REACHED {
                return Err(invalid(format!("more than {MAX_REACHED} schemas are referenced")));
            }
            pending.push((r.name.clone(), v.schema.clone()));
            stack.push((references_of(v.references_json.as_ref()), 0));
        }
        Ok(out)
    }

    /// Soft-deletes one version; the registry refuses while other schemas reference it (the
    /// refusal names them).
    pub async fn delete_schema_version(&self, req: &c::DeleteVersionRequest) -> Result<u32, ServiceError> {
        let conn = self.connection().await?;
        let deleted = match conn.registry.delete_version(&req.subject, req.version, false).await {
            Ok(d) => d,
            Err(meshdesk_registry::RegistryError::Referenced { message }) => {
                // Who, in words, from the cache, refreshed by the detail (Confluent's refusal
                // does not say).
                let who: Vec<String> = self
                    .subject_detail(&req.subject)
                    .await?
                    .versions
                    .iter()
                    .filter(|v| v.version == req.version)
                    .flat_map(|v| v.referenced_by.iter().map(|r| format!("{} version {}", r.subject, r.version)))
                    .collect();
                let who = if who.is_empty() { format!("other schemas ({message})") } else { who.join(", ") };
                return Err(crate::invalid(format!(
                    "Version {} of {} is referenced by {who}, so it cannot be deleted: change or delete those first.",
                    req.version, req.subject
                )));
            }
            Err(e) => return Err(e.into()),
        };
        self.store.forget_registry_version(&req.subject, deleted).await?;
        Ok(deleted)
    }

    /// Registers a new version; the registry enforces the subject's level again. For a subject
    /// of a product the viewer owns, the product's policies are checked first (nothing is
    /// registered if they block it) and the product is published again with the new version, so
    /// its readers are told.
    pub async fn register_schema(&self, req: &c::RegisterRequest) -> Result<c::Registered, ServiceError> {
        let conn = self.connection().await?;
        let owned = self.owned_product_of(&req.subject).await?;
        let mut updated = None;
        if let Some((product, port, key)) = &owned {
            let mut p = product.clone();
            if let Some(s) = slot(&mut p, *port, *key) {
                s.schema = req.schema.clone();
                s.id = None;
                s.version = None;
            }
            let draft = c::WizardDraft {
                id: format!("register-{}", req.subject),
                step: 6,
                product: p.clone(),
                new_domain: None,
            };
            let check = self.check_draft(&draft).await?;
            if check.blocks {
                let errors: Vec<String> = check
                    .findings
                    .iter()
                    .filter(|f| f.severity == meshdesk_domain::policy::Severity::Error)
                    .map(|f| f.message.clone())
                    .collect();
                return Err(crate::invalid(format!("the policies block this version: {}", errors.join("; "))));
            }
            updated = Some(p);
        }
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
            conn.registry.lookup_with(&req.subject, &req.schema, req.format, &references).await?.map(|v| v.version);
        let version = version.ok_or_else(|| {
            crate::invalid(format!("the registry took the schema (id {id}) but does not list it under {}", req.subject))
        })?;
        let announced = match (updated, &owned) {
            (Some(mut p), Some((_, port, key))) => {
                if let Some(s) = slot(&mut p, *port, *key) {
                    s.id = Some(id);
                    s.version = Some(version);
                }
                let title = p.title.clone();
                let id = self.publish(&meshdesk_domain::EventBody::ProductPublished(p)).await?;
                self.await_folded(&id).await;
                Some(format!("{title} was published again with version {version}: its readers are told."))
            }
            _ => match self.product_of(&req.subject).await? {
                Some(p) => Some(format!(
                    "Not announced: only the owners of {} publish it, and with it tell its readers.",
                    p.title
                )),
                None => None,
            },
        };
        Ok(c::Registered { id, version, announced })
    }
}

/// References as cached (JSON text), for the window; unreadable ones are left out.
fn references_of(json: Option<&String>) -> Vec<c::SchemaReferenceView> {
    json.and_then(|j| serde_json::from_str::<Vec<serde_json::Value>>(j).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| {
            Some(c::SchemaReferenceView {
                name: r.get("name")?.as_str()?.to_owned(),
                subject: r.get("subject")?.as_str()?.to_owned(),
                version: r.get("version")?.as_i64()?,
            })
        })
        .collect()
}

/// What the registry holds with a version, read back for people; the registry's answer is
/// outside input, so lists and texts are bounded.
pub(crate) fn registry_view(v: &meshdesk_store::CachedVersion) -> c::RegistryContractView {
    const MAX_ITEMS: usize = 100;
    const MAX_TEXT: usize = 500;
    let text = |x: &serde_json::Value| {
        let s =
            x.as_str().map(str::to_owned).unwrap_or_else(|| if x.is_null() { String::new() } else { x.to_string() });
        s.chars().take(MAX_TEXT).collect::<String>()
    };
    let parse = |j: &Option<String>| j.as_deref().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
    let metadata = parse(&v.metadata_json).unwrap_or_default();
    let mut properties: Vec<(String, String)> = metadata["properties"]
        .as_object()
        .map(|m| m.iter().take(MAX_ITEMS).map(|(k, x)| (k.chars().take(MAX_TEXT).collect(), text(x))).collect())
        .unwrap_or_default();
    properties.sort();
    let mut pii: Vec<String> = metadata["tags"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, tags)| tags.as_array().is_some_and(|t| t.iter().any(|x| x.as_str() == Some("PII"))))
                .take(MAX_ITEMS)
                .map(|(k, _)| k.chars().take(MAX_TEXT).collect())
                .collect()
        })
        .unwrap_or_default();
    pii.sort();
    let rule_set = parse(&v.rule_set_json).unwrap_or_default();
    let rules = rule_set["domainRules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .take(MAX_ITEMS)
                .map(|r| c::RegistryRuleView {
                    name: text(&r["name"]),
                    doc: text(&r["doc"]),
                    rule_type: text(&r["type"]),
                    mode: text(&r["mode"]),
                    expr: text(&r["expr"]),
                    on_failure: text(&r["onFailure"]),
                })
                .collect()
        })
        .unwrap_or_default();
    c::RegistryContractView { subject: v.subject.clone(), version: v.version, properties, pii, rules }
}

impl Meshdesk {
    /// The product holding `subject` as one of its ports' schemas: (product, port, key schema?).
    pub(crate) async fn product_port_of(
        &self,
        subject: &str,
    ) -> Result<Option<(meshdesk_domain::DataProduct, usize, bool)>, ServiceError> {
        for p in self.store.published_products().await? {
            for (i, port) in p.output_ports.iter().enumerate() {
                if port.value_schema.as_ref().is_some_and(|s| s.subject == subject) {
                    return Ok(Some((p, i, false)));
                }
                if port.key_schema.as_ref().is_some_and(|s| s.subject == subject) {
                    return Ok(Some((p, i, true)));
                }
            }
        }
        Ok(None)
    }

    async fn product_of(&self, subject: &str) -> Result<Option<meshdesk_domain::DataProduct>, ServiceError> {
        Ok(self.product_port_of(subject).await?.map(|(p, _, _)| p))
    }

    /// [`Self::product_port_of`], when the viewer owns that product.
    async fn owned_product_of(
        &self,
        subject: &str,
    ) -> Result<Option<(meshdesk_domain::DataProduct, usize, bool)>, ServiceError> {
        let Some(found) = self.product_port_of(subject).await? else { return Ok(None) };
        let viewer = self.viewer().await;
        Ok(viewer.is_some_and(|v| found.0.owners.iter().any(|o| o.as_str() == v)).then_some(found))
    }
}

/// The schema of port `i` (its key schema when `key`).
fn slot(p: &mut meshdesk_domain::DataProduct, i: usize, key: bool) -> Option<&mut meshdesk_domain::SchemaRef> {
    let port = p.output_ports.get_mut(i)?;
    if key { port.key_schema.as_mut() } else { port.value_schema.as_mut() }
}
