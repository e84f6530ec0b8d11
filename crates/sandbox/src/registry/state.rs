//! The sandbox registry's state and its rules, answering as Confluent's Schema Registry does for
//! what Meshdesk and the test clients use: subjects and versions (soft and permanent deletes),
//! schema ids shared by identical schemas, references (resolved recursively, and a referenced
//! version cannot be deleted), `metadata` and `ruleSet` (kept, returned, and inherited by a new
//! version that brings none), compatibility levels decided by the domain's engine (the rules of
//! Confluent's registry and Apache Avro's checker), and the registry's mode.

use std::collections::{BTreeMap, HashMap};

use meshdesk_domain::schema::{ParsedSchema, check_messages};
use meshdesk_domain::{CompatibilityLevel, SchemaFormat};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How deep references may nest, and how many one schema may reach in all.
const MAX_REFERENCE_DEPTH: usize = 32;
const MAX_REFERENCES_REACHED: usize = 1_000;

/// An error as Confluent's registry answers it: the HTTP status and its `error_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: u32,
    pub message: String,
}

impl ApiError {
    fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }
    pub fn subject_not_found(s: &str) -> Self {
        Self::new(404, 40401, format!("Subject '{s}' not found."))
    }
    fn version_not_found(v: impl std::fmt::Display) -> Self {
        Self::new(404, 40402, format!("Version {v} not found."))
    }
    fn schema_not_found() -> Self {
        Self::new(404, 40403, "Schema not found")
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, 42201, message)
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, 400, message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    pub name: String,
    pub subject: String,
    pub version: i64,
}

/// What a client posts to register, look up or check a schema.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchemaRequest {
    pub schema: String,
    #[serde(rename = "schemaType", default)]
    pub schema_type: Option<String>,
    #[serde(default)]
    pub references: Option<Vec<Reference>>,
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(rename = "ruleSet", default)]
    pub rule_set: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct StoredSchema {
    pub format: SchemaFormat,
    pub schema: String,
    pub references: Vec<Reference>,
    pub metadata: Option<Value>,
    pub rule_set: Option<Value>,
}

#[derive(Debug, Clone, Copy)]
pub struct Version {
    pub version: u32,
    pub id: u32,
    pub deleted: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub versions: Vec<Version>,
    pub level: Option<CompatibilityLevel>,
    /// Version numbers are never given twice, even after a permanent delete.
    pub last_version: u32,
}

impl Subject {
    fn live(&self) -> impl DoubleEndedIterator<Item = &Version> {
        self.versions.iter().filter(|v| !v.deleted)
    }
}

#[derive(Debug)]
pub struct Registry {
    /// Schema id `n` is `schemas[n - 1]`.
    pub schemas: Vec<StoredSchema>,
    by_identity: HashMap<String, u32>,
    pub subjects: BTreeMap<String, Subject>,
    pub global: CompatibilityLevel,
    pub mode: String,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            schemas: Vec::new(),
            by_identity: HashMap::new(),
            subjects: BTreeMap::new(),
            global: CompatibilityLevel::Backward,
            mode: "READWRITE".into(),
        }
    }
}

pub fn format_of(t: Option<&str>) -> Result<SchemaFormat, ApiError> {
    match t.unwrap_or("AVRO").to_ascii_uppercase().as_str() {
        "AVRO" => Ok(SchemaFormat::Avro),
        "JSON" => Ok(SchemaFormat::Json),
        "PROTOBUF" => Ok(SchemaFormat::Protobuf),
        other => Err(ApiError::invalid(format!("Invalid schema type {other}"))),
    }
}

/// The schema text that identifies a schema: JSON re-serialized compactly (key order and
/// whitespace do not make a new schema), Protobuf as written.
fn normal_text(format: SchemaFormat, text: &str) -> String {
    match format {
        SchemaFormat::Avro | SchemaFormat::Json => match serde_json::from_str::<Value>(text) {
            Ok(v) => v.to_string(),
            Err(_) => text.trim().to_owned(),
        },
        SchemaFormat::Protobuf => text.trim().to_owned(),
    }
}

fn identity(s: &StoredSchema) -> String {
    serde_json::json!([s.format.as_str(), normal_text(s.format, &s.schema), s.references, s.metadata, s.rule_set])
        .to_string()
}

impl Registry {
    pub fn subject(&self, name: &str, deleted: bool) -> Result<&Subject, ApiError> {
        match self.subjects.get(name) {
            Some(s) if s.versions.iter().any(|v| deleted || !v.deleted) => Ok(s),
            _ => Err(ApiError::subject_not_found(name)),
        }
    }

    /// `latest`, `-1` or a number.
    pub fn version(&self, subject: &str, v: &str, deleted: bool) -> Result<Version, ApiError> {
        let s = self.subject(subject, deleted)?;
        if v == "latest" || v == "-1" {
            return s
                .versions
                .iter()
                .rev()
                .find(|x| deleted || !x.deleted)
                .copied()
                .ok_or_else(|| ApiError::version_not_found(v));
        }
        let n: u32 = v
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| ApiError::new(422, 42202, format!("The specified version '{v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")))?;
        s.versions
            .iter()
            .find(|x| x.version == n && (deleted || !x.deleted))
            .copied()
            .ok_or_else(|| ApiError::version_not_found(n))
    }

    pub fn schema(&self, id: u32) -> Result<&StoredSchema, ApiError> {
        id.checked_sub(1).and_then(|i| self.schemas.get(i as usize)).ok_or_else(ApiError::schema_not_found)
    }

    pub fn level(&self, subject: &str) -> CompatibilityLevel {
        self.subjects.get(subject).and_then(|s| s.level).unwrap_or(self.global)
    }

    /// Every schema `refs` reach, dependencies first and each once, as `(name, text)`.
    pub fn resolve(&self, refs: &[Reference]) -> Result<Vec<(String, String)>, ApiError> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen: Vec<(String, u32)> = Vec::new();
        self.resolve_into(refs, 0, &mut seen, &mut out)?;
        Ok(out)
    }

    fn resolve_into(
        &self,
        refs: &[Reference],
        depth: usize,
        seen: &mut Vec<(String, u32)>,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), ApiError> {
        if depth > MAX_REFERENCE_DEPTH {
            return Err(ApiError::invalid(format!("references nest deeper than {MAX_REFERENCE_DEPTH} levels")));
        }
        for r in refs {
            let v = self.version(&r.subject, &r.version.to_string(), false).map_err(|_| {
                ApiError::invalid(format!(
                    "Invalid schema: reference `{}` names {} version {}, which does not exist",
                    r.name, r.subject, r.version
                ))
            })?;
            let key = (r.subject.clone(), v.version);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            if seen.len() > MAX_REFERENCES_REACHED {
                return Err(ApiError::invalid(format!(
                    "a schema may reach at most {MAX_REFERENCES_REACHED} references"
                )));
            }
            let stored = self.schema(v.id)?;
            self.resolve_into(&stored.references, depth + 1, seen, out)?;
            out.push((r.name.clone(), stored.schema.clone()));
        }
        Ok(())
    }

    fn parse(&self, format: SchemaFormat, text: &str, refs: &[Reference]) -> Result<ParsedSchema, ApiError> {
        let resolved = self.resolve(refs)?;
        let pairs: Vec<(&str, &str)> = resolved.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        ParsedSchema::parse_with_references(format, text, &pairs)
            .map_err(|e| ApiError::invalid(format!("Invalid schema {text}, details: {e}")))
    }

    /// The new schema's incompatibilities with the versions `level` compares it to.
    fn incompatibilities(
        &self,
        subject: &str,
        level: CompatibilityLevel,
        against: &[Version],
        new: &ParsedSchema,
    ) -> Result<Vec<String>, ApiError> {
        let mut parsed = Vec::new();
        for v in against {
            let s = self.schema(v.id)?;
            match self.parse(s.format, &s.schema, &s.references) {
                Ok(p) => parsed.push((v.version, p)),
                // A version stored before a rule tightened is compared as far as it can be.
                Err(e) => tracing::warn!("registry: {subject} version {} no longer parses: {}", v.version, e.message),
            }
        }
        let previous: Vec<(u32, &ParsedSchema)> = parsed.iter().map(|(v, p)| (*v, p)).collect();
        Ok(check_messages(level, &previous, new))
    }

    /// Registers (or finds) the schema under `subject`; the schema's id. `checked` is false
    /// only for a journal replay, which repeats what was accepted.
    pub fn register(&mut self, subject: &str, req: SchemaRequest, checked: bool) -> Result<(u32, u32), ApiError> {
        if checked && self.mode == "READONLY" {
            return Err(ApiError::new(422, 42205, "Subject is in read-only mode"));
        }
        if req.schema.trim().is_empty() {
            return Err(ApiError::invalid("Empty schema"));
        }
        let format = format_of(req.schema_type.as_deref())?;
        let references = req.references.unwrap_or_default();
        let parsed = self.parse(format, &req.schema, &references)?;
        let latest = self.subjects.get(subject).and_then(|s| s.live().next_back().copied());
        // Confluent: a version that brings no metadata or rule set keeps the latest one's.
        let inherited = latest.and_then(|v| self.schema(v.id).ok());
        let mut candidate = StoredSchema {
            format,
            schema: req.schema.trim().to_owned(),
            references,
            metadata: req.metadata.filter(|m| !m.is_null()),
            rule_set: req.rule_set.filter(|r| !r.is_null()),
        };
        if let Some(prev) = inherited {
            if candidate.metadata.is_none() {
                candidate.metadata = prev.metadata.clone();
            }
            if candidate.rule_set.is_none() {
                candidate.rule_set = prev.rule_set.clone();
            }
        }
        let key = identity(&candidate);
        let existing = self.by_identity.get(&key).copied();
        // The same schema already under this subject: its version, nothing new.
        if let (Some(id), Some(s)) = (existing, self.subjects.get(subject))
            && let Some(v) = s.live().find(|v| v.id == id)
        {
            return Ok((id, v.version));
        }
        if checked {
            let level = self.level(subject);
            let live: Vec<Version> =
                self.subjects.get(subject).map(|s| s.live().copied().collect()).unwrap_or_default();
            let (against, _, _) = meshdesk_domain::schema::compat::plan(level, &live);
            let messages = self.incompatibilities(subject, level, against, &parsed)?;
            if !messages.is_empty() {
                return Err(ApiError::new(
                    409,
                    409,
                    format!(
                        "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                        messages.join("; ")
                    ),
                ));
            }
        }
        let id = match existing {
            Some(id) => id,
            None => {
                self.schemas.push(candidate);
                let id = self.schemas.len() as u32;
                self.by_identity.insert(key, id);
                id
            }
        };
        let s = self.subjects.entry(subject.to_owned()).or_default();
        s.last_version += 1;
        let version = s.last_version;
        s.versions.push(Version { version, id, deleted: false });
        Ok((id, version))
    }

    /// The version of `subject` holding this schema (with the metadata and rule set it would
    /// be registered with).
    pub fn lookup(&self, subject: &str, req: SchemaRequest, deleted: bool) -> Result<Version, ApiError> {
        let s = self.subject(subject, deleted)?;
        let format = format_of(req.schema_type.as_deref())?;
        let references = req.references.unwrap_or_default();
        let wanted = normal_text(format, &req.schema);
        s.versions
            .iter()
            .rev()
            .filter(|v| deleted || !v.deleted)
            .find(|v| {
                self.schema(v.id).is_ok_and(|x| {
                    x.format == format
                        && x.references == references
                        && normal_text(x.format, &x.schema) == wanted
                        && req.metadata.as_ref().is_none_or(|m| x.metadata.as_ref() == Some(m))
                        && req.rule_set.as_ref().is_none_or(|r| x.rule_set.as_ref() == Some(r))
                })
            })
            .copied()
            .ok_or_else(ApiError::schema_not_found)
    }

    /// The registry's verdict on a schema against one version (`Some`) or the versions the
    /// subject's level compares to (`None`).
    pub fn check(&self, subject: &str, version: Option<&str>, req: SchemaRequest) -> Result<Vec<String>, ApiError> {
        let format = format_of(req.schema_type.as_deref())?;
        let parsed = self.parse(format, &req.schema, &req.references.unwrap_or_default())?;
        let level = self.level(subject);
        let live: Vec<Version> = match self.subject(subject, false) {
            Ok(s) => s.live().copied().collect(),
            Err(_) if version.is_none_or(|v| v == "latest") => return Ok(vec![]),
            Err(e) => return Err(e),
        };
        let against: Vec<Version> = match version {
            Some(v) => vec![self.version(subject, v, false)?],
            None => meshdesk_domain::schema::compat::plan(level, &live).0.to_vec(),
        };
        // Against one named version the level's direction applies, not its transitivity.
        self.incompatibilities(subject, level, &against, &parsed)
    }

    /// Who references this version: the ids of the schemas naming it.
    pub fn referenced_by(&self, subject: &str, version: u32) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::new();
        for s in self.subjects.values() {
            for v in s.live() {
                let Ok(schema) = self.schema(v.id) else { continue };
                let hit = schema.references.iter().any(|r| {
                    r.subject == subject
                        && (r.version == i64::from(version)
                            || (r.version == -1
                                && self.version(&r.subject, "latest", false).is_ok_and(|l| l.version == version)))
                });
                if hit && !ids.contains(&v.id) {
                    ids.push(v.id);
                }
            }
        }
        ids.sort_unstable();
        ids
    }

    fn referrers_error(&self, subject: &str, version: u32, ids: &[u32]) -> ApiError {
        let mut who = Vec::new();
        for (name, s) in &self.subjects {
            for v in s.live() {
                if ids.contains(&v.id) {
                    who.push(format!("{name} version {}", v.version));
                }
            }
        }
        ApiError::new(
            422,
            42206,
            format!(
                "One or more references exist to the schema {{subject={subject}, version={version}}}: {}",
                who.join(", ")
            ),
        )
    }

    pub fn delete_version(&mut self, subject: &str, v: &str, permanent: bool) -> Result<u32, ApiError> {
        let target = self.version(subject, v, permanent)?;
        let referrers = self.referenced_by(subject, target.version);
        if !referrers.is_empty() {
            return Err(self.referrers_error(subject, target.version, &referrers));
        }
        let s = self.subjects.get_mut(subject).ok_or_else(|| ApiError::subject_not_found(subject))?;
        if permanent {
            if !target.deleted {
                return Err(ApiError::new(
                    404,
                    40407,
                    format!(
                        "Subject '{subject}' Version {} was not deleted first before being permanently deleted",
                        target.version
                    ),
                ));
            }
            s.versions.retain(|x| x.version != target.version);
        } else {
            if target.deleted {
                return Err(ApiError::new(
                    404,
                    40406,
                    format!("Subject '{subject}' Version {} was soft deleted", target.version),
                ));
            }
            if let Some(x) = s.versions.iter_mut().find(|x| x.version == target.version) {
                x.deleted = true;
            }
        }
        Ok(target.version)
    }

    pub fn delete_subject(&mut self, subject: &str, permanent: bool) -> Result<Vec<u32>, ApiError> {
        let s = self.subject(subject, true)?;
        let live: Vec<u32> = s.live().map(|v| v.version).collect();
        let all: Vec<u32> = s.versions.iter().map(|v| v.version).collect();
        if permanent && !live.is_empty() {
            return Err(ApiError::new(
                404,
                40405,
                format!("Subject '{subject}' was not deleted first before being permanently deleted"),
            ));
        }
        if !permanent && live.is_empty() {
            return Err(ApiError::new(404, 40404, format!("Subject '{subject}' was soft deleted")));
        }
        for v in &all {
            let referrers = self.referenced_by(subject, *v);
            if !referrers.is_empty() {
                return Err(self.referrers_error(subject, *v, &referrers));
            }
        }
        if permanent {
            self.subjects.remove(subject);
            Ok(all)
        } else {
            if let Some(s) = self.subjects.get_mut(subject) {
                s.versions.iter_mut().for_each(|v| v.deleted = true);
            }
            Ok(live)
        }
    }

    /// The latest version whose metadata properties hold every `(key, value)` asked for.
    pub fn latest_with_metadata(&self, subject: &str, wanted: &[(String, String)]) -> Result<Version, ApiError> {
        let s = self.subject(subject, false)?;
        s.live()
            .rev()
            .find(|v| {
                self.schema(v.id).is_ok_and(|x| {
                    let props = x.metadata.as_ref().and_then(|m| m.get("properties"));
                    wanted.iter().all(|(k, val)| props.and_then(|p| p.get(k)).and_then(Value::as_str) == Some(val))
                })
            })
            .copied()
            .ok_or_else(ApiError::schema_not_found)
    }
}
