//! The data contract as ODCS v3 (apiVersion v3.0.2).

use serde_json::{Map, Value, json};

use super::{Endpoints, to_yaml};
use crate::model::{DataProduct, Expectation, OutputPort, ProductStatus, SchemaFormat};
use crate::schema::AvroSchema;

fn status(s: ProductStatus) -> &'static str {
    match s {
        ProductStatus::Draft => "draft",
        ProductStatus::Published => "active",
        ProductStatus::Deprecated => "deprecated",
        ProductStatus::Retired => "retired",
    }
}

fn avro_logical(t: &Value) -> (&'static str, String) {
    let physical = match t {
        Value::String(s) => s.clone(),
        Value::Object(o) => match (o.get("logicalType").and_then(Value::as_str), o.get("type").and_then(Value::as_str))
        {
            (Some(l), _) => l.to_owned(),
            (None, Some(t)) => t.to_owned(),
            _ => "record".into(),
        },
        Value::Array(u) => u
            .iter()
            .filter(|x| *x != "null")
            .map(|x| x.as_str().unwrap_or("record").to_owned())
            .next()
            .unwrap_or_default(),
        _ => "unknown".into(),
    };
    let logical = match physical.as_str() {
        "string" | "enum" | "uuid" => "string",
        "int" | "long" => "integer",
        "float" | "double" | "decimal" => "number",
        "boolean" => "boolean",
        "timestamp-millis" | "timestamp-micros" | "date" => "date",
        "array" => "array",
        _ => "object",
    };
    (logical, physical)
}

/// The product's data contract as ODCS v3 (apiVersion v3.0.2) YAML.
pub fn odcs_yaml(p: &DataProduct, at: &Endpoints) -> String {
    to_yaml(&odcs_document(p, at))
}

/// The quality rules of the contract on field `name`: CEL where the registry can check it, text otherwise.
fn field_quality(p: &DataProduct, name: &str, avro: &AvroSchema) -> Vec<Value> {
    p.contract
        .quality
        .iter()
        .filter(|q| match q {
            Expectation::NotNull { field }
            | Expectation::Range { field, .. }
            | Expectation::AllowedValues { field, .. } => *field == name,
            _ => false,
        })
        .map(|q| match super::registry::cel_condition(avro, q) {
            // Executable: the same CEL the registry carries for Confluent's
            // serializers and Meshdesk measures on live records (`message` is a record).
            Some(expr) => json!({
                "type": "custom",
                "engine": "cel",
                "implementation": expr,
                "description": q.describe(),
                "dimension": if matches!(q, Expectation::NotNull { .. }) { "completeness" } else { "conformity" },
            }),
            None => json!({"type": "text", "description": q.describe()}),
        })
        .collect()
}

/// The ODCS property of Avro record field `f`, with what the contract states about it.
fn field_property(p: &DataProduct, f: &Value, avro: &AvroSchema, pii: &[String]) -> Value {
    let name = f["name"].as_str().unwrap_or_default().to_owned();
    let stated = p.contract.fields.iter().find(|c| c.path == name);
    let (logical, physical) = avro_logical(&f["type"]);
    let nullable = matches!(&f["type"], Value::Array(u) if u.iter().any(|x| x == "null"));
    let mut prop = Map::new();
    prop.insert("name".into(), json!(name));
    prop.insert("logicalType".into(), json!(logical));
    prop.insert("physicalType".into(), json!(physical));
    let description = stated
        .map(|c| c.description.clone())
        .filter(|d| !d.is_empty())
        .or_else(|| f["doc"].as_str().map(str::to_owned));
    if let Some(d) = description {
        prop.insert("description".into(), json!(d));
    }
    let not_null = p.contract.quality.iter().any(|q| matches!(q, Expectation::NotNull { field } if *field == name));
    prop.insert("required".into(), json!(!nullable || not_null));
    let is_pii = pii.iter().any(|x| *x == name || name.starts_with(&format!("{x}.")));
    prop.insert("classification".into(), json!(if is_pii { "pii" } else { p.classification.as_str() }));
    if let Some(e) = stated.and_then(|c| c.example.clone()) {
        prop.insert("examples".into(), json!([e]));
    }
    let quality = field_quality(p, &name, avro);
    if !quality.is_empty() {
        prop.insert("quality".into(), json!(quality));
    }
    let mut custom = Vec::new();
    if let Some(u) = stated.and_then(|c| c.unit.clone()) {
        custom.push(json!({"property": "unit", "value": u}));
    }
    if !custom.is_empty() {
        prop.insert("customProperties".into(), json!(custom));
    }
    Value::Object(prop)
}

/// The ODCS properties of a port's value schema: its top-level fields when it is Avro, none otherwise.
fn port_properties(p: &DataProduct, port: &OutputPort, pii: &[String]) -> Vec<Value> {
    let mut props = Vec::new();
    if let Some(s) = port.value_schema.as_ref().filter(|s| s.format == SchemaFormat::Avro)
        && let Ok(parsed) = serde_json::from_str::<Value>(&s.schema)
        && let Ok(avro) = AvroSchema::parse(&s.schema)
    {
        for f in parsed["fields"].as_array().into_iter().flatten() {
            props.push(field_property(p, f, &avro, pii));
        }
    }
    props
}

/// The custom properties of a port's schema object: what ODCS has no field for, so that an
/// import gives the same port back.
fn port_custom_properties(port: &OutputPort) -> Vec<Value> {
    let mut custom = vec![
        json!({"property": "meshdeskPartitions", "value": port.partitions}),
        json!({"property": "meshdeskReplicationFactor", "value": port.replication_factor}),
        json!({"property": "meshdeskRetentionMs", "value": port.retention_ms}),
        json!({"property": "meshdeskCleanupPolicy", "value": port.cleanup_policy.as_str()}),
    ];
    if let Some(s) = &port.value_schema {
        custom.push(json!({"property": "meshdeskSchemaSubject", "value": s.subject}));
        custom.push(json!({"property": "meshdeskSchemaFormat", "value": s.format.as_str()}));
        custom.push(json!({"property": "meshdeskSchemaCompatibility", "value": s.compatibility.as_str()}));
        custom.push(json!({"property": "meshdeskValueSchema", "value": s.schema}));
    }
    custom
}

/// The ODCS schema object of an output port (its topic).
fn schema_object(p: &DataProduct, port: &OutputPort, pii: &[String]) -> Value {
    let props = port_properties(p, port, pii);
    let object_quality: Vec<Value> = p
        .contract
        .quality
        .iter()
        .filter(|q| matches!(q, Expectation::UniqueKey { .. } | Expectation::Freshness { .. }))
        .map(|q| json!({"type": "text", "description": q.describe()}))
        .collect();
    let mut obj = json!({
        "name": port.topic.as_str(),
        "physicalName": port.topic.as_str(),
        "logicalType": "object",
        "physicalType": "topic",
        "description": port.description,
        "properties": props,
    });
    if !object_quality.is_empty() {
        obj["quality"] = json!(object_quality);
    }
    obj["customProperties"] = json!(port_custom_properties(port));
    obj
}

/// The ODCS SLA properties of the product's SLA: latency, availability and retention.
fn sla_properties(p: &DataProduct) -> Vec<Value> {
    let mut sla = Vec::new();
    if let Some(ms) = p.sla.freshness_ms {
        sla.push(json!({"property": "latency", "value": ms / 1000, "unit": "s", "description": "The newest record is at most this old."}));
    }
    if let Some(bp) = p.sla.availability_bp {
        sla.push(json!({"property": "availability", "value": format!("{:.2}%", bp as f64 / 100.0)}));
    }
    if let Some(ms) = p.sla.retention_ms {
        let v = if ms < 0 { json!("forever") } else { json!(ms / 86_400_000) };
        sla.push(json!({"property": "retention", "value": v, "unit": "d"}));
    }
    sla
}

/// The contract's custom properties: the product's classification, inputs and sources.
fn product_custom_properties(p: &DataProduct) -> Vec<Value> {
    let mut custom = vec![json!({"property": "meshdeskClassification", "value": p.classification.as_str()})];
    if !p.input_ports.is_empty() {
        custom.push(json!({"property": "meshdeskInputs", "value": p.input_ports.iter().map(|i| i.as_str()).collect::<Vec<_>>()}));
    }
    if !p.sources.is_empty() {
        custom.push(json!({"property": "meshdeskSources", "value": p.sources}));
    }
    custom
}

/// The product's data contract as an ODCS v3 (apiVersion v3.0.2) document.
pub fn odcs_document(p: &DataProduct, at: &Endpoints) -> Value {
    let pii = p.pii_paths();
    let schema: Vec<Value> = p.output_ports.iter().map(|port| schema_object(p, port, &pii)).collect();
    let sla = sla_properties(p);
    let mut doc = json!({
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": p.id.as_str(),
        "name": p.title,
        "version": p.version,
        "status": status(p.status),
        "domain": p.domain.as_str(),
        "dataProduct": p.id.as_str(),
        "description": {
            "purpose": p.description,
            "usage": if p.contract.terms_of_use.is_empty() { DEFAULT_USAGE.to_owned() } else { p.contract.terms_of_use.clone() },
        },
        "tags": p.tags,
        "schema": schema,
        "team": p.owners.iter().map(|o| json!({"username": o.as_str(), "role": "owner"})).collect::<Vec<_>>(),
        "servers": [{
            "server": at.name,
            "type": "kafka",
            "host": at.bootstrap_servers,
            "description": format!("Kafka at {}; schemas in the registry at {}", at.bootstrap_servers, at.registry_url),
        }],
    });
    if !sla.is_empty() {
        doc["slaProperties"] = json!(sla);
    }
    doc["customProperties"] = json!(product_custom_properties(p));
    doc
}

/// The usage text written when the contract states no terms of use.
pub(crate) const DEFAULT_USAGE: &str = "See the product's page in Meshdesk.";
