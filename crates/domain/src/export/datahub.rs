//! The catalog as DataHub metadata change proposals: the JSON file `datahub ingest` reads
//! (a list of `{entityType, entityUrn, changeType, aspectName, aspect: {json}}`). Each output
//! port is a Kafka dataset with its properties, schema (fields and the schema text), owners,
//! tags (PII fields and the product's tags), domain and upstream lineage from the product's
//! inputs; each domain a DataHub domain; each product a DataHub data product holding its
//! datasets.

use serde_json::{Value, json};

use super::Endpoints;
use super::fields::{Field, FieldKind, port_fields};
use crate::model::{DataProduct, Domain, OutputPort, Principal, SchemaFormat, SchemaRef};

/// DataHub's environment (fabric) for an environment name.
fn fabric(env: &str) -> &'static str {
    match env.to_ascii_lowercase().as_str() {
        "dev" | "development" => "DEV",
        "test" | "testing" => "TEST",
        "qa" => "QA",
        "staging" | "stage" | "stg" => "STG",
        "sandbox" => "SANDBOX",
        _ => "PROD",
    }
}

/// The dataset URN of a Kafka topic.
pub fn dataset_urn(topic: &str, env: &str) -> String {
    format!("urn:li:dataset:(urn:li:dataPlatform:kafka,{topic},{})", fabric(env))
}

fn corpuser(p: &Principal) -> String {
    let name = p.as_str().split_once(':').map(|(_, n)| n).unwrap_or(p.as_str());
    format!("urn:li:corpuser:{name}")
}

fn tag_urn(tag: &str) -> String {
    let safe: String =
        tag.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    format!("urn:li:tag:{safe}")
}

fn mcp(entity_type: &str, urn: &str, aspect: &str, value: Value) -> Value {
    json!({
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect,
        "aspect": {"json": value},
    })
}

/// DataHub's schema field type for a field kind.
fn field_type(kind: FieldKind) -> Value {
    let name = match kind {
        FieldKind::String => "StringType",
        FieldKind::Number => "NumberType",
        FieldKind::Boolean => "BooleanType",
        FieldKind::Bytes => "BytesType",
        FieldKind::Date => "DateType",
        FieldKind::Time => "TimeType",
        FieldKind::Enum => "EnumType",
        FieldKind::Array => "ArrayType",
        FieldKind::Map => "MapType",
        FieldKind::Record => "RecordType",
        FieldKind::Union => "UnionType",
        FieldKind::Null => "NullType",
    };
    let mut inner = json!({});
    if kind == FieldKind::Array {
        inner = json!({"nestedType": []});
    }
    json!({"type": {format!("com.linkedin.schema.{name}"): inner}})
}

fn stamp() -> Value {
    json!({"time": 0, "actor": "urn:li:corpuser:datahub"})
}

/// The `domainProperties` proposal of a product's domain, named from `domains` when listed there.
fn domain_mcp(p: &DataProduct, domains: &[Domain], domain_urn: &str) -> Value {
    let d = domains.iter().find(|d| d.id == p.domain);
    mcp(
        "domain",
        domain_urn,
        "domainProperties",
        json!({
            "name": d.map(|d| d.name.clone()).unwrap_or_else(|| p.domain.to_string()),
            "description": d.map(|d| d.description.clone()).unwrap_or_default(),
        }),
    )
}

/// The upstream lineage entries of a product: the datasets of its inputs and its sources' reads.
fn upstreams(p: &DataProduct, catalog: &[DataProduct], env: &str) -> Vec<Value> {
    let mut inputs = p.input_ports.clone();
    for s in &p.sources {
        inputs.extend(s.reads.iter().filter(|r| !inputs.contains(r)).cloned().collect::<Vec<_>>());
    }
    inputs
        .iter()
        .filter_map(|id| catalog.iter().find(|c| c.id == *id))
        .flat_map(|input| input.output_ports.iter())
        .map(|port| json!({"auditStamp": stamp(), "dataset": dataset_urn(port.topic.as_str(), env), "type": "TRANSFORMED"}))
        .collect()
}

/// The `datasetProperties` aspect of an output port's dataset.
fn dataset_properties(p: &DataProduct, port: &OutputPort, at: &Endpoints) -> Value {
    json!({
        "name": port.topic.as_str(),
        "description": port.description,
        "customProperties": {
            "meshdesk.product": p.id.as_str(),
            "meshdesk.classification": p.classification.as_str(),
            "meshdesk.status": p.status.as_str(),
            "partitions": port.partitions.to_string(),
            "replication.factor": port.replication_factor.to_string(),
            "retention.ms": port.retention_ms.to_string(),
            "cleanup.policy": port.cleanup_policy.as_str(),
            "bootstrap.servers": at.bootstrap_servers,
        },
        "tags": [],
    })
}

/// A DataHub schema field, described from the contract (or the schema's doc) and tagged when PII.
fn schema_field(p: &DataProduct, pii: &[String], f: Field) -> Value {
    let mut v = json!({
        "fieldPath": f.path,
        "nullable": f.nullable,
        "type": field_type(f.kind),
        "nativeDataType": f.native,
        "recursive": false,
        "isPartOfKey": false,
    });
    let stated = p.contract.fields.iter().find(|c| c.path == f.path).map(|c| c.description.clone());
    if let Some(d) = stated.filter(|d| !d.is_empty()).or(f.doc) {
        v["description"] = json!(d);
    }
    if pii.contains(&f.path) {
        v["globalTags"] = json!({"tags": [{"tag": tag_urn("pii")}]});
    }
    v
}

/// The `schemaMetadata` aspect of an output port's dataset with value schema `s`.
fn schema_metadata(p: &DataProduct, port: &OutputPort, s: &SchemaRef, pii: &[String]) -> Value {
    let fields: Vec<Value> = port_fields(port).into_iter().map(|f| schema_field(p, pii, f)).collect();
    let schema_type = match s.format {
        SchemaFormat::Avro => "AVRO",
        SchemaFormat::Json => "JSON",
        SchemaFormat::Protobuf => "PROTOBUF",
    };
    json!({
        "schemaName": s.subject,
        "platform": "urn:li:dataPlatform:kafka",
        "version": s.version.unwrap_or(0),
        "created": stamp(),
        "lastModified": stamp(),
        "hash": "",
        "platformSchema": {"com.linkedin.schema.KafkaSchema": {"documentSchema": s.schema, "documentSchemaType": schema_type}},
        "fields": fields,
    })
}

/// Metadata change proposals for `products` (inputs are looked up in `catalog`), their domains
/// (named from `domains`) and their datasets.
pub fn datahub_mcps(products: &[DataProduct], catalog: &[DataProduct], domains: &[Domain], at: &Endpoints) -> Value {
    let env = at.name.as_str();
    let mut out = Vec::new();
    let mut seen_domains = Vec::new();
    for p in products {
        let domain_urn = format!("urn:li:domain:{}", p.domain);
        if !seen_domains.contains(&domain_urn) {
            seen_domains.push(domain_urn.clone());
            out.push(domain_mcp(p, domains, &domain_urn));
        }
        let ownership = json!({
            "owners": p.owners.iter().map(|o| json!({"owner": corpuser(o), "type": "DATAOWNER"})).collect::<Vec<_>>(),
            "lastModified": stamp(),
        });
        let upstreams = upstreams(p, catalog, env);
        let pii = p.pii_paths();
        let mut assets = Vec::new();
        for port in &p.output_ports {
            let urn = dataset_urn(port.topic.as_str(), env);
            assets.push(json!({"destinationUrn": urn}));
            out.push(mcp("dataset", &urn, "datasetProperties", dataset_properties(p, port, at)));
            if let Some(s) = &port.value_schema {
                out.push(mcp("dataset", &urn, "schemaMetadata", schema_metadata(p, port, s, &pii)));
            }
            out.push(mcp("dataset", &urn, "ownership", ownership.clone()));
            let mut tags: Vec<Value> = p.tags.iter().map(|t| json!({"tag": tag_urn(t)})).collect();
            if !pii.is_empty() {
                tags.push(json!({"tag": tag_urn("pii")}));
            }
            out.push(mcp("dataset", &urn, "globalTags", json!({"tags": tags})));
            out.push(mcp("dataset", &urn, "domains", json!({"domains": [domain_urn]})));
            if !upstreams.is_empty() {
                out.push(mcp("dataset", &urn, "upstreamLineage", json!({"upstreams": upstreams})));
            }
        }
        let product_urn = format!("urn:li:dataProduct:{}", p.id);
        out.push(mcp(
            "dataProduct",
            &product_urn,
            "dataProductProperties",
            json!({
                "name": p.title,
                "description": p.description,
                "assets": assets,
                "customProperties": {"meshdesk.version": p.version, "meshdesk.classification": p.classification.as_str()},
            }),
        ));
        out.push(mcp("dataProduct", &product_urn, "domains", json!({"domains": [domain_urn]})));
        out.push(mcp("dataProduct", &product_urn, "ownership", ownership));
    }
    Value::Array(out)
}
