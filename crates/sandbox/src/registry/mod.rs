//! The sandbox's Schema Registry: Confluent's REST API (`api.rs`) over an in-memory registry
//! (`state.rs`) that decides compatibility with the domain's engine, made durable by a journal:
//! every mutating request that succeeds is appended (and fsynced) to `journal.jsonl` before its
//! answer is sent; at start the journal is replayed in order into a fresh registry. Mutations
//! are serialised, so the replay assigns the same schema ids and versions.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, RwLock, oneshot};
use tower::ServiceExt;

mod api;
mod state;

const MAX_BODY: usize = 10 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    method: String,
    uri: String,
    body: String,
}

struct Journal {
    path: PathBuf,
    /// Held across a mutation and its append: journal order is execution order.
    lock: Mutex<()>,
}

pub struct RegistryServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RegistryServer {
    /// Replays `dir/journal.jsonl` into a fresh registry and serves it on `listener`.
    pub async fn start(dir: &Path, listener: tokio::net::TcpListener) -> anyhow::Result<Self> {
        tokio::fs::create_dir_all(dir).await?;
        let path = dir.join("journal.jsonl");
        let shared: api::Shared = Arc::new(RwLock::new(state::Registry::default()));
        let router = api::router(shared.clone());

        let replayed = replay(&path, &router, &shared).await?;
        if replayed > 0 {
            tracing::info!("registry: replayed {replayed} journaled requests");
        }

        let journal = Arc::new(Journal { path, lock: Mutex::new(()) });
        let app = router.layer(middleware::from_fn_with_state(journal, journaling));
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("registry server stopped: {e}");
            }
        });
        Ok(Self { addr, shutdown: Some(tx), task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RegistryServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn replay(path: &Path, router: &axum::Router, shared: &api::Shared) -> anyhow::Result<usize> {
    let text = match tokio::fs::read_to_string(path).await {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            // A torn last line (crash mid-append) was never acknowledged to its client.
            Err(_) if i + 1 == text.lines().count() => {
                tracing::warn!("registry journal: ignoring a torn last line");
                break;
            }
            Err(e) => anyhow::bail!("registry journal {} line {}: {e}", path.display(), i + 1),
        };
        // A registration is repeated as it was accepted, without judging it again (a journal
        // written by an older registry may hold evolutions today's rules would refuse).
        if entry.method == "POST"
            && let Some(subject) = registration_subject(&entry.uri)
        {
            if let Err(e) = api::replay_register(shared, &subject, entry.body.as_bytes()).await {
                tracing::warn!("registry journal line {}: skipped a registration: {}", i + 1, e.message);
            }
            n += 1;
            continue;
        }
        let req = Request::builder()
            .method(entry.method.as_str())
            .uri(&entry.uri)
            .header("content-type", "application/json")
            .body(Body::from(entry.body))?;
        let resp = router.clone().oneshot(req).await?;
        if !resp.status().is_success() {
            let status = resp.status();
            let body = to_bytes(resp.into_body(), MAX_BODY).await.unwrap_or_default();
            tracing::warn!(
                "registry journal {} line {}: replay answered {status}: {}",
                path.display(),
                i + 1,
                String::from_utf8_lossy(&body)
            );
        }
        n += 1;
    }
    Ok(n)
}

/// The subject of `POST /subjects/{subject}/versions`, decoded.
fn registration_subject(uri: &str) -> Option<String> {
    let path = uri.split('?').next()?;
    let rest = path.strip_prefix("/subjects/")?.strip_suffix("/versions")?;
    (!rest.contains('/')).then(|| api::decode_segment(rest))
}

/// Whether a request changes the registry: lookups and compatibility checks are POSTs too.
fn mutates(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS => false,
        Method::POST => path.starts_with("/subjects/") && path.ends_with("/versions"),
        _ => true,
    }
}

async fn journaling(State(journal): State<Arc<Journal>>, req: Request, next: Next) -> Response {
    if !mutates(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return (StatusCode::PAYLOAD_TOO_LARGE, e.to_string()).into_response(),
    };
    let entry = Entry {
        method: parts.method.to_string(),
        uri: parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_else(|| parts.uri.path().to_owned()),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let _serial = journal.lock.lock().await;
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if resp.status().is_success()
        && let Err(e) = append(&journal.path, &entry).await
    {
        // The change happened in memory but would not survive a restart: say so loudly.
        tracing::error!("registry journal append failed: {e}");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({"error_code": 50001, "message": format!("journal write failed: {e}")})),
        )
            .into_response();
    }
    resp
}

async fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut f = tokio::fs::OpenOptions::new().create(true).append(true).open(path).await?;
    f.write_all(&line).await?;
    f.sync_data().await
}
