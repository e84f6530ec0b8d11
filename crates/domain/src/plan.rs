//! The exact plan that publishing a product applies: what is created or set on the cluster and
//! the registry, and which governance events are written. Pure: the review step shows it, the
//! backend applies it step by step, and a journal of finished steps makes it resumable.

use serde::{Deserialize, Serialize};

use crate::access::{AclBinding, Operation, PatternKind, ResourceKind};
use crate::ids::TopicName;
use crate::model::{CompatibilityLevel, DataProduct, Domain, Principal, SchemaFormat};

/// One step; each is idempotent, so a step that ran before (or half ran) can run again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Create the topic (an existing topic with the same partitions counts as done).
    CreateTopic {
        /// The topic.
        topic: TopicName,
        /// Its partition count.
        partitions: i32,
        /// How many replicas each partition has.
        replication_factor: i32,
        /// The topic configs to set, e.g. `retention.ms`.
        configs: Vec<(String, String)>,
    },
    /// Set the subject's compatibility level (before registering, so the first version is
    /// already checked at that level).
    SetCompatibility {
        /// The subject.
        subject: String,
        /// The level to set.
        level: CompatibilityLevel,
    },
    /// Register the schema (registering the same schema again returns the same id), with the
    /// contract as the registry carries it (`export::registry_contract`).
    RegisterSchema {
        /// The subject.
        subject: String,
        /// The schema's language.
        format: SchemaFormat,
        /// The schema text.
        schema: String,
        /// The version's `metadata`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<serde_json::Value>,
        /// The version's `ruleSet`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_set: Option<serde_json::Value>,
    },
    /// Let the owners produce to the topics: WRITE and DESCRIBE, literal.
    GrantOwners {
        /// The bindings to create.
        bindings: Vec<AclBinding>,
    },
    /// Write `DomainRegistered` (a domain new to the catalog).
    RegisterDomain {
        /// The domain to register.
        domain: Domain,
    },
    /// Write `ProductPublished`, with the registered schema ids and versions.
    PublishProduct,
}

impl Step {
    /// The step for people, e.g. `create topic inventory.stock-reserved (3 partitions, ...)`.
    pub fn describe(&self) -> String {
        match self {
            Step::CreateTopic { topic, partitions, replication_factor, configs } => format!(
                "create topic {topic} ({partitions} partitions, replication {replication_factor}{})",
                configs.iter().map(|(k, v)| format!(", {k}={v}")).collect::<String>()
            ),
            Step::SetCompatibility { subject, level } => format!("set the compatibility of {subject} to {level}"),
            Step::RegisterSchema { subject, format, .. } => format!("register the {format} schema as {subject}"),
            Step::GrantOwners { bindings } => format!(
                "allow the owners to produce: {}",
                bindings
                    .iter()
                    .map(|b| format!("{} {:?} on {}", b.principal, b.operation, b.name))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Step::RegisterDomain { domain } => format!("publish the new domain {} to the governance log", domain.id),
            Step::PublishProduct => "publish the product to the governance log".to_owned(),
        }
    }
}

/// The owners' bindings on the product's topics: WRITE and DESCRIBE, literal, per owner.
pub fn owner_bindings(p: &DataProduct) -> Vec<AclBinding> {
    producer_bindings(p.output_ports.iter().map(|port| port.topic.as_str()), &p.owners)
}

/// WRITE and DESCRIBE, literal, for each of `owners` on each of `topics`: what a product's
/// owners need to produce (the publishing plan's grant and the reconciler's desired state).
pub fn producer_bindings<'a>(topics: impl IntoIterator<Item = &'a str>, owners: &[Principal]) -> Vec<AclBinding> {
    let mut out = Vec::new();
    for topic in topics {
        for owner in owners {
            for operation in [Operation::Write, Operation::Describe] {
                out.push(AclBinding {
                    resource: ResourceKind::Topic,
                    name: topic.to_owned(),
                    pattern: PatternKind::Literal,
                    principal: owner.clone(),
                    operation,
                });
            }
        }
    }
    out
}

/// The plan for publishing `p`; `new_domain` when its domain is not in the catalog yet.
/// `contact` is the owning domain's, written into the schemas' metadata.
pub fn plan(p: &DataProduct, new_domain: Option<&Domain>, contact: Option<&str>) -> Vec<Step> {
    let mut steps = Vec::new();
    for port in &p.output_ports {
        steps.push(Step::CreateTopic {
            topic: port.topic.clone(),
            partitions: port.partitions,
            replication_factor: port.replication_factor,
            configs: port.topic_configs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        });
    }
    for port in &p.output_ports {
        for s in port.key_schema.iter().chain(port.value_schema.iter()) {
            steps.push(Step::SetCompatibility { subject: s.subject.clone(), level: s.compatibility });
            let contract = crate::export::registry_contract(p, s, contact);
            steps.push(Step::RegisterSchema {
                subject: s.subject.clone(),
                format: s.format,
                schema: s.schema.clone(),
                metadata: Some(contract.metadata),
                rule_set: contract.rule_set,
            });
        }
    }
    let bindings = owner_bindings(p);
    if !bindings.is_empty() {
        steps.push(Step::GrantOwners { bindings });
    }
    if let Some(d) = new_domain {
        steps.push(Step::RegisterDomain { domain: d.clone() });
    }
    steps.push(Step::PublishProduct);
    steps
}

/// What a finished step of a publication did: the draft's journal keeps one per step, so a
/// resumed publication skips what is done and reuses what it registered. Written as JSON; the
/// shapes are those journals have always had (a sentence, `{id, version}`, `{event}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StepDone {
    /// The step's governance event was queued (its id).
    Sent {
        /// The event's id.
        event: String,
    },
    /// The schema is registered under the subject (now, or before with the same content).
    Registered {
        /// The registry's schema id.
        id: Option<u32>,
        /// The subject's version.
        version: Option<u32>,
        /// The registry that does not keep the contract (metadata and rules), when it does not.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contract_dropped_by: Option<String>,
    },
    /// What the step did, in words (a topic created or already there, a compatibility level
    /// set, the owners' ACLs applied or why not).
    Done(String),
}

impl StepDone {
    /// The step's result, for people.
    pub fn words(&self) -> String {
        match self {
            StepDone::Done(s) => s.clone(),
            StepDone::Sent { .. } => "sent to the governance log".into(),
            StepDone::Registered { id, version, contract_dropped_by } => {
                let registered = match (version, id) {
                    (Some(version), Some(id)) => format!("registered as version {version} (schema id {id})"),
                    (Some(version), None) => format!("registered as version {version}"),
                    _ => "registered".into(),
                };
                match contract_dropped_by {
                    Some(kind) => format!(
                        "{registered}; {kind} does not keep the contract, so serializers will not check its rules (the catalog keeps it)"
                    ),
                    None => registered,
                }
            }
        }
    }
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    /// Being edited; nothing published yet.
    Editing,
    /// Its steps are running now.
    Publishing,
    /// A step failed: resuming runs the rest.
    Failed,
    /// Every step done.
    Published,
}

impl DraftStatus {
    /// The name the cache keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStatus::Editing => "editing",
            DraftStatus::Publishing => "publishing",
            DraftStatus::Failed => "failed",
            DraftStatus::Published => "published",
        }
    }

    /// The status named `s` (as [`DraftStatus::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        [DraftStatus::Editing, DraftStatus::Publishing, DraftStatus::Failed, DraftStatus::Published]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn the_plan_creates_sets_registers_grants_and_publishes_in_that_order() {
        let p = seed::products().remove(0);
        let steps: Vec<String> = plan(&p, None, None).iter().map(Step::describe).collect();
        assert_eq!(
            steps,
            [
                "create topic inventory.stock-level-updated (3 partitions, replication 1, retention.ms=604800000, cleanup.policy=delete)",
                "set the compatibility of inventory.stock-level-updated-value to BACKWARD_TRANSITIVE",
                "register the AVRO schema as inventory.stock-level-updated-value",
                "allow the owners to produce: User:ines Write on inventory.stock-level-updated; User:ines Describe on inventory.stock-level-updated",
                "publish the product to the governance log",
            ]
        );
        let domain = seed::domains().remove(0);
        let with_domain = plan(&p, Some(&domain), None);
        assert_eq!(with_domain[with_domain.len() - 2], Step::RegisterDomain { domain });
    }
}
