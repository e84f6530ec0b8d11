//! One entry point over the three formats: parse by format, check against previous versions.

use super::avro::{AvroSchema, SchemaError};
use super::jsonschema::{CANNOT_JUDGE, JsonSchemaDoc, accepts_all};
use super::protobuf::{ProtoSchema, differences};
use crate::model::{CompatibilityLevel, SchemaFormat};

/// A schema parsed in its own language.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedSchema {
    /// An Avro schema.
    Avro(AvroSchema),
    /// A JSON Schema.
    Json(JsonSchemaDoc),
    /// A Protobuf file.
    Protobuf(Box<ProtoSchema>),
}

impl ParsedSchema {
    /// Parses `text` as a schema in `format`.
    pub fn parse(format: SchemaFormat, text: &str) -> Result<Self, SchemaError> {
        Ok(match format {
            SchemaFormat::Avro => Self::Avro(AvroSchema::parse(text)?),
            SchemaFormat::Json => Self::Json(JsonSchemaDoc::parse(text)?),
            SchemaFormat::Protobuf => Self::Protobuf(Box::new(ProtoSchema::parse(text)?)),
        })
    }

    /// Parses `text` with the schemas it references (`(name, text)`, every one reached, the
    /// dependencies first): Avro's named types are defined by them, JSON Schema's `$ref`s to
    /// them are followed; a Protobuf file's imports are accepted as the parser accepts them.
    pub fn parse_with_references(
        format: SchemaFormat,
        text: &str,
        references: &[(&str, &str)],
    ) -> Result<Self, SchemaError> {
        if references.is_empty() {
            return Self::parse(format, text);
        }
        Ok(match format {
            SchemaFormat::Avro => Self::Avro(AvroSchema::parse_with_references(text, references)?),
            SchemaFormat::Json => {
                let mut docs = Vec::with_capacity(references.len());
                for (name, r) in references {
                    docs.push((
                        *name,
                        JsonSchemaDoc::parse(r).map_err(|e| SchemaError {
                            pos: e.pos,
                            message: format!("in the referenced schema `{name}`: {}", e.message),
                        })?,
                    ));
                }
                let refs: Vec<(&str, &JsonSchemaDoc)> = docs.iter().map(|(n, d)| (*n, d)).collect();
                Self::Json(JsonSchemaDoc::parse(text)?.with_references(&refs)?)
            }
            SchemaFormat::Protobuf => {
                for (name, r) in references {
                    ProtoSchema::parse(r).map_err(|e| SchemaError {
                        pos: e.pos,
                        message: format!("in the imported file `{name}`: {}", e.message),
                    })?;
                }
                Self::Protobuf(Box::new(ProtoSchema::parse(text)?))
            }
        })
    }
}

fn new_cannot_read(version: u32) -> String {
    format!("consumers using the new version cannot read records written with version {version}")
}
fn old_cannot_read(version: u32) -> String {
    format!("consumers using version {version} cannot read records written with the new version")
}

/// Every incompatibility of `new` with `previous` (oldest first) at `level`, explained.
pub fn check_messages(level: CompatibilityLevel, previous: &[(u32, &ParsedSchema)], new: &ParsedSchema) -> Vec<String> {
    if let ParsedSchema::Avro(n) = new {
        let avro: Vec<(u32, &AvroSchema)> = previous
            .iter()
            .filter_map(|(v, p)| if let ParsedSchema::Avro(a) = p { Some((*v, a)) } else { None })
            .collect();
        if avro.len() == previous.len() {
            return super::compat::check(level, &avro, n).issues.into_iter().map(|i| i.message).collect();
        }
    }
    let (against, backward, forward) = super::compat::plan(level, previous);
    let mut out = Vec::new();
    for (version, old) in against.iter().rev() {
        match (old, new) {
            (ParsedSchema::Json(o), ParsedSchema::Json(n)) => {
                let undecided =
                    |p: &str, rest: &str| format!("{CANNOT_JUDGE} `{p}`:{rest} (against version {version})");
                if backward {
                    for (p, what) in accepts_all(n, o) {
                        out.push(match what.strip_prefix(CANNOT_JUDGE) {
                            Some(rest) => undecided(&p, rest),
                            None => format!("`{p}` {what}: {}", new_cannot_read(*version)),
                        });
                    }
                }
                if forward {
                    for (p, what) in accepts_all(o, n) {
                        out.push(match what.strip_prefix(CANNOT_JUDGE) {
                            Some(rest) => undecided(&p, rest),
                            None => {
                                format!("`{p}` {what} (read the other way round): {}", old_cannot_read(*version))
                            }
                        });
                    }
                }
            }
            (ParsedSchema::Protobuf(o), ParsedSchema::Protobuf(n)) => {
                // These rules break readers on both sides alike.
                for (p, what) in differences(o, n) {
                    let who = match (backward, forward) {
                        (true, false) => new_cannot_read(*version),
                        (false, true) => old_cannot_read(*version),
                        _ => format!(
                            "consumers of version {version} and of the new version cannot read each other's records"
                        ),
                    };
                    out.push(format!("`{p}` {what}: {who}"));
                }
            }
            _ => {
                out.push(format!("version {version} is in another format than the new schema: they cannot be compared"))
            }
        }
    }
    // An undecided change is found in both directions: said once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|m| seen.insert(m.clone()));
    out
}
