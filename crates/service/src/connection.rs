//! The connection to an environment: what an environment file or the embedded sandbox gives
//! (principal, Kafka profile, registry, governance topic, trust anchors, signing keys), and the
//! status and settings the window shows about it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use meshdesk_contract as c;
use meshdesk_domain::trust::{Signer, TrustRoot};
use meshdesk_kafka::{Admin, KafkaProfile};
use meshdesk_registry::RegistryClient;
use meshdesk_sandbox::{Sandbox, SandboxOptions};

use crate::{ClusterConfig, EnvSource, Meshdesk, Notice, ServiceError, keyring};

#[derive(Clone)]
pub(crate) struct Connection {
    pub(crate) name: String,
    pub(crate) principal: String,
    pub(crate) kafka: KafkaProfile,
    pub(crate) registry: RegistryClient,
    pub(crate) governance_topic: String,
    pub(crate) trust: TrustRoot,
    /// This desktop's signing key for `principal`; `None` until one is created.
    pub(crate) signer: Option<Signer>,
    /// The sandbox's in-app reconciler signs what it applied with its own key.
    pub(crate) reconciler: Option<Signer>,
    /// What is wrong with the environment file (secrets in clear, no admins), for people.
    pub(crate) warnings: Vec<String>,
    /// The one admin client of this connection, made on first use and shared by every clone
    /// (an rdkafka client holds threads and buffers: one per call cost a connection each time).
    pub(crate) admin: SharedAdmin,
}

/// A lazily made admin client shared by a connection's clones.
#[derive(Clone, Default)]
pub(crate) struct SharedAdmin(Arc<std::sync::Mutex<Option<Arc<Admin>>>>);

impl Connection {
    /// The connection's admin client (made on first use).
    pub(crate) fn admin(&self) -> Result<Arc<Admin>, meshdesk_kafka::KafkaError> {
        let mut slot = self.admin.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(a) = slot.as_ref() {
            return Ok(a.clone());
        }
        let a = Arc::new(Admin::new(&self.kafka)?);
        *slot = Some(a.clone());
        Ok(a)
    }
}

// One per service, rarely moved: the size of `Ready` costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub(crate) enum ConnState {
    Starting,
    Failed(String),
    Ready(Connection),
}

/// The cache name of an environment file without a `name`: `<stem>-<8 hex of its path>`.
pub(crate) fn nameless_cache_name(path: &Path) -> String {
    use sha2::Digest;
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let digest = sha2::Sha256::digest(full.to_string_lossy().as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "cluster".into());
    format!("{stem}-{hex}")
}

/// Who this desktop acts as when the environment does not say: `User:<login>`.
pub(crate) fn default_principal() -> String {
    meshdesk_sandbox::local_principal()
}

/// The signing key an environment file's desktop uses: the keyring entry the file names, else
/// the principal's own entry.
pub(crate) fn file_signer(cfg: &ClusterConfig, principal: &str) -> Result<Option<Signer>, keyring::KeyringError> {
    let principal = meshdesk_domain::Principal::parse(principal)?;
    match &cfg.signing_key {
        Some(name) => keyring::named_signing_key(name, &principal),
        None => keyring::signing_key(&principal),
    }
}

/// This desktop's own key, or what to do about not having one.
pub(crate) fn own_signer(conn: &Connection) -> Result<&Signer, ServiceError> {
    conn.signer.as_ref().ok_or_else(|| {
        ServiceError::Invalid(format!(
            "{} has no signing key on this machine: create one in Settings (or `meshctl trust keygen`) and ask a governance admin to endorse it",
            conn.principal
        ))
    })
}

impl Meshdesk {
    /// Connects to the environment; for the sandbox this starts (and on first use seeds) it.
    pub async fn connect(&self) -> Result<(), ServiceError> {
        let EnvSource::Sandbox { dir } = &self.source else {
            return Ok(());
        };
        let mut opts = SandboxOptions::new(dir.clone());
        opts.broker_port = self.sandbox_ports.broker;
        opts.registry_port = self.sandbox_ports.registry;
        match Sandbox::start(opts).await {
            Ok(sb) => {
                let principal = std::env::var("MESHDESK_PRINCIPAL").unwrap_or_else(|_| default_principal());
                let mut warnings = Vec::new();
                let signer = match meshdesk_domain::Principal::parse(&principal) {
                    Ok(p) => sb.signer(&p).map_err(|e| warnings.push(format!("{e:#}"))).ok(),
                    Err(e) => {
                        warnings.push(e.to_string());
                        None
                    }
                };
                let reconciler = meshdesk_domain::Principal::parse(meshdesk_domain::seed::RECONCILER)
                    .ok()
                    .and_then(|p| sb.signer(&p).ok());
                let conn = Connection {
                    admin: Default::default(),
                    name: "sandbox".into(),
                    principal,
                    kafka: sb.kafka_profile(),
                    registry: RegistryClient::new(&sb.registry_url(), None)?,
                    governance_topic: meshdesk_domain::GOVERNANCE_TOPIC.into(),
                    trust: sb.trust_root(),
                    signer,
                    reconciler,
                    warnings,
                };
                *self.sandbox.lock().await = Some(sb);
                *self.conn.write().await = ConnState::Ready(conn);
                self.notify(Notice::StatusChanged);
                Ok(())
            }
            Err(e) => {
                let msg = format!("{e:#}");
                *self.conn.write().await = ConnState::Failed(msg.clone());
                self.notify(Notice::StatusChanged);
                Err(ServiceError::Sandbox(msg))
            }
        }
    }

    pub(crate) async fn connection(&self) -> Result<Connection, ServiceError> {
        match &*self.conn.read().await {
            ConnState::Ready(c) => Ok(c.clone()),
            ConnState::Starting => Err(ServiceError::NotConnected("the local sandbox is still starting".into())),
            ConnState::Failed(e) => Err(ServiceError::Sandbox(e.clone())),
        }
    }

    /// The principal this desktop acts as, once connected.
    pub(crate) async fn viewer(&self) -> Option<String> {
        match &*self.conn.read().await {
            ConnState::Ready(c) => Some(c.principal.clone()),
            _ => None,
        }
    }

    /// The environment's bootstrap servers, once connected.
    pub async fn bootstrap_servers(&self) -> Option<String> {
        match &*self.conn.read().await {
            ConnState::Ready(c) => Some(c.kafka.bootstrap_servers().to_owned()),
            _ => None,
        }
    }

    pub(crate) fn governance_topic_now(&self, conn: Option<&Connection>) -> String {
        conn.map(|c| c.governance_topic.clone()).unwrap_or_else(|| meshdesk_domain::GOVERNANCE_TOPIC.to_owned())
    }

    pub async fn environment_status(&self) -> c::EnvironmentStatus {
        let kind = match self.source {
            EnvSource::Sandbox { .. } => c::EnvironmentKind::Sandbox,
            EnvSource::File(_) => c::EnvironmentKind::Cluster,
        };
        let topic = match &*self.conn.read().await {
            ConnState::Ready(c) => c.governance_topic.clone(),
            _ => meshdesk_domain::GOVERNANCE_TOPIC.to_owned(),
        };
        let last_sync = match (self.store.next_offset(&topic).await, self.store.last_applied_at(&topic).await) {
            (Ok(next_offset), Ok(Some(at_ms))) => Some(c::SyncInfo { next_offset, at_ms }),
            _ => None,
        };
        let sync_error = self.log.sync_state.lock().expect("sync state lock").last_error.clone();
        let outbox = self.store.outbox_status(&topic).await.unwrap_or_default();
        let (name, bootstrap, registry_url, broker, registry, cluster) = match self.connection().await {
            Ok(conn) => {
                let timeout = Duration::from_secs(3);
                let (k, r) = tokio::join!(meshdesk_kafka::probe(&conn.kafka, timeout), conn.registry.probe());
                let cluster = k.health.map(|h| c::ClusterHealth {
                    brokers_up: h.brokers_up,
                    brokers_away: h.brokers_away,
                    under_replicated: u32::try_from(h.under_replicated).unwrap_or(u32::MAX),
                    offline: u32::try_from(h.offline).unwrap_or(u32::MAX),
                    topics_affected: h.topics_affected,
                });
                (
                    conn.name.clone(),
                    conn.kafka.bootstrap_servers().to_owned(),
                    conn.registry.base_url().to_owned(),
                    c::Probe { state: state(k.ok), detail: k.detail, latency_ms: Some(k.latency_ms) },
                    c::Probe { state: state(r.ok), detail: r.detail, latency_ms: Some(r.latency_ms) },
                    cluster,
                )
            }
            Err(e) => {
                let st = if matches!(e, ServiceError::NotConnected(_)) {
                    c::ProbeState::Starting
                } else {
                    c::ProbeState::Down
                };
                let p = c::Probe { state: st, detail: e.to_string(), latency_ms: None };
                ("sandbox".into(), String::new(), String::new(), p.clone(), p, None)
            }
        };
        c::EnvironmentStatus {
            name,
            kind,
            bootstrap_servers: bootstrap,
            registry_url,
            broker,
            cluster,
            registry,
            last_sync,
            sync_error,
            pending_writes: outbox.pending,
            pending_error: outbox.last_error,
            cache_notice: self.log.cache_notice.lock().expect("cache notice lock").clone(),
            parked_writes: outbox
                .parked
                .into_iter()
                .map(|p| c::ParkedWrite {
                    event_id: p.event_id,
                    kind: p.kind,
                    reason: p.reason,
                    parked_at_ms: p.parked_at_ms,
                })
                .collect(),
        }
    }

    pub async fn app_info(&self) -> c::AppInfo {
        let (source, props, topic) = match (&self.source, &*self.conn.read().await) {
            (EnvSource::Sandbox { dir }, ConnState::Ready(c)) => {
                (format!("embedded sandbox in {}", dir.display()), c.kafka.masked(), c.governance_topic.clone())
            }
            (EnvSource::Sandbox { dir }, _) => {
                (format!("embedded sandbox in {}", dir.display()), vec![], meshdesk_domain::GOVERNANCE_TOPIC.into())
            }
            (EnvSource::File(p), ConnState::Ready(c)) => {
                (p.display().to_string(), c.kafka.masked(), c.governance_topic.clone())
            }
            (EnvSource::File(p), _) => (p.display().to_string(), vec![], meshdesk_domain::GOVERNANCE_TOPIC.into()),
        };
        c::AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.data_dir.display().to_string(),
            cache_path: self.cache_path.display().to_string(),
            environment_source: source,
            governance_topic: topic,
            kafka_properties: props,
        }
    }
}

fn state(ok: bool) -> c::ProbeState {
    if ok { c::ProbeState::Up } else { c::ProbeState::Down }
}
