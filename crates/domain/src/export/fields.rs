//! A port's top-level fields as catalogs list them: path, native type, kind, nullability and
//! documentation, read from its Avro or JSON Schema value schema (Protobuf ports list none).

use serde_json::Value;

use crate::model::{OutputPort, SchemaFormat};

/// What kind of value a field holds, in the catalogs' common vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text.
    String,
    /// An integer or a floating-point number.
    Number,
    /// True or false.
    Boolean,
    /// Raw bytes (Avro `bytes` or `fixed`).
    Bytes,
    /// A calendar date.
    Date,
    /// A time or a timestamp.
    Time,
    /// One of a set of symbols.
    Enum,
    /// A list of values.
    Array,
    /// A map from strings to values.
    Map,
    /// A nested record or object.
    Record,
    /// One of several types.
    Union,
    /// No value, or a type not recognised.
    Null,
}

/// One top-level field of a port's value schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's name.
    pub path: String,
    /// The type as the schema writes it, e.g. `long`, `timestamp-millis`, `Address`.
    pub native: String,
    /// Its kind in the catalogs' vocabulary.
    pub kind: FieldKind,
    /// Whether it may be null.
    pub nullable: bool,
    /// Its documentation in the schema.
    pub doc: Option<String>,
}

fn avro_kind(t: &Value) -> (FieldKind, String, bool) {
    match t {
        Value::String(s) => {
            let kind = match s.as_str() {
                "string" => FieldKind::String,
                "int" | "long" | "float" | "double" => FieldKind::Number,
                "boolean" => FieldKind::Boolean,
                "bytes" => FieldKind::Bytes,
                "null" => FieldKind::Null,
                // A named type defined elsewhere in the schema.
                _ => FieldKind::Record,
            };
            (kind, s.clone(), false)
        }
        Value::Array(members) => {
            let nullable = members.iter().any(|m| m == "null");
            let rest: Vec<&Value> = members.iter().filter(|m| *m != "null").collect();
            match rest.as_slice() {
                [one] => {
                    let (k, native, _) = avro_kind(one);
                    (k, native, nullable)
                }
                _ => {
                    let names: Vec<String> = rest.iter().map(|m| avro_kind(m).1).collect();
                    (FieldKind::Union, names.join(" | "), nullable)
                }
            }
        }
        Value::Object(o) => {
            let ty = o.get("type").and_then(Value::as_str).unwrap_or("record");
            match o.get("logicalType").and_then(Value::as_str) {
                Some(l @ "date") => (FieldKind::Date, l.to_owned(), false),
                Some(l) if l.starts_with("timestamp") || l.starts_with("time") || l.starts_with("local-timestamp") => {
                    (FieldKind::Time, l.to_owned(), false)
                }
                Some(l @ "decimal") => (FieldKind::Number, l.to_owned(), false),
                Some(l @ "uuid") => (FieldKind::String, l.to_owned(), false),
                _ => {
                    let kind = match ty {
                        "array" => FieldKind::Array,
                        "map" => FieldKind::Map,
                        "enum" => FieldKind::Enum,
                        "fixed" => FieldKind::Bytes,
                        "record" | "error" => FieldKind::Record,
                        other => return avro_kind(&Value::String(other.to_owned())),
                    };
                    let native = o.get("name").and_then(Value::as_str).unwrap_or(ty).to_owned();
                    (kind, native, false)
                }
            }
        }
        _ => (FieldKind::Null, "unknown".into(), true),
    }
}

fn json_kind(s: &Value) -> (FieldKind, String, bool) {
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let nullable = types.contains(&"null");
    let rest: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    let native = if rest.is_empty() { "any".to_owned() } else { rest.join(" | ") };
    let kind = match (rest.as_slice(), s.get("format").and_then(Value::as_str)) {
        (_, _) if s.get("enum").is_some() => FieldKind::Enum,
        (["string"], Some("date")) => FieldKind::Date,
        (["string"], Some("date-time" | "time")) => FieldKind::Time,
        (["string"], _) => FieldKind::String,
        (["integer" | "number"], _) => FieldKind::Number,
        (["boolean"], _) => FieldKind::Boolean,
        (["array"], _) => FieldKind::Array,
        (["object"], _) => FieldKind::Record,
        (["null"] | [], _) => FieldKind::Union,
        _ => FieldKind::Union,
    };
    (kind, native, nullable)
}

/// The value schema's top-level fields, in schema order.
pub fn port_fields(port: &OutputPort) -> Vec<Field> {
    let Some(schema) = &port.value_schema else { return vec![] };
    let Ok(doc) = serde_json::from_str::<Value>(&schema.schema) else { return vec![] };
    match schema.format {
        SchemaFormat::Avro => doc["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let path = f["name"].as_str()?.to_owned();
                let (kind, native, nullable) = avro_kind(&f["type"]);
                Some(Field { path, native, kind, nullable, doc: f["doc"].as_str().map(str::to_owned) })
            })
            .collect(),
        SchemaFormat::Json => {
            let required: Vec<&str> =
                doc["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            doc["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, s)| {
                    let (kind, native, nullable) = json_kind(s);
                    Field {
                        path: name.clone(),
                        native,
                        kind,
                        nullable: nullable || !required.contains(&name.as_str()),
                        doc: s["description"].as_str().map(str::to_owned),
                    }
                })
                .collect()
        }
        SchemaFormat::Protobuf => vec![],
    }
}
