//! The product as an AsyncAPI 3.0.0 document with Kafka bindings.

use serde_json::{Map, Value, json};

use super::{Endpoints, to_yaml};
use crate::model::{CleanupPolicy, DataProduct, OutputPort, SchemaFormat};

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
        channels.insert(id.clone(), channel(port, &id));
        operations.insert(format!("send{}{}", id[..1].to_ascii_uppercase(), &id[1..]), send_operation(p, port, &id));
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": p.title,
            "version": p.version,
            "description": p.description,
            "contact": {"name": p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ")},
            "tags": p.tags.iter().map(|t| json!({"name": t})).collect::<Vec<_>>(),
            // What AsyncAPI has no field for, so that an import gives the same product back.
            "x-meshdesk-product": p.id.as_str(),
            "x-meshdesk-classification": p.classification.as_str(),
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

/// A port's message: its Kafka bindings, and its value schema as the payload when it parses.
fn message(port: &OutputPort, id: &str) -> Value {
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
    message
}

/// A port's channel: its address, its message and the topic's Kafka bindings.
fn channel(port: &OutputPort, id: &str) -> Value {
    let cleanup = match port.cleanup_policy {
        CleanupPolicy::Delete => json!(["delete"]),
        CleanupPolicy::Compact => json!(["compact"]),
        CleanupPolicy::CompactDelete => json!(["compact", "delete"]),
    };
    json!({
        "address": port.topic.as_str(),
        "description": port.description,
        "messages": { id: message(port, id) },
        "bindings": {"kafka": {
            "topic": port.topic.as_str(),
            "partitions": port.partitions,
            "replicas": port.replication_factor,
            "topicConfiguration": {"cleanup.policy": cleanup, "retention.ms": port.retention_ms},
            "bindingVersion": "0.5.0"
        }},
    })
}

/// The owners' `send` operation on a port's channel.
fn send_operation(p: &DataProduct, port: &OutputPort, id: &str) -> Value {
    json!({
        "action": "send",
        "channel": {"$ref": format!("#/channels/{id}")},
        "summary": format!("The {} domain publishes {}.", p.domain, port.topic),
        "messages": [{"$ref": format!("#/channels/{id}/messages/{id}")}],
    })
}
