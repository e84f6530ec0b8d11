//! An AsyncAPI document read into a product: the title, version, description, owners and tags
//! from `info`; a port per channel with its Kafka bindings (partitions, replicas, cleanup policy,
//! retention) and its message's payload schema. AsyncAPI 3.0 as Meshdesk exports it (the product
//! id in `info.x-meshdesk-product`), and 2.x as SpecMesh writes it: the document's `id`
//! (`urn:acme.lifestyle.onboarding`) names the domain, channels are topics under it with
//! `_public.` / `_protected.` / `_private.` prefixes for their audience.

use crate::error::Invalid;
use serde_json::Value;

use super::{identity, kebab, port, principal, topic_for, value_schema};
use crate::ids::DomainId;
use crate::model::{Classification, CleanupPolicy, DataProduct, OutputPort, SchemaFormat};

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The schema format a message's `schemaFormat` (or content type) names, if Meshdesk reads it.
fn format_of(schema_format: &str) -> Option<SchemaFormat> {
    let f = schema_format.to_ascii_lowercase();
    if f.contains("avro") {
        Some(SchemaFormat::Avro)
    } else if f.contains("protobuf") {
        Some(SchemaFormat::Protobuf)
    } else if f.contains("schema+json") || f.contains("asyncapi") || f.starts_with("application/json") {
        Some(SchemaFormat::Json)
    } else {
        None
    }
}

/// A port's settings from a channel's Kafka binding (`topicConfiguration` in 3.0, `configs` in
/// SpecMesh's 2.x).
fn bindings(p: &mut OutputPort, kafka: &Value) {
    if let Some(n) = kafka["partitions"].as_i64() {
        p.partitions = n as i32;
    }
    if let Some(n) = kafka["replicas"].as_i64() {
        p.replication_factor = n as i32;
    }
    let configs =
        if kafka["topicConfiguration"].is_object() { &kafka["topicConfiguration"] } else { &kafka["configs"] };
    let policies: Vec<String> = match &configs["cleanup.policy"] {
        Value::Array(a) => a.iter().map(text).collect(),
        Value::String(s) => s.split(',').map(|x| x.trim().to_owned()).collect(),
        _ => vec![],
    };
    let has = |x: &str| policies.iter().any(|p| p == x);
    if has("compact") {
        p.cleanup_policy = if has("delete") { CleanupPolicy::CompactDelete } else { CleanupPolicy::Compact };
    } else if has("delete") {
        p.cleanup_policy = CleanupPolicy::Delete;
    }
    match &configs["retention.ms"] {
        Value::Number(n) => p.retention_ms = n.as_i64().unwrap_or(p.retention_ms),
        Value::String(s) => p.retention_ms = s.parse().unwrap_or(p.retention_ms),
        _ => {}
    }
}

/// The message's payload as a value schema, when it is inline and in a format Meshdesk reads.
fn payload(p: &mut OutputPort, message: &Value, notes: &mut Vec<String>) {
    // 3.0 wraps it as {schemaFormat, schema}; 2.x puts schemaFormat on the message.
    let (format, schema) = match (&message["payload"]["schemaFormat"], &message["payload"]["schema"]) {
        (Value::String(f), s) if !s.is_null() => (f.clone(), s.clone()),
        _ => (text(&message["schemaFormat"]), message["payload"].clone()),
    };
    if schema.is_null() {
        return;
    }
    if schema.get("$ref").is_some() {
        notes.push(format!(
            "`{}`: the payload is a reference ({}): add the schema in the wizard",
            p.topic, schema["$ref"]
        ));
        return;
    }
    let format = if format.is_empty() { Some(SchemaFormat::Json) } else { format_of(&format) };
    match (format, &schema) {
        (Some(SchemaFormat::Protobuf), Value::String(proto)) => {
            p.value_schema = Some(value_schema(&p.topic, SchemaFormat::Protobuf, proto.clone()))
        }
        (Some(f @ (SchemaFormat::Avro | SchemaFormat::Json)), s) => {
            p.value_schema = Some(value_schema(&p.topic, f, serde_json::to_string_pretty(s).unwrap_or_default()))
        }
        _ => notes.push(format!("`{}`: a payload in a schema format Meshdesk does not read", p.topic)),
    }
}

fn info(p: &mut DataProduct, doc: &Value, notes: &mut Vec<String>) {
    let info = &doc["info"];
    p.title = text(&info["title"]);
    p.version = info["version"].as_str().unwrap_or("1.0.0").to_owned();
    p.description = text(&info["description"]);
    p.tags =
        info["tags"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str().map(str::to_owned)).collect();
    for name in text(&info["contact"]["name"]).split(", ").filter(|n| !n.trim().is_empty()) {
        match principal(name) {
            Some(o) if !p.owners.contains(&o) => p.owners.push(o),
            Some(_) => {}
            None => notes.push(format!("the contact `{name}` is not a principal Meshdesk can use")),
        }
    }
    match info["x-meshdesk-classification"].as_str().map(str::parse::<Classification>) {
        Some(Ok(c)) => p.classification = c,
        _ => notes.push("the document states no classification: internal".into()),
    }
}

pub(super) fn read_v3(doc: &Value, notes: &mut Vec<String>) -> Result<DataProduct, Invalid> {
    let channels = doc["channels"].as_object().cloned().unwrap_or_default();
    let first_address = channels.values().find_map(|c| c["address"].as_str()).unwrap_or_default().to_owned();
    let domain = first_address.split_once('.').map(|(d, _)| d.to_owned());
    let title = text(&doc["info"]["title"]);
    let (id, domain) = identity(doc["info"]["x-meshdesk-product"].as_str(), domain.as_deref(), &title)?;
    let mut p = DataProduct::blank(id, domain.clone());
    info(&mut p, doc, notes);
    for (key, c) in &channels {
        let address = c["address"].as_str().unwrap_or(key);
        let mut port = port(topic_for(&domain, address, notes)?);
        port.description = text(&c["description"]);
        bindings(&mut port, &c["bindings"]["kafka"]);
        if let Some(m) = c["messages"].as_object().and_then(|m| m.values().next()) {
            if port.description.is_empty() {
                port.description = text(&m["summary"]);
            }
            payload(&mut port, m, notes);
        }
        p.output_ports.push(port);
    }
    Ok(p)
}

pub(super) fn read_v2(doc: &Value, notes: &mut Vec<String>) -> Result<DataProduct, Invalid> {
    // SpecMesh: `id: urn:acme.lifestyle.onboarding` → the domain is its last part.
    let urn = text(&doc["id"]);
    let app = urn.strip_prefix("urn:").unwrap_or(&urn);
    let domain = app.rsplit(['.', ':']).next().map(kebab).filter(|d| !d.is_empty());
    let title = text(&doc["info"]["title"]);
    let (id, domain): (_, DomainId) = identity(None, domain.as_deref(), &title)?;
    let mut p = DataProduct::blank(id, domain.clone());
    info(&mut p, doc, notes);
    let mut audiences = Vec::new();
    for (key, c) in doc["channels"].as_object().into_iter().flatten() {
        let (audience, event) = match key.split_once('.') {
            Some((a @ ("_public" | "_protected" | "_private"), e)) => (Some(a), e),
            _ => (None, key.as_str()),
        };
        audiences.extend(audience);
        let mut port = port(topic_for(&domain, &format!("{domain}.{}", kebab(event)), notes)?);
        // SpecMesh describes the producer's side as `publish` (2.x); a consumer's as `subscribe`.
        let op = if c["publish"].is_object() { &c["publish"] } else { &c["subscribe"] };
        port.description = [text(&c["description"]), text(&op["summary"]), text(&op["description"])]
            .into_iter()
            .find(|d| !d.is_empty())
            .unwrap_or_default();
        bindings(&mut port, &c["bindings"]["kafka"]);
        payload(&mut port, &op["message"], notes);
        p.output_ports.push(port);
    }
    if doc["info"]["x-meshdesk-classification"].is_null() && !audiences.is_empty() {
        // The widest audience of its channels.
        p.classification = if audiences.contains(&"_public") {
            Classification::Public
        } else if audiences.contains(&"_protected") {
            Classification::Internal
        } else {
            Classification::Confidential
        };
        notes.retain(|n| !n.starts_with("the document states no classification"));
    }
    Ok(p)
}
