//! The local sandbox: a Kafka-compatible broker (nisshi, child process, SQLite storage) and a
//! Confluent-compatible Schema Registry (its own, in process, journaled), both on
//! loopback and durable under one data directory, seeded once with the retail example.
//!
//! Layout of the data directory:
//! ```text
//! sandbox.json          ports in use and whether the seed was applied
//! broker/broker.db      the broker's storage     broker/broker.log  its output
//! registry/journal.jsonl every successful mutating registry request, in order
//! trust/keys.json       the sandbox's signing keys (sandbox-only, mode 0600)
//! gateway/              the authorizing gateway's users.json and acls.json, and the
//!                       sandbox's own principals' passwords (sandbox-only, mode 0600)
//! ```
//!
//! Clients reach the broker only through the gateway (`meshdesk-gateway`), which
//! authenticates them (SASL/PLAIN) and enforces ACLs with Kafka's rules: nisshi listens on a
//! private loopback port and advertises the gateway's address.

pub mod access;
mod broker;
pub mod keys;
mod registry;
pub mod seed;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Context;
use meshdesk_kafka::KafkaProfile;
use serde::{Deserialize, Serialize};

pub use broker::{BrokerProcess, BrokerSecurity, locate_nisshi};
pub use keys::{SandboxKeys, local_principal};
pub use registry::RegistryServer;

pub const NISSHI_VERSION: &str = "0.8.1";

/// Meshdesk's data directory: `$MESHDESK_DATA_DIR`, else `$XDG_DATA_HOME/meshdesk`, else
/// `~/.local/share/meshdesk`.
pub fn meshdesk_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MESHDESK_DATA_DIR") {
        return PathBuf::from(d);
    }
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("meshdesk")
}

/// Which loopback port to listen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortChoice {
    /// Exactly this port.
    Fixed(u16),
    /// Any free port (tests: concurrent runs never collide).
    Free,
    /// The port used last time if it is free, else any free port (the app: stable addresses
    /// for tools pointed at the sandbox).
    Remembered,
}

#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub data_dir: PathBuf,
    pub broker_port: PortChoice,
    pub registry_port: PortChoice,
    /// Seed the retail example if it was not seeded before.
    pub seed: bool,
    /// The nisshi binary; `None` finds it with [`locate_nisshi`].
    pub nisshi: Option<PathBuf>,
}

impl SandboxOptions {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            broker_port: PortChoice::Remembered,
            registry_port: PortChoice::Remembered,
            seed: true,
            nisshi: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxState {
    pub broker_port: Option<u16>,
    pub registry_port: Option<u16>,
    pub seeded_at_ms: Option<i64>,
}

impl SandboxState {
    fn path(dir: &Path) -> PathBuf {
        dir.join("sandbox.json")
    }
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        match std::fs::read(Self::path(dir)) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| format!("reading {}", Self::path(dir).display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e.into()),
        }
    }
    fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let tmp = dir.join("sandbox.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(tmp, Self::path(dir))?;
        Ok(())
    }
}

/// Binds a loopback listener for `choice`; for `Remembered`, `last` is tried first.
async fn bind(choice: PortChoice, last: Option<u16>) -> anyhow::Result<tokio::net::TcpListener> {
    let try_port = |p: u16| tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, p)));
    match choice {
        PortChoice::Fixed(p) => try_port(p).await.with_context(|| format!("port {p} on 127.0.0.1 is taken")),
        PortChoice::Free => Ok(try_port(0).await?),
        PortChoice::Remembered => match last {
            Some(p) => match try_port(p).await {
                Ok(l) => Ok(l),
                Err(_) => Ok(try_port(0).await?),
            },
            None => Ok(try_port(0).await?),
        },
    }
}

/// The users the sandbox makes for itself: its admin, the seed's owners and the local user.
fn sandbox_users() -> Vec<String> {
    let mut out = vec![access::ADMIN_USER.to_owned()];
    let principals = meshdesk_domain::seed::principals().into_iter().map(|(p, _)| p.as_str().to_owned());
    for p in principals.chain([local_principal()]) {
        if let Some(name) = p.strip_prefix("User:")
            && meshdesk_gateway::UserStore::valid_name(name)
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_owned());
        }
    }
    out
}

async fn start_gateway(
    listener: tokio::net::TcpListener,
    upstream_port: u16,
    dir: &Path,
) -> anyhow::Result<meshdesk_gateway::Gateway> {
    let upstream = SocketAddr::from((Ipv4Addr::LOCALHOST, upstream_port));
    meshdesk_gateway::Gateway::start(listener, upstream, dir, vec![format!("User:{}", access::ADMIN_USER)]).await
}

/// A running sandbox. Dropping it kills the broker; [`Sandbox::stop`] stops both cleanly.
pub struct Sandbox {
    pub data_dir: PathBuf,
    nisshi: PathBuf,
    /// The gateway's port: the sandbox's bootstrap address.
    broker_port: u16,
    /// nisshi's own port, behind the gateway.
    upstream_port: u16,
    broker: Option<BrokerProcess>,
    gateway: Option<meshdesk_gateway::Gateway>,
    passwords: access::SandboxPasswords,
    registry: Option<RegistryServer>,
    registry_addr: SocketAddr,
    pub seed_report: Option<seed::SeedReport>,
    keys: std::sync::Mutex<SandboxKeys>,
    /// Held while this sandbox runs: a second start on the same directory is refused.
    _lock: std::fs::File,
}

/// Takes the sandbox directory's lock (`sandbox.lock`, an exclusive `flock`), or says who holds
/// it: two brokers on one storage, or two registry journal writers, would corrupt both.
fn lock_dir(dir: &Path) -> anyhow::Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    use std::os::fd::AsRawFd;
    let path = dir.join("sandbox.lock");
    let mut f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
    // SAFETY: flock on a file descriptor this function owns; no memory is involved.
    let taken = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if !taken {
        let mut holder = String::new();
        let _ = f.read_to_string(&mut holder);
        anyhow::bail!(
            "the sandbox in {} is already running (process {}): one app or meshdesk-sandbox per data directory",
            dir.display(),
            holder.trim()
        );
    }
    f.set_len(0)?;
    f.seek(std::io::SeekFrom::Start(0))?;
    write!(f, "{}", std::process::id())?;
    f.flush()?;
    Ok(f)
}

impl Sandbox {
    pub async fn start(opts: SandboxOptions) -> anyhow::Result<Self> {
        let dir = &opts.data_dir;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let lock = lock_dir(dir)?;
        let mut state = SandboxState::load(dir)?;
        let nisshi = match &opts.nisshi {
            Some(p) => p.clone(),
            None => locate_nisshi()?,
        };

        // The gateway takes the sandbox's public port; nisshi gets a private one and advertises
        // the gateway's, so clients always come back through the gateway.
        let gateway_listener = bind(opts.broker_port, state.broker_port).await?;
        let broker_port = gateway_listener.local_addr()?.port();
        let upstream_port = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?.local_addr()?.port();
        let gateway_dir = dir.join("gateway");
        let gateway = start_gateway(gateway_listener, upstream_port, &gateway_dir).await?;
        let passwords = access::SandboxPasswords::open(&gateway_dir, gateway.users(), &sandbox_users())?;
        let admin = access::plain_profile(
            &format!("127.0.0.1:{broker_port}"),
            access::ADMIN_USER,
            passwords.password(access::ADMIN_USER).context("the sandbox admin's password")?,
        );
        let broker =
            BrokerProcess::start_behind(&nisshi, &dir.join("broker"), upstream_port, broker_port, admin).await?;
        let listener = bind(opts.registry_port, state.registry_port).await?;
        let registry = RegistryServer::start(&dir.join("registry"), listener).await?;

        state.broker_port = Some(broker_port);
        state.registry_port = Some(registry.addr.port());
        state.save(dir)?;
        let (keys, new_keys) = SandboxKeys::open(dir)?;
        // Keys made now for a sandbox seeded before: an older app seeded it, unsigned.
        let legacy = new_keys && state.seeded_at_ms.is_some();

        let mut me = Self {
            data_dir: dir.clone(),
            nisshi,
            broker_port,
            upstream_port,
            broker: Some(broker),
            gateway: Some(gateway),
            passwords,
            registry_addr: registry.addr,
            registry: Some(registry),
            seed_report: None,
            keys: std::sync::Mutex::new(keys),
            _lock: lock,
        };
        let unbound = me.keys.lock().expect("keys lock").unbound();
        if unbound {
            // A sandbox from before events were bound to their environment: it gets its identity
            // now, and what its log holds stays readable (no log yet: nothing to keep).
            let end = meshdesk_kafka::watermarks(&me.kafka_profile(), meshdesk_domain::GOVERNANCE_TOPIC, 0)
                .await
                .map_or(0, |w| w.high);
            me.keys.lock().expect("keys lock").bind(end)?;
        }
        let environment = me.keys.lock().expect("keys lock").environment().to_owned();
        if legacy {
            // What it wrote stays readable, and the seed's principals are endorsed from here on.
            let end = meshdesk_kafka::watermarks(&me.kafka_profile(), meshdesk_domain::GOVERNANCE_TOPIC, 0).await?.high;
            let signers = {
                let mut keys = me.keys.lock().expect("keys lock");
                keys.accept_legacy_before(end)?;
                keys.seed_signers()?
            };
            seed::endorse(&me.kafka_profile(), &signers, &environment)
                .await
                .context("endorsing the sandbox's principals")?;
        } else if opts.seed && state.seeded_at_ms.is_none() {
            let signers = me.keys.lock().expect("keys lock").seed_signers()?;
            let report = seed::seed(&me.kafka_profile(), &me.registry_url(), &signers, &environment)
                .await
                .context("seeding the retail example")?;
            state.seeded_at_ms = Some(report.at_ms);
            state.save(dir)?;
            me.seed_report = Some(report);
        }
        Ok(me)
    }

    /// The sandbox environment's trust root: its admin's key.
    pub fn trust_root(&self) -> meshdesk_domain::trust::TrustRoot {
        self.keys.lock().expect("keys lock").trust_root()
    }

    /// The sandbox environment's governance identity: every event is signed for it.
    pub fn environment(&self) -> String {
        self.keys.lock().expect("keys lock").environment().to_owned()
    }

    /// The sandbox key of `principal` (created, not endorsed, if it is new). Sandbox-only.
    pub fn signer(&self, principal: &meshdesk_domain::Principal) -> anyhow::Result<meshdesk_domain::trust::Signer> {
        self.keys.lock().expect("keys lock").signer(principal)
    }

    pub fn bootstrap_servers(&self) -> String {
        format!("127.0.0.1:{}", self.broker_port)
    }

    /// Stops the broker and its gateway (the registry keeps running): the cluster "goes away".
    pub async fn stop_broker(&mut self) -> anyhow::Result<()> {
        if let Some(g) = self.gateway.take() {
            g.stop();
        }
        match self.broker.take() {
            Some(b) => b.stop().await,
            None => Ok(()),
        }
    }

    /// Starts the broker and its gateway again on the same ports and storage.
    pub async fn start_broker(&mut self) -> anyhow::Result<()> {
        if self.gateway.is_none() {
            let listener = bind(PortChoice::Fixed(self.broker_port), None).await?;
            self.gateway = Some(start_gateway(listener, self.upstream_port, &self.data_dir.join("gateway")).await?);
        }
        if self.broker.is_none() {
            let b = BrokerProcess::start_behind(
                &self.nisshi,
                &self.data_dir.join("broker"),
                self.upstream_port,
                self.broker_port,
                self.kafka_profile(),
            )
            .await?;
            self.broker = Some(b);
        }
        Ok(())
    }

    /// nisshi's own address, behind the gateway (benchmarks compare the two).
    pub fn upstream_bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.upstream_port)
    }

    /// A client profile for the sandbox as `user` (SASL/PLAIN through the gateway).
    pub fn kafka_profile_as(&self, user: &str, password: &str) -> KafkaProfile {
        access::plain_profile(&self.bootstrap_servers(), user, password)
    }

    /// The password of one of the sandbox's own principals (`User:` left off). Sandbox-only.
    pub fn own_password(&self, user: &str) -> Option<String> {
        self.passwords.password(user).map(str::to_owned)
    }

    /// Creates a Kafka user for `principal` (`User:name`) with a generated password, returned
    /// once; `None` when the user exists already (its password is not kept here).
    pub fn create_principal(&self, principal: &meshdesk_domain::Principal) -> anyhow::Result<Option<String>> {
        let name = principal.as_str().strip_prefix("User:").context("only User principals can log in")?;
        self.gateway.as_ref().context("the sandbox's cluster is stopped")?.users().create(name)
    }

    /// The gateway's ACLs as it enforces them now (tests look at them).
    pub fn acls(&self) -> Vec<meshdesk_gateway::Acl> {
        self.gateway.as_ref().map(|g| (*g.acls().snapshot()).clone()).unwrap_or_default()
    }

    pub fn registry_url(&self) -> String {
        format!("http://{}", self.registry_addr)
    }

    /// Stops the registry only (the broker keeps running): the registry "goes away".
    pub async fn stop_registry(&mut self) {
        if let Some(r) = self.registry.take() {
            r.stop().await;
        }
    }

    /// Starts the registry again on the same port, replaying its journal (same schema ids).
    pub async fn start_registry(&mut self) -> anyhow::Result<()> {
        if self.registry.is_none() {
            let listener = bind(PortChoice::Fixed(self.registry_addr.port()), None).await?;
            self.registry = Some(RegistryServer::start(&self.data_dir.join("registry"), listener).await?);
        }
        Ok(())
    }

    /// The sandbox admin's profile (the gateway's super user): what the app connects as.
    pub fn kafka_profile(&self) -> KafkaProfile {
        let pw = self.passwords.password(access::ADMIN_USER).unwrap_or_default();
        access::plain_profile(&self.bootstrap_servers(), access::ADMIN_USER, pw)
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        let broker = self.stop_broker().await;
        self.stop_registry().await;
        broker
    }
}
