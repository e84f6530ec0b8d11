//! Exports of products for the ecosystem's tools: the data contract as ODCS v3 YAML
//! (`odcs.rs`), the product as an AsyncAPI 3.0 document with Kafka bindings (`asyncapi.rs`), the
//! catalog as DataHub metadata change proposals (`datahub.rs`), OpenLineage run events for the
//! derived products (`openlineage.rs`) and Apache Atlas entities (`atlas.rs`). Pure: the same
//! text from the app, `meshctl export` and the tests that run each standard's own validator.

use serde_json::Value;

mod asyncapi;
mod atlas;
mod datahub;
mod fields;
mod odcs;
mod openlineage;
pub(crate) mod registry;

pub use asyncapi::{asyncapi_document, asyncapi_yaml};
pub use atlas::atlas_entities;
pub use datahub::datahub_mcps;
pub use fields::{Field, FieldKind, port_fields};
pub(crate) use odcs::DEFAULT_USAGE;
pub use odcs::{odcs_document, odcs_yaml};
pub use openlineage::{PRODUCER, openlineage_events};
pub use registry::{RegistryContract, cel_condition, registry_contract};

/// Where the product's data lives, for the documents' server sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// A name for the environment, e.g. `sandbox` or `production`.
    pub name: String,
    /// The Kafka bootstrap servers.
    pub bootstrap_servers: String,
    /// The Schema Registry's URL.
    pub registry_url: String,
}

impl Endpoints {
    /// The first bootstrap server (`host:port`), for names that take one.
    pub fn first_bootstrap(&self) -> &str {
        self.bootstrap_servers.split(',').next().unwrap_or_default().trim()
    }
}

/// YAML from a JSON value, through a maintained serde YAML serializer (`serde_yaml_ng`):
/// block style, strings quoted wherever YAML would read them as another type.
pub fn to_yaml(v: &Value) -> String {
    // A `serde_json::Value` always serializes (its keys are strings).
    serde_yaml_ng::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;
    use serde_json::json;

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

    #[test]
    fn catalog_exports_describe_the_seeded_lineage() {
        // Verifies the pure catalog exports on the seed: DataHub gives Orders' dataset the upstream lineage of Stock levels' topic and PII tags on Customer's email; OpenLineage gives one event per derived product with a run id that is a UUID and the same on every export; Atlas gives a kafka_topic per port and an avro_schema for each Avro value schema.
        let catalog = seed::products();
        let mcps = datahub_mcps(&catalog, &catalog, &seed::domains(), &at());
        let mcps = mcps.as_array().unwrap();
        let orders = "urn:li:dataset:(urn:li:dataPlatform:kafka,sales.order-placed,SANDBOX)";
        let up = mcps.iter().find(|m| m["entityUrn"] == orders && m["aspectName"] == "upstreamLineage").unwrap();
        assert_eq!(
            up["aspect"]["json"]["upstreams"][0]["dataset"],
            datahub::dataset_urn("inventory.stock-level-updated", "sandbox")
        );
        let schema = mcps
            .iter()
            .find(|m| m["aspectName"] == "schemaMetadata" && m["entityUrn"].as_str().unwrap().contains("customer."))
            .unwrap();
        let email =
            schema["aspect"]["json"]["fields"].as_array().unwrap().iter().find(|f| f["fieldPath"] == "email").unwrap();
        assert_eq!(email["globalTags"]["tags"][0]["tag"], "urn:li:tag:pii");

        let events = openlineage_events(&catalog, &catalog, &at(), 1_764_547_200_123);
        let derived = catalog.iter().filter(|p| !p.input_ports.is_empty()).count();
        assert_eq!(events.len(), derived);
        assert_eq!(events[0]["eventTime"], "2025-12-01T00:00:00.123Z");
        let id = events[0]["run"]["runId"].as_str().unwrap().to_owned();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
        assert_eq!(&id[14..15], "8", "version 8: {id}");
        assert_eq!(openlineage_events(&catalog, &catalog, &at(), 0)[0]["run"]["runId"], id.as_str(), "stable");

        let atlas = atlas_entities(&catalog, &at());
        let entities = atlas["entities"].as_array().unwrap();
        let ports: usize = catalog.iter().map(|p| p.output_ports.len()).sum();
        assert_eq!(entities.iter().filter(|e| e["typeName"] == "kafka_topic").count(), ports);
        assert!(entities.iter().any(|e| e["typeName"] == "avro_schema"));
    }
}
