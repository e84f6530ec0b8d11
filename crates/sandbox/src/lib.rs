//! The local sandbox: Apache Kafka (one KRaft node in a JVM, child process, `kafka_node.rs`) and a
//! Confluent-compatible Schema Registry (its own, in process, journaled), both on loopback and
//! durable under one data directory, seeded once with the retail example.
//!
//! Layout of the data directory:
//! ```text
//! sandbox.json            ports in use and whether the seed was applied
//! kafka/                  the broker: node.json, server.properties, data/ (KRaft), logs/
//! registry/journal.jsonl  every successful mutating registry request, in order
//! trust/keys.json         the sandbox's signing keys (sandbox-only, mode 0600)
//! access/                 the passwords of the sandbox's own principals (sandbox-only, 0600)
//! ```
//!
//! Clients authenticate with SCRAM and are authorized by Kafka's `StandardAuthorizer`; the
//! sandbox admin is the only super user. A data directory of an earlier Meshdesk (whose broker
//! kept its storage in `broker/`) starts its cluster over: its governance log is seeded again,
//! and the registry's journal, the keys and the passwords are kept.
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod access;
pub mod kafka_cluster;
pub mod kafka_node;
pub mod keys;
mod registry;
pub mod seed;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Context;
use meshdesk_kafka::KafkaProfile;
use serde::{Deserialize, Serialize};

pub use kafka_cluster::KafkaCluster;
pub use kafka_node::{KAFKA_VERSION, KafkaInstall, KafkaNode, NodeOptions, NodeTls, Quorum};
pub use keys::{SandboxKeys, local_principal};
pub use registry::RegistryServer;

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
    /// Java and Kafka's jars; `None` finds them with [`KafkaInstall::locate`].
    pub kafka: Option<KafkaInstall>,
}

impl SandboxOptions {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            broker_port: PortChoice::Remembered,
            registry_port: PortChoice::Remembered,
            seed: true,
            kafka: None,
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
            && access::valid_name(name)
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_owned());
        }
    }
    out
}

/// A running sandbox. Dropping it kills the broker; [`Sandbox::stop`] stops both cleanly.
pub struct Sandbox {
    pub data_dir: PathBuf,
    install: KafkaInstall,
    /// The broker's client port: the sandbox's bootstrap address.
    broker_port: u16,
    broker: Option<KafkaNode>,
    passwords: std::sync::Mutex<access::SandboxPasswords>,
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

/// Starts the broker on a port for `choice`, starting afresh on other ports when a never-run
/// broker's port is taken as it starts.
async fn launch_broker(
    install: &KafkaInstall,
    kafka_dir: &Path,
    choice: PortChoice,
    state: &mut SandboxState,
    admin_password: &str,
) -> anyhow::Result<(u16, KafkaNode)> {
    // A port found free can be taken by another program before the JVM binds it. A broker
    // that never ran (its folder made by this attempt) then starts afresh on other ports.
    let mut attempt = 0;
    loop {
        let fresh = !kafka_dir.join("node.json").is_file();
        let listener = bind(choice, state.broker_port).await?;
        let broker_port = listener.local_addr()?.port();
        drop(listener);
        match KafkaNode::start(install, kafka_dir, broker_port, access::ADMIN_USER, admin_password).await {
            Ok(node) => return Ok((broker_port, node)),
            Err(e) if fresh && attempt < 2 && format!("{e:#}").contains("Address already in use") => {
                attempt += 1;
                tracing::warn!("the sandbox broker's port was taken as it started; trying other ports");
                std::fs::remove_dir_all(kafka_dir)
                    .with_context(|| format!("clearing {} for another start", kafka_dir.display()))?;
                state.broker_port = None;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Makes the sandbox's own principals SCRAM users on `broker` (at every start: idempotent).
async fn upsert_own_users(
    passwords: &access::SandboxPasswords,
    broker: &KafkaNode,
    admin_password: &str,
) -> anyhow::Result<()> {
    let own: Vec<(String, String)> =
        passwords.own().filter(|(u, _)| *u != access::ADMIN_USER).map(|(u, p)| (u.to_owned(), p.to_owned())).collect();
    let admin_profile = access::scram_profile(&broker.bootstrap(), access::ADMIN_USER, admin_password);
    for (user, outcome) in meshdesk_kafka::Admin::new(&admin_profile)?.upsert_scram_users(&own).await? {
        outcome.map_err(|e| anyhow::anyhow!("making the sandbox user {user}: {e}"))?;
    }
    Ok(())
}

impl Sandbox {
    pub async fn start(opts: SandboxOptions) -> anyhow::Result<Self> {
        let dir = &opts.data_dir;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let lock = lock_dir(dir)?;
        let mut state = SandboxState::load(dir)?;
        let install = match &opts.kafka {
            Some(i) => i.clone(),
            None => KafkaInstall::locate()?,
        };
        let passwords = access::SandboxPasswords::open(&dir.join("access"), &dir.join("gateway"), &sandbox_users())?;
        let kafka_dir = dir.join("kafka");
        if !kafka_dir.join("data/meta.properties").is_file() && state.seeded_at_ms.is_some() {
            // A sandbox whose cluster an earlier broker kept (or whose storage is gone): a new cluster, seeded
            // again (the registry's journal makes the same schema ids).
            state.seeded_at_ms = None;
        }
        let admin_password = passwords.password(access::ADMIN_USER).context("the sandbox admin's password")?.to_owned();
        let (broker_port, broker) =
            launch_broker(&install, &kafka_dir, opts.broker_port, &mut state, &admin_password).await?;
        upsert_own_users(&passwords, &broker, &admin_password).await?;
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
            install,
            broker_port,
            broker: Some(broker),
            passwords: std::sync::Mutex::new(passwords),
            registry_addr: registry.addr,
            registry: Some(registry),
            seed_report: None,
            keys: std::sync::Mutex::new(keys),
            _lock: lock,
        };
        me.bind_environment().await?;
        me.seed_once(opts.seed, legacy, &mut state).await?;
        Ok(me)
    }

    /// Binds a sandbox from before events were bound to their environment to its identity.
    async fn bind_environment(&self) -> anyhow::Result<()> {
        let unbound = self.keys.lock().expect("keys lock").unbound();
        if unbound {
            // A sandbox from before events were bound to their environment: it gets its identity
            // now, and what its log holds stays readable (no log yet: nothing to keep).
            let end = meshdesk_kafka::watermarks(&self.kafka_profile(), meshdesk_domain::GOVERNANCE_TOPIC, 0)
                .await
                .map_or(0, |w| w.high);
            self.keys.lock().expect("keys lock").bind(end)?;
        }
        Ok(())
    }

    /// Endorses the seed's principals of a `legacy` (unsigned) sandbox, or seeds the retail example once when `seed`.
    async fn seed_once(&mut self, seed: bool, legacy: bool, state: &mut SandboxState) -> anyhow::Result<()> {
        let environment = self.keys.lock().expect("keys lock").environment().to_owned();
        if legacy {
            // What it wrote stays readable, and the seed's principals are endorsed from here on.
            let end =
                meshdesk_kafka::watermarks(&self.kafka_profile(), meshdesk_domain::GOVERNANCE_TOPIC, 0).await?.high;
            let signers = {
                let mut keys = self.keys.lock().expect("keys lock");
                keys.accept_legacy_before(end)?;
                keys.seed_signers()?
            };
            seed::endorse(&self.kafka_profile(), &signers, &environment)
                .await
                .context("endorsing the sandbox's principals")?;
        } else if seed && state.seeded_at_ms.is_none() {
            let signers = self.keys.lock().expect("keys lock").seed_signers()?;
            let report = seed::seed(&self.kafka_profile(), &self.registry_url(), &signers, &environment)
                .await
                .context("seeding the retail example")?;
            state.seeded_at_ms = Some(report.at_ms);
            state.save(&self.data_dir)?;
            self.seed_report = Some(report);
        }
        Ok(())
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

    /// Stops the broker (the registry keeps running): the cluster "goes away".
    pub async fn stop_broker(&mut self) -> anyhow::Result<()> {
        match self.broker.take() {
            Some(b) => b.stop().await,
            None => Ok(()),
        }
    }

    /// Starts the broker again on the same port and storage.
    pub async fn start_broker(&mut self) -> anyhow::Result<()> {
        if self.broker.is_none() {
            let pw = self.admin_password();
            let node = KafkaNode::start(
                &self.install,
                &self.data_dir.join("kafka"),
                self.broker_port,
                access::ADMIN_USER,
                &pw,
            )
            .await?;
            self.broker = Some(node);
        }
        Ok(())
    }

    /// The broker's JVM, while it runs (benchmarks read its memory and start-up time).
    pub fn broker(&self) -> Option<&KafkaNode> {
        self.broker.as_ref()
    }

    fn admin_password(&self) -> String {
        let passwords = self.passwords.lock().expect("passwords lock");
        passwords.password(access::ADMIN_USER).unwrap_or_default().to_owned()
    }

    /// A client profile for the sandbox as `user` (SASL/SCRAM-SHA-512).
    pub fn kafka_profile_as(&self, user: &str, password: &str) -> KafkaProfile {
        access::scram_profile(&self.bootstrap_servers(), user, password)
    }

    /// The password of one of the sandbox's own principals (`User:` left off). Sandbox-only.
    pub fn own_password(&self, user: &str) -> Option<String> {
        self.passwords.lock().expect("passwords lock").password(user).map(str::to_owned)
    }

    /// Creates a Kafka (SCRAM) user for `principal` (`User:name`) with a generated password,
    /// returned once; `None` when the user exists already (its password is not kept here).
    pub async fn create_principal(&self, principal: &meshdesk_domain::Principal) -> anyhow::Result<Option<String>> {
        let name = principal.as_str().strip_prefix("User:").context("only User principals can log in")?;
        anyhow::ensure!(access::valid_name(name), "`{name}` cannot be a sandbox user name");
        if self.passwords.lock().expect("passwords lock").knows(name) {
            return Ok(None);
        }
        let password = access::new_password()?;
        let admin = meshdesk_kafka::Admin::new(&self.kafka_profile())?;
        for (user, outcome) in admin.upsert_scram_users(&[(name.to_owned(), password.clone())]).await? {
            outcome.map_err(|e| anyhow::anyhow!("making the sandbox user {user}: {e}"))?;
        }
        self.passwords.lock().expect("passwords lock").made_consumer(name)?;
        Ok(Some(password))
    }

    /// The ACLs on the cluster now (tests look at them), as the broker lists them.
    pub async fn acls(&self) -> anyhow::Result<Vec<meshdesk_kafka::AclBinding>> {
        let admin = meshdesk_kafka::Admin::new(&self.kafka_profile())?;
        match admin.describe_acls(&meshdesk_kafka::AclFilter::default()).await? {
            meshdesk_kafka::AclOutcome::Done(mut acls) => {
                acls.sort();
                Ok(acls)
            }
            other => anyhow::bail!("the broker did not list its ACLs: {other:?}"),
        }
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

    /// The sandbox admin's profile (the broker's only super user): what the app connects as.
    pub fn kafka_profile(&self) -> KafkaProfile {
        access::scram_profile(&self.bootstrap_servers(), access::ADMIN_USER, &self.admin_password())
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        let broker = self.stop_broker().await;
        self.stop_registry().await;
        broker
    }
}
