//! Federated governance: the built-in policies a product is checked against, live in the
//! browser (wasm) while the owner types and again in the backend before anything is applied.
//! Pure: the same input gives the same findings everywhere.

use serde::{Deserialize, Serialize};

use crate::ids::TopicName;
use crate::model::{Classification, CompatibilityLevel, DataProduct, SchemaFormat, looks_like_pii};
use crate::schema::AvroSchema;

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
    pub severity: Severity,
    /// Where: `product.description`, `ports[0].topic`, `ports[0].fields.email`, ...
    pub at: String,
    pub message: String,
}

/// Bounds for one classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    pub classification: Classification,
    pub max_partitions: i32,
    /// The longest retention allowed (ms); `None`: unlimited (-1) is allowed.
    pub max_retention_ms: Option<i64>,
}

/// The organisation's policy settings (defaults: [`Policies::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    pub min_compatibility: CompatibilityLevel,
    pub min_description_len: usize,
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
        "Topics are named <domain>.<event-name> in kebab-case, within the product's domain, and legal for Kafka.",
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

fn finding(policy: &str, severity: Severity, at: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { policy: policy.into(), severity, at: at.into(), message: message.into() }
}

/// Checks a topic name as Kafka and Meshdesk's convention see it: `Err` with the reason.
pub fn check_topic_name(name: &str) -> Result<TopicName, String> {
    let t = TopicName::parse(name).map_err(|e| e.to_string())?;
    if t.is_internal() {
        return Err(format!("topic name `{name}` starts with `_`, which is for internal topics"));
    }
    if !t.follows_convention() {
        return Err(format!(
            "topic name `{name}` does not follow <domain>.<event-name> in kebab-case (e.g. inventory.stock-level-updated)"
        ));
    }
    Ok(t)
}

/// Every finding of the built-in policies on `p`. `existing_topics` are the cluster's topics
/// (for collisions); a port whose topic is among `own_topics` is the product's own (an edit or
/// an adoption) and does not collide with itself.
pub fn check(p: &DataProduct, policies: &Policies, existing_topics: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    // required-metadata
    if p.title.trim().is_empty() {
        out.push(finding("required-metadata", Severity::Error, "product.title", "give the product a title"));
    }
    if p.description.trim().chars().count() < policies.min_description_len {
        out.push(finding(
            "required-metadata",
            Severity::Error,
            "product.description",
            format!("describe the product in at least {} characters", policies.min_description_len),
        ));
    }
    if p.owners.is_empty() {
        out.push(finding("required-metadata", Severity::Error, "product.owners", "name at least one owner"));
    }
    if p.output_ports.is_empty() {
        out.push(finding("required-metadata", Severity::Error, "ports", "a product needs at least one output port"));
    }
    let bounds = policies.bounds.iter().find(|b| b.classification == p.classification);
    for (i, port) in p.output_ports.iter().enumerate() {
        let at = |what: &str| format!("ports[{i}].{what}");
        // naming
        match check_topic_name(port.topic.as_str()) {
            Err(why) => out.push(finding("naming", Severity::Error, at("topic"), why)),
            Ok(t) => {
                let domain = t.as_str().split('.').next().unwrap_or_default();
                if domain != p.domain.as_str() {
                    out.push(finding(
                        "naming",
                        Severity::Error,
                        at("topic"),
                        format!("topic `{t}` must start with the product's domain: `{}.`", p.domain),
                    ));
                }
                let key = t.collision_key();
                if let Some(other) =
                    existing_topics.iter().find(|e| e.as_str() != t.as_str() && e.replace('.', "_") == key)
                {
                    out.push(finding(
                        "naming",
                        Severity::Warning,
                        at("topic"),
                        format!("`{t}` collides with the existing topic `{other}` (Kafka treats `.` and `_` alike in metric names)"),
                    ));
                }
            }
        }
        if p.output_ports[..i].iter().any(|o| o.topic == port.topic) {
            out.push(finding("naming", Severity::Error, at("topic"), format!("`{}` is used by two ports", port.topic)));
        }
        // bounds
        if port.partitions < 1 {
            out.push(finding("bounds", Severity::Error, at("partitions"), "a topic needs at least 1 partition"));
        }
        if port.replication_factor < 1 {
            out.push(finding(
                "bounds",
                Severity::Error,
                at("replication_factor"),
                "the replication factor is at least 1",
            ));
        }
        if let Some(b) = bounds {
            if port.partitions > b.max_partitions {
                out.push(finding(
                    "bounds",
                    Severity::Error,
                    at("partitions"),
                    format!(
                        "{} partitions exceed the {} maximum of {}",
                        port.partitions, p.classification, b.max_partitions
                    ),
                ));
            }
            // A compacted topic keeps the latest record per key: its retention is not a bound.
            let compacted = port.cleanup_policy == crate::model::CleanupPolicy::Compact;
            match (b.max_retention_ms, port.retention_ms) {
                (Some(max), r) if !compacted && (r < 0 || r > max) => out.push(finding(
                    "bounds",
                    Severity::Error,
                    at("retention_ms"),
                    format!(
                        "{} data is kept at most {} days; this port keeps it {}",
                        p.classification,
                        max / DAY_MS,
                        if r < 0 { "forever".to_owned() } else { format!("{} days", r / DAY_MS) }
                    ),
                )),
                _ => {}
            }
        }
        if port.retention_ms == 0 || port.retention_ms < -1 {
            out.push(finding(
                "bounds",
                Severity::Error,
                at("retention_ms"),
                "retention is -1 (forever) or a positive number of ms",
            ));
        }
        // compatibility, fields-documented, pii
        for (which, schema) in [("value_schema", &port.value_schema), ("key_schema", &port.key_schema)] {
            let Some(s) = schema else { continue };
            if !level_at_least(s.compatibility, policies.min_compatibility) {
                out.push(finding(
                    "compatibility",
                    Severity::Error,
                    at(&format!("{which}.compatibility")),
                    format!("{} is weaker than the required {}", s.compatibility, policies.min_compatibility),
                ));
            }
            if s.format != SchemaFormat::Avro {
                continue;
            }
            let avro = match AvroSchema::parse(&s.schema) {
                Ok(avro) => avro,
                Err(e) => {
                    out.push(finding(
                        "valid-schema",
                        Severity::Error,
                        at(which),
                        format!("the schema is not valid Avro: {e}"),
                    ));
                    continue;
                }
            };
            for (path, doc) in avro.field_paths() {
                let stated = p.contract.fields.iter().find(|f| f.path == path);
                let documented = doc.as_deref().is_some_and(|d| !d.trim().is_empty())
                    || stated.is_some_and(|f| !f.description.trim().is_empty());
                if !documented {
                    out.push(finding(
                        "fields-documented",
                        Severity::Error,
                        at(&format!("fields.{path}")),
                        format!("describe the field `{path}`"),
                    ));
                }
                let flagged = stated.is_some_and(|f| f.pii);
                let name = path.rsplit('.').next().unwrap_or(&path);
                if !flagged && stated.is_none_or(|f| !f.pii) && looks_like_pii(name) && !parent_flagged(p, &path) {
                    out.push(finding(
                        "pii",
                        Severity::Warning,
                        at(&format!("fields.{path}")),
                        format!("`{path}` looks like personal data: flag it as PII in the contract, or say why not"),
                    ));
                }
                if flagged && p.classification == Classification::Public && !parent_flagged(p, &path) {
                    out.push(finding(
                        "pii",
                        Severity::Error,
                        at(&format!("fields.{path}")),
                        format!("`{path}` is personal data and cannot be in a public product"),
                    ));
                }
            }
        }
    }
    out
}

fn parent_flagged(p: &DataProduct, path: &str) -> bool {
    p.contract.fields.iter().any(|f| f.pii && path.starts_with(&format!("{}.", f.path)))
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
