//! Meshdesk's application services, shared by the desktop app and the tests: open the cache,
//! connect to an environment (starting the embedded sandbox when that is the environment),
//! keep the cache in step with the governance log, and answer the UI's questions.
//!
//! The cache opens first and serves reads at once, offline too; connecting happens in the
//! background and its progress is visible in [`Meshdesk::environment_status`].
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod access;
mod acls;
#[cfg(test)]
mod areas;
mod background;
mod catalog;
mod changes;
mod connection;
pub mod env;
mod environments;
mod exports;
mod governance_log;
mod ipc;
pub mod keyring;
mod lineage;
mod outbox;
mod policies;
mod promote;
mod quality;
mod schemas;
mod topics;
pub mod trust;
mod wizard;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use meshdesk_contract as c;
use meshdesk_registry::RegistryClient;
use meshdesk_sandbox::Sandbox;
use meshdesk_store::Store;
use tokio::sync::{Mutex, RwLock, broadcast};

use connection::{ConnState, Connection, default_principal, file_signer, nameless_cache_name, own_signer};
pub use env::{ClusterConfig, EnvError, EnvSource};
pub use ipc::Handle;
pub use meshdesk_sandbox::{PortChoice, meshdesk_data_dir};

/// What went wrong, by cause: the input, the rules, the cluster or registry, or being offline.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] meshdesk_store::StoreError),
    #[error(transparent)]
    Kafka(#[from] meshdesk_kafka::KafkaError),
    #[error(transparent)]
    Registry(#[from] meshdesk_registry::RegistryError),
    #[error(transparent)]
    Env(#[from] EnvError),
    #[error("the local sandbox could not start: {0}")]
    Sandbox(String),
    /// Not connected (yet, or any more): try again when the environment answers.
    #[error("{0}")]
    NotConnected(String),
    /// The request itself is wrong (unknown product, bad name): says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The governance rules refuse it (trust, ownership, the policies), whatever the cluster
    /// would say: which rule, and why.
    #[error("{0}")]
    Refused(#[from] meshdesk_domain::trust::Refusal),
}

impl From<meshdesk_domain::Invalid> for ServiceError {
    fn from(e: meshdesk_domain::Invalid) -> Self {
        ServiceError::Invalid(e.0)
    }
}

/// Errors for people: a sentence in plain words, with what the broker, the registry or the cache
/// said as the detail. Errors that already speak plainly (invalid input, a missing product) pass
/// as they are.
impl From<ServiceError> for c::IpcError {
    fn from(e: ServiceError) -> Self {
        use meshdesk_kafka::KafkaError as K;
        use meshdesk_registry::RegistryError as R;
        let full = e.to_string();
        let plain = |message: &str| c::IpcError::new(message).detail(full.clone());
        let coded = |code: c::ErrorCode, message: &str| c::IpcError::with_code(code, message).detail(full.clone());
        match &e {
            ServiceError::NotConnected(_) => c::IpcError::with_code(c::ErrorCode::NotReady, full),
            ServiceError::Invalid(m) => c::IpcError::with_code(c::ErrorCode::Invalid, m.clone()),
            ServiceError::Refused(r) => c::IpcError::with_code(c::ErrorCode::Refused, r.message()),
            ServiceError::Registry(R::Incompatible { .. }) => c::IpcError::with_code(
                c::ErrorCode::RegistryIncompatible,
                "The schema registry refused the schema as incompatible with the subject's registered versions.",
            )
            .detail(full),
            ServiceError::Registry(R::Invalid { .. }) => {
                coded(c::ErrorCode::RegistryRefused, "The schema registry refused the schema as invalid.")
            }
            ServiceError::Registry(R::Referenced { message }) => c::IpcError::with_code(
                c::ErrorCode::RegistryRefused,
                format!("Other schemas reference this version, so it cannot be deleted. {message}"),
            )
            .detail(full.clone()),
            ServiceError::Registry(R::NotPermitted { .. }) => coded(
                c::ErrorCode::RegistryRefused,
                "The schema registry does not accept changes now (it is read-only).",
            ),
            ServiceError::Registry(R::Unauthorized { .. }) => coded(
                c::ErrorCode::RegistryRefused,
                "The schema registry refused your credentials: check the environment's registry login.",
            ),
            ServiceError::Registry(R::Unreachable { .. }) => coded(
                c::ErrorCode::Unavailable,
                "The schema registry could not be reached. Changes wait until it answers again.",
            ),
            ServiceError::Registry(R::Server { .. } | R::Protocol(_)) => {
                plain("The schema registry failed to answer properly.")
            }
            ServiceError::Kafka(K::Unreachable(_)) => coded(
                c::ErrorCode::Unavailable,
                "The Kafka cluster could not be reached. Changes wait until it answers again.",
            ),
            ServiceError::Kafka(K::Refused(_)) => {
                coded(c::ErrorCode::ClusterRefused, "The Kafka cluster refused the request.")
            }
            ServiceError::Kafka(K::Config(_)) => plain("The environment's Kafka settings are not valid."),
            ServiceError::Store(_) => plain("Meshdesk's local cache could not be read or written."),
            _ => c::IpcError::new(full),
        }
    }
}

/// What the service tells whoever listens (the app forwards these as Tauri events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    CatalogChanged,
    StatusChanged,
    /// An access request arrived for one of my products, or one of mine was decided: a title
    /// and a sentence for a desktop notification.
    Access {
        title: String,
        body: String,
    },
    /// A product the viewer reads changed (a new schema version, a port deprecated, ...).
    Change {
        title: String,
        body: String,
    },
}

/// How the sandbox is started when it is the environment.
#[derive(Debug, Clone)]
pub struct SandboxPorts {
    pub broker: PortChoice,
    pub registry: PortChoice,
}

impl Default for SandboxPorts {
    fn default() -> Self {
        Self { broker: PortChoice::Remembered, registry: PortChoice::Remembered }
    }
}

pub struct Meshdesk {
    data_dir: PathBuf,
    cache_path: PathBuf,
    source: EnvSource,
    sandbox_ports: SandboxPorts,
    store: Store,
    conn: RwLock<ConnState>,
    sandbox: Mutex<Option<Sandbox>>,
    notices: broadcast::Sender<Notice>,
    /// The governance log's state: the outbox's producer and its flushes, the fold's.
    log: governance_log::LogState,
    /// What the access area remembers between calls.
    access: access::AccessState,
    metrics: std::sync::Mutex<topics::MetricsState>,
    /// Drafts being published now (one publication per draft at a time).
    publishing: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The changes to products the viewer reads that were announced; `None` until the first look.
    changes_seen: std::sync::Mutex<Option<std::collections::HashSet<String>>>,
    /// The record rules' last measurement per port (and rule set), with when it was taken.
    #[allow(clippy::type_complexity)]
    rule_cache: std::sync::Mutex<
        std::collections::HashMap<String, (std::time::Instant, Vec<meshdesk_domain::live_quality::RuleTally>, u32)>,
    >,
    /// Other environments opened beside this one (promotion targets), by their file.
    others: Mutex<std::collections::HashMap<PathBuf, Arc<Meshdesk>>>,
}

/// An input the service refuses, with the reason for people.
pub(crate) fn invalid(msg: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(msg.to_string())
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Backoff before retrying an outbox entry that failed `attempts` times: 0.5 s doubling to 30 s.
pub fn outbox_backoff_ms(attempts: i64) -> i64 {
    (500i64 << attempts.clamp(0, 6)).min(30_000)
}

fn new_event_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Meshdesk {
    /// Opens the cache for `source` under `data_dir`. Fast and offline: nothing is contacted.
    pub async fn open(
        data_dir: &Path,
        source: EnvSource,
        sandbox_ports: SandboxPorts,
    ) -> Result<Arc<Self>, ServiceError> {
        let (cache_name, conn) = match &source {
            EnvSource::Sandbox { .. } => ("sandbox".to_owned(), ConnState::Starting),
            EnvSource::File(path) => {
                let cfg = ClusterConfig::load(path)?;
                let registry = RegistryClient::new(&cfg.registry_url, cfg.registry_auth.clone())?;
                let name = cfg.name.clone();
                // A file without a name gets a cache of its own (two nameless files must not
                // share one): its stem and a hash of its full path.
                let cache_name = if cfg.named { name.clone() } else { nameless_cache_name(path) };
                let principal = cfg.principal.clone().unwrap_or_else(default_principal);
                let mut warnings = cfg.warnings.clone();
                let signer = file_signer(&cfg, &principal).unwrap_or_else(|e| {
                    warnings.push(e.to_string());
                    None
                });
                (
                    cache_name,
                    ConnState::Ready(Connection {
                        admin: Default::default(),
                        name,
                        principal,
                        kafka: cfg.kafka,
                        registry,
                        governance_topic: cfg.governance_topic,
                        trust: cfg.trust,
                        signer,
                        reconciler: None,
                        warnings,
                    }),
                )
            }
        };
        let cache_dir = data_dir.join("cache");
        std::fs::create_dir_all(&cache_dir)
            .map_err(|e| ServiceError::NotConnected(format!("cannot create {}: {e}", cache_dir.display())))?;
        let safe: String =
            cache_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let cache_path = cache_dir.join(format!("{safe}.db"));
        let store = Store::open(&cache_path).await?;
        let (notices, _) = broadcast::channel(64);
        Ok(Arc::new(Self {
            data_dir: data_dir.to_owned(),
            cache_path,
            source,
            sandbox_ports,
            store,
            conn: RwLock::new(conn),
            sandbox: Mutex::new(None),
            notices,
            log: Default::default(),
            access: Default::default(),
            publishing: Default::default(),
            metrics: Default::default(),
            changes_seen: Default::default(),
            rule_cache: Default::default(),
            others: Default::default(),
        }))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    fn notify(&self, n: Notice) {
        let _ = self.notices.send(n);
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops the embedded sandbox, if any, and closes the cache.
    pub async fn shutdown(&self) {
        for (_, other) in self.others.lock().await.drain() {
            Box::pin(other.shutdown()).await;
        }
        if let Some(sb) = self.sandbox.lock().await.take()
            && let Err(e) = sb.stop().await
        {
            tracing::warn!("stopping the sandbox: {e}");
        }
        self.store.close().await;
    }
}

fn corrupt(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Store(meshdesk_store::StoreError::Corrupt(e.to_string()))
}
