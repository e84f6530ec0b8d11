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

pub struct ListSubjects;
impl Command for ListSubjects {
    const NAME: &'static str = "list_subjects";
    type Request = NoArgs;
    type Response = Vec<SubjectSummary>;
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

pub struct GetSubject;
impl Command for GetSubject {
    const NAME: &'static str = "get_subject";
    type Request = SubjectRequest;
    type Response = SubjectDetail;
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
}

pub struct RegisterSchema;
impl Command for RegisterSchema {
    const NAME: &'static str = "register_schema";
    type Request = RegisterRequest;
    type Response = Registered;
}
