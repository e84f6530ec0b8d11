//! The onboarding wizard's backend: drafts saved on every change, the policies enforced again,
//! and the plan applied step by step with a journal, so a failure stops with the reason and
//! "resume" continues where it stopped without applying anything twice.

use meshdesk_contract as c;
use meshdesk_domain::EventBody;
use meshdesk_domain::SchemaFormat;
use meshdesk_domain::plan::{Step, StepDone, plan};
use meshdesk_domain::policy::{self, Policies};
use meshdesk_kafka::{AclOutcome, TopicOutcome, TopicSpec};
use meshdesk_store::DraftRow;

use crate::access::to_kafka;
use crate::connection::Connection;
use crate::{Meshdesk, Notice, ServiceError, invalid};

fn parse_draft(row: &DraftRow) -> Result<c::WizardDraft, ServiceError> {
    serde_json::from_str(&row.body_json).map_err(|e| invalid(format!("draft {} cannot be read: {e}", row.id)))
}

/// Marks a draft as being published for as long as it lives.
struct PublishingGuard<'a> {
    set: &'a std::sync::Mutex<std::collections::HashSet<String>>,
    id: String,
}

impl<'a> PublishingGuard<'a> {
    fn take(set: &'a std::sync::Mutex<std::collections::HashSet<String>>, id: &str) -> Option<Self> {
        set.lock().expect("publishing lock").insert(id.to_owned()).then(|| Self { set, id: id.to_owned() })
    }
}

impl Drop for PublishingGuard<'_> {
    fn drop(&mut self) {
        self.set.lock().expect("publishing lock").remove(&self.id);
    }
}

/// A short digest of a fixed plan and the product it publishes.
fn row_plan_key(steps: &[Step], product: &meshdesk_domain::DataProduct) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(serde_json::to_vec(steps).expect("plans serialize"));
    h.update(serde_json::to_vec(product).expect("products serialize"));
    let digest = h.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The governance event id of step `i` of a draft's plan: the same on every run of that plan on
/// this desktop, and unpredictable elsewhere (`nonce` is this cache's own random value), so no
/// other member can write an event under it first. (The fold deduplicates by id and signer, so
/// that would not suppress this desktop's event anyway.)
fn step_event_id(draft: &str, plan_key: &str, i: usize, nonce: &str) -> String {
    format!("draft-{draft}-{plan_key}-step-{i}-{nonce}")
}

impl Meshdesk {
    fn state(&self, row: &DraftRow) -> Result<c::DraftState, ServiceError> {
        let draft = parse_draft(row)?;
        let steps: Vec<Step> = match &row.plan_json {
            Some(p) => serde_json::from_str(p).map_err(|e| invalid(format!("the plan cannot be read: {e}")))?,
            None => Vec::new(),
        };
        let status = row.status();
        let done = row.journal()?;
        let views = steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (state, result) = match done.get(i) {
                    Some(v) => (c::StepState::Done, Some(v.words())),
                    None if i == done.len() && status == c::DraftStatus::Failed => {
                        (c::StepState::Failed, row.last_error.clone())
                    }
                    None => (c::StepState::Pending, None),
                };
                c::PlanStepView { description: s.describe(), state, result }
            })
            .collect();
        Ok(c::DraftState {
            draft,
            status,
            steps: views,
            last_error: row.last_error.clone(),
            updated_at_ms: row.updated_at_ms,
        })
    }

    /// Saves a draft (on every change in the wizard).
    pub async fn save_draft(&self, d: &c::WizardDraft) -> Result<c::DraftState, ServiceError> {
        if d.id.trim().is_empty() {
            return Err(invalid("a draft needs an id"));
        }
        if let Some(row) = self.store.draft(&d.id).await? {
            if row.status() == c::DraftStatus::Published {
                return Err(invalid("this draft is published; edit the product instead"));
            }
            // What is being published was checked and fixed when publishing started.
            if row.status() == c::DraftStatus::Publishing {
                return Err(invalid(
                    "this draft is being published with the content it had when publishing started; edit it once that has finished or failed",
                ));
            }
        }
        let body = serde_json::to_string(d).expect("drafts serialize");
        self.store.save_draft(&d.id, &body).await?;
        self.get_draft(&d.id).await
    }

    pub async fn get_draft(&self, id: &str) -> Result<c::DraftState, ServiceError> {
        let row = self.store.draft(id).await?.ok_or_else(|| invalid(format!("no draft {id}")))?;
        self.state(&row)
    }

    /// Discards a draft. One being published is refused: its journal is what lets a publish
    /// resume. What a failed publish already applied stays on the cluster.
    pub async fn discard_draft(&self, id: &str) -> Result<(), ServiceError> {
        let row = self.store.draft(id).await?.ok_or_else(|| invalid(format!("no draft {id}")))?;
        if row.status() == c::DraftStatus::Publishing {
            return Err(invalid("this draft is being published; discard it once publishing has ended"));
        }
        self.store.delete_draft(id).await?;
        Ok(())
    }

    pub async fn list_drafts(&self) -> Result<Vec<c::DraftState>, ServiceError> {
        self.store.drafts().await?.iter().map(|r| self.state(r)).collect()
    }

    /// The policies' findings on a draft (the built-in ones and the published rules in force, with
    /// the cluster's topics as last listed, for collisions; the draft's own topics do not collide
    /// with themselves) and its plan.
    pub async fn check_draft(&self, d: &c::WizardDraft) -> Result<c::DraftCheck, ServiceError> {
        // The cluster's topics now if it answers (the cached list otherwise).
        if let Ok(conn) = self.connection().await
            && let Ok(admin) = conn.admin()
            && let Ok(list) = admin.list_topics(true).await
        {
            let topics: Vec<(String, i64)> = list.into_iter().map(|t| (t.name, t.partitions as i64)).collect();
            self.store.put_cluster_topics(&topics, crate::now_ms()).await?;
        }
        let existing: Vec<String> = self.store.cluster_topics().await?.into_iter().map(|t| t.name).collect();
        // The built-in policies and the published rules in force, as the window checks them.
        let rules = self.rules_in_force().await?;
        let mut findings = policy::check_with(&d.product, &Policies::default(), &rules, &existing);
        let new_domain = self.new_domain(d).await?;
        // The events the plan will write must pass the trust rules, or nothing should be created
        // on the cluster: a new domain is the admins', a product its domain's owners'.
        let event = match &new_domain {
            Some(domain) => EventBody::DomainRegistered(domain.clone()),
            None => EventBody::ProductPublished(d.product.clone()),
        };
        // The trust rules judge the policies too (as every fold does): while the findings above
        // block, they are what to fix, and the refusal would only repeat them.
        if !policy::blocks(&findings)
            && let Some(why) = self.refusal(&event).await
        {
            findings.push(policy::Finding {
                policy: "trust".into(),
                severity: policy::Severity::Error,
                at: "product.domain".into(),
                message: why,
            });
        }
        Ok(c::DraftCheck {
            blocks: policy::blocks(&findings),
            findings,
            plan: plan(&d.product, new_domain.as_ref(), None).iter().map(Step::describe).collect(),
        })
    }

    async fn new_domain(&self, d: &c::WizardDraft) -> Result<Option<meshdesk_domain::Domain>, ServiceError> {
        let known = self.store.list_domains().await?.iter().any(|x| x.id == d.product.domain.as_str());
        match (&d.new_domain, known) {
            (_, true) => Ok(None),
            (Some(nd), false) if nd.id == d.product.domain => Ok(Some(nd.clone())),
            _ => Err(invalid(format!(
                "the domain {} is not in the catalog: register it in the first step",
                d.product.domain
            ))),
        }
    }

    /// Publishes a draft: enforces the policies again, fixes the plan, and applies it step by
    /// step from the first unfinished one (so calling it again after a failure resumes). Each
    /// finished step is journaled before the next starts; progress is announced as status
    /// notices.
    pub async fn publish_draft(&self, id: &str) -> Result<c::DraftState, ServiceError> {
        // One publication per draft at a time: two would misalign its journal.
        let _one = PublishingGuard::take(&self.publishing, id)
            .ok_or_else(|| invalid("this draft is being published already"))?;
        let row = self.store.draft(id).await?.ok_or_else(|| invalid(format!("no draft {id}")))?;
        if row.status() == c::DraftStatus::Published {
            return self.state(&row);
        }
        let mut d = parse_draft(&row)?;
        let _ = self.sync().await;
        let steps: Vec<Step> = match (&row.plan_json, row.status.as_str()) {
            (Some(p), "publishing" | "failed") => serde_json::from_str(p).map_err(|e| invalid(e.to_string()))?,
            _ => {
                let check = self.check_draft(&d).await?;
                if check.blocks {
                    let errors: Vec<String> = check
                        .findings
                        .iter()
                        .filter(|f| f.severity == policy::Severity::Error)
                        .map(|f| format!("{}: {}", f.at, f.message))
                        .collect();
                    return Err(invalid(format!("the policies block publishing: {}", errors.join("; "))));
                }
                let new_domain = self.new_domain(&d).await?;
                let contact = match &new_domain {
                    Some(nd) => Some(nd.contact.clone()),
                    None => self
                        .store
                        .list_domains()
                        .await?
                        .into_iter()
                        .find(|x| x.id == d.product.domain.as_str())
                        .map(|x| x.contact),
                };
                let steps = plan(&d.product, new_domain.as_ref(), contact.as_deref());
                self.store.start_publishing(id, &serde_json::to_string(&steps).expect("plans serialize")).await?;
                steps
            }
        };
        let plan_key = row_plan_key(&steps, &d.product);
        let done = match self.store.draft(id).await? {
            Some(r) => r.journal()?,
            None => Vec::new(),
        };
        // Registered schema ids and versions, from this run or the journal, for the event.
        for (i, step) in steps.iter().enumerate() {
            if let Some(result) = done.get(i) {
                self.note_registration(&mut d, step, result);
                // Resuming: a domain this plan registered is folded before its product is judged.
                if let (Step::RegisterDomain { .. }, StepDone::Sent { event }) = (step, result) {
                    self.await_folded(event).await;
                }
                continue;
            }
            // The step's governance event gets an id fixed by the draft, the plan and the step: a
            // crash between queueing it and journaling the step queues the same id again, which
            // the outbox keeps once.
            let event_id = step_event_id(id, &plan_key, i, &self.event_nonce().await?);
            match self.apply_step(&d, step, &event_id).await {
                Ok(result) => {
                    self.note_registration(&mut d, step, &result);
                    self.store.record_step(id, &result).await?;
                    self.notify(Notice::StatusChanged);
                }
                Err(e) => {
                    let msg = format!("{} failed: {e}", step.describe());
                    self.store.finish_draft(id, c::DraftStatus::Failed, Some(&msg)).await?;
                    self.notify(Notice::StatusChanged);
                    return self.get_draft(id).await;
                }
            }
        }
        self.store.finish_draft(id, c::DraftStatus::Published, None).await?;
        self.log.wake.notify_one();
        self.get_draft(id).await
    }

    /// Fills the product's schema ids and versions from a registration step's result.
    fn note_registration(&self, d: &mut c::WizardDraft, step: &Step, result: &StepDone) {
        if let (Step::RegisterSchema { subject, .. }, StepDone::Registered { id, version, .. }) = (step, result) {
            for port in &mut d.product.output_ports {
                for s in port.key_schema.iter_mut().chain(port.value_schema.iter_mut()) {
                    if &s.subject == subject {
                        s.id = *id;
                        s.version = *version;
                    }
                }
            }
        }
    }

    async fn apply_step(&self, d: &c::WizardDraft, step: &Step, event_id: &str) -> Result<StepDone, ServiceError> {
        let conn = self.connection().await?;
        Ok(match step {
            Step::CreateTopic { topic, partitions, replication_factor, configs } => {
                let spec = TopicSpec {
                    name: topic.as_str().to_owned(),
                    partitions: *partitions,
                    replication_factor: *replication_factor,
                    configs: configs.clone(),
                };
                create_topic(&conn, spec).await?
            }
            Step::SetCompatibility { subject, level } => {
                conn.registry.set_compatibility(subject, *level).await?;
                StepDone::Done(format!("{level}"))
            }
            Step::RegisterSchema { subject, format, schema, metadata, rule_set } => {
                register_schema(&conn, subject, *format, schema, metadata.as_ref(), rule_set.as_ref()).await?
            }
            Step::GrantOwners { bindings } => grant_owners(&conn, bindings).await?,
            Step::RegisterDomain { domain } => {
                let id = self.publish_as(&EventBody::DomainRegistered(domain.clone()), event_id).await?;
                // The domain must be folded before its product is judged (the plan's last step).
                self.await_folded(&id).await;
                StepDone::Sent { event: id }
            }
            Step::PublishProduct => {
                let id = self.publish_as(&EventBody::ProductPublished(d.product.clone()), event_id).await?;
                StepDone::Sent { event: id }
            }
        })
    }
}

/// Creates the product's topic; one that exists with the planned partitions is taken as it is.
async fn create_topic(conn: &Connection, spec: TopicSpec) -> Result<StepDone, ServiceError> {
    let admin = conn.admin()?;
    let (topic, partitions) = (spec.name.clone(), spec.partitions);
    match admin.create_topics(&[spec]).await?.pop().map(|(_, o)| o) {
        Some(TopicOutcome::Created) => Ok(StepDone::Done("created".into())),
        Some(TopicOutcome::AlreadyExists) => {
            let have = admin.describe_topic(&topic).await?.partitions.len() as i32;
            if have != partitions {
                return Err(invalid(format!(
                    "{topic} exists with {have} partitions, not {partitions}; choose another name or adopt it"
                )));
            }
            Ok(StepDone::Done("already there".into()))
        }
        Some(TopicOutcome::Failed { reason }) => Err(ServiceError::Kafka(meshdesk_kafka::KafkaError::Refused(reason))),
        None => Err(ServiceError::Kafka(meshdesk_kafka::KafkaError::Refused(
            "the cluster gave no answer for the topic".into(),
        ))),
    }
}

/// Registers a port's schema with its contract. The same schema registered already is kept as
/// it is when Meshdesk did not write its contract there (an adopted subject is not altered) or
/// wrote the same one; a changed contract is a new version with the same schema, as Confluent
/// does.
async fn register_schema(
    conn: &Connection,
    subject: &str,
    format: SchemaFormat,
    schema: &str,
    metadata: Option<&serde_json::Value>,
    rule_set: Option<&serde_json::Value>,
) -> Result<StepDone, ServiceError> {
    let existing = conn.registry.lookup(subject, schema, format).await?;
    let ours = |v: &meshdesk_registry::SubjectVersion| {
        v.metadata.as_ref().is_some_and(|m| m["properties"]["meshdesk.product"].is_string())
    };
    let keep = existing.filter(|v| !ours(v) || (v.metadata.as_ref() == metadata && v.rule_set.as_ref() == rule_set));
    if let Some(v) = keep {
        return Ok(StepDone::Registered { id: Some(v.id), version: Some(v.version), contract_dropped_by: None });
    }
    let id = conn.registry.register_with(subject, schema, format, &[], metadata, rule_set).await?;
    let version = conn.registry.lookup(subject, schema, format).await?.map(|v| v.version);
    let dropped = (metadata.is_some() || rule_set.is_some()) && !conn.registry.keeps_contract();
    Ok(StepDone::Registered {
        id: Some(id),
        version,
        contract_dropped_by: dropped.then(|| conn.registry.dialect().name().to_owned()),
    })
}

/// Grants the owning domain's ACLs on its topics. A cluster without an authorizer is not a
/// failure (everyone may produce there); a refusal is.
async fn grant_owners(
    conn: &Connection,
    bindings: &[meshdesk_domain::access::AclBinding],
) -> Result<StepDone, ServiceError> {
    let kafka: Vec<_> = bindings.iter().map(to_kafka).collect();
    let outcomes = conn.admin()?.create_acls(&kafka).await?;
    let refusal = outcomes.iter().find_map(|o| match o {
        AclOutcome::Done(_) => None,
        AclOutcome::SecurityDisabled(m) => Some(Ok(m)),
        AclOutcome::Failed(m) => Some(Err(m)),
    });
    match refusal {
        None => Ok(StepDone::Done("applied".into())),
        Some(Ok(m)) => {
            Ok(StepDone::Done(format!("not applied: the cluster has no authorizer (SECURITY_DISABLED: {m})")))
        }
        Some(Err(m)) => {
            Err(ServiceError::Kafka(meshdesk_kafka::KafkaError::Refused(format!("the cluster refused the ACLs: {m}"))))
        }
    }
}

impl Meshdesk {
    async fn owned_product(&self, id: &str) -> Result<meshdesk_domain::DataProduct, ServiceError> {
        let p = self.store.product(id).await?.ok_or_else(|| invalid(format!("product {id} is not in the catalog")))?;
        let viewer = self.viewer().await.ok_or_else(|| invalid("not connected yet: the owner is not known"))?;
        if !p.product.owners.iter().any(|o| o.as_str() == viewer) {
            return Err(invalid(format!("{viewer} does not own {id}: only its owners change it")));
        }
        Ok(p.product)
    }

    /// A new wizard draft holding a published product, to change its metadata or publish a new
    /// schema version through the same checks and plan (existing topics count as done; the
    /// registry checks the new version at the subject's level).
    pub async fn edit_product(&self, id: &str) -> Result<c::DraftState, ServiceError> {
        let product = self.owned_product(id).await?;
        let draft = c::WizardDraft { id: format!("edit-{id}-{}", crate::now_ms()), step: 1, product, new_domain: None };
        self.save_draft(&draft).await
    }

    /// A new draft from an ODCS or AsyncAPI document (see `meshdesk_domain::import`), owned by
    /// this desktop's principal when the document names no owner; the wizard starts at its
    /// first step so everything is looked at before publishing.
    pub async fn import_draft(&self, text: &str) -> Result<c::ImportedDraft, ServiceError> {
        let me = self.connection().await.ok().and_then(|c| meshdesk_domain::Principal::parse(&c.principal).ok());
        let imported = meshdesk_domain::import::import_document(text, me.as_ref()).map_err(invalid)?;
        let id = format!("import-{}-{}", imported.product.id, crate::now_ms());
        let draft = c::WizardDraft { id, step: 0, product: imported.product, new_domain: None };
        Ok(c::ImportedDraft { draft: self.save_draft(&draft).await?, source: imported.source, notes: imported.notes })
    }

    /// Deprecates a product with a sunset date (YYYY-MM-DD, today or later): republished with
    /// status `deprecated`, so every desktop shows it.
    pub async fn deprecate_product(&self, id: &str, sunset: &str) -> Result<String, ServiceError> {
        let mut p = self.owned_product(id).await?;
        meshdesk_domain::change::check_sunset(sunset).map_err(invalid)?;
        p.status = meshdesk_domain::ProductStatus::Deprecated;
        p.sunset = Some(sunset.to_owned());
        self.publish(&EventBody::ProductPublished(p)).await
    }
}
