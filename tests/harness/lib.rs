//! The test harness: real sandboxes (Apache Kafka + journaled registry) on free loopback ports
//! in temporary directories, and the pieces of the end-to-end setup (Xvfb, tauri-driver).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use meshdesk_sandbox::{PortChoice, Sandbox, SandboxOptions};

mod apicurio;
pub use apicurio::Apicurio;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the repository").to_owned()
}

/// Where cargo puts build output: `$CARGO_TARGET_DIR`, else `<repo>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"))
}

/// Options for a sandbox in `dir` on free ports: tests never share a port or a directory.
pub fn sandbox_options(dir: &Path, seed: bool) -> SandboxOptions {
    let mut o = SandboxOptions::new(dir);
    o.broker_port = PortChoice::Free;
    o.registry_port = PortChoice::Free;
    o.seed = seed;
    o
}

pub struct TestSandbox {
    pub dir: tempfile::TempDir,
    pub sandbox: Sandbox,
}

pub async fn sandbox(seed: bool) -> TestSandbox {
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = Sandbox::start(sandbox_options(dir.path(), seed)).await.expect("the sandbox starts");
    TestSandbox { dir, sandbox }
}

/// Writes an environment file in `dir` for a cluster address (which need not answer), as a
/// desktop configured for a real cluster would have it, and returns its path.
pub fn env_file_for(dir: &Path, name: &str, bootstrap: &str, registry: &str) -> PathBuf {
    let path = dir.join("env.toml");
    let text = format!(
        "name = \"{name}\"\n[kafka]\n\"bootstrap.servers\" = \"{bootstrap}\"\n[registry]\nurl = \"{registry}\"\n"
    );
    std::fs::write(&path, text).expect("the environment file is written");
    path
}

/// A client profile's librdkafka properties as one JSON object (how the Python clients in
/// `tests/clients/` take a cluster).
pub fn client_json(profile: &meshdesk_kafka::KafkaProfile) -> String {
    serde_json::to_string(&profile.properties).expect("properties are strings")
}

/// Writes straight to the governance log with the stock `confluent-kafka` producer
/// (`tests/clients/forge_governance.py`, as anyone with WRITE on the topic could): `spec` says
/// what (see the script); it is kept in `dir`. Returns what the script printed, one line per
/// record written.
pub fn forge(sb: &Sandbox, dir: &Path, spec: &serde_json::Value) -> String {
    let spec_path = dir.join(unique("forge") + ".json");
    std::fs::write(&spec_path, spec.to_string()).expect("the spec is written");
    let python = std::env::var("MESHDESK_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(repo_root().join("tests/clients/forge_governance.py"))
        .arg(client_json(&sb.kafka_profile()))
        .arg(meshdesk_domain::GOVERNANCE_TOPIC)
        .arg(&spec_path)
        .output()
        .expect("python runs (scripts/setup.sh installs confluent-kafka)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// An environment file with every property of `profile`, its password kept in this machine's
/// keyring under a fresh name the file refers to (so the file holds no secret).
pub fn env_file_with(dir: &Path, name: &str, profile: &meshdesk_kafka::KafkaProfile, registry: &str) -> PathBuf {
    let path = dir.join("env.toml");
    let mut text = format!("name = \"{name}\"\n[kafka]\n");
    for (k, v) in &profile.properties {
        if k == "sasl.password" {
            let entry = unique("test-kafka");
            meshdesk_service::keyring::secret_set(&entry, v).expect("the keyring stores the test password");
            text.push_str(&format!("\"{k}\" = {{ keyring = \"{entry}\" }}\n"));
        } else {
            text.push_str(&format!("\"{k}\" = \"{v}\"\n"));
        }
    }
    text.push_str(&format!("[registry]\nurl = \"{registry}\"\n"));
    std::fs::write(&path, text).expect("the environment file is written");
    path
}

/// [`env_file_for`] the sandbox `sb`, for a desktop acting as the local user (whom the seed
/// endorses): see [`env_file_as`].
pub fn env_file(dir: &Path, name: &str, sb: &Sandbox) -> PathBuf {
    env_file_as(dir, name, sb, &meshdesk_sandbox::local_principal())
}

/// [`env_file_for`] the sandbox `sb` for a desktop that acts as `principal` (e.g. `User:ines`):
/// the sandbox's admin key and governance identity as the trust root, and the principal's sandbox key copied into this
/// machine's keyring (kernel keyutils on CI) under a fresh name the file refers to, as a real
/// desktop's file would refer to its key. The file holds no secret.
pub fn env_file_as(dir: &Path, name: &str, sb: &Sandbox, principal: &str) -> PathBuf {
    env_file_on(dir, name, sb, &sb.kafka_profile(), principal)
}

/// [`env_file_as`] with another cluster's client settings (a test cluster the sandbox's keys and
/// registry serve).
pub fn env_file_on(
    dir: &Path,
    name: &str,
    sb: &Sandbox,
    kafka: &meshdesk_kafka::KafkaProfile,
    principal: &str,
) -> PathBuf {
    let path = env_file_with(dir, name, kafka, &sb.registry_url());
    let text = std::fs::read_to_string(&path).expect("the environment file was just written");
    let p = meshdesk_domain::Principal::parse(principal).expect("a principal");
    let signer = sb.signer(&p).expect("the sandbox has a key for every principal");
    let entry = unique("test-key");
    meshdesk_service::keyring::secret_set(&entry, &signer.seed_text()).expect("the keyring stores the test key");
    let root = sb.trust_root();
    let admins: Vec<String> = root.admins.iter().map(|a| format!("\"{a}\"")).collect();
    let legacy = root
        .accept_unsigned_before_offset
        .map(|o| format!("accept_unsigned_before_offset = {o}\n"))
        .unwrap_or_default();
    std::fs::write(
        &path,
        format!(
            "principal = \"{principal}\"\nsigning_key = {{ keyring = \"{entry}\" }}\n{text}[trust]\nadmins = [{}]\nenvironment = \"{}\"\n{legacy}",
            admins.join(", "),
            root.environment
        ),
    )
    .expect("the environment file is written");
    path
}

/// Has the sandbox's governance admin endorse `principal`'s sandbox key with `roles` (written
/// straight to the governance log, signed by the admin), e.g. to let an owner also create domains.
pub async fn endorse(sb: &Sandbox, principal: &str, roles: &[meshdesk_domain::trust::Role]) {
    use meshdesk_domain::{Envelope, EventBody, Principal};
    let p = Principal::parse(principal).expect("a principal");
    let key = sb.signer(&p).expect("a sandbox key").public_key().id();
    let admin = sb.signer(&Principal::parse(meshdesk_domain::seed::SEED_ACTOR).unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let body = EventBody::KeyEndorsed { principal: p, key, roles: roles.to_vec() };
    let mut env = Envelope::new(unique("endorse"), meshdesk_domain::seed::SEED_ACTOR, now, &body);
    admin.sign_for(&mut env, &sb.environment());
    write_event(sb, &env).await;
}

/// Has the sandbox's governance admin let `domain` adopt `topic`, an existing topic outside its
/// namespace (a `TopicAdopted` event written straight to the governance log).
pub async fn adopt_topic(sb: &Sandbox, topic: &str, domain: &str, reason: &str) {
    use meshdesk_domain::{DomainId, Envelope, EventBody, Principal, TopicName};
    let admin = sb.signer(&Principal::parse(meshdesk_domain::seed::SEED_ACTOR).unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let body = EventBody::TopicAdopted {
        topic: TopicName::parse(topic).expect("a topic name"),
        domain: DomainId::parse(domain).expect("a domain id"),
        reason: reason.into(),
    };
    let mut env = Envelope::new(unique("adopt"), meshdesk_domain::seed::SEED_ACTOR, now, &body);
    admin.sign_for(&mut env, &sb.environment());
    write_event(sb, &env).await;
}

/// Writes a signed event straight to the sandbox's governance log (created if missing).
async fn write_event(sb: &Sandbox, env: &meshdesk_domain::Envelope) {
    let profile = sb.kafka_profile();
    meshdesk_kafka::Admin::new(&profile)
        .unwrap()
        .create_topics(&[meshdesk_sandbox::seed::governance_topic_spec()])
        .await
        .expect("the governance topic exists or is created");
    let producer = meshdesk_kafka::Producer::new(&profile).unwrap();
    producer.send(meshdesk_domain::GOVERNANCE_TOPIC, Some(env.id.as_bytes()), &env.to_bytes()).await.unwrap();
}

/// Has the sandbox's admin endorse each of `owners` and register the domain `id` owned by them,
/// so that they may publish products in it (written straight to the governance log).
pub async fn given_domain(sb: &Sandbox, id: &str, owners: &[&str]) {
    use meshdesk_domain::{Domain, DomainId, Envelope, EventBody, Principal};
    for o in owners {
        endorse(sb, o, &[meshdesk_domain::trust::Role::Owner]).await;
    }
    let domain = Domain {
        id: DomainId::parse(id).expect("a domain id"),
        name: id.to_uppercase(),
        description: "Made by a test.".into(),
        owners: owners.iter().map(|o| Principal::parse(o).expect("a principal")).collect(),
        contact: "tests@example.org".into(),
    };
    let admin = sb.signer(&Principal::parse(meshdesk_domain::seed::SEED_ACTOR).unwrap()).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let mut env =
        Envelope::new(unique("domain"), meshdesk_domain::seed::SEED_ACTOR, now, &EventBody::DomainRegistered(domain));
    admin.sign_for(&mut env, &sb.environment());
    let producer = meshdesk_kafka::Producer::new(&sb.kafka_profile()).unwrap();
    producer.send(meshdesk_domain::GOVERNANCE_TOPIC, Some(env.id.as_bytes()), &env.to_bytes()).await.unwrap();
}

/// How many governance events a fresh sandbox's seed writes: the admin's endorsement of each
/// seeded principal and of the local user, then three domains and three products.
pub fn seed_events() -> usize {
    let local = meshdesk_sandbox::local_principal();
    let principals = meshdesk_domain::seed::principals();
    let local_extra =
        usize::from(!principals.iter().any(|(p, _)| p.as_str() == local) && local != meshdesk_domain::seed::SEED_ACTOR);
    principals.len() + local_extra + 6
}

/// A desktop for `principal` on the sandbox `t` (its own data dir and environment file), having
/// read the governance log once.
pub async fn desktop(
    t: &TestSandbox,
    principal: &str,
) -> (tempfile::TempDir, std::sync::Arc<meshdesk_service::Meshdesk>) {
    use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
    let data = tempfile::tempdir().expect("temp dir");
    let env = env_file_as(data.path(), "it", &t.sandbox, principal);
    let md =
        Meshdesk::open(data.path(), EnvSource::File(env), SandboxPorts::default()).await.expect("the desktop opens");
    md.sync().await.expect("the desktop reads the governance log");
    (data, md)
}

/// Sales' request form for Inventory's stock levels, read by `User:sales-app`.
pub fn stock_levels_request(purpose: &str) -> meshdesk_contract::AccessRequestForm {
    meshdesk_contract::AccessRequestForm {
        product: "inventory.stock-levels".into(),
        ports: vec!["inventory.stock-level-updated".into()],
        consumer: "User:sales-app".into(),
        requester_domain: "sales".into(),
        group_prefix: None,
        purpose: purpose.into(),
        days: None,
    }
}

/// A name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}-{}-{}", std::process::id(), t % 1_000_000_000, N.fetch_add(1, Ordering::Relaxed))
}

/// A loopback port that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process started in its own process group; dropping it ends the whole group
/// (SIGTERM, then SIGKILL), so grandchildren such as WebKitWebDriver go too.
pub struct Proc(Child);

impl Proc {
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Proc> {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0).spawn().map(Proc)
    }

    /// The child's process id (also its process group's: see [`Proc::spawn`]).
    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// The child's standard error, if it was piped (once).
    pub fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.0.stderr.take()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let group = -(self.0.id() as i32);
        // SAFETY: kill with integer arguments reads no memory; the group is our child's own.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above.
        unsafe { libc::kill(group, libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// A private X server; its display number is chosen by Xvfb itself (`-displayfd`).
pub struct Xvfb {
    pub display: String,
    _proc: Proc,
}

impl Xvfb {
    pub fn start() -> Xvfb {
        let mut proc = Proc::spawn(
            Command::new("Xvfb")
                .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        )
        .expect("Xvfb runs (package xvfb; scripts/setup.sh installs it)");
        let mut line = String::new();
        BufReader::new(proc.0.stdout.take().unwrap()).read_line(&mut line).expect("Xvfb reports its display");
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not report a display number");
        Xvfb { display: format!(":{n}"), _proc: proc }
    }
}

/// Waits until `url` answers 200 with `"ready": true` (the WebDriver status endpoint).
pub async fn wait_webdriver_ready(url: &str, within: Duration) {
    let started = Instant::now();
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{url}/status")).send().await
            && let Ok(v) = r.json::<serde_json::Value>().await
            && v["value"]["ready"] == serde_json::Value::Bool(true)
        {
            return;
        }
        assert!(started.elapsed() < within, "the WebDriver at {url} was not ready within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Finds a tool installed by scripts/setup.sh: on PATH, or in the tools folder.
pub fn tool(name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    let tools = std::env::var_os("MESHDESK_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/meshdesk/tools"));
    if let Ok(rd) = std::fs::read_dir(&tools) {
        for e in rd.flatten() {
            let p = e.path().join("bin").join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("{name} is not installed: run scripts/setup.sh");
}

/// What a stock consumer (`tests/clients/consume_as.py`, the confluent-kafka package) as
/// `user` in `group` makes of inventory.stock-level-updated within 20 s; `-` reads by
/// assignment, without a group: "read N", "refused <ERROR>" or "timeout after N".
pub fn consume(t: &TestSandbox, user: &str, password: &str, group: &str, expected: usize) -> String {
    consume_with(&t.sandbox.kafka_profile_as(user, password), group, expected)
}

/// [`consume`] with any client profile.
pub fn consume_with(profile: &meshdesk_kafka::KafkaProfile, group: &str, expected: usize) -> String {
    let python = std::env::var("MESHDESK_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(repo_root().join("tests/clients/consume_as.py"))
        .arg(client_json(profile))
        .args(["inventory.stock-level-updated", group, &expected.to_string(), "20"])
        .output()
        .expect("python runs (scripts/setup.sh installs confluent-kafka)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Three records on inventory.stock-level-updated, written as the sandbox admin.
pub async fn three_records(t: &TestSandbox) {
    let producer = meshdesk_kafka::Producer::new(&t.sandbox.kafka_profile()).unwrap();
    for i in 0..3 {
        producer
            .send("inventory.stock-level-updated", Some(format!("SKU-{i}").as_bytes()), b"{\"quantity\": 1}")
            .await
            .unwrap();
    }
}

/// A sandbox login for a new consumer principal; its password.
pub async fn consumer_password(t: &TestSandbox, principal: &str) -> String {
    t.sandbox
        .create_principal(&meshdesk_domain::Principal::parse(principal).unwrap())
        .await
        .unwrap()
        .expect("a new consumer principal gets a password")
}
