//! What a policy rule sees of the model: CEL values built from a product once per check.
//!
//! - `product`: `id`, `domain`, `title`, `description` (both trimmed), `owners` (list),
//!   `classification` (`public` … `restricted`), `tags`, `status`, `version`, `inputs` (product
//!   ids), `ports` (the ports below, as a list), `sla` (`freshness_ms`, `availability_bp`,
//!   `retention_ms`, each present only when declared: `has(product.sla.availability_bp)`),
//!   `quality` (the contract's expectations: `kind` (`not_null`, `range`, `allowed_values`,
//!   `unique_key`, `freshness`), `fields`, `says`), `terms_of_use`.
//! - `port`: `index`, `topic`, `topic_domain` (before the first `.`), `description`,
//!   `partitions`, `replication_factor`, `retention_ms` (-1: forever), `cleanup_policy`,
//!   `compacted`, `topic_problem` (why Kafka or the naming convention refuses the name, or
//!   `""`), `collides_with` (an existing topic it collides with, or `""`), `duplicate` (an
//!   earlier port has the same topic).
//! - `schema`: `which` (`value_schema`, `key_schema`), `subject`, `format` (`AVRO`, `JSON`,
//!   `PROTOBUF`), `format_name` (`Avro`, `JSON Schema`, `Protobuf`), `compatibility` (`BACKWARD` …),
//!   `error` (why the schema does not parse in its format, or `""`), `fields` (how many, Avro).
//! - `field` (Avro schemas): `path` (`address.city`), `name`, `documented`, `pii` (flagged in the
//!   contract), `parent_pii` (an enclosing field is), `looks_like_pii` (the name hints at it).
//! - `request` (an access request to the `product`): `id`, `consumer` (`User:sales-app`),
//!   `requester_domain`, `group_prefix`, `purpose`, `days`, `ports` (the topics asked for).
//!
//! Functions besides CEL's own: `at_least(level, min)` for compatibility levels and
//! `looks_like_pii(name)`.

use std::collections::HashMap;

use cel::common::types::{CelBool, CelInt, CelList, CelMap, CelMapKey, CelString};
use cel::common::value::Val;

/// A CEL value, built directly in the interpreter's own representation (no second conversion).
pub(super) type Value = Box<dyn Val + 'static>;

use crate::model::{CleanupPolicy, DataProduct, Expectation, SchemaRef};
use crate::schema::ParsedSchema;

/// The fields of each variable a rule sees, for completion and hints in the window (a test checks
/// that each one is there).
pub const FIELDS: &[(&str, &[&str])] = &[
    (
        "product",
        &[
            "id",
            "domain",
            "title",
            "description",
            "owners",
            "classification",
            "tags",
            "status",
            "version",
            "inputs",
            "ports",
            "sla",
            "quality",
            "terms_of_use",
        ],
    ),
    (
        "port",
        &[
            "index",
            "topic",
            "topic_domain",
            "description",
            "partitions",
            "replication_factor",
            "retention_ms",
            "cleanup_policy",
            "compacted",
            "topic_problem",
            "collides_with",
            "duplicate",
        ],
    ),
    ("schema", &["which", "subject", "format", "format_name", "compatibility", "error", "fields"]),
    ("field", &["path", "name", "documented", "pii", "parent_pii", "looks_like_pii"]),
    ("request", &["id", "consumer", "requester_domain", "group_prefix", "purpose", "days", "ports"]),
];

/// The functions rules may call besides CEL's own.
pub const FUNCTIONS: &[&str] = &["at_least", "looks_like_pii"];

pub(super) struct FieldView {
    pub value: Value,
}

pub(super) struct SchemaView {
    pub value: Value,
    pub fields: Vec<FieldView>,
}

pub(super) struct PortView {
    pub value: Value,
    pub schemas: Vec<SchemaView>,
}

fn map(entries: Vec<(&'static str, Value)>) -> Value {
    let m: HashMap<CelMapKey<'static>, Value> = entries.into_iter().map(|(k, v)| (CelMapKey::from(k), v)).collect();
    Box::new(CelMap::from(m))
}

fn text(s: impl Into<String>) -> Value {
    Box::new(CelString::from(s.into()))
}

fn int(i: impl Into<i64>) -> Value {
    Box::new(CelInt::from(i.into()))
}

fn boolean(b: bool) -> Value {
    Box::new(CelBool::from(b))
}

fn list(items: Vec<Value>) -> Value {
    Box::new(CelList::from(items))
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> Value {
    list(items.map(text).collect())
}

/// An access request as rules on requests see it.
pub(super) fn request(r: &crate::access::AccessRequest) -> Value {
    map(vec![
        ("id", text(r.id.clone())),
        ("consumer", text(r.consumer.as_str())),
        ("requester_domain", text(r.requester_domain.as_str())),
        ("group_prefix", text(r.group_prefix.clone())),
        ("purpose", text(r.purpose.trim())),
        ("days", int(r.days)),
        ("ports", strings(r.ports.iter().map(|t| t.as_str()))),
    ])
}

pub(super) fn product(p: &DataProduct, ports: &[PortView]) -> Value {
    let mut sla = Vec::new();
    if let Some(v) = p.sla.freshness_ms {
        sla.push(("freshness_ms", int(v)));
    }
    if let Some(v) = p.sla.availability_bp {
        sla.push(("availability_bp", int(v)));
    }
    if let Some(v) = p.sla.retention_ms {
        sla.push(("retention_ms", int(v)));
    }
    let quality: Vec<Value> = p
        .contract
        .quality
        .iter()
        .map(|e| {
            let (kind, fields): (&str, Vec<&str>) = match e {
                Expectation::NotNull { field } => ("not_null", vec![field]),
                Expectation::Range { field, .. } => ("range", vec![field]),
                Expectation::AllowedValues { field, .. } => ("allowed_values", vec![field]),
                Expectation::UniqueKey { fields } => ("unique_key", fields.iter().map(String::as_str).collect()),
                Expectation::Freshness { .. } => ("freshness", vec![]),
            };
            map(vec![("kind", text(kind)), ("fields", strings(fields.into_iter())), ("says", text(e.describe()))])
        })
        .collect();
    map(vec![
        ("id", text(p.id.as_str())),
        ("domain", text(p.domain.as_str())),
        ("title", text(p.title.trim())),
        ("description", text(p.description.trim())),
        ("owners", strings(p.owners.iter().map(|o| o.as_str()))),
        ("classification", text(p.classification.to_string())),
        ("tags", strings(p.tags.iter().map(String::as_str))),
        ("status", text(p.status.to_string())),
        ("version", text(p.version.as_str())),
        ("inputs", strings(p.input_ports.iter().map(|i| i.as_str()))),
        ("ports", list(ports.iter().map(|v| v.value.clone()).collect())),
        ("sla", map(sla)),
        ("quality", list(quality)),
        ("terms_of_use", text(p.contract.terms_of_use.trim())),
    ])
}

/// Port `i` of `p`, with its schemas; their fields only when `fields` (a rule looks at them).
pub(super) fn port(p: &DataProduct, i: usize, existing_topics: &[String], fields: bool) -> PortView {
    let port = &p.output_ports[i];
    let topic = port.topic.as_str();
    let (problem, collides_with) = match super::check_topic_name(topic) {
        Err(why) => (why.0, String::new()),
        Ok(t) => {
            let key = t.collision_key();
            let other = existing_topics.iter().find(|e| e.as_str() != topic && e.replace('.', "_") == key);
            (String::new(), other.cloned().unwrap_or_default())
        }
    };
    let value = map(vec![
        ("index", int(i as i64)),
        ("topic", text(topic)),
        ("topic_domain", text(topic.split('.').next().unwrap_or_default())),
        ("description", text(port.description.trim())),
        ("partitions", int(port.partitions)),
        ("replication_factor", int(port.replication_factor)),
        ("retention_ms", int(port.retention_ms)),
        ("cleanup_policy", text(port.cleanup_policy.as_str())),
        ("compacted", boolean(port.cleanup_policy == CleanupPolicy::Compact)),
        ("topic_problem", text(problem)),
        ("collides_with", text(collides_with)),
        ("duplicate", boolean(p.output_ports[..i].iter().any(|o| o.topic == port.topic))),
    ]);
    let schemas = [("value_schema", &port.value_schema), ("key_schema", &port.key_schema)]
        .into_iter()
        .filter_map(|(which, s)| s.as_ref().map(|s| schema(p, which, s, fields)))
        .collect();
    PortView { value, schemas }
}

fn schema(p: &DataProduct, which: &str, s: &SchemaRef, with_fields: bool) -> SchemaView {
    let mut error = String::new();
    let mut count = 0u64;
    let mut fields = Vec::new();
    match ParsedSchema::parse(s.format, &s.schema) {
        Err(e) => error = e.to_string(),
        Ok(ParsedSchema::Json(_) | ParsedSchema::Protobuf(_)) => {}
        Ok(ParsedSchema::Avro(avro)) => {
            let paths = avro.field_paths();
            count = avro.field_path_count();
            for (path, doc) in paths.into_iter().filter(|_| with_fields) {
                let stated = p.contract.fields.iter().find(|f| f.path == path);
                let documented = doc.as_deref().is_some_and(|d| !d.trim().is_empty())
                    || stated.is_some_and(|f| !f.description.trim().is_empty());
                let name = path.rsplit('.').next().unwrap_or(&path).to_owned();
                let parent_pii = p.contract.fields.iter().any(|f| f.pii && path.starts_with(&format!("{}.", f.path)));
                let value = map(vec![
                    ("looks_like_pii", boolean(crate::model::looks_like_pii(&name))),
                    ("name", text(name)),
                    ("documented", boolean(documented)),
                    ("pii", boolean(stated.is_some_and(|f| f.pii))),
                    ("parent_pii", boolean(parent_pii)),
                    ("path", text(path)),
                ]);
                fields.push(FieldView { value });
            }
        }
    }
    let value = map(vec![
        ("which", text(which)),
        ("subject", text(s.subject.as_str())),
        ("format", text(s.format.to_string())),
        ("format_name", text(s.format.label())),
        ("compatibility", text(s.compatibility.to_string())),
        ("error", text(error)),
        ("fields", int(i64::try_from(count).unwrap_or(i64::MAX))),
    ]);
    SchemaView { value, fields }
}
