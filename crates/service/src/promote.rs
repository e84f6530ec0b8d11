//! Promotion of a product from this environment to another (an environment file opened beside
//! this one, with its own cache in the same data directory): the review computed from both
//! sides, then the target's own wizard publishing a draft of the product, so the target's
//! bounds, registry levels, policies and trust rules decide, and a failure resumes where it
//! stopped.

use std::path::Path;
use std::sync::Arc;

use meshdesk_contract as c;
use meshdesk_domain::policy::{Finding, Severity};
use meshdesk_domain::promote::{differences, for_target};
use meshdesk_registry::RegistryError;

use crate::{EnvSource, Meshdesk, SandboxPorts, ServiceError, invalid};

/// The target's draft for promoting `product` with this content: the same content resumes the
/// same journal; a changed product is a new draft.
fn draft_id(product: &meshdesk_domain::DataProduct) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(serde_json::to_vec(product).expect("products serialize"));
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("promote-{}-{short}", product.id)
}

impl Meshdesk {
    /// Each of `p`'s schemas against this environment's registry at the subject's level here:
    /// a schema it has already is fine, a new subject is fine, and a schema its latest version
    /// would refuse is a blocking finding with the registry's words (found in the review, not
    /// halfway through applying).
    async fn schemas_against_registry(&self, p: &meshdesk_domain::DataProduct) -> Result<Vec<Finding>, ServiceError> {
        let conn = self.connection().await?;
        let mut out = Vec::new();
        for (i, port) in p.output_ports.iter().enumerate() {
            for (which, s) in [("key_schema", &port.key_schema), ("value_schema", &port.value_schema)] {
                let Some(s) = s else { continue };
                if conn.registry.lookup(&s.subject, &s.schema, s.format).await?.is_some() {
                    continue;
                }
                let check = match conn.registry.check_compatibility(&s.subject, None, &s.schema, s.format).await {
                    Ok(check) => check,
                    // No version yet: the first one is registered as it is.
                    Err(RegistryError::NotFound { .. }) => continue,
                    Err(e) => return Err(e.into()),
                };
                if !check.is_compatible {
                    let level =
                        conn.registry.compatibility(&s.subject).await.map(|l| l.to_string()).unwrap_or_default();
                    out.push(Finding {
                        policy: "compatibility".into(),
                        severity: Severity::Error,
                        at: format!("ports[{i}].{which}"),
                        message: format!(
                            "the registry here refuses this schema for {} at {level}: {}",
                            s.subject,
                            if check.messages.is_empty() {
                                "incompatible with its latest version".into()
                            } else {
                                check.messages.join("; ")
                            }
                        ),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Opens another environment from its file beside this one (its cache in the same data
    /// directory), connected and synced: the target of a promotion.
    pub async fn open_environment(&self, file: &Path) -> Result<Arc<Meshdesk>, ServiceError> {
        let other = Meshdesk::open(&self.data_dir, EnvSource::File(file.to_owned()), SandboxPorts::default()).await?;
        other.connect().await?;
        other.sync().await?;
        Ok(other)
    }

    /// The target's draft of `product_id` as published here: the same product, its schemas left
    /// for the target's registry to number, the domain registered there if it lacks it.
    /// Returns the product as published here too.
    async fn promotion_draft(
        &self,
        product_id: &str,
        target: &Meshdesk,
    ) -> Result<(meshdesk_domain::DataProduct, c::WizardDraft), ServiceError> {
        let source = self
            .store
            .product(product_id)
            .await?
            .ok_or_else(|| invalid(format!("no product {product_id} in this environment")))?
            .product;
        let product = for_target(&source);
        let target_has_domain = target.store.list_domains().await?.iter().any(|d| d.id == product.domain.as_str());
        let new_domain = if target_has_domain {
            None
        } else {
            let d = self.store.list_domains().await?.into_iter().find(|d| d.id == product.domain.as_str());
            d.map(|d| -> Result<meshdesk_domain::Domain, ServiceError> {
                Ok(meshdesk_domain::Domain {
                    id: product.domain.clone(),
                    name: d.name,
                    description: d.description,
                    owners: d
                        .owners
                        .iter()
                        .map(|o| meshdesk_domain::Principal::parse(o).map_err(invalid))
                        .collect::<Result<_, _>>()?,
                    contact: d.contact,
                })
            })
            .transpose()?
        };
        Ok((source, c::WizardDraft { id: draft_id(&product), step: 6, product, new_domain }))
    }

    /// What promoting `product_id` to `target` would do: how the two differ, the plan, and the
    /// target's policies on it. Nothing is applied.
    pub async fn promotion(&self, product_id: &str, target: &Meshdesk) -> Result<c::Promotion, ServiceError> {
        let (source, draft) = self.promotion_draft(product_id, target).await?;
        let there = target.store.product(product_id).await?.map(|p| p.product);
        let mut check = target.check_draft(&draft).await?;
        check.findings.extend(target.schemas_against_registry(&draft.product).await?);
        check.blocks = meshdesk_domain::policy::blocks(&check.findings);
        Ok(c::Promotion {
            product: product_id.to_owned(),
            target: target.connection().await?.name.clone(),
            target_version: there.as_ref().map(|p| p.version.clone()),
            differences: differences(&source, there.as_ref()),
            plan: check.plan,
            blocks: check.blocks,
            findings: check.findings,
            draft: draft.id,
        })
    }

    /// Promotes `product_id` to `target`: the target's wizard publishes it (its policies
    /// checked again, its plan journaled step by step, so calling this again after a failure
    /// resumes). Refused with the reason when the target's policies block it.
    pub async fn promote(&self, product_id: &str, target: &Meshdesk) -> Result<c::DraftState, ServiceError> {
        let (_, draft) = self.promotion_draft(product_id, target).await?;
        let state = match target.store.draft(&draft.id).await? {
            // A promotion of the same content that started before resumes its journal.
            Some(row) if row.status() != c::DraftStatus::Editing => target.get_draft(&draft.id).await?,
            _ => target.save_draft(&draft).await?,
        };
        if state.status == c::DraftStatus::Published {
            return Ok(state);
        }
        let done = target.publish_draft(&draft.id).await?;
        if done.status == c::DraftStatus::Published {
            target.settle().await;
        }
        Ok(done)
    }
}
