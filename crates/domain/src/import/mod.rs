//! Imports: an ODCS v3 data contract (`odcs.rs`) or an AsyncAPI document (`asyncapi.rs`: 3.0,
//! and 2.x as SpecMesh writes it) read into a product for a wizard draft, with everything the
//! document says filled in. Meshdesk's own exports carry what their standard has no field for
//! (ODCS `customProperties`, AsyncAPI `x-meshdesk-*` extensions), so an export imported again
//! exports to the same text. Pure and bounded: the text is parsed once (JSON or YAML) and
//! nothing in it is trusted beyond what each field's rules accept.

use crate::error::Invalid;
use serde_json::Value;

use crate::ids::{DomainId, ProductId, TopicName};
use crate::model::{CleanupPolicy, CompatibilityLevel, DataProduct, OutputPort, Principal, SchemaFormat, SchemaRef};

mod asyncapi;
mod odcs;

/// The largest document an import reads.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// What an import made, and what it had to assume.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The product read, as a draft.
    pub product: DataProduct,
    /// The standard it was read as, e.g. `ODCS v3.0.2`.
    pub source: String,
    /// What the document did not say and the import assumed, for people.
    pub notes: Vec<String>,
}

/// Reads an ODCS or AsyncAPI document (JSON or YAML). `importer` owns the product when the
/// document names no owner Meshdesk can use.
pub fn import_document(text: &str, importer: Option<&Principal>) -> Result<Imported, Invalid> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(Invalid(format!("the document is {} KiB; imports read up to 1 MiB", text.len() / 1024)));
    }
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => serde_yaml_ng::from_str(text).map_err(|e| format!("neither JSON nor YAML: {e}"))?,
    };
    let mut notes = Vec::new();
    let (mut product, source) = if doc.get("kind").and_then(Value::as_str) == Some("DataContract") {
        let v = doc.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_owned();
        if !v.starts_with("v3") {
            return Err(Invalid(format!("ODCS {v} is not read here; export it as ODCS v3")));
        }
        (odcs::read(&doc, &mut notes)?, format!("ODCS {v}"))
    } else if let Some(v) = doc.get("asyncapi").and_then(Value::as_str) {
        let product = match v.split('.').next() {
            Some("3") => asyncapi::read_v3(&doc, &mut notes)?,
            Some("2") => asyncapi::read_v2(&doc, &mut notes)?,
            _ => return Err(Invalid(format!("AsyncAPI {v} is not read here: 2.x and 3.x are"))),
        };
        (product, format!("AsyncAPI {v}"))
    } else {
        return Err(Invalid::from(
            "not an ODCS data contract (kind: DataContract) or an AsyncAPI document (asyncapi: …)",
        ));
    };
    if product.owners.is_empty() {
        match importer {
            Some(p) => {
                notes.push(format!("the document names no owner Meshdesk can use: {p} owns the draft"));
                product.owners.push(p.clone());
            }
            None => notes.push("the document names no owner: add one in the wizard".into()),
        }
    }
    Ok(Imported { product, source, notes })
}

/// `Order Placed`, `order_placed`, `OrderPlaced` → `order-placed`.
pub(crate) fn kebab(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('-');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            prev_lower = false;
        }
    }
    out.trim_matches('-').to_owned()
}

/// `order-placed` → `OrderPlaced`, an Avro record name.
pub(crate) fn pascal(s: &str) -> String {
    kebab(s).split('-').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

/// A principal from a name a document gives: `User:ines` as it is, `ines` as `User:ines`.
pub(crate) fn principal(name: &str) -> Option<Principal> {
    Principal::parse(name).or_else(|_| Principal::parse(&format!("User:{}", name.trim()))).ok()
}

/// The product's id and domain from what a document gives, or why not.
pub(crate) fn identity(id: Option<&str>, domain: Option<&str>, title: &str) -> Result<(ProductId, DomainId), Invalid> {
    let domain = match domain.map(kebab).filter(|d| !d.is_empty()) {
        Some(d) => DomainId::parse(&d).map_err(|e| format!("domain: {e}"))?,
        None => match id.and_then(|i| i.split_once('.')) {
            Some((d, _)) => DomainId::parse(d).map_err(|e| format!("domain: {e}"))?,
            None => return Err(Invalid::from("the document names no domain")),
        },
    };
    let id = match id.map(ProductId::parse) {
        Some(Ok(p)) => p,
        _ => ProductId::parse(&format!("{domain}.{}", kebab(title)))
            .map_err(|e| format!("no usable product id (from the title `{title}`): {e}"))?,
    };
    Ok((id, domain))
}

/// A port with the wizard's defaults, for the readers to fill in.
pub(crate) fn port(topic: TopicName) -> OutputPort {
    OutputPort {
        topic,
        description: String::new(),
        partitions: 3,
        replication_factor: 1,
        retention_ms: 7 * 86_400_000,
        cleanup_policy: CleanupPolicy::Delete,
        key_schema: None,
        value_schema: None,
        deprecation: None,
    }
}

/// A value schema for a port: the subject by the topic name strategy.
pub(crate) fn value_schema(topic: &TopicName, format: SchemaFormat, schema: String) -> SchemaRef {
    SchemaRef {
        subject: crate::ids::subject_for(topic, false),
        format,
        schema,
        id: None,
        version: None,
        compatibility: CompatibilityLevel::BackwardTransitive,
    }
}

/// A topic for an event of a domain: the name as given when it follows the naming rule,
/// else `<domain>.<event in kebab-case>`.
pub(crate) fn topic_for(domain: &DomainId, name: &str, notes: &mut Vec<String>) -> Result<TopicName, Invalid> {
    if let Ok(t) = crate::policy::check_topic_name(name) {
        return Ok(t);
    }
    let event = kebab(name.rsplit('.').next().unwrap_or(name));
    let t = TopicName::parse(&format!("{domain}.{event}")).map_err(|e| format!("topic for `{name}`: {e}"))?;
    notes.push(format!("the topic `{name}` is named `{t}` (<domain>.<event-name>)"));
    Ok(t)
}

#[cfg(test)]
mod tests;
