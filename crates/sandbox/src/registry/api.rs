//! Confluent's REST API over [`Registry`]: the paths, query parameters, bodies and error shapes
//! its clients expect (`application/vnd.schemaregistry.v1+json`, `{"error_code", "message"}`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use meshdesk_domain::CompatibilityLevel;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::RwLock;

use super::state::{ApiError, Registry, SchemaRequest, Version};

pub type Shared = Arc<RwLock<Registry>>;
type Q = Query<HashMap<String, String>>;

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        reply(status, json!({ "error_code": self.code, "message": self.message }))
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    r
}

fn ok(body: Value) -> Result<Response, ApiError> {
    Ok(reply(StatusCode::OK, body))
}

fn flag(q: &HashMap<String, String>, name: &str) -> bool {
    q.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("Unrecognized request body: {e}")))
}

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(|| async { reply(StatusCode::OK, json!({})) }))
        .route("/schemas/types", get(|| async { reply(StatusCode::OK, json!(["JSON", "PROTOBUF", "AVRO"])) }))
        .route("/schemas", get(schemas))
        .route("/schemas/ids/:id", get(schema_by_id))
        .route("/schemas/ids/:id/schema", get(schema_text_by_id))
        .route("/schemas/ids/:id/subjects", get(subjects_of_id))
        .route("/schemas/ids/:id/versions", get(versions_of_id))
        .route("/subjects", get(subjects))
        .route("/subjects/:subject", post(lookup).delete(delete_subject))
        .route("/subjects/:subject/versions", get(versions).post(register))
        .route("/subjects/:subject/versions/:version", get(version).delete(delete_version))
        .route("/subjects/:subject/versions/:version/schema", get(version_schema))
        .route("/subjects/:subject/versions/:version/referencedby", get(referenced_by))
        .route("/subjects/:subject/metadata", get(latest_with_metadata))
        .route("/compatibility/subjects/:subject/versions", post(check_all))
        .route("/compatibility/subjects/:subject/versions/:version", post(check_one))
        .route("/config", get(global_config).put(set_global_config))
        .route("/config/:subject", get(subject_config).put(set_subject_config).delete(delete_subject_config))
        .route("/mode", get(mode).put(set_mode))
        .route("/contexts", get(|| async { reply(StatusCode::OK, json!(["."])) }))
        .with_state(state)
}

/// A subject's version as Confluent returns it (`schemaType` left out for Avro).
fn version_json(r: &Registry, subject: &str, v: Version) -> Result<Value, ApiError> {
    let s = r.schema(v.id)?;
    let mut out = json!({ "subject": subject, "version": v.version, "id": v.id, "schema": s.schema });
    fill(&mut out, s);
    Ok(out)
}

fn fill(out: &mut Value, s: &super::state::StoredSchema) {
    if s.format != meshdesk_domain::SchemaFormat::Avro {
        out["schemaType"] = json!(s.format.as_str());
    }
    if !s.references.is_empty() {
        out["references"] = json!(s.references);
    }
    if let Some(m) = &s.metadata {
        out["metadata"] = m.clone();
    }
    if let Some(rs) = &s.rule_set {
        out["ruleSet"] = rs.clone();
    }
}

async fn schemas(State(st): State<Shared>, Query(q): Q) -> Result<Response, ApiError> {
    let r = st.read().await;
    let prefix = q.get("subjectPrefix").map(String::as_str).unwrap_or("");
    let deleted = flag(&q, "deleted");
    let latest_only = flag(&q, "latestOnly");
    let mut out = Vec::new();
    for (name, s) in r.subjects.range(prefix.to_owned()..) {
        if !name.starts_with(prefix) {
            break;
        }
        let versions: Vec<Version> = s.versions.iter().filter(|v| deleted || !v.deleted).copied().collect();
        let chosen: Vec<Version> = if latest_only { versions.last().copied().into_iter().collect() } else { versions };
        for v in chosen {
            out.push(version_json(&r, name, v)?);
        }
    }
    ok(Value::Array(out))
}

fn id_of(raw: &str) -> Result<u32, ApiError> {
    raw.parse().map_err(|_| ApiError { status: 404, code: 40403, message: "Schema not found".into() })
}

async fn schema_by_id(State(st): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = st.read().await;
    let s = r.schema(id_of(&id)?)?;
    let mut out = json!({ "schema": s.schema });
    fill(&mut out, s);
    ok(out)
}

async fn schema_text_by_id(State(st): State<Shared>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let r = st.read().await;
    let s = r.schema(id_of(&id)?)?;
    Ok(s.schema.clone().into_response())
}

fn uses_of(r: &Registry, id: u32, deleted: bool) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (name, s) in &r.subjects {
        for v in s.versions.iter().filter(|v| v.id == id && (deleted || !v.deleted)) {
            out.push((name.clone(), v.version));
        }
    }
    out
}

async fn subjects_of_id(State(st): State<Shared>, Path(id): Path<String>, Query(q): Q) -> Result<Response, ApiError> {
    let r = st.read().await;
    let id = id_of(&id)?;
    r.schema(id)?;
    let mut names: Vec<String> = uses_of(&r, id, flag(&q, "deleted")).into_iter().map(|(s, _)| s).collect();
    names.dedup();
    ok(json!(names))
}

async fn versions_of_id(State(st): State<Shared>, Path(id): Path<String>, Query(q): Q) -> Result<Response, ApiError> {
    let r = st.read().await;
    let id = id_of(&id)?;
    r.schema(id)?;
    let uses: Vec<Value> =
        uses_of(&r, id, flag(&q, "deleted")).into_iter().map(|(s, v)| json!({"subject": s, "version": v})).collect();
    ok(Value::Array(uses))
}

async fn subjects(State(st): State<Shared>, Query(q): Q) -> Result<Response, ApiError> {
    let r = st.read().await;
    let prefix = q.get("subjectPrefix").map(String::as_str).unwrap_or("");
    let deleted = flag(&q, "deleted");
    let names: Vec<&String> = r
        .subjects
        .iter()
        .filter(|(n, s)| n.starts_with(prefix) && s.versions.iter().any(|v| deleted || !v.deleted))
        .map(|(n, _)| n)
        .collect();
    ok(json!(names))
}

async fn versions(State(st): State<Shared>, Path(subject): Path<String>, Query(q): Q) -> Result<Response, ApiError> {
    let r = st.read().await;
    let deleted = flag(&q, "deleted");
    let s = r.subject(&subject, deleted)?;
    let v: Vec<u32> = s.versions.iter().filter(|v| deleted || !v.deleted).map(|v| v.version).collect();
    ok(json!(v))
}

async fn version(
    State(st): State<Shared>,
    Path((subject, v)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    let r = st.read().await;
    let found = r.version(&subject, &v, flag(&q, "deleted"))?;
    ok(version_json(&r, &subject, found)?)
}

async fn version_schema(
    State(st): State<Shared>,
    Path((subject, v)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    let r = st.read().await;
    let found = r.version(&subject, &v, flag(&q, "deleted"))?;
    Ok(r.schema(found.id)?.schema.clone().into_response())
}

async fn referenced_by(
    State(st): State<Shared>,
    Path((subject, v)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let r = st.read().await;
    let found = r.version(&subject, &v, true)?;
    ok(json!(r.referenced_by(&subject, found.version)))
}

async fn latest_with_metadata(
    State(st): State<Shared>,
    Path(subject): Path<String>,
    query: axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    // `key=a&value=x&key=b&value=y`: pairs in order.
    let (mut keys, mut values) = (Vec::new(), Vec::new());
    for pair in query.0.unwrap_or_default().split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "key" => keys.push(v),
            "value" => values.push(v),
            _ => {}
        }
    }
    let wanted: Vec<(String, String)> = keys.into_iter().zip(values).collect();
    let r = st.read().await;
    let found = r.latest_with_metadata(&subject, &wanted)?;
    ok(version_json(&r, &subject, found)?)
}

/// A percent-encoded path segment, decoded.
pub fn decode_segment(s: &str) -> String {
    percent_decode(&s.replace('+', "%2B"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn register(State(st): State<Shared>, Path(subject): Path<String>, raw: Bytes) -> Result<Response, ApiError> {
    let req: SchemaRequest = body(&raw)?;
    let mut r = st.write().await;
    let (id, version) = r.register(&subject, req, true)?;
    ok(json!({ "id": id, "version": version, "subject": subject }))
}

/// Replays one journaled registration without the compatibility check (it was accepted once).
pub async fn replay_register(st: &Shared, subject: &str, raw: &[u8]) -> Result<(), ApiError> {
    let req: SchemaRequest = body(&Bytes::copy_from_slice(raw))?;
    st.write().await.register(subject, req, false).map(|_| ())
}

async fn lookup(
    State(st): State<Shared>,
    Path(subject): Path<String>,
    Query(q): Q,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let req: SchemaRequest = body(&raw)?;
    let r = st.read().await;
    let v = r.lookup(&subject, req, flag(&q, "deleted"))?;
    ok(version_json(&r, &subject, v)?)
}

async fn delete_subject(
    State(st): State<Shared>,
    Path(subject): Path<String>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    let mut r = st.write().await;
    ok(json!(r.delete_subject(&subject, flag(&q, "permanent"))?))
}

async fn delete_version(
    State(st): State<Shared>,
    Path((subject, v)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    let mut r = st.write().await;
    ok(json!(r.delete_version(&subject, &v, flag(&q, "permanent"))?))
}

fn verdict(messages: Vec<String>, verbose: bool) -> Result<Response, ApiError> {
    let mut out = json!({ "is_compatible": messages.is_empty() });
    if verbose {
        out["messages"] = json!(messages);
    }
    ok(out)
}

async fn check_all(
    State(st): State<Shared>,
    Path(subject): Path<String>,
    Query(q): Q,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let req: SchemaRequest = body(&raw)?;
    let r = st.read().await;
    verdict(r.check(&subject, None, req)?, flag(&q, "verbose"))
}

async fn check_one(
    State(st): State<Shared>,
    Path((subject, v)): Path<(String, String)>,
    Query(q): Q,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let req: SchemaRequest = body(&raw)?;
    let r = st.read().await;
    verdict(r.check(&subject, Some(&v), req)?, flag(&q, "verbose"))
}

fn level_from(raw: &Bytes) -> Result<CompatibilityLevel, ApiError> {
    let v: Value = body(raw)?;
    let text = v.get("compatibility").or_else(|| v.get("compatibilityLevel")).and_then(Value::as_str).unwrap_or("");
    text.parse().map_err(|_| ApiError {
        status: 422,
        code: 42203,
        message: format!("Invalid compatibility level: {text}"),
    })
}

async fn global_config(State(st): State<Shared>) -> Result<Response, ApiError> {
    ok(json!({ "compatibilityLevel": st.read().await.global.as_str() }))
}

async fn set_global_config(State(st): State<Shared>, raw: Bytes) -> Result<Response, ApiError> {
    let level = level_from(&raw)?;
    st.write().await.global = level;
    ok(json!({ "compatibility": level.as_str() }))
}

async fn subject_config(
    State(st): State<Shared>,
    Path(subject): Path<String>,
    Query(q): Q,
) -> Result<Response, ApiError> {
    let r = st.read().await;
    match r.subjects.get(&subject).and_then(|s| s.level) {
        Some(l) => ok(json!({ "compatibilityLevel": l.as_str() })),
        None if flag(&q, "defaultToGlobal") => ok(json!({ "compatibilityLevel": r.global.as_str() })),
        None => Err(ApiError {
            status: 404,
            code: 40408,
            message: format!("Subject '{subject}' does not have subject-level compatibility configured"),
        }),
    }
}

async fn set_subject_config(
    State(st): State<Shared>,
    Path(subject): Path<String>,
    raw: Bytes,
) -> Result<Response, ApiError> {
    let level = level_from(&raw)?;
    st.write().await.subjects.entry(subject).or_default().level = Some(level);
    ok(json!({ "compatibility": level.as_str() }))
}

async fn delete_subject_config(State(st): State<Shared>, Path(subject): Path<String>) -> Result<Response, ApiError> {
    let mut r = st.write().await;
    let global = r.global;
    let before = r.subjects.get_mut(&subject).and_then(|s| s.level.take()).unwrap_or(global);
    ok(json!({ "compatibilityLevel": before.as_str() }))
}

async fn mode(State(st): State<Shared>) -> Result<Response, ApiError> {
    ok(json!({ "mode": st.read().await.mode }))
}

async fn set_mode(State(st): State<Shared>, raw: Bytes) -> Result<Response, ApiError> {
    let v: Value = body(&raw)?;
    let mode = v.get("mode").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
    if !matches!(mode.as_str(), "READWRITE" | "READONLY" | "IMPORT") {
        return Err(ApiError { status: 422, code: 42204, message: format!("Invalid mode: {mode}") });
    }
    st.write().await.mode = mode.clone();
    ok(json!({ "mode": mode }))
}
