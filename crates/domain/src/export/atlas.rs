//! Apache Atlas entities, as `POST /api/atlas/v2/entity/bulk` takes them
//! (`AtlasEntitiesWithExtInfo`): a `kafka_topic` per output port (Atlas's model
//! `addons/models/1000-Hadoop/1070-kafka_model.json`), with its Avro value schema as an
//! `avro_schema` entity (`1065-avro_model.json`) linked through `avroSchema`.

use serde_json::{Value, json};

use super::Endpoints;
use crate::model::{DataProduct, SchemaFormat};

/// `kafka_topic` entities for the products' ports on the cluster named `at.name`.
pub fn atlas_entities(products: &[DataProduct], at: &Endpoints) -> Value {
    let mut entities = Vec::new();
    let mut guid = 0i64;
    let mut next = || {
        guid -= 1;
        guid.to_string()
    };
    for p in products {
        for port in &p.output_ports {
            let topic = port.topic.as_str();
            let topic_guid = next();
            let mut attributes = json!({
                "qualifiedName": format!("{topic}@{}", at.name),
                "name": topic,
                "topic": topic,
                "uri": format!("kafka://{}/{topic}", at.first_bootstrap()),
                "description": if port.description.is_empty() { p.description.clone() } else { port.description.clone() },
                "owner": p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", "),
                "partitionCountLocal": port.partitions,
                "replicationFactorLocal": port.replication_factor,
                "type": p.classification.as_str(),
            });
            if port.retention_ms >= 0 {
                attributes["retentiontimeLocalInHrs"] = json!(port.retention_ms / 3_600_000);
            }
            if let Some(s) = port.value_schema.as_ref().filter(|s| s.format == SchemaFormat::Avro)
                && let Ok(doc) = serde_json::from_str::<Value>(&s.schema)
            {
                let schema_guid = next();
                let name = doc["name"].as_str().unwrap_or(topic).to_owned();
                entities.push(json!({
                    "typeName": "avro_schema",
                    "guid": schema_guid,
                    "attributes": {
                        "qualifiedName": format!("{}@{}", s.subject, at.name),
                        "name": name,
                        "type": doc["type"].as_str().unwrap_or("record"),
                        "namespace": doc["namespace"].as_str().unwrap_or_default(),
                        "doc": doc["doc"].as_str().unwrap_or_default(),
                        "avro_notation": s.schema,
                        "versionId": s.version.unwrap_or(0),
                        "isLatest": "true",
                    },
                }));
                attributes["avroSchema"] = json!([{"guid": schema_guid, "typeName": "avro_schema"}]);
            }
            entities.push(json!({"typeName": "kafka_topic", "guid": topic_guid, "attributes": attributes}));
        }
    }
    json!({"entities": entities})
}
