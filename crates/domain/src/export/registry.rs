//! The data contract as the Schema Registry carries it, so serializers and catalogs see it
//! without Meshdesk: the owners, contact and product in the schema's `metadata.properties`, the
//! personal-data fields in `metadata.tags` (`"<record>.<field>": ["PII"]`), and the quality
//! expectations a single record can break as `ruleSet.domainRules` of type CEL (Confluent's data
//! contract rules, run by its serializers on write). Expectations about many records (unique
//! keys, freshness) are no record rule and stay Meshdesk's to measure.

use serde_json::{Map, Value, json};

use crate::model::{DataProduct, Expectation, SchemaFormat, SchemaRef};
use crate::schema::AvroSchema;
use crate::schema::avro::{AvroType, NamedKind};

/// What a schema registration carries besides the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryContract {
    /// The version's `metadata`: the product's properties and PII tags.
    pub metadata: Value,
    /// The version's `ruleSet`, when the contract has rules the registry can run.
    pub rule_set: Option<Value>,
}

/// The product's contract for one of its schemas. `contact` is the owning domain's.
pub fn registry_contract(p: &DataProduct, s: &SchemaRef, contact: Option<&str>) -> RegistryContract {
    let mut properties = Map::new();
    if let Some(first) = p.owners.first() {
        properties.insert("owner".into(), json!(first.as_str()));
    }
    properties.insert("owners".into(), json!(p.owners.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(",")));
    if let Some(c) = contact.filter(|c| !c.trim().is_empty()) {
        properties.insert("contact".into(), json!(c));
    }
    properties.insert("meshdesk.product".into(), json!(p.id.as_str()));
    properties.insert("meshdesk.domain".into(), json!(p.domain.as_str()));
    properties.insert("meshdesk.classification".into(), json!(p.classification.as_str()));

    let avro = (s.format == SchemaFormat::Avro).then(|| AvroSchema::parse(&s.schema).ok()).flatten();
    let mut tags = Map::new();
    for path in p.pii_paths() {
        let key = match avro.as_ref().and_then(|a| locate(a, &path)) {
            Some(at) => format!("{}.{}", at.record, at.name),
            None if avro.is_some() => continue,
            None => format!("**.{}", path.rsplit('.').next().unwrap_or(&path)),
        };
        tags.insert(key, json!(["PII"]));
    }
    let mut metadata = json!({ "properties": properties });
    if !tags.is_empty() {
        metadata["tags"] = Value::Object(tags);
    }

    let rules: Vec<Value> = match &avro {
        Some(a) => p.contract.quality.iter().filter_map(|e| rule(a, e)).collect(),
        None => Vec::new(),
    };
    let rule_set = (!rules.is_empty()).then(|| json!({ "domainRules": rules }));
    RegistryContract { metadata, rule_set }
}

/// The CEL condition an expectation states about one record (`message` is the record), or
/// `None` for expectations about many records or fields this schema lacks.
pub fn cel_condition(schema: &AvroSchema, e: &Expectation) -> Option<String> {
    let (field, body) = match e {
        Expectation::NotNull { field } => {
            locate(schema, field)?;
            (field, format!("{} != null", access(field)))
        }
        Expectation::Range { field, min, max } => {
            let at = locate(schema, field)?;
            let real = matches!(at.base, AvroType::Float | AvroType::Double);
            if !matches!(at.base, AvroType::Int | AvroType::Long | AvroType::Float | AvroType::Double) {
                return None;
            }
            let lit = |n: i64| if real { format!("{n}.0") } else { n.to_string() };
            let x = access(field);
            let mut parts = Vec::new();
            if let Some(a) = min {
                parts.push(format!("{x} >= {}", lit(*a)));
            }
            if let Some(b) = max {
                parts.push(format!("{x} <= {}", lit(*b)));
            }
            if parts.is_empty() {
                return None;
            }
            (field, parts.join(" && "))
        }
        Expectation::AllowedValues { field, values } => {
            let at = locate(schema, field)?;
            let items: Option<Vec<String>> = match at.base {
                AvroType::Int | AvroType::Long => {
                    values.iter().map(|v| v.trim().parse::<i64>().ok().map(|n| n.to_string())).collect()
                }
                AvroType::String => Some(values.iter().map(|v| Value::String(v.clone()).to_string()).collect()),
                AvroType::Named(i) if matches!(schema.named[*i].kind, NamedKind::Enum { .. }) => {
                    Some(values.iter().map(|v| Value::String(v.clone()).to_string()).collect())
                }
                _ => None,
            };
            (field, format!("{} in [{}]", access(field), items?.join(", ")))
        }
        Expectation::UniqueKey { .. } | Expectation::Freshness { .. } => return None,
    };
    // An optional field (or one inside an optional record) that is absent passes, but for
    // "not null", which is about exactly that.
    let at = locate(schema, field)?;
    let mut guards: Vec<String> = at.optional_prefixes.iter().map(|p| format!("{} == null", access(p))).collect();
    if at.optional && !matches!(e, Expectation::NotNull { .. }) {
        guards.push(format!("{} == null", access(field)));
    }
    Some(if guards.is_empty() { body } else { format!("{} || {body}", guards.join(" || ")) })
}

fn rule(schema: &AvroSchema, e: &Expectation) -> Option<Value> {
    let expr = cel_condition(schema, e)?;
    let (kind, field) = match e {
        Expectation::NotNull { field } => ("not-null", field),
        Expectation::Range { field, .. } => ("range", field),
        Expectation::AllowedValues { field, .. } => ("allowed-values", field),
        _ => return None,
    };
    Some(json!({
        "name": format!("meshdesk.{kind}.{field}"),
        "doc": e.describe(),
        "kind": "CONDITION",
        "mode": "WRITE",
        "type": "CEL",
        "expr": expr,
        "onFailure": "ERROR",
    }))
}

/// Where a dotted field path leads in an Avro schema.
pub(crate) struct At<'a> {
    /// The full name of the record holding the last field.
    record: String,
    name: String,
    /// The field's type without `null` and logical annotations.
    base: &'a AvroType,
    /// The field itself may be null.
    optional: bool,
    /// Paths of the optional records above it.
    optional_prefixes: Vec<String>,
    /// The field's declared default.
    pub(crate) default: Option<&'a serde_json::Value>,
}

pub(crate) fn locate<'a>(schema: &'a AvroSchema, path: &str) -> Option<At<'a>> {
    let mut ty = &schema.root;
    let mut out: Option<At<'a>> = None;
    let mut prefixes = Vec::new();
    let mut walked = String::new();
    for segment in path.split('.') {
        let (record, optional_above) = unwrap(ty);
        let AvroType::Named(i) = record else { return None };
        if optional_above && !walked.is_empty() {
            prefixes.push(walked.clone());
        }
        let named = &schema.named[*i];
        let NamedKind::Record { fields } = &named.kind else { return None };
        let field = fields.iter().find(|f| f.name == segment)?;
        let (base, optional) = unwrap(&field.ty);
        out = Some(At {
            record: named.fullname.clone(),
            name: field.name.clone(),
            base,
            optional,
            optional_prefixes: prefixes.clone(),
            default: field.default.as_ref(),
        });
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(segment);
        ty = &field.ty;
    }
    out
}

/// A type without its `null` branch (the one other branch of an optional) and its logical
/// annotation; whether `null` was there.
fn unwrap(t: &AvroType) -> (&AvroType, bool) {
    match t {
        AvroType::Union(b) => {
            let rest: Vec<&AvroType> = b.iter().filter(|x| !matches!(x, AvroType::Null)).collect();
            match rest.as_slice() {
                [one] => (unwrap(one).0, rest.len() < b.len()),
                _ => (t, rest.len() < b.len()),
            }
        }
        AvroType::Logical(base, _) => unwrap(base),
        _ => (t, false),
    }
}

const RESERVED: &[&str] = &[
    "as",
    "break",
    "const",
    "continue",
    "else",
    "false",
    "for",
    "function",
    "if",
    "import",
    "in",
    "let",
    "loop",
    "package",
    "namespace",
    "null",
    "return",
    "true",
    "var",
    "void",
    "while",
];

/// `message.a.b`, with `message["in"]` for a segment CEL reserves.
fn access(path: &str) -> String {
    let mut out = String::from("message");
    for s in path.split('.') {
        if RESERVED.contains(&s) {
            out.push_str(&format!("[{}]", Value::String(s.to_owned())));
        } else {
            out.push('.');
            out.push_str(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn stock_levels_carries_its_owners_pii_and_quantity_rule() {
        // Verifies the seeded Stock levels product's registry contract: owners and product id as properties, the quality expectations a record can break as CEL rules (quantity >= 0, productId not null), and none for unique keys or freshness.
        let products = seed::products();
        let p = products.iter().find(|p| p.id.as_str() == "inventory.stock-levels").expect("seeded");
        let s = p.output_ports[0].value_schema.as_ref().expect("a value schema");
        let c = registry_contract(p, s, Some("inventory@example.com"));
        assert_eq!(c.metadata["properties"]["meshdesk.product"], "inventory.stock-levels");
        assert_eq!(c.metadata["properties"]["contact"], "inventory@example.com");
        assert!(c.metadata["properties"]["owners"].as_str().unwrap().contains("User:"));
        let rules = c.rule_set.expect("rules")["domainRules"].as_array().unwrap().clone();
        let exprs: Vec<&str> = rules.iter().map(|r| r["expr"].as_str().unwrap()).collect();
        assert!(exprs.contains(&"message.quantity >= 0"), "{exprs:?}");
        assert!(exprs.contains(&"message.productId != null"), "{exprs:?}");
        assert_eq!(rules.len(), 2, "unique keys and freshness are not record rules: {exprs:?}");
        assert!(rules.iter().all(|r| r["type"] == "CEL" && r["kind"] == "CONDITION" && r["mode"] == "WRITE"));
    }

    #[test]
    fn optional_and_nested_fields_are_guarded_and_pii_is_tagged_by_record() {
        // Verifies that a range on an optional field passes when it is absent, a field inside an optional record is guarded by that record, allowed values become a CEL list of the field's type, a reserved word is indexed, and an absent field yields no rule.
        let schema = AvroSchema::parse(
            r#"{"type":"record","name":"Order","namespace":"sales","fields":[
                {"name":"discount","type":["null","double"],"default":null},
                {"name":"in","type":"int"},
                {"name":"status","type":{"type":"enum","name":"S","symbols":["OPEN","DONE"]}},
                {"name":"shipTo","type":["null",{"type":"record","name":"Address","fields":[{"name":"zip","type":"int"},{"name":"email","type":"string"}]}],"default":null}]}"#,
        )
        .unwrap();
        let range = |f: &str| Expectation::Range { field: f.into(), min: Some(0), max: Some(100) };
        assert_eq!(
            cel_condition(&schema, &range("discount")).unwrap(),
            "message.discount == null || message.discount >= 0.0 && message.discount <= 100.0"
        );
        assert_eq!(cel_condition(&schema, &range("in")).unwrap(), r#"message["in"] >= 0 && message["in"] <= 100"#);
        assert_eq!(
            cel_condition(&schema, &range("shipTo.zip")).unwrap(),
            "message.shipTo == null || message.shipTo.zip >= 0 && message.shipTo.zip <= 100"
        );
        let allowed = Expectation::AllowedValues { field: "status".into(), values: vec!["OPEN".into(), "DONE".into()] };
        assert_eq!(cel_condition(&schema, &allowed).unwrap(), r#"message.status in ["OPEN", "DONE"]"#);
        assert_eq!(cel_condition(&schema, &range("missing")), None);
        assert_eq!(cel_condition(&schema, &range("status")), None, "a range on an enum is no rule");
    }
}
