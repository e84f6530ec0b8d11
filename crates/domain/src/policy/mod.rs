//! Federated governance: the policies a product is checked against, live in the browser (wasm)
//! while the owner types and again in the backend before anything is applied. Policies are data:
//! CEL rules (`rules.rs`) over a view of the model (`view.rs`); the built-in policies are the
//! default global set written the same way (`builtin.rs`). Pure: the same input gives the same
//! findings everywhere.

use crate::error::Invalid;
use serde::{Deserialize, Serialize};

use crate::ids::TopicName;
use crate::model::{Classification, CompatibilityLevel, DataProduct};

mod builtin;
pub mod publication;
pub mod published;
pub mod rules;
mod view;

pub use publication::publication_errors;
pub use published::{admissible, check_request, check_with, in_force, is_built_in};
pub use rules::{Rule, RuleError, RuleSet, Scope, Target, evaluation_failed};
pub use view::{FIELDS, FUNCTIONS};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informs; publishing goes ahead.
    Warning,
    /// Blocks publishing.
    Error,
}

/// One policy's verdict on one place of the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The policy's id, e.g. `naming`.
    pub policy: String,
    /// Whether it blocks publishing.
    pub severity: Severity,
    /// Where: `product.description`, `ports[0].topic`, `ports[0].fields.email`, ...
    pub at: String,
    /// What is wrong and how to fix it, for people.
    pub message: String,
}

/// Bounds for one classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    /// The classification bounded.
    pub classification: Classification,
    /// The most partitions a port may have.
    pub max_partitions: i32,
    /// The longest retention allowed (ms); `None`: unlimited (-1) is allowed.
    pub max_retention_ms: Option<i64>,
}

/// The organisation's policy settings (defaults: [`Policies::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    /// The least compatibility level a port's subject may have.
    pub min_compatibility: CompatibilityLevel,
    /// The shortest description a product may have, in characters.
    pub min_description_len: usize,
    /// The bounds per classification.
    pub bounds: Vec<Bounds>,
}

const DAY_MS: i64 = 86_400_000;

impl Default for Policies {
    fn default() -> Self {
        Self {
            min_compatibility: CompatibilityLevel::Backward,
            min_description_len: 20,
            bounds: vec![
                Bounds { classification: Classification::Public, max_partitions: 48, max_retention_ms: None },
                Bounds { classification: Classification::Internal, max_partitions: 48, max_retention_ms: None },
                Bounds {
                    classification: Classification::Confidential,
                    max_partitions: 24,
                    max_retention_ms: Some(90 * DAY_MS),
                },
                Bounds {
                    classification: Classification::Restricted,
                    max_partitions: 12,
                    max_retention_ms: Some(30 * DAY_MS),
                },
            ],
        }
    }
}

/// The built-in policies: their ids and what each checks, for the policies page.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "naming",
        "Topics are named <domain>.<event-name> in kebab-case, within the product's domain, legal for Kafka, and never differ from an existing topic only by `.` and `_`.",
    ),
    ("required-metadata", "A product has a title, a description, at least one owner and a classification."),
    ("valid-schema", "Every schema parses in its format (Avro, JSON Schema or Protobuf)."),
    ("fields-documented", "Every schema field has a description (in the schema's doc or the contract)."),
    ("pii", "Fields that look like personal data are flagged; flagged fields never go into a public product."),
    ("compatibility", "Every subject's compatibility level is at least BACKWARD."),
    (
        "bounds",
        "Partitions and retention (of non-compacted topics) stay within the bounds of the product's classification.",
    ),
];

pub(crate) fn finding(policy: &str, severity: Severity, at: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { policy: policy.into(), severity, at: at.into(), message: message.into() }
}

/// Checks a topic name as Kafka and Meshdesk's convention see it: `Err` with the reason.
pub fn check_topic_name(name: &str) -> Result<TopicName, Invalid> {
    let t = TopicName::parse(name).map_err(|e| e.to_string())?;
    if t.is_internal() {
        return Err(Invalid(format!("topic name `{name}` starts with `_`, which is for internal topics")));
    }
    if !t.follows_convention() {
        return Err(Invalid(format!(
            "topic name `{name}` does not follow <domain>.<event-name> in kebab-case (e.g. inventory.stock-level-updated)"
        )));
    }
    Ok(t)
}

/// Every finding of the built-in policies on `p`, evaluated by the rule engine (the default
/// global set of `policies`, compiled once per thread and settings; [`check_with`] adds the
/// published rules). `existing_topics` are the cluster's topics (for collisions).
pub fn check(p: &DataProduct, policies: &Policies, existing_topics: &[String]) -> Vec<Finding> {
    check_with(p, policies, &[], existing_topics)
}

/// Whether `level` guarantees at least what `min` does (transitive and full levels include
/// the plain ones).
pub fn level_at_least(level: CompatibilityLevel, min: CompatibilityLevel) -> bool {
    use CompatibilityLevel::*;
    let backward = matches!(level, Backward | BackwardTransitive | Full | FullTransitive);
    let forward = matches!(level, Forward | ForwardTransitive | Full | FullTransitive);
    let transitive = matches!(level, BackwardTransitive | ForwardTransitive | FullTransitive);
    match min {
        None => true,
        Backward => backward,
        BackwardTransitive => backward && transitive,
        Forward => forward,
        ForwardTransitive => forward && transitive,
        Full => backward && forward,
        FullTransitive => backward && forward && transitive,
    }
}

/// Whether any finding blocks publishing.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod rules_tests;
