//! Meshdesk's application services, shared by the desktop app and the tests: open the cache,
//! connect to an environment (starting the embedded sandbox when that is the environment),
//! keep the cache in step with the governance log, and answer the UI's questions.
//!
//! The cache opens first and serves reads at once, offline too; connecting happens in the
//! background and its progress is visible in [`Meshdesk::environment_status`].

pub mod access;
mod acls;
mod catalog;
pub mod env;
mod governance_log;
pub mod keyring;
mod outbox;
mod topics;
pub mod trust;
mod wizard;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use meshdesk_contract as c;
use meshdesk_domain::trust::{Signer, TrustRoot};
use meshdesk_kafka::{KafkaProfile, Producer};
use meshdesk_registry::RegistryClient;
use meshdesk_sandbox::{Sandbox, SandboxOptions};
use meshdesk_store::{LogRecord, Store};
use tokio::sync::{Mutex, RwLock, broadcast};

pub use env::{ClusterConfig, EnvError, EnvSource};
pub use meshdesk_sandbox::{PortChoice, meshdesk_data_dir};

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
    #[error("{0}")]
    NotConnected(String),
    /// The request itself is wrong (unknown product, bad name): says what to fix.
    #[error("{0}")]
    Invalid(String),
}

impl From<ServiceError> for c::IpcError {
    fn from(e: ServiceError) -> Self {
        match &e {
            ServiceError::NotConnected(_) => c::IpcError::with_code(c::ErrorCode::NotReady, e.to_string()),
            _ => c::IpcError::new(e.to_string()),
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
}

#[derive(Clone)]
struct Connection {
    name: String,
    principal: String,
    kafka: KafkaProfile,
    registry: RegistryClient,
    governance_topic: String,
    trust: TrustRoot,
    /// This desktop's signing key for `principal`; `None` until one is created.
    signer: Option<Signer>,
    /// The sandbox's in-app reconciler signs what it applied with its own key.
    reconciler: Option<Signer>,
    /// What is wrong with the environment file (secrets in clear, no admins), for people.
    warnings: Vec<String>,
}

enum ConnState {
    Starting,
    Failed(String),
    Ready(Connection),
}

#[derive(Default)]
struct SyncState {
    last_error: Option<String>,
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
    sync_lock: Mutex<()>,
    sync_state: std::sync::Mutex<SyncState>,
    notices: broadcast::Sender<Notice>,
    /// The outbox's producer; dropped after a failure so a retry starts afresh.
    producer: Mutex<Option<Producer>>,
    /// One flush at a time: the background loop and an action that flushes at once would
    /// otherwise both send the same pending entries (the fold then records duplicates).
    flush_lock: Mutex<()>,
    wake: tokio::sync::Notify,
    metrics: std::sync::Mutex<topics::MetricsState>,
    governance_ready: std::sync::atomic::AtomicBool,
    /// Why the cache was last rebuilt from the log, for the status.
    cache_notice: std::sync::Mutex<Option<String>>,
    /// Drafts being published now (one publication per draft at a time).
    publishing: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The access requests the viewer has been told about, by id, with their state; `None`
    /// until the first look (nothing is announced for what was there before the app started).
    access_seen: std::sync::Mutex<Option<std::collections::HashMap<String, String>>>,
    last_reconcile: std::sync::Mutex<Option<std::time::Instant>>,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Aborts a task when dropped (the loop's sampler ends with the loop).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The cache name of an environment file without a `name`: `<stem>-<8 hex of its path>`.
fn nameless_cache_name(path: &Path) -> String {
    use sha2::Digest;
    let full = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let digest = sha2::Sha256::digest(full.to_string_lossy().as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "cluster".into());
    format!("{stem}-{hex}")
}

/// Who this desktop acts as when the environment does not say: `User:<login>`.
fn default_principal() -> String {
    meshdesk_sandbox::local_principal()
}

/// The signing key an environment file's desktop uses: the keyring entry the file names, else
/// the principal's own entry.
fn file_signer(cfg: &ClusterConfig, principal: &str) -> Result<Option<Signer>, String> {
    let principal = meshdesk_domain::Principal::parse(principal)?;
    match &cfg.signing_key {
        Some(name) => keyring::named_signing_key(name, &principal),
        None => keyring::signing_key(&principal),
    }
}

/// This desktop's own key, or what to do about not having one.
fn own_signer(conn: &Connection) -> Result<&Signer, ServiceError> {
    conn.signer.as_ref().ok_or_else(|| {
        ServiceError::Invalid(format!(
            "{} has no signing key on this machine: create one in Settings (or `meshctl trust keygen`) and ask a governance admin to endorse it",
            conn.principal
        ))
    })
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
                    warnings.push(e);
                    None
                });
                (
                    cache_name,
                    ConnState::Ready(Connection {
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
            sync_lock: Mutex::new(()),
            sync_state: Default::default(),
            notices,
            producer: Mutex::new(None),
            flush_lock: Mutex::new(()),
            cache_notice: Default::default(),
            publishing: Default::default(),
            wake: tokio::sync::Notify::new(),
            metrics: Default::default(),
            governance_ready: Default::default(),
            access_seen: Default::default(),
            last_reconcile: Default::default(),
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
                        warnings.push(e);
                        None
                    }
                };
                let reconciler = meshdesk_domain::Principal::parse(meshdesk_domain::seed::RECONCILER)
                    .ok()
                    .and_then(|p| sb.signer(&p).ok());
                let conn = Connection {
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

    async fn connection(&self) -> Result<Connection, ServiceError> {
        match &*self.conn.read().await {
            ConnState::Ready(c) => Ok(c.clone()),
            ConnState::Starting => Err(ServiceError::NotConnected("the local sandbox is still starting".into())),
            ConnState::Failed(e) => Err(ServiceError::Sandbox(e.clone())),
        }
    }

    /// Reads the governance log from where the cache stopped up to its end and folds it in,
    /// 1,000 events per transaction.
    pub async fn sync(&self) -> Result<c::SyncReport, ServiceError> {
        self.sync_batched(1000).await
    }

    /// [`Meshdesk::sync`], folding `batch` records per transaction.
    pub async fn sync_batched(&self, batch: usize) -> Result<c::SyncReport, ServiceError> {
        let conn = self.connection().await?;
        let _one_at_a_time = self.sync_lock.lock().await;
        let result = self.sync_inner(&conn, batch.max(1)).await;
        let changed = matches!(&result, Ok(r) if r.applied > 0);
        let (old, new) = {
            let mut st = self.sync_state.lock().expect("sync state lock");
            let old = st.last_error.clone();
            st.last_error = result.as_ref().err().map(|e| e.to_string());
            (old, st.last_error.clone())
        };
        if changed {
            self.notify(Notice::CatalogChanged);
        }
        if old != new {
            self.notify(Notice::StatusChanged);
        }
        result
    }

    /// Connects, then keeps syncing every `every`, forever. Failures are kept for
    /// [`Meshdesk::environment_status`] and retried; run it as a task and abort it to stop.
    pub async fn run(self: Arc<Self>, every: Duration) {
        // A failed start (a sandbox whose port was taken, a cluster not up yet) is retried,
        // 1 s doubling to 30 s; the status says why meanwhile.
        let mut wait = Duration::from_secs(1);
        while let Err(e) = self.connect().await {
            tracing::error!("connecting failed: {e}; retrying in {}s", wait.as_secs());
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(30));
        }
        // Metrics snapshots and samples read other topics, which may be slow (a broker that
        // lags, a large partition): they run on a task of their own, so writes and the log
        // never wait for them.
        let sampler = {
            let me = self.clone();
            tokio::spawn(async move {
                loop {
                    me.sample_watched_topics().await;
                    tokio::time::sleep(every).await;
                }
            })
        };
        let _stop_sampler = AbortOnDrop(sampler);
        loop {
            if let Err(e) = self.flush_outbox().await {
                tracing::warn!("sending pending writes failed: {e}");
            }
            match self.sync().await {
                Ok(r) if r.applied > 0 => self.announce_access_changes().await,
                Ok(_) => {}
                Err(e) => tracing::warn!("sync failed: {e}"),
            }
            // In the sandbox the reconciler runs inside the app: grants in force are applied,
            // expired and revoked ones removed (on a real cluster the platform team runs
            // `meshctl reconcile`).
            if matches!(self.source, EnvSource::Sandbox { .. }) {
                self.reconcile_in_app().await;
            }
            let _ = tokio::time::timeout(every, self.wake.notified()).await;
        }
    }

    pub(crate) fn governance_topic_now(&self, conn: Option<&Connection>) -> String {
        conn.map(|c| c.governance_topic.clone()).unwrap_or_else(|| meshdesk_domain::GOVERNANCE_TOPIC.to_owned())
    }

    /// Copies every registry version the cache lacks into it; returns (versions added, HTTP
    /// requests made).
    pub async fn sync_registry(&self) -> Result<(usize, u64), ServiceError> {
        let conn = self.connection().await?;
        let known = self.store.cached_registry_keys().await?;
        let before = conn.registry.requests_made();
        let fresh = conn.registry.all_versions(&known).await?;
        let rows: Vec<meshdesk_store::CachedVersion> = fresh
            .into_iter()
            .map(|v| meshdesk_store::CachedVersion {
                subject: v.subject,
                version: v.version,
                schema_id: v.id,
                schema_type: v.schema_type,
                schema: v.schema,
            })
            .collect();
        self.store.put_registry_versions(&rows).await?;
        Ok((rows.len(), conn.registry.requests_made() - before))
    }

    /// Subjects from the cache, refreshed from the registry first when it answers.
    pub async fn list_subjects(&self) -> Result<Vec<c::SubjectSummary>, ServiceError> {
        if let Err(e) = self.sync_registry().await {
            tracing::info!("listing subjects from the cache: {e}");
        }
        Ok(self
            .store
            .registry_subjects()
            .await?
            .into_iter()
            .map(|s| c::SubjectSummary {
                subject: s.subject,
                versions: s.versions,
                latest_version: s.latest_version,
                latest_id: s.latest_id,
                schema_type: s.schema_type,
            })
            .collect())
    }

    /// A subject's versions (from the cache, refreshed first) and its compatibility level.
    pub async fn subject_detail(&self, subject: &str) -> Result<c::SubjectDetail, ServiceError> {
        let _ = self.sync_registry().await;
        let (level, level_note) = match self.connection().await {
            Ok(conn) => match conn.registry.compatibility(subject).await {
                Ok(l) => (Some(l), None),
                Err(e) => (None, Some(e.to_string())),
            },
            Err(e) => (None, Some(e.to_string())),
        };
        let versions = self
            .store
            .registry_versions(subject)
            .await?
            .into_iter()
            .map(|v| c::SchemaVersionView {
                version: v.version,
                id: v.schema_id,
                schema_type: v.schema_type,
                schema: v.schema,
            })
            .collect();
        Ok(c::SubjectDetail { subject: subject.to_owned(), level, level_note, versions })
    }

    /// Registers a new version; the registry enforces the subject's level again.
    pub async fn register_schema(&self, req: &c::RegisterRequest) -> Result<c::Registered, ServiceError> {
        let conn = self.connection().await?;
        let id = conn.registry.register(&req.subject, &req.schema, req.format).await?;
        self.sync_registry().await?;
        let version =
            conn.registry.lookup(&req.subject, &req.schema, req.format).await?.map(|v| v.version).unwrap_or_default();
        Ok(c::Registered { id, version })
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
        let sync_error = self.sync_state.lock().expect("sync state lock").last_error.clone();
        let outbox = self.store.outbox_status(&topic).await.unwrap_or_default();
        let (name, bootstrap, registry_url, broker, registry) = match self.connection().await {
            Ok(conn) => {
                let timeout = Duration::from_secs(3);
                let (k, r) = tokio::join!(meshdesk_kafka::probe(&conn.kafka, timeout), conn.registry.probe());
                (
                    conn.name.clone(),
                    conn.kafka.bootstrap_servers().to_owned(),
                    conn.registry.base_url().to_owned(),
                    c::Probe { state: state(k.ok), detail: k.detail, latency_ms: Some(k.latency_ms) },
                    c::Probe { state: state(r.ok), detail: r.detail, latency_ms: Some(r.latency_ms) },
                )
            }
            Err(e) => {
                let st = if matches!(e, ServiceError::NotConnected(_)) {
                    c::ProbeState::Starting
                } else {
                    c::ProbeState::Down
                };
                let p = c::Probe { state: st, detail: e.to_string(), latency_ms: None };
                ("sandbox".into(), String::new(), String::new(), p.clone(), p)
            }
        };
        c::EnvironmentStatus {
            name,
            kind,
            bootstrap_servers: bootstrap,
            registry_url,
            broker,
            registry,
            last_sync,
            sync_error,
            pending_writes: outbox.pending,
            pending_error: outbox.last_error,
            cache_notice: self.cache_notice.lock().expect("cache notice lock").clone(),
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

    pub async fn list_products(&self, q: &c::ProductQuery) -> Result<Vec<c::ProductSummary>, ServiceError> {
        self.store.list_products(q.text.as_deref()).await?.into_iter().map(catalog::summary).collect()
    }

    pub async fn list_domains(&self) -> Result<Vec<c::DomainSummary>, ServiceError> {
        Ok(self
            .store
            .list_domains()
            .await?
            .into_iter()
            .map(|d| c::DomainSummary {
                id: d.id,
                name: d.name,
                description: d.description,
                owners: d.owners,
                contact: d.contact,
                product_count: d.product_count,
            })
            .collect())
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

    /// Stops the embedded sandbox, if any, and closes the cache.
    pub async fn shutdown(&self) {
        if let Some(sb) = self.sandbox.lock().await.take()
            && let Err(e) = sb.stop().await
        {
            tracing::warn!("stopping the sandbox: {e}");
        }
        self.store.close().await;
    }
}

fn decode_batch(records: Vec<meshdesk_kafka::Record>) -> Vec<LogRecord> {
    records
        .into_iter()
        .map(|r| LogRecord {
            offset: r.offset,
            timestamp_ms: r.timestamp_ms,
            envelope: match r.value {
                Some(v) => meshdesk_domain::Envelope::from_bytes(&v).map_err(|e| e.to_string()),
                None => Err("empty record".into()),
            },
        })
        .collect()
}

fn state(ok: bool) -> c::ProbeState {
    if ok { c::ProbeState::Up } else { c::ProbeState::Down }
}

fn corrupt(e: String) -> ServiceError {
    ServiceError::Store(meshdesk_store::StoreError::Corrupt(e))
}
