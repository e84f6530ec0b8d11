//! The Schemas page: subjects, versions, registering.

use serde::{Deserialize, Serialize};

use crate::*;

/// A subject as the Schemas page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectSummary {
    /// The subject's name.
    pub subject: String,
    /// How many versions it has.
    pub versions: u32,
    /// Its latest version's number.
    pub latest_version: u32,
    /// Its latest version's schema id.
    pub latest_id: u32,
    /// `AVRO`, `JSON` or `PROTOBUF`.
    pub schema_type: String,
}

/// Names a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRequest {
    /// The subject's name.
    pub subject: String,
}

/// One version of a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaVersionView {
    /// The version's number.
    pub version: u32,
    /// The registry's schema id.
    pub id: u32,
    /// `AVRO`, `JSON` or `PROTOBUF`.
    pub schema_type: String,
    /// The schema's text.
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

/// A reference from one schema version to another subject's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaReferenceView {
    /// The name the referring schema uses for it.
    pub name: String,
    /// The referenced subject.
    pub subject: String,
    /// `-1`: the subject's latest version.
    pub version: i64,
}

/// Names one version of a subject to delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteVersionRequest {
    /// The subject.
    pub subject: String,
    /// The version to delete.
    pub version: u32,
}

/// A subject with its compatibility level and every version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDetail {
    /// The subject's name.
    pub subject: String,
    /// The subject's compatibility level (its own, or the registry's global one); `None` when
    /// the registry could not be asked, with the reason in `level_note`.
    pub level: Option<CompatibilityLevel>,
    /// Why `level` is unknown.
    pub level_note: Option<String>,
    /// Oldest first.
    pub versions: Vec<SchemaVersionView>,
}

/// A schema to register under a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// The subject.
    pub subject: String,
    /// The schema's text.
    pub schema: String,
    /// Its format.
    pub format: SchemaFormat,
}

/// What registering a schema made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    /// The registry's schema id.
    pub id: u32,
    /// The subject's version it became.
    pub version: u32,
    /// For a product's subject: whether its readers were told (the product published again
    /// with the new version), in a sentence.
    #[serde(default)]
    pub announced: Option<String>,
}
