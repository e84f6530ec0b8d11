//! Exports of a product for the ecosystem's tools: the data contract as ODCS v3 YAML and the
//! product as an AsyncAPI 3.0 document with Kafka bindings. Pure: the same text from the app,
//! `meshctl export` and the tests that run the standards' own validators on it.

use serde_json::{Map, Value, json};

use crate::model::{CleanupPolicy, DataProduct, Expectation, ProductStatus, SchemaFormat};
use crate::schema::AvroSchema;

/// Where the product's data lives, for the documents' server sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// A name for the environment, e.g. `sandbox` or `production`.
    pub name: String,
    pub bootstrap_servers: String,
    pub registry_url: String,
}

/// YAML from a JSON value, through a maintained serde YAML serializer (`serde_yaml_ng`):
/// block style, strings quoted wherever YAML would read them as another type.
pub fn to_yaml(v: &Value) -> String {
    // A `serde_json::Value` always serializes (its keys are strings).
    serde_yaml_ng::to_string(v).unwrap_or_default()
}

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

/// The product's data contract as an ODCS v3 (apiVersion v3.0.2) document.
pub fn odcs_document(p: &DataProduct, at: &Endpoints) -> Value {
    let pii = p.pii_paths();
    let mut schema = Vec::new();
    for port in &p.output_ports {
        let mut props = Vec::new();
        if let Some(s) = port.value_schema.as_ref().filter(|s| s.format == SchemaFormat::Avro)
            && let Ok(parsed) = serde_json::from_str::<Value>(&s.schema)
            && AvroSchema::parse(&s.schema).is_ok()
        {
            for f in parsed["fields"].as_array().into_iter().flatten() {
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
                let not_null =
                    p.contract.quality.iter().any(|q| matches!(q, Expectation::NotNull { field } if *field == name));
                prop.insert("required".into(), json!(!nullable || not_null));
                let is_pii = pii.iter().any(|x| *x == name || name.starts_with(&format!("{x}.")));
                prop.insert("classification".into(), json!(if is_pii { "pii" } else { p.classification.as_str() }));
                if let Some(e) = stated.and_then(|c| c.example.clone()) {
                    prop.insert("examples".into(), json!([e]));
                }
                let quality: Vec<Value> = p
                    .contract
                    .quality
                    .iter()
                    .filter(|q| match q {
                        Expectation::NotNull { field }
                        | Expectation::Range { field, .. }
                        | Expectation::AllowedValues { field, .. } => *field == name,
                        _ => false,
                    })
                    .map(|q| json!({"type": "text", "description": q.describe()}))
                    .collect();
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
                props.push(Value::Object(prop));
            }
        }
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
        schema.push(obj);
    }
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
            "usage": if p.contract.terms_of_use.is_empty() { "See the product's page in Meshdesk.".to_owned() } else { p.contract.terms_of_use.clone() },
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
    doc
}

fn camel(topic: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in topic.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if up { c.to_ascii_uppercase() } else { c });
            up = false;
        } else {
            up = true;
        }
    }
    out
}

/// The product as an AsyncAPI 3.0.0 document (YAML): one channel per port with Kafka bindings
/// (topic, partitions, replicas, configs), its value schema as the message payload, the
/// registry in the server's bindings, and a `send` operation for the owners.
pub fn asyncapi_yaml(p: &DataProduct, at: &Endpoints) -> String {
    to_yaml(&asyncapi_document(p, at))
}

/// The product as an AsyncAPI 3.0.0 document; see [`asyncapi_yaml`].
pub fn asyncapi_document(p: &DataProduct, at: &Endpoints) -> Value {
    let mut channels = Map::new();
    let mut operations = Map::new();
    for port in &p.output_ports {
        let id = camel(port.topic.as_str());
        let mut message = json!({
            "name": id,
            "title": port.topic.as_str(),
            "summary": port.description,
            "bindings": {"kafka": {
                "schemaIdLocation": "payload",
                "schemaIdPayloadEncoding": "confluent",
                "schemaLookupStrategy": "TopicIdStrategy",
                "bindingVersion": "0.5.0"
            }},
        });
        if let Some(s) = &port.value_schema
            && let Ok(schema) = serde_json::from_str::<Value>(&s.schema)
        {
            let format = match s.format {
                SchemaFormat::Avro => "application/vnd.apache.avro+json;version=1.9.0",
                SchemaFormat::Json => "application/schema+json;version=draft-07",
                SchemaFormat::Protobuf => "application/vnd.google.protobuf;version=3",
            };
            message["contentType"] = json!(match s.format {
                SchemaFormat::Avro => "application/vnd.apache.avro+json",
                _ => "application/json",
            });
            message["payload"] = json!({"schemaFormat": format, "schema": schema});
        }
        let cleanup = match port.cleanup_policy {
            CleanupPolicy::Delete => json!(["delete"]),
            CleanupPolicy::Compact => json!(["compact"]),
            CleanupPolicy::CompactDelete => json!(["compact", "delete"]),
        };
        channels.insert(
            id.clone(),
            json!({
                "address": port.topic.as_str(),
                "description": port.description,
                "messages": { id.clone(): message },
                "bindings": {"kafka": {
                    "topic": port.topic.as_str(),
                    "partitions": port.partitions,
                    "replicas": port.replication_factor,
                    "topicConfiguration": {"cleanup.policy": cleanup, "retention.ms": port.retention_ms},
                    "bindingVersion": "0.5.0"
                }},
            }),
        );
        operations.insert(
            format!("send{}{}", id[..1].to_ascii_uppercase(), &id[1..]),
            json!({
                "action": "send",
                "channel": {"$ref": format!("#/channels/{id}")},
                "summary": format!("The {} domain publishes {}.", p.domain, port.topic),
                "messages": [{"$ref": format!("#/channels/{id}/messages/{id}")}],
            }),
        );
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": p.title,
            "version": p.version,
            "description": p.description,
            "contact": {"name": p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ")},
            "tags": p.tags.iter().map(|t| json!({"name": t})).collect::<Vec<_>>(),
        },
        "servers": { at.name.clone(): {
            "host": at.bootstrap_servers,
            "protocol": "kafka",
            "description": format!("The {} Kafka cluster", at.name),
            "bindings": {"kafka": {"schemaRegistryUrl": at.registry_url, "schemaRegistryVendor": "confluent", "bindingVersion": "0.5.0"}},
        }},
        "channels": channels,
        "operations": operations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    fn at() -> Endpoints {
        Endpoints {
            name: "sandbox".into(),
            bootstrap_servers: "127.0.0.1:9092".into(),
            registry_url: "http://127.0.0.1:8081".into(),
        }
    }

    /// The YAML read back by the same maintained parser.
    fn read(y: &str) -> Value {
        serde_yaml_ng::from_str(y).unwrap()
    }

    #[test]
    fn yaml_quotes_strings_and_nests_blocks() {
        // Verifies the YAML reads back as the same value: strings that look like other types
        // or YAML syntax stay strings, nesting and empty collections survive.
        let v = json!({"a": "x: y", "n": 3, "l": [{"k": "v", "m": [1]}, "s"], "e": {}, "$ref": "#/x",
            "t": "true", "num": "3.0", "null": "null", "date": "2027-03-31", "multi": "a\nb"});
        let y = to_yaml(&v);
        assert_eq!(read(&y), v, "{y}");
        assert!(y.contains("l:\n- k: v\n  m:\n  - 1\n- s\n"), "{y}");
    }

    #[test]
    fn the_contract_names_fields_pii_and_quality() {
        let y = odcs_yaml(&seed::products().remove(2), &at());
        assert!(y.starts_with("apiVersion: v3.0.2\n"), "{y}");
        let doc = read(&y);
        let props = doc["schema"][0]["properties"].as_array().unwrap();
        let email = props.iter().find(|p| p["name"] == "email").expect("the email field");
        assert_eq!(email["classification"], "pii", "{y}");
        let stock = read(&odcs_yaml(&seed::products().remove(0), &at()));
        let quality = serde_json::to_string(&stock["schema"]).unwrap();
        assert!(quality.contains("\"description\":\"quantity >= 0\""), "{quality}");
        assert!(stock["slaProperties"].as_array().unwrap().iter().any(|s| s["property"] == "latency"), "{stock}");
    }

    #[test]
    fn the_asyncapi_document_has_the_channel_bindings_and_the_schema() {
        let y = asyncapi_yaml(&seed::products().remove(0), &at());
        assert!(y.starts_with("asyncapi: 3.0.0\n"), "{y}");
        let doc = read(&y);
        let ch = &doc["channels"]["inventoryStockLevelUpdated"];
        assert_eq!(ch["address"], "inventory.stock-level-updated", "{y}");
        assert_eq!(ch["bindings"]["kafka"]["partitions"], 3, "{y}");
        assert_eq!(doc["servers"]["sandbox"]["bindings"]["kafka"]["schemaRegistryUrl"], "http://127.0.0.1:8081");
        assert_eq!(
            doc["operations"]["sendInventoryStockLevelUpdated"]["channel"]["$ref"],
            "#/channels/inventoryStockLevelUpdated"
        );
        assert_eq!(doc, asyncapi_document(&seed::products().remove(0), &at()), "the YAML is the document");
    }
}
