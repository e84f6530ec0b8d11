//! An ODCS v3 data contract read into a product: identity, team, SLAs, terms of use, and a port
//! per schema object with its fields' meanings and quality rules. Meshdesk's own export carries
//! the topic settings and the schema text in `customProperties`; for any other contract the
//! port gets the wizard's defaults and an Avro schema built from the properties.

use crate::error::Invalid;
use serde_json::{Value, json};

use super::{identity, pascal, port, principal, topic_for, value_schema};
use crate::export::DEFAULT_USAGE;
use crate::ids::{DomainId, ProductId, TopicName};
use crate::model::{
    Classification, CleanupPolicy, CompatibilityLevel, DataProduct, Expectation, FieldSemantics, OutputPort,
    ProductStatus, SchemaFormat, SchemaRef,
};

/// A custom property's value.
fn custom<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    v.get("customProperties")?.as_array()?.iter().find(|c| c["property"] == name).map(|c| &c["value"])
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An Avro type for an ODCS property with no schema text to go by.
fn avro_type(p: &Value) -> Value {
    let physical = p["physicalType"].as_str().unwrap_or_default().to_ascii_lowercase();
    let logical = p["logicalType"].as_str().unwrap_or_default();
    let t = match physical.as_str() {
        "int" | "integer" => json!("int"),
        "long" | "bigint" => json!("long"),
        "float" => json!("float"),
        "double" | "decimal" | "number" => json!("double"),
        "boolean" | "bool" => json!("boolean"),
        "bytes" | "binary" => json!("bytes"),
        "timestamp-millis" | "timestamp" => json!({"type": "long", "logicalType": "timestamp-millis"}),
        "date" => json!({"type": "int", "logicalType": "date"}),
        _ => match logical {
            "integer" => json!("long"),
            "number" => json!("double"),
            "boolean" => json!("boolean"),
            "date" => json!({"type": "long", "logicalType": "timestamp-millis"}),
            _ => json!("string"),
        },
    };
    if p["required"] == true { t } else { json!(["null", t]) }
}

pub(super) fn read(doc: &Value, notes: &mut Vec<String>) -> Result<DataProduct, Invalid> {
    let title = text(&doc["name"]);
    let id = doc["dataProduct"].as_str().or(doc["id"].as_str());
    let (id, domain) = identity(id, doc["domain"].as_str(), &title)?;
    let mut p = DataProduct::blank(id, domain.clone());
    p.title = title;
    p.version = doc["version"].as_str().unwrap_or("1.0.0").to_owned();
    p.status = status(doc);
    p.description = match &doc["description"] {
        Value::String(s) => s.clone(),
        d => text(&d["purpose"]),
    };
    let usage = text(&doc["description"]["usage"]);
    p.contract.terms_of_use = if usage == DEFAULT_USAGE { String::new() } else { usage };
    p.tags = doc["tags"].as_array().into_iter().flatten().filter_map(|t| t.as_str().map(str::to_owned)).collect();
    read_team(doc, &mut p, notes);
    read_meshdesk_properties(doc, &mut p, notes)?;
    read_slas(doc, &mut p);
    let mut quality: Vec<Expectation> = Vec::new();
    for obj in doc["schema"].as_array().into_iter().flatten() {
        let port = read_port(obj, &domain, &mut p, &mut quality, notes)?;
        p.output_ports.push(port);
    }
    p.contract.quality = quality;
    Ok(p)
}

/// The product's status from the contract's `status` (published when it states none we know).
fn status(doc: &Value) -> ProductStatus {
    match doc["status"].as_str() {
        Some("deprecated") => ProductStatus::Deprecated,
        Some("retired") => ProductStatus::Retired,
        Some("draft" | "proposed") => ProductStatus::Draft,
        _ => ProductStatus::Published,
    }
}

/// The team's members as the product's owners, with a note for each that is not a principal.
fn read_team(doc: &Value, p: &mut DataProduct, notes: &mut Vec<String>) {
    let members = match &doc["team"] {
        Value::Array(a) => a.clone(),
        t => t["members"].as_array().cloned().unwrap_or_default(),
    };
    for m in &members {
        match m["username"].as_str().and_then(principal) {
            Some(o) if !p.owners.contains(&o) => p.owners.push(o),
            Some(_) => {}
            None => notes.push(format!("team member {} is not a principal Meshdesk can use", m["username"])),
        }
    }
}

/// The contract-level `customProperties` Meshdesk writes: classification, inputs and sources.
fn read_meshdesk_properties(doc: &Value, p: &mut DataProduct, notes: &mut Vec<String>) -> Result<(), Invalid> {
    if let Some(c) = custom(doc, "meshdeskClassification").and_then(Value::as_str) {
        p.classification = c.parse::<Classification>().map_err(|e| format!("classification: {e}"))?;
    } else {
        notes.push("the contract states no classification: internal".into());
    }
    if let Some(inputs) = custom(doc, "meshdeskInputs").and_then(Value::as_array) {
        p.input_ports = inputs.iter().filter_map(Value::as_str).filter_map(|i| ProductId::parse(i).ok()).collect();
    }
    if let Some(sources) = custom(doc, "meshdeskSources") {
        p.sources = serde_json::from_value(sources.clone()).map_err(|e| format!("sources: {e}"))?;
        for s in &p.sources {
            s.validate()?;
        }
    }
    Ok(())
}

/// An SLA property's unit in milliseconds (days when it states none we know).
fn unit_ms(s: &Value) -> i64 {
    match s["unit"].as_str().unwrap_or("d") {
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => 86_400_000,
    }
}

/// The `slaProperties` Meshdesk knows (latency, availability, retention) into the product's SLA.
fn read_slas(doc: &Value, p: &mut DataProduct) {
    for s in doc["slaProperties"].as_array().into_iter().flatten() {
        let unit_ms = unit_ms(s);
        match s["property"].as_str() {
            Some("latency") => p.sla.freshness_ms = s["value"].as_i64().map(|v| v * unit_ms),
            Some("availability") => {
                p.sla.availability_bp = text(&s["value"])
                    .trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (0.0..=100.0).contains(v))
                    .map(|v| (v * 100.0).round() as u32)
            }
            Some("retention") => {
                p.sla.retention_ms = match &s["value"] {
                    Value::String(f) if f == "forever" => Some(-1),
                    v => v.as_i64().map(|v| v * unit_ms),
                }
            }
            _ => {}
        }
    }
}

/// A quality rule written as the export writes them (`quantity >= 0`), once; others are kept
/// out (a person restates them in the wizard).
fn add_quality(q: &Value, quality: &mut Vec<Expectation>) {
    if let Some(e) = q["description"].as_str().and_then(Expectation::from_description)
        && !quality.contains(&e)
    {
        quality.push(e);
    }
}

/// One schema object as an output port, its fields' meanings into the contract and its rules
/// into `quality`.
fn read_port(
    obj: &Value,
    domain: &DomainId,
    p: &mut DataProduct,
    quality: &mut Vec<Expectation>,
    notes: &mut Vec<String>,
) -> Result<OutputPort, Invalid> {
    let name = obj["physicalName"].as_str().or(obj["name"].as_str()).unwrap_or_default();
    let topic = topic_for(domain, name, notes)?;
    let mut port = port(topic.clone());
    port.description = text(&obj["description"]);
    read_topic_settings(obj, &mut port)?;
    let props = obj["properties"].as_array().cloned().unwrap_or_default();
    port.value_schema = match custom(obj, "meshdeskValueSchema").and_then(Value::as_str) {
        Some(text) => Some(stated_schema(obj, &topic, text)?),
        None if !props.is_empty() => Some(schema_from_properties(&props, &topic, domain, notes)),
        None => None,
    };
    for f in &props {
        let Some(semantics) = field_semantics(f) else { continue };
        if !p.contract.fields.iter().any(|x| x.path == semantics.path) {
            p.contract.fields.push(semantics);
        }
        for q in f["quality"].as_array().into_iter().flatten() {
            add_quality(q, quality);
        }
    }
    for q in obj["quality"].as_array().into_iter().flatten() {
        add_quality(q, quality);
    }
    Ok(port)
}

/// The topic settings Meshdesk writes in a schema object's `customProperties`.
fn read_topic_settings(obj: &Value, port: &mut OutputPort) -> Result<(), Invalid> {
    if let Some(n) = custom(obj, "meshdeskPartitions").and_then(Value::as_i64) {
        port.partitions = n as i32;
    }
    if let Some(n) = custom(obj, "meshdeskReplicationFactor").and_then(Value::as_i64) {
        port.replication_factor = n as i32;
    }
    if let Some(n) = custom(obj, "meshdeskRetentionMs").and_then(Value::as_i64) {
        port.retention_ms = n;
    }
    if let Some(c) = custom(obj, "meshdeskCleanupPolicy").and_then(Value::as_str) {
        port.cleanup_policy = c.parse::<CleanupPolicy>().map_err(|e| format!("cleanup policy: {e}"))?;
    }
    Ok(())
}

/// The value schema Meshdesk's export states: its text, format, subject and compatibility.
fn stated_schema(obj: &Value, topic: &TopicName, text: &str) -> Result<SchemaRef, Invalid> {
    let format = custom(obj, "meshdeskSchemaFormat")
        .and_then(Value::as_str)
        .unwrap_or("AVRO")
        .parse::<SchemaFormat>()
        .map_err(|e| format!("schema format: {e}"))?;
    let mut s = value_schema(topic, format, text.to_owned());
    if let Some(subject) = custom(obj, "meshdeskSchemaSubject").and_then(Value::as_str) {
        s.subject = subject.to_owned();
    }
    if let Some(level) = custom(obj, "meshdeskSchemaCompatibility").and_then(Value::as_str) {
        s.compatibility = level.parse::<CompatibilityLevel>().map_err(|e| format!("compatibility: {e}"))?;
    }
    Ok(s)
}

/// An Avro record built from a schema object's properties, with a note that it was built.
fn schema_from_properties(props: &[Value], topic: &TopicName, domain: &DomainId, notes: &mut Vec<String>) -> SchemaRef {
    let event = topic.as_str().split_once('.').map(|(_, e)| e).unwrap_or(topic.as_str());
    let fields: Vec<Value> = props
        .iter()
        .map(|f| {
            let mut v = json!({"name": f["name"], "type": avro_type(f)});
            if let Some(d) = f["description"].as_str() {
                v["doc"] = json!(d);
            }
            if f["required"] != true {
                v["default"] = Value::Null;
            }
            v
        })
        .collect();
    let schema = json!({"type": "record", "name": pascal(event), "namespace": domain.as_str(), "fields": fields});
    notes.push(format!("`{topic}`: an Avro schema built from the contract's properties"));
    value_schema(topic, SchemaFormat::Avro, serde_json::to_string_pretty(&schema).unwrap_or_default())
}

/// A property's meaning (description, unit, example, PII); none for a property with no name.
fn field_semantics(f: &Value) -> Option<FieldSemantics> {
    let name = f["name"].as_str()?;
    let unit = f["customProperties"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["property"] == "unit")
        .map(|c| text(&c["value"]));
    Some(FieldSemantics {
        path: name.to_owned(),
        description: text(&f["description"]),
        unit,
        example: f["examples"].as_array().and_then(|e| e.first()).map(text),
        pii: f["classification"] == "pii",
    })
}
