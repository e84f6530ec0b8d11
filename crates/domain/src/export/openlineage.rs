//! OpenLineage run events for the derived products: each product with inputs is the output of a
//! processor (the job), reading its input products' topics and writing its own. Datasets are
//! named as the OpenLineage naming spec says for Kafka (namespace `kafka://host:port`, name the
//! topic) and carry the schema facet.

use serde_json::{Value, json};

use super::Endpoints;
use super::fields::port_fields;
use crate::model::{DataProduct, OutputPort};

/// Who wrote the events (OpenLineage's `producer`, a URI).
pub const PRODUCER: &str = concat!("urn:meshdesk:", env!("CARGO_PKG_VERSION"));

const RUN_EVENT: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const SCHEMA_FACET: &str = "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
const DOCUMENTATION_FACET: &str =
    "https://openlineage.io/spec/facets/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet";
const OWNERSHIP_FACET: &str =
    "https://openlineage.io/spec/facets/1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet";
const JOB_TYPE_FACET: &str = "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet";

/// A run id that is the same for the same product version (a UUID in version 8's custom
/// layout, from two FNV-1a hashes), so exporting twice describes the same run.
fn run_id(p: &DataProduct, job: &str) -> String {
    let fnv = |seed: u64| {
        let mut h = seed;
        for b in p.id.as_str().bytes().chain([0]).chain(p.version.bytes()).chain([0]).chain(job.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        h
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    let a = (a & !0xf000) | 0x8000; // version 8
    let b = (b & !(0b11 << 62)) | (0b10 << 62); // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn kafka_namespace(at: &Endpoints) -> String {
    format!("kafka://{}", at.first_bootstrap())
}

fn dataset(port: &OutputPort, p: &DataProduct, at: &Endpoints) -> Value {
    let fields: Vec<Value> = port_fields(port)
        .into_iter()
        .map(|f| {
            let stated = p.contract.fields.iter().find(|c| c.path == f.path).map(|c| c.description.clone());
            let mut v = json!({"name": f.path, "type": f.native});
            if let Some(d) = stated.filter(|d| !d.is_empty()).or(f.doc) {
                v["description"] = json!(d);
            }
            v
        })
        .collect();
    json!({
        "namespace": kafka_namespace(at),
        "name": port.topic.as_str(),
        "facets": {"schema": {"_producer": PRODUCER, "_schemaURL": SCHEMA_FACET, "fields": fields}},
    })
}

/// One `RUNNING` event per job that makes a product in `products` (inputs looked up in
/// `catalog`), at `at_ms`: each declared stream processor (named by its `application.id`, query
/// or job name), or the product itself when it has inputs and no processor.
pub fn openlineage_events(products: &[DataProduct], catalog: &[DataProduct], at: &Endpoints, at_ms: i64) -> Vec<Value> {
    let time = {
        let iso = crate::time::iso_utc(at_ms);
        format!("{}.{:03}Z", iso.trim_end_matches('Z'), at_ms.rem_euclid(1000))
    };
    let mut events = Vec::new();
    for p in products {
        let outputs: Vec<Value> = p.output_ports.iter().map(|port| dataset(port, p, at)).collect();
        let inputs = |ids: &[crate::ids::ProductId]| -> Vec<Value> {
            ids.iter()
                .filter_map(|id| catalog.iter().find(|c| c.id == *id))
                .flat_map(|input| input.output_ports.iter().map(move |port| dataset(port, input, at)))
                .collect()
        };
        // Each declared stream processor is a job of its own; a product with inputs and no
        // processor named is made by a job named after it.
        let processors: Vec<_> = p.sources.iter().filter(|s| s.kind.is_processor()).collect();
        let jobs: Vec<(String, &str, Vec<Value>)> = if processors.is_empty() {
            if p.input_ports.is_empty() {
                continue;
            }
            vec![(p.id.as_str().to_owned(), "MESHDESK", inputs(&p.input_ports))]
        } else {
            processors
                .iter()
                .map(|s| {
                    let integration = match s.kind {
                        crate::model::SourceKind::KafkaStreams => "KAFKA_STREAMS",
                        crate::model::SourceKind::KsqlDb => "KSQLDB",
                        _ => "FLINK",
                    };
                    (s.name.clone(), integration, inputs(&s.reads))
                })
                .collect()
        };
        for (name, integration, inputs) in jobs {
            events.push(json!({
                "eventTime": time,
                "producer": PRODUCER,
                "schemaURL": RUN_EVENT,
                "eventType": "RUNNING",
                "run": {"runId": run_id(p, &name)},
                "job": {
                    "namespace": format!("meshdesk://{}", at.name),
                    "name": name,
                    "facets": {
                        "documentation": {"_producer": PRODUCER, "_schemaURL": DOCUMENTATION_FACET, "description": p.description},
                        "ownership": {
                            "_producer": PRODUCER,
                            "_schemaURL": OWNERSHIP_FACET,
                            "owners": p.owners.iter().map(|o| json!({"name": o.as_str(), "type": "OWNER"})).collect::<Vec<_>>(),
                        },
                        "jobType": {"_producer": PRODUCER, "_schemaURL": JOB_TYPE_FACET, "processingType": "STREAMING", "integration": integration, "jobType": "DATA_PRODUCT"},
                    },
                },
                "inputs": inputs,
                "outputs": outputs.clone(),
            }));
        }
    }
    events
}
