//! The Schema Registry client: the only crate that knows the registry's HTTP API.
//!
//! Speaks the Confluent REST API and copes with compatible servers that differ: how Apicurio
//! Registry's Confluent API differs is mapped once, in [`Dialect`]; a server that answers
//! `200 []` for an unknown subject's versions, or has no lookup, is handled where it is met.
//! Every HTTP status and `error_code` is mapped once, in [`map_error`], into [`RegistryError`].
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

use std::time::{Duration, Instant};

use meshdesk_domain::{CompatibilityLevel, SchemaFormat};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

mod dialect;
mod error;
pub use dialect::Dialect;
use error::describe;
pub use error::{Missing, RegistryError, map_error};

pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    Basic { user: String, password: String },
    Bearer(String),
}

/// Credentials never appear in debug output.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { user, .. } => {
                f.debug_struct("Basic").field("user", user).field("password", &"********").finish()
            }
            Auth::Bearer(_) => f.debug_tuple("Bearer").field(&"********").finish(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubjectVersion {
    pub subject: String,
    pub version: u32,
    pub id: u32,
    pub schema: String,
    #[serde(rename = "schemaType", default = "avro")]
    pub schema_type: String,
    #[serde(default)]
    pub references: Vec<SchemaReference>,
    /// The data contract's metadata (`properties`, `tags`), where the registry keeps one.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    #[serde(rename = "ruleSet", default)]
    pub rule_set: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SchemaById {
    pub schema: String,
    #[serde(rename = "schemaType", default = "avro")]
    pub schema_type: String,
}

fn avro() -> String {
    "AVRO".to_owned()
}

#[derive(Serialize)]
struct RegisterBody<'a> {
    schema: &'a str,
    #[serde(rename = "schemaType")]
    schema_type: &'a str,
}

#[derive(Deserialize)]
struct IdBody {
    id: u32,
}

#[derive(Deserialize)]
struct ConfigBody {
    #[serde(rename = "compatibilityLevel", alias = "compatibility")]
    level: String,
}

/// Whether the registry answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryProbe {
    pub ok: bool,
    pub detail: String,
    pub latency_ms: u64,
}

#[derive(Clone)]
pub struct RegistryClient {
    base: String,
    http: reqwest::Client,
    auth: Option<Auth>,
    dialect: Dialect,
    /// HTTP requests sent so far, retries included.
    requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A schema reference (Avro named type, Protobuf import, JSON Schema `$ref`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaReference {
    pub name: String,
    pub subject: String,
    pub version: u32,
}

/// The registry's own compatibility verdict.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CompatibilityCheck {
    pub is_compatible: bool,
    #[serde(default)]
    pub messages: Vec<String>,
}

#[derive(Deserialize)]
struct ModeBody {
    mode: String,
}

impl RegistryClient {
    pub fn new(base_url: &str, auth: Option<Auth>) -> Result<Self, RegistryError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| RegistryError::Protocol(e.to_string()))?;
        let base = base_url.trim_end_matches('/').to_owned();
        Ok(Self { dialect: Dialect::of(&base), base, http, auth, requests: Default::default() })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// HTTP requests this client (and its clones) sent so far.
    pub fn requests_made(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Which kind of server this is, and so how it differs from Confluent's.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether the registry keeps a version's data contract (`metadata`, `ruleSet`).
    pub fn keeps_contract(&self) -> bool {
        self.dialect.keeps_contract()
    }

    /// Whether an incompatible verdict comes with the registry's reasons.
    pub fn explains_incompatibility(&self) -> bool {
        self.dialect.explains_incompatibility()
    }

    /// A server that stores `READONLY` mode without enforcing it is held to it here.
    async fn writable(&self) -> Result<(), RegistryError> {
        if !self.dialect.enforces_mode() && self.mode().await? == "READONLY" {
            return Err(RegistryError::NotPermitted { message: "the registry is in READONLY mode".into() });
        }
        Ok(())
    }

    /// The compatibility endpoint's verdict on `body` against `version` (`None`: the versions the
    /// subject's level names), mapped where the server judges otherwise than Confluent's (see
    /// [`Dialect`]): `NONE` is compatible, and a level that compares with the latest only is
    /// asked against the latest.
    async fn compatibility_verdict(
        &self,
        subject: &str,
        version: Option<&str>,
        body: serde_json::Value,
    ) -> Result<CompatibilityCheck, RegistryError> {
        let mut against = version.map(|v| format!("/{v}"));
        if self.dialect != Dialect::Confluent {
            let level = match self.compatibility(subject).await {
                Ok(l) => l,
                Err(RegistryError::NotFound { .. }) => self.global_compatibility().await?,
                Err(e) => return Err(e),
            };
            if !self.dialect.checks_by_level(level) {
                return Ok(CompatibilityCheck { is_compatible: true, messages: Vec::new() });
            }
            let transitive = matches!(
                level,
                CompatibilityLevel::BackwardTransitive
                    | CompatibilityLevel::ForwardTransitive
                    | CompatibilityLevel::FullTransitive
            );
            if against.is_none() && !transitive && !self.dialect.checks_versions_by_level() {
                against = Some("/latest".into());
            }
        }
        let path =
            format!("/compatibility/subjects/{}/versions{}?verbose=true", enc(subject), against.unwrap_or_default());
        self.call(Method::POST, &path, Some(body)).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, RegistryError> {
        // GET and PUT are idempotent: retried on connection failures with a short backoff.
        let attempts = if method == Method::GET || method == Method::PUT { 3 } else { 1 };
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 * (1 << attempt))).await;
            }
            self.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut req = self.http.request(method.clone(), self.url(path)).header("Accept", CONTENT_TYPE);
            if let Some(b) = &body {
                req = req.header("Content-Type", CONTENT_TYPE).body(b.to_string());
            }
            req = match &self.auth {
                Some(Auth::Basic { user, password }) => req.basic_auth(user, Some(password)),
                Some(Auth::Bearer(t)) => req.bearer_auth(t),
                None => req,
            };
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let text = resp.text().await.map_err(|e| RegistryError::Protocol(e.to_string()))?;
                    if !status.is_success() {
                        return Err(map_error(status, &text));
                    }
                    return serde_json::from_str(&text)
                        .map_err(|e| RegistryError::Protocol(format!("{e} in {method} {path}: {text}")));
                }
                Err(e) if e.is_connect() || e.is_timeout() => {
                    last = Some(RegistryError::Unreachable { url: self.base.clone(), reason: describe(&e) });
                }
                Err(e) => return Err(RegistryError::Unreachable { url: self.base.clone(), reason: describe(&e) }),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// Registers `schema` under `subject`; the registry's id (the same id for the same schema).
    pub async fn register(&self, subject: &str, schema: &str, format: SchemaFormat) -> Result<u32, RegistryError> {
        self.writable().await?;
        let body = serde_json::to_value(RegisterBody { schema, schema_type: format.as_str() })
            .map_err(|e| RegistryError::Protocol(e.to_string()))?;
        let r: IdBody = self.call(Method::POST, &format!("/subjects/{}/versions", enc(subject)), Some(body)).await?;
        Ok(r.id)
    }

    /// Registers with references, and the contract's `metadata` and `ruleSet` (sent as they
    /// are; a registry that predates data contracts ignores them); the schema's id.
    pub async fn register_with(
        &self,
        subject: &str,
        schema: &str,
        format: SchemaFormat,
        references: &[SchemaReference],
        metadata: Option<&serde_json::Value>,
        rule_set: Option<&serde_json::Value>,
    ) -> Result<u32, RegistryError> {
        self.writable().await?;
        let mut body = serde_json::json!({ "schema": schema, "schemaType": format.as_str() });
        if !references.is_empty() {
            body["references"] =
                serde_json::to_value(references).map_err(|e| RegistryError::Protocol(e.to_string()))?;
        }
        if let Some(m) = metadata {
            body["metadata"] = m.clone();
        }
        if let Some(r) = rule_set {
            body["ruleSet"] = r.clone();
        }
        let r: IdBody = self.call(Method::POST, &format!("/subjects/{}/versions", enc(subject)), Some(body)).await?;
        Ok(r.id)
    }

    /// The ids of the schemas that reference this version (`GET .../referencedby`).
    pub async fn referenced_by(&self, subject: &str, version: u32) -> Result<Vec<u32>, RegistryError> {
        self.call(Method::GET, &format!("/subjects/{}/versions/{version}/referencedby", enc(subject)), None).await
    }

    /// The version of `subject` holding exactly `schema`, if any. Uses the registry's lookup
    /// (`POST /subjects/{s}`); where the server has none (rivven-schema answers 405), compares
    /// the subject's versions as JSON.
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &str,
        format: SchemaFormat,
    ) -> Result<Option<SubjectVersion>, RegistryError> {
        self.lookup_with(subject, schema, format, &[]).await
    }

    /// [`Self::lookup`] for a schema registered with `references`.
    pub async fn lookup_with(
        &self,
        subject: &str,
        schema: &str,
        format: SchemaFormat,
        references: &[SchemaReference],
    ) -> Result<Option<SubjectVersion>, RegistryError> {
        let mut body = serde_json::json!({ "schema": schema, "schemaType": format.as_str() });
        if !references.is_empty() {
            body["references"] =
                serde_json::to_value(references).map_err(|e| RegistryError::Protocol(e.to_string()))?;
        }
        match self.call::<SubjectVersion>(Method::POST, &format!("/subjects/{}", enc(subject)), Some(body)).await {
            Ok(v) => Ok(Some(v)),
            Err(RegistryError::NotFound { what: Missing::Subject | Missing::Schema, .. }) => Ok(None),
            Err(RegistryError::Server { status: 405, .. })
            | Err(RegistryError::NotFound { what: Missing::Other, .. }) => {
                let wanted: Option<serde_json::Value> = serde_json::from_str(schema).ok();
                let versions = match self.versions(subject).await {
                    Ok(v) => v,
                    Err(RegistryError::NotFound { .. }) => return Ok(None),
                    Err(e) => return Err(e),
                };
                for v in versions.into_iter().rev() {
                    let sv = self.version(subject, Some(v)).await?;
                    let same = match (&wanted, serde_json::from_str::<serde_json::Value>(&sv.schema)) {
                        (Some(a), Ok(b)) => *a == b,
                        _ => sv.schema.trim() == schema.trim(),
                    };
                    if same {
                        return Ok(Some(sv));
                    }
                }
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The registry's verdict on `schema` against one version of `subject` (`None`: latest),
    /// with its messages (`verbose=true`).
    pub async fn check_compatibility(
        &self,
        subject: &str,
        version: Option<u32>,
        schema: &str,
        format: SchemaFormat,
    ) -> Result<CompatibilityCheck, RegistryError> {
        let v = version.map(|v| v.to_string()).unwrap_or_else(|| "latest".into());
        let body = serde_json::json!({ "schema": schema, "schemaType": format.as_str() });
        self.compatibility_verdict(subject, Some(&v), body).await
    }

    /// The registry's verdict on `schema` against the versions the subject's level compares a
    /// new version with (the latest, or all of them for a transitive level), with its messages.
    pub async fn check_against_level(
        &self,
        subject: &str,
        schema: &str,
        format: SchemaFormat,
    ) -> Result<CompatibilityCheck, RegistryError> {
        let body = serde_json::json!({ "schema": schema, "schemaType": format.as_str() });
        self.compatibility_verdict(subject, None, body).await
    }

    /// Subjects, optionally only those starting with `prefix`, and with soft-deleted ones.
    pub async fn subjects_matching(
        &self,
        prefix: Option<&str>,
        include_deleted: bool,
    ) -> Result<Vec<String>, RegistryError> {
        let mut path = format!("/subjects?deleted={include_deleted}");
        if let Some(p) = prefix {
            path.push_str(&format!("&subjectPrefix={}", enc(p)));
        }
        let mut subjects: Vec<String> = self.call(Method::GET, &path, None).await?;
        // Servers that ignore `subjectPrefix` still get filtered.
        if let Some(p) = prefix {
            subjects.retain(|s| s.starts_with(p));
        }
        Ok(subjects)
    }

    pub async fn global_compatibility(&self) -> Result<CompatibilityLevel, RegistryError> {
        let r: ConfigBody = self.call(Method::GET, "/config", None).await?;
        r.level.parse().map_err(|e: meshdesk_domain::Invalid| RegistryError::Protocol(e.0))
    }

    pub async fn set_global_compatibility(&self, level: CompatibilityLevel) -> Result<(), RegistryError> {
        let _: serde_json::Value =
            self.call(Method::PUT, "/config", Some(serde_json::json!({ "compatibility": level.as_str() }))).await?;
        Ok(())
    }

    /// The registry's mode: `READWRITE`, `READONLY` or `IMPORT`.
    pub async fn mode(&self) -> Result<String, RegistryError> {
        let r: ModeBody = self.call(Method::GET, "/mode", None).await?;
        Ok(r.mode)
    }

    pub async fn set_mode(&self, mode: &str) -> Result<(), RegistryError> {
        let _: serde_json::Value = self.call(Method::PUT, "/mode", Some(serde_json::json!({ "mode": mode }))).await?;
        Ok(())
    }

    /// Deletes a subject (soft, or `permanent` after a soft delete); the versions deleted.
    pub async fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<u32>, RegistryError> {
        self.call(Method::DELETE, &format!("/subjects/{}?permanent={permanent}", enc(subject)), None).await
    }

    pub async fn delete_version(&self, subject: &str, version: u32, permanent: bool) -> Result<u32, RegistryError> {
        self.call(Method::DELETE, &format!("/subjects/{}/versions/{version}?permanent={permanent}", enc(subject)), None)
            .await
    }

    /// Every version of every subject, skipping those in `known`, in as few requests as the
    /// server allows: one `GET /schemas` where it exists (Confluent), else the subjects, their
    /// version lists, and each unknown version.
    pub async fn all_versions(
        &self,
        known: &std::collections::HashSet<(String, u32)>,
    ) -> Result<Vec<SubjectVersion>, RegistryError> {
        if self.dialect.lists_versions() {
            match self.call::<Vec<SubjectVersion>>(Method::GET, "/schemas?latestOnly=false", None).await {
                Ok(all) => {
                    return Ok(all.into_iter().filter(|v| !known.contains(&(v.subject.clone(), v.version))).collect());
                }
                Err(
                    RegistryError::NotFound { what: Missing::Other, .. } | RegistryError::Server { status: 405, .. },
                ) => {}
                Err(e) => return Err(e),
            }
        }
        let mut out = Vec::new();
        for subject in self.subjects().await? {
            let versions = match self.versions(&subject).await {
                Ok(v) => v,
                Err(RegistryError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            for v in versions {
                if !known.contains(&(subject.clone(), v)) {
                    out.push(self.version(&subject, Some(v)).await?);
                }
            }
        }
        Ok(out)
    }

    pub async fn schema_by_id(&self, id: u32) -> Result<SchemaById, RegistryError> {
        self.call(Method::GET, &format!("/schemas/ids/{id}"), None).await
    }

    pub async fn subjects(&self) -> Result<Vec<String>, RegistryError> {
        self.call(Method::GET, "/subjects", None).await
    }

    /// The subject's versions, oldest first. An unknown subject is `NotFound(Subject)` whether
    /// the server says 404 (Confluent) or `200 []` (rivven-schema).
    pub async fn versions(&self, subject: &str) -> Result<Vec<u32>, RegistryError> {
        let v: Vec<u32> = self.call(Method::GET, &format!("/subjects/{}/versions", enc(subject)), None).await?;
        if v.is_empty() {
            return Err(RegistryError::NotFound {
                what: Missing::Subject,
                message: format!("subject '{subject}' not found"),
            });
        }
        Ok(v)
    }

    /// One version of a subject; `None` asks for the latest.
    pub async fn version(&self, subject: &str, version: Option<u32>) -> Result<SubjectVersion, RegistryError> {
        let v = version.map(|v| v.to_string()).unwrap_or_else(|| "latest".into());
        self.call(Method::GET, &format!("/subjects/{}/versions/{v}", enc(subject)), None).await
    }

    pub async fn set_compatibility(&self, subject: &str, level: CompatibilityLevel) -> Result<(), RegistryError> {
        let _: serde_json::Value = self
            .call(
                Method::PUT,
                &format!("/config/{}", enc(subject)),
                Some(serde_json::json!({ "compatibility": level.as_str() })),
            )
            .await?;
        Ok(())
    }

    /// The subject's own compatibility level, or the global one when it has none.
    pub async fn compatibility(&self, subject: &str) -> Result<CompatibilityLevel, RegistryError> {
        let r: ConfigBody =
            self.call(Method::GET, &format!("/config/{}?defaultToGlobal=true", enc(subject)), None).await?;
        r.level.parse().map_err(|e: meshdesk_domain::Invalid| RegistryError::Protocol(e.0))
    }

    pub async fn probe(&self) -> RegistryProbe {
        let started = Instant::now();
        let r: Result<Vec<String>, _> = self.subjects().await;
        let latency_ms = started.elapsed().as_millis() as u64;
        match r {
            Ok(s) => RegistryProbe {
                ok: true,
                detail: format!("{} subject{}", s.len(), if s.len() == 1 { "" } else { "s" }),
                latency_ms,
            },
            Err(e) => RegistryProbe { ok: false, detail: e.to_string(), latency_ms },
        }
    }
}

fn enc(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_percent_encoded_in_paths() {
        assert_eq!(enc("sales.order-placed-value"), "sales.order-placed-value");
        assert_eq!(enc("a/b c"), "a%2Fb%20c");
    }
}
