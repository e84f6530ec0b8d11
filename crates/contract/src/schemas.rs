//! The Schemas page: subjects, versions, registering.

use serde::{Deserialize, Serialize};

use crate::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectSummary {
    pub subject: String,
    pub versions: u32,
    pub latest_version: u32,
    pub latest_id: u32,
    pub schema_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRequest {
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaVersionView {
    pub version: u32,
    pub id: u32,
    pub schema_type: String,
    pub schema: String,
    /// What this version references (Avro named types, Protobuf imports, JSON Schema `$ref`s).
    #[serde(default)]
    pub references: Vec<SchemaReferenceView>,
    /// The versions of other subjects that reference this one (`name` is theirs for it).
    #[serde(default)]
    pub referenced_by: Vec<SchemaReferenceView>,
    /// The referenced schemas' texts as `(name, schema)`, every one reached, dependencies first,
    /// so the window checks the version with its references in place.
    #[serde(default)]
    pub resolved: Vec<(String, String)>,
    /// Why the references could not all be resolved from the cache.
    #[serde(default)]
    pub unresolved: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaReferenceView {
    pub name: String,
    pub subject: String,
    /// `-1`: the subject's latest version.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteVersionRequest {
    pub subject: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDetail {
    pub subject: String,
    /// The subject's compatibility level (its own, or the registry's global one); `None` when
    /// the registry could not be asked, with the reason in `level_note`.
    pub level: Option<CompatibilityLevel>,
    pub level_note: Option<String>,
    /// Oldest first.
    pub versions: Vec<SchemaVersionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub subject: String,
    pub schema: String,
    pub format: SchemaFormat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub id: u32,
    pub version: u32,
    /// For a product's subject: whether its readers were told (the product published again
    /// with the new version), in a sentence.
    #[serde(default)]
    pub announced: Option<String>,
}
