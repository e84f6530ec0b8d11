//! The data mesh's nouns: domains, data products and their output ports.

use crate::error::Invalid;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{DomainId, ProductId, TopicName};

/// A Kafka principal such as `User:alice`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Principal(String);

impl Principal {
    /// `Type:name`: the type ASCII letters, the name 1 to 255 ASCII letters, digits, `.`, `_`,
    /// `-` or `@`. No wildcards (`User:*` would grant everyone), no spaces, quotes or shell
    /// metacharacters, so a principal is safe to bind, to show and to print in a command.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
        match s.split_once(':') {
            Some((kind, name))
                if !kind.is_empty()
                    && kind.chars().all(|c| c.is_ascii_alphabetic())
                    && (1..=255).contains(&name.len())
                    && name.chars().all(safe) =>
            {
                Ok(Self(s.to_owned()))
            }
            Some((_, name)) if name.contains('*') => {
                Err(Invalid(format!("principal `{s}` is a wildcard: name one principal, e.g. `User:sales-app`")))
            }
            _ => Err(Invalid(format!(
                "principal `{s}` must look like `User:alice`: a type, a colon, and a name of letters, digits, `.`, `_`, `-` or `@`"
            ))),
        }
    }
    /// The principal as text, e.g. `User:alice`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Principal {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        Self::parse(&s)
    }
}
impl From<Principal> for String {
    fn from(p: Principal) -> String {
        p.0
    }
}
impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A business domain that owns data products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// The domain's id.
    pub id: DomainId,
    /// Its name for people.
    pub name: String,
    /// What the domain covers.
    pub description: String,
    /// The principals that own it.
    pub owners: Vec<Principal>,
    /// How to reach the owners.
    pub contact: String,
}

macro_rules! keyword_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $text)] $variant),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The keyword, as it is written on the wire and in files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = crate::error::Invalid;
            fn from_str(s: &str) -> Result<Self, crate::error::Invalid> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::error::Invalid(format!(
                        "`{other}` is not a valid {}; expected one of: {}",
                        stringify!($name),
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}

keyword_enum!(
    /// Who may see a product's data.
    Classification {
        /// The least sensitive: may be shared freely.
        Public => "public",
        /// For use inside the organisation.
        Internal => "internal",
        /// Sensitive: for those with a need to know.
        Confidential => "confidential",
        /// The most sensitive: access needs two owners' approvals.
        Restricted => "restricted",
    }
);

keyword_enum!(
    /// A product's lifecycle.
    ProductStatus {
        /// Not published yet.
        Draft => "draft",
        /// Published and in force.
        Published => "published",
        /// Still served, retired after its sunset date.
        Deprecated => "deprecated",
        /// Past its sunset.
        Retired => "retired",
    }
);

keyword_enum!(
    /// The Schema Registry's compatibility levels.
    CompatibilityLevel {
        /// No compatibility check.
        None => "NONE",
        /// New schemas read data written with the previous one.
        Backward => "BACKWARD",
        /// New schemas read data written with every earlier one.
        BackwardTransitive => "BACKWARD_TRANSITIVE",
        /// The previous schema reads data written with new ones.
        Forward => "FORWARD",
        /// Every earlier schema reads data written with new ones.
        ForwardTransitive => "FORWARD_TRANSITIVE",
        /// Both backward and forward with the previous schema.
        Full => "FULL",
        /// Both backward and forward with every earlier schema.
        FullTransitive => "FULL_TRANSITIVE",
    }
);

impl CompatibilityLevel {
    /// Whether records written with the new schema stay readable by consumers of older ones
    /// or vice versa at least as strictly as BACKWARD (the products' minimum).
    pub fn is_at_least_backward(self) -> bool {
        !matches!(self, Self::None | Self::Forward | Self::ForwardTransitive)
    }
}

keyword_enum!(
    /// The schema languages the registry speaks.
    SchemaFormat {
        /// Apache Avro.
        Avro => "AVRO",
        /// JSON Schema.
        Json => "JSON",
        /// Protocol Buffers.
        Protobuf => "PROTOBUF",
    }
);

keyword_enum!(
    /// A topic's `cleanup.policy`.
    CleanupPolicy {
        /// Old records are deleted after the retention time.
        Delete => "delete",
        /// Only the latest record of each key is kept.
        Compact => "compact",
        /// Compacted, and old records deleted after the retention time.
        CompactDelete => "compact,delete",
    }
);

/// A schema as the registry stores it, referenced from a port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaRef {
    /// The registry subject, e.g. `<topic>-value`.
    pub subject: String,
    /// The schema's language.
    pub format: SchemaFormat,
    /// The schema text, so the catalog can show fields offline.
    pub schema: String,
    /// The registry's id and the subject version, once registered.
    pub id: Option<u32>,
    /// The subject version, once registered.
    pub version: Option<u32>,
    /// The subject's compatibility level.
    pub compatibility: CompatibilityLevel,
}

/// One Kafka topic a product publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputPort {
    /// The topic.
    pub topic: TopicName,
    /// What the topic carries, for readers.
    pub description: String,
    /// The topic's partition count.
    pub partitions: i32,
    /// How many replicas each partition has.
    pub replication_factor: i32,
    /// `retention.ms`; -1 keeps records forever.
    pub retention_ms: i64,
    /// `cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// The record keys' schema, if any.
    pub key_schema: Option<SchemaRef>,
    /// The record values' schema, if any.
    pub value_schema: Option<SchemaRef>,
    /// A port on its way out: readers move to the successor before the sunset date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<PortDeprecation>,
}

/// Why and until when a port is kept, and which port replaces it (a breaking change's `-v2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortDeprecation {
    /// YYYY-MM-DD: the last day the port is kept.
    pub sunset: String,
    /// The port readers move to, if any.
    #[serde(default)]
    pub successor: Option<TopicName>,
    /// Why, for readers.
    #[serde(default)]
    pub reason: String,
}

impl OutputPort {
    /// The topic configs Meshdesk sets when it creates this port's topic.
    pub fn topic_configs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("retention.ms", self.retention_ms.to_string()),
            ("cleanup.policy", self.cleanup_policy.as_str().to_owned()),
        ]
    }
}

/// A data product: metadata, output ports with schemas, and (later) its contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataProduct {
    /// The product's id, `<domain>.<name>`.
    pub id: ProductId,
    /// The owning domain.
    pub domain: DomainId,
    /// The title for people.
    pub title: String,
    /// What the product holds.
    pub description: String,
    /// The principals that own it.
    pub owners: Vec<Principal>,
    /// Who may see its data.
    pub classification: Classification,
    /// Free tags, for search.
    pub tags: Vec<String>,
    /// Where it is in its lifecycle.
    pub status: ProductStatus,
    /// The product's version.
    pub version: String,
    /// The Kafka topics it publishes.
    pub output_ports: Vec<OutputPort>,
    /// Products this one is derived from (lineage).
    #[serde(default)]
    pub input_ports: Vec<ProductId>,
    /// The stream processors and connectors that make it (lineage beyond products).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The service levels the product promises.
    #[serde(default)]
    pub sla: Sla,
    /// The data contract beyond the schemas.
    #[serde(default)]
    pub contract: Contract,
    /// For a deprecated product: the date (YYYY-MM-DD) after which it is retired.
    #[serde(default)]
    pub sunset: Option<String>,
}

keyword_enum!(
    /// What kind of thing feeds a product.
    SourceKind {
        /// A Kafka Streams application.
        KafkaStreams => "kafka_streams",
        /// A ksqlDB query.
        KsqlDb => "ksqldb",
        /// An Apache Flink job.
        Flink => "flink",
        /// A Kafka Connect connector.
        KafkaConnect => "kafka_connect",
        /// An Apache NiFi flow.
        NiFi => "nifi",
    }
);

impl SchemaFormat {
    /// For people: `Avro`, `JSON Schema`, `Protobuf`.
    pub fn label(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "Avro",
            SchemaFormat::Json => "JSON Schema",
            SchemaFormat::Protobuf => "Protobuf",
        }
    }
}

impl SourceKind {
    /// For people: `Kafka Streams`, `ksqlDB`, ...
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::KafkaStreams => "Kafka Streams",
            SourceKind::KsqlDb => "ksqlDB",
            SourceKind::Flink => "Flink",
            SourceKind::KafkaConnect => "Kafka Connect",
            SourceKind::NiFi => "NiFi",
        }
    }

    /// Stream processors read products; connectors and flows bring data from other systems.
    pub fn is_processor(self) -> bool {
        matches!(self, SourceKind::KafkaStreams | SourceKind::KsqlDb | SourceKind::Flink)
    }
}

/// A stream processor or a connector that feeds a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// A processor or a connector, and which.
    pub kind: SourceKind,
    /// A Kafka Streams `application.id`, a ksqlDB query id, a Flink job name, a Kafka Connect
    /// connector name or a NiFi flow.
    pub name: String,
    /// For a connector or a flow: the system it reads, e.g. `postgres://crm/customers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// For a stream processor: the products it reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<ProductId>,
    /// The consumer group it reads with, when it is not the default for its kind (a Kafka
    /// Streams application's group is its `application.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Source {
    /// A source as the wizard takes it: a name of 1 to 249 characters without spaces (a group id
    /// or connector name), products to read for a stream processor, a system for a connector.
    pub fn validate(&self) -> Result<(), Invalid> {
        let what = self.kind.label();
        if self.name.is_empty()
            || self.name.len() > 249
            || self.name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Invalid(format!("a {what} needs a name of 1 to 249 characters without spaces")));
        }
        if self.kind.is_processor() && self.reads.is_empty() {
            return Err(Invalid(format!("a {what} processor reads at least one product")));
        }
        if !self.kind.is_processor() && self.system.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(Invalid(format!("a {what} source names the system it reads, e.g. postgres://crm/customers")));
        }
        Ok(())
    }

    /// The consumer group it reads the products with, if it reads any.
    pub fn consumer_group(&self) -> Option<String> {
        if !self.kind.is_processor() || self.reads.is_empty() {
            return None;
        }
        self.group.clone().or_else(|| match self.kind {
            SourceKind::KsqlDb => Some(format!("_confluent-ksql-default_query_{}", self.name)),
            _ => Some(self.name.clone()),
        })
    }
}

/// What the owning domain promises about a product's data. Absent values promise nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sla {
    /// The newest record is never older than this (ms) while the product is published.
    #[serde(default)]
    pub freshness_ms: Option<i64>,
    /// Availability in basis points: 9990 = 99.90%.
    #[serde(default)]
    pub availability_bp: Option<u32>,
    /// How long records are kept (ms; -1 = forever).
    #[serde(default)]
    pub retention_ms: Option<i64>,
}

/// The meaning of one schema field, as the data contract states it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSemantics {
    /// The field's dotted path in the value schema, e.g. `address.street`.
    pub path: String,
    /// What the field means.
    #[serde(default)]
    pub description: String,
    /// Its unit, e.g. `EUR` or `ms`.
    #[serde(default)]
    pub unit: Option<String>,
    /// An example value.
    #[serde(default)]
    pub example: Option<String>,
    /// Whether it holds personal data.
    #[serde(default)]
    pub pii: bool,
}

/// A quality expectation of the data contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expectation {
    /// The field is always present and not null.
    NotNull {
        /// The field's path.
        field: String,
    },
    /// The field's numeric value lies within the bounds (inclusive).
    Range {
        /// The field's path.
        field: String,
        /// The least value allowed.
        min: Option<i64>,
        /// The greatest value allowed.
        max: Option<i64>,
    },
    /// The field only takes one of these values.
    AllowedValues {
        /// The field's path.
        field: String,
        /// The values allowed.
        values: Vec<String>,
    },
    /// These fields identify a record: no two live records share them.
    UniqueKey {
        /// The fields' paths.
        fields: Vec<String>,
    },
    /// A new record arrives at least this often.
    Freshness {
        /// The longest time between records, in ms.
        max_age_ms: i64,
    },
}

impl Expectation {
    /// The expectation as a sentence, e.g. `quantity >= 0`.
    pub fn describe(&self) -> String {
        match self {
            Expectation::NotNull { field } => format!("{field} is never null"),
            Expectation::Range { field, min: Some(a), max: Some(b) } => format!("{a} <= {field} <= {b}"),
            Expectation::Range { field, min: Some(a), max: None } => format!("{field} >= {a}"),
            Expectation::Range { field, min: None, max: Some(b) } => format!("{field} <= {b}"),
            Expectation::Range { field, min: None, max: None } => format!("{field} is a number"),
            Expectation::AllowedValues { field, values } => format!("{field} is one of {}", values.join(", ")),
            Expectation::UniqueKey { fields } => format!("{} identifies a record", fields.join(" + ")),
            Expectation::Freshness { max_age_ms } => {
                format!("a new record at least every {} s", max_age_ms / 1000)
            }
        }
    }

    /// The expectation a sentence of [`Expectation::describe`] states, read back (imports of
    /// exported contracts); `None` for any other text.
    pub fn from_description(text: &str) -> Option<Self> {
        let t = text.trim();
        let field = |f: &str| {
            let f = f.trim();
            (!f.is_empty() && !f.contains(' ')).then(|| f.to_owned())
        };
        if let Some(f) = t.strip_suffix(" is never null") {
            return Some(Self::NotNull { field: field(f)? });
        }
        if let Some(f) = t.strip_suffix(" is a number") {
            return Some(Self::Range { field: field(f)?, min: None, max: None });
        }
        if let Some(fs) = t.strip_suffix(" identifies a record") {
            let fields: Option<Vec<String>> = fs.split(" + ").map(field).collect();
            return Some(Self::UniqueKey { fields: fields? });
        }
        if let Some(s) = t.strip_prefix("a new record at least every ").and_then(|r| r.strip_suffix(" s")) {
            return Some(Self::Freshness { max_age_ms: s.trim().parse::<i64>().ok()?.checked_mul(1000)? });
        }
        if let Some((f, values)) = t.split_once(" is one of ") {
            return Some(Self::AllowedValues {
                field: field(f)?,
                values: values.split(", ").map(str::to_owned).collect(),
            });
        }
        let parts: Vec<&str> = t.split(" <= ").collect();
        match parts.as_slice() {
            [a, f, b] => {
                return Some(Self::Range {
                    field: field(f)?,
                    min: Some(a.trim().parse().ok()?),
                    max: Some(b.trim().parse().ok()?),
                });
            }
            [f, b] => return Some(Self::Range { field: field(f)?, min: None, max: Some(b.trim().parse().ok()?) }),
            _ => {}
        }
        let (f, a) = t.split_once(" >= ")?;
        Some(Self::Range { field: field(f)?, min: Some(a.trim().parse().ok()?), max: None })
    }
}

/// The data contract beyond the schema: field semantics, quality expectations and terms of use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// The meaning of the schema's fields.
    #[serde(default)]
    pub fields: Vec<FieldSemantics>,
    /// The quality expectations.
    #[serde(default)]
    pub quality: Vec<Expectation>,
    /// How readers may use the data.
    #[serde(default)]
    pub terms_of_use: String,
}

impl DataProduct {
    /// A product with nothing but its identity (internal, version 1.0.0, no ports), for the
    /// wizard and imports to fill in.
    pub fn blank(id: ProductId, domain: DomainId) -> Self {
        DataProduct {
            id,
            domain,
            title: String::new(),
            description: String::new(),
            owners: vec![],
            classification: Classification::Internal,
            tags: vec![],
            status: ProductStatus::Published,
            version: "1.0.0".into(),
            output_ports: vec![],
            input_ports: vec![],
            sources: vec![],
            sla: Sla::default(),
            contract: Contract::default(),
            sunset: None,
        }
    }

    /// The dotted paths of the fields that hold personal data: flagged in the contract, or
    /// (where the contract says nothing about a field) named like personal data or documented
    /// as "PII" in the schema.
    pub fn pii_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = self.contract.fields.iter().filter(|f| f.pii).map(|f| f.path.clone()).collect();
        let stated: std::collections::HashSet<&str> = self.contract.fields.iter().map(|f| f.path.as_str()).collect();
        for port in &self.output_ports {
            for s in port.value_schema.iter().chain(port.key_schema.iter()) {
                if s.format != SchemaFormat::Avro {
                    continue;
                }
                if let Ok(schema) = crate::schema::AvroSchema::parse(&s.schema) {
                    for (path, doc) in schema.field_paths() {
                        let name = path.rsplit('.').next().unwrap_or(&path);
                        let looks = looks_like_pii(name) || doc.as_deref().is_some_and(|d| d.contains("PII"));
                        if looks && !stated.contains(path.as_str()) && !out.contains(&path) {
                            out.push(path);
                        }
                    }
                }
            }
        }
        out.sort();
        // A masked parent masks its children: keep the parents only (each path's parents looked
        // up by its dotted prefixes, so this stays linear in the paths).
        let all: std::collections::HashSet<String> = out.iter().cloned().collect();
        out.retain(|p| !p.match_indices('.').any(|(i, _)| all.contains(&p[..i])));
        out
    }
}

/// The text that replaces a masked value in samples.
pub const MASK: &str = "••• masked (PII)";

/// Whether a dotted `path` is matched by `pattern`, whose `*` segments (a map's values)
/// match any one segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut q) = (pattern.split('.'), path.split('.'));
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// Replaces, in a decoded record, every value at one of `paths` (dotted; arrays are passed
/// through; `*` stands for any map key) with [`MASK`]. Returns how many values were masked.
pub fn mask_pii(value: &mut serde_json::Value, paths: &[String]) -> usize {
    fn walk(v: &mut serde_json::Value, prefix: &str, paths: &[String]) -> usize {
        match v {
            serde_json::Value::Object(map) => {
                let mut n = 0;
                for (k, child) in map.iter_mut() {
                    let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    if paths.iter().any(|p| path_matches(p, &path)) {
                        if !child.is_null() {
                            *child = serde_json::Value::String(MASK.into());
                            n += 1;
                        }
                    } else {
                        n += walk(child, &path, paths);
                    }
                }
                n
            }
            serde_json::Value::Array(items) => items.iter_mut().map(|i| walk(i, prefix, paths)).sum(),
            _ => 0,
        }
    }
    walk(value, "", paths)
}

/// Whether a field name suggests personal data (email, phone, address, names, birth dates,
/// national ids, bank accounts), to flag it as PII until its owner says otherwise.
pub fn looks_like_pii(field: &str) -> bool {
    let n: String = field.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    const HINTS: &[&str] = &[
        "email",
        "phone",
        "mobile",
        "address",
        "street",
        "postcode",
        "postalcode",
        "zipcode",
        "birth",
        "dob",
        "ssn",
        "socialsecurity",
        "passport",
        "iban",
        "creditcard",
        "cardnumber",
        "firstname",
        "lastname",
        "fullname",
        "surname",
    ];
    n == "name" || HINTS.iter().any(|h| n.contains(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_recognised_by_field_name() {
        for pii in ["email", "phoneNumber", "address", "name", "birth_date", "dateOfBirth", "ssn", "IBAN", "lastName"] {
            assert!(looks_like_pii(pii), "{pii}");
        }
        for not in ["productId", "quantity", "orderDate", "locationId", "productName", "totalAmount"] {
            assert!(!looks_like_pii(not), "{not}");
        }
    }

    #[test]
    fn pii_fields_come_from_the_contract_or_the_schema_and_are_masked_in_samples() {
        let profiles = crate::seed::products().remove(2);
        assert_eq!(profiles.pii_paths(), ["address", "email", "name", "phoneNumber"]);
        let mut record = serde_json::json!({
            "customerId": "C-1", "name": "Ada", "email": "ada@example.org", "phoneNumber": null,
            "address": {"street": "Main St 1", "city": "Berlin", "postalCode": "10115", "country": "DE"}
        });
        assert_eq!(mask_pii(&mut record, &profiles.pii_paths()), 3, "null stays null");
        assert_eq!(record["customerId"], "C-1");
        assert_eq!(record["name"], MASK);
        assert_eq!(record["address"], MASK, "a masked record is masked whole");
        // Nested paths inside arrays.
        let mut order = serde_json::json!({"lines": [{"email": "a@b.c", "sku": "1"}, {"email": "d@e.f", "sku": "2"}]});
        assert_eq!(mask_pii(&mut order, &["lines.email".to_owned()]), 2);
        assert_eq!(order["lines"][1]["sku"], "2");
        // The schema alone flags names that look personal when the contract says nothing.
        assert_eq!(crate::seed::products()[0].pii_paths(), Vec::<String>::new());
    }

    #[test]
    fn a_reused_record_type_and_map_values_are_masked_everywhere() {
        // Verifies masking follows the schema: a named record used by two fields (billTo, then shipTo) has its personal fields found and masked under both, and a map's values (contacts, any key) are masked too.
        let mut p = crate::seed::products().remove(2);
        p.contract.fields.clear();
        p.output_ports[0].value_schema.as_mut().unwrap().schema = r#"{"type":"record","name":"Order","fields":[
            {"name":"orderId","type":"string"},
            {"name":"billTo","type":{"type":"record","name":"Party","fields":[{"name":"email","type":"string"},{"name":"city","type":"string"}]}},
            {"name":"shipTo","type":"Party"},
            {"name":"contacts","type":{"type":"map","values":{"type":"record","name":"Contact","fields":[{"name":"phone","type":"string"},{"name":"role","type":"string"}]}}}]}"#
            .into();
        assert_eq!(p.pii_paths(), ["billTo.email", "contacts.*.phone", "shipTo.email"]);
        let mut record = serde_json::json!({
            "orderId": "O-1",
            "billTo": {"email": "ada@example.org", "city": "Berlin"},
            "shipTo": {"email": "bob@example.org", "city": "Paris"},
            "contacts": {"buyer": {"phone": "+49 30 1", "role": "buyer"}, "courier": {"phone": "+33 1 2", "role": "courier"}}
        });
        assert_eq!(mask_pii(&mut record, &p.pii_paths()), 4);
        assert_eq!(record["shipTo"]["email"], MASK);
        assert_eq!(record["shipTo"]["city"], "Paris");
        assert_eq!(record["contacts"]["courier"]["phone"], MASK);
        assert_eq!(record["contacts"]["courier"]["role"], "courier");
    }

    #[test]
    fn principals_need_a_type_and_a_name() {
        assert!(Principal::parse("User:alice").is_ok());
        assert!(Principal::parse("alice").is_err());
        assert!(Principal::parse("User:").is_err());
        assert!(Principal::parse(":alice").is_err());
        assert!(Principal::parse("User:al ice").is_err());
    }

    #[test]
    fn keywords_parse_and_print_as_kafka_and_the_registry_spell_them() {
        assert_eq!("BACKWARD_TRANSITIVE".parse::<CompatibilityLevel>(), Ok(CompatibilityLevel::BackwardTransitive));
        assert_eq!(CompatibilityLevel::FullTransitive.to_string(), "FULL_TRANSITIVE");
        assert_eq!(serde_json::to_string(&Classification::Restricted).unwrap(), "\"restricted\"");
        assert_eq!(CleanupPolicy::CompactDelete.as_str(), "compact,delete");
        let err = "secret".parse::<Classification>().unwrap_err();
        assert!(err.to_string().contains("public, internal, confidential, restricted"), "{err}");
    }

    #[test]
    fn only_backward_or_stricter_levels_count_as_backward() {
        use CompatibilityLevel::*;
        let ok: Vec<_> = CompatibilityLevel::ALL.iter().copied().filter(|l| l.is_at_least_backward()).collect();
        assert_eq!(ok, vec![Backward, BackwardTransitive, Full, FullTransitive]);
    }
}
