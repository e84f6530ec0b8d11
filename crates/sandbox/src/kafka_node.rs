//! Apache Kafka as the sandbox's broker: one KRaft node (broker and controller in one JVM) on
//! loopback, run from the jars `scripts/kafka-jars.sh` copies out of Maven Central
//! (`kafka/pom.xml`). Every listener takes SASL: clients SCRAM-SHA-256/512 or PLAIN, the
//! inter-broker and controller listeners PLAIN as the sandbox admin, who is the only super user;
//! `StandardAuthorizer` with no access without an ACL. The storage is formatted once, with the
//! admin's SCRAM credentials bootstrapped; users, topics, ACLs and records live under the data
//! directory and survive restarts. The JVM dies with its parent.
//!
//! Layout under the node's directory:
//! ```text
//! node.json          ports and the admin's password (mode 0600; SANDBOX-ONLY)
//! server.properties  written at every start (mode 0600: it holds the admin's JAAS lines)
//! data/              the KRaft log directory (meta.properties once formatted)
//! logs/server.log    the broker's log (log4j2); logs/stdout.log the JVM's own output
//! ```

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use meshdesk_kafka::{KafkaProfile, probe};
use serde::{Deserialize, Serialize};
use tokio::process::{Child, Command};

/// The Apache Kafka version the sandbox runs (`kafka/pom.xml` pins the same).
pub const KAFKA_VERSION: &str = "4.4.0";

/// The JVM's heap: bounded, as the shell scripts of the distribution would (plain `java` takes a
/// quarter of the machine's memory).
const HEAP: [&str; 2] = ["-Xms128m", "-Xmx384m"];

/// Where Java and Kafka's jars are.
#[derive(Debug, Clone)]
pub struct KafkaInstall {
    pub java: PathBuf,
    /// The folder holding Kafka's jars (`kafka_2.13-*.jar` and its dependencies).
    pub libs: PathBuf,
}

impl KafkaInstall {
    /// `$MESHDESK_KAFKA_LIBS`, then beside the running program (`../lib/meshdesk/kafka/libs`,
    /// where the package puts them), then the tools folder the setup script fills; Java from
    /// `$JAVA_HOME`, then `PATH`.
    pub fn locate() -> anyhow::Result<Self> {
        let has_kafka = |dir: &Path| {
            std::fs::read_dir(dir).is_ok_and(|mut entries| {
                entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("kafka_2.13-")))
            })
        };
        let mut candidates = Vec::new();
        if let Some(p) = std::env::var_os("MESHDESK_KAFKA_LIBS") {
            let p = PathBuf::from(p);
            if !has_kafka(&p) {
                bail!("MESHDESK_KAFKA_LIBS points at {}, which holds no Kafka jars", p.display());
            }
            candidates.push(p);
        }
        if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
            candidates.push(exe_dir.join("../lib/meshdesk/kafka/libs"));
        }
        if let Some(home) = std::env::var_os("HOME") {
            let tools = std::env::var_os("MESHDESK_TOOLS")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(home).join(".cache/meshdesk/tools"));
            candidates.push(tools.join(format!("kafka-{KAFKA_VERSION}/libs")));
        }
        let libs = candidates.into_iter().find(|d| has_kafka(d)).with_context(|| {
            format!("Apache Kafka {KAFKA_VERSION} is not installed for the sandbox: run scripts/setup.sh")
        })?;
        Ok(Self { java: locate_java()?, libs })
    }

    fn classpath(&self) -> String {
        format!("{}/*", self.libs.display())
    }
}

fn locate_java() -> anyhow::Result<PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME") {
        let p = PathBuf::from(home).join("bin/java");
        if p.is_file() {
            return Ok(p);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("java");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!(
        "the sandbox's broker needs Java 17 or later, and none was found: install a JRE (Debian: openjdk-17-jre-headless)"
    )
}

/// TLS on the client listener (SASL over TLS then): Kafka's PEM stores.
#[derive(Debug, Clone)]
pub struct NodeTls {
    /// The private key (PKCS#8, unencrypted) followed by the certificate chain, in one PEM file.
    pub keystore_pem: PathBuf,
    /// CA certificates for client certificates, which are then requested (not required).
    pub truststore_pem: Option<PathBuf>,
}

/// How a node is started beyond the sandbox's defaults.
#[derive(Debug, Clone, Default)]
pub struct NodeOptions {
    pub tls: Option<NodeTls>,
    /// The client settings readiness is probed with (default: the admin over SCRAM-SHA-512).
    pub probe_with: Option<KafkaProfile>,
}

/// What a node keeps between starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NodeState {
    warning: String,
    client_port: u16,
    broker_port: u16,
    controller_port: u16,
    admin_user: String,
    admin_password: String,
}

impl NodeState {
    fn path(dir: &Path) -> PathBuf {
        dir.join("node.json")
    }

    fn load_or_new(dir: &Path, client_port: u16, admin_user: &str, admin_password: &str) -> anyhow::Result<Self> {
        let path = Self::path(dir);
        let mut state = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self {
                warning: "SANDBOX-ONLY: the local Meshdesk sandbox broker's ports and admin password.".into(),
                client_port,
                broker_port: free_port()?,
                controller_port: free_port()?,
                admin_user: admin_user.into(),
                admin_password: admin_password.into(),
            },
            Err(e) => return Err(e.into()),
        };
        // The client port may move (another program took it); the controller's may not: the
        // quorum was formatted with it.
        state.client_port = client_port;
        if state.broker_port == client_port || !port_free(state.broker_port) {
            state.broker_port = free_port()?;
        }
        write_private(&path, &serde_json::to_vec_pretty(&state)?)?;
        Ok(state)
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

fn port_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(tmp, path)?;
    Ok(())
}

/// A JAAS value in double quotes (the sandbox's passwords are URL-safe, so nothing to escape;
/// anything else is refused rather than written into the broker's config).
fn jaas_quoted(s: &str) -> anyhow::Result<String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        bail!("a sandbox user name or password may hold only letters, digits, `-`, `_` and `.`");
    }
    Ok(format!("\"{s}\""))
}

fn server_properties(dir: &Path, s: &NodeState, tls: Option<&NodeTls>) -> anyhow::Result<String> {
    let (user, pw) = (jaas_quoted(&s.admin_user)?, jaas_quoted(&s.admin_password)?);
    let plain_node = format!(
        "org.apache.kafka.common.security.plain.PlainLoginModule required username={user} password={pw} user_{}={pw};",
        s.admin_user
    );
    let data = dir.join("data");
    let mut client_protocol = "SASL_PLAINTEXT";
    let mut extra = String::new();
    if let Some(t) = tls {
        client_protocol = "SASL_SSL";
        extra.push_str(&format!(
            "listener.name.client.ssl.keystore.type=PEM\nlistener.name.client.ssl.keystore.location={}\n",
            t.keystore_pem.display()
        ));
        if let Some(ca) = &t.truststore_pem {
            extra.push_str(&format!(
                "listener.name.client.ssl.truststore.type=PEM\nlistener.name.client.ssl.truststore.location={}\nlistener.name.client.ssl.client.auth=requested\n",
                ca.display()
            ));
        }
    }
    Ok(format!(
        r#"# Written by Meshdesk at every start of the sandbox broker: edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{ctl}
log.dirs={data}
listeners=CLIENT://127.0.0.1:{client},BROKER://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{ctl}
advertised.listeners=CLIENT://127.0.0.1:{client},BROKER://127.0.0.1:{broker}
listener.security.protocol.map=CLIENT:{client_protocol},BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=BROKER
controller.listener.names=CONTROLLER
sasl.mechanism.inter.broker.protocol=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_{admin}={pw};
listener.name.client.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.broker.sasl.enabled.mechanisms=PLAIN
listener.name.broker.plain.sasl.jaas.config={plain_node}
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config={plain_node}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:{admin}
allow.everyone.if.no.acl.found=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
{extra}"#,
        ctl = s.controller_port,
        client = s.client_port,
        broker = s.broker_port,
        data = data.display(),
        admin = s.admin_user,
    ))
}

/// A running Apache Kafka node. Dropping it kills the JVM; [`KafkaNode::stop`] stops it cleanly.
pub struct KafkaNode {
    child: Child,
    pub client_port: u16,
    logs: PathBuf,
    /// How long the JVM took from launch to its first Metadata answer.
    pub started_in: Duration,
}

impl KafkaNode {
    /// Starts the node in `dir` with its client listener on `client_port`: formats the storage the
    /// first time (with `admin_user`'s SCRAM credentials; later starts keep the password saved
    /// then), and waits until a Metadata request as the admin answers.
    pub async fn start(
        install: &KafkaInstall,
        dir: &Path,
        client_port: u16,
        admin_user: &str,
        admin_password: &str,
    ) -> anyhow::Result<Self> {
        Self::start_with(install, dir, client_port, admin_user, admin_password, &NodeOptions::default()).await
    }

    /// [`KafkaNode::start`] with `options` (TLS on the client listener, the probe's settings).
    pub async fn start_with(
        install: &KafkaInstall,
        dir: &Path,
        client_port: u16,
        admin_user: &str,
        admin_password: &str,
        options: &NodeOptions,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir.join("logs")).with_context(|| format!("creating {}", dir.display()))?;
        let state = NodeState::load_or_new(dir, client_port, admin_user, admin_password)?;
        if state.admin_user != admin_user || state.admin_password != admin_password {
            bail!("the sandbox broker in {} was formatted for another admin login", dir.display());
        }
        let config = dir.join("server.properties");
        write_private(&config, server_properties(dir, &state, options.tls.as_ref())?.as_bytes())?;
        let logs = dir.join("logs");
        if !dir.join("data/meta.properties").is_file() {
            format_storage(install, &config, &logs, &state).await?;
        }
        let out = std::fs::OpenOptions::new().create(true).append(true).open(logs.join("stdout.log"))?;
        let mut cmd = Command::new(&install.java);
        cmd.args(HEAP)
            .args(["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"])
            .arg(format!("-Dlog4j2.configurationFile={}", log_config(&logs)?.display()))
            .arg(format!("-Dkafka.logs.dir={}", logs.display()))
            .arg("-cp")
            .arg(install.classpath())
            .arg("kafka.Kafka")
            .arg(&config)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true);
        #[cfg(target_os = "linux")]
        unsafe {
            // If Meshdesk dies, so does its broker.
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let launched = Instant::now();
        let child = cmd.spawn().with_context(|| format!("starting {}", install.java.display()))?;
        let mut me = Self { child, client_port: state.client_port, logs, started_in: Duration::ZERO };
        let profile = match &options.probe_with {
            Some(p) => p.clone(),
            None => crate::access::scram_profile(&me.bootstrap(), admin_user, admin_password),
        };
        me.wait_ready(&profile, Duration::from_secs(120)).await?;
        me.started_in = launched.elapsed();
        Ok(me)
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.client_port)
    }

    /// The JVM's process id (benchmarks read its memory).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    async fn wait_ready(&mut self, profile: &KafkaProfile, within: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the broker exited during start-up ({status}); its log says:\n{}", self.log_tail());
            }
            let p = probe(profile, Duration::from_secs(2)).await;
            if p.ok {
                return Ok(());
            }
            if started.elapsed() > within {
                bail!("the broker did not become ready within {within:?}: {}\n{}", p.detail, self.log_tail());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let mut out = String::new();
        for name in ["server.log", "stdout.log"] {
            let text = std::fs::read_to_string(self.logs.join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            out.push_str(&lines[lines.len().saturating_sub(15)..].join("\n"));
            out.push('\n');
        }
        out
    }

    /// Stops the node: SIGTERM (a controlled shutdown), then SIGKILL after 30 seconds.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            unsafe {
                libc::kill(pid as i32, libc::SIGTERM);
            }
            if tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.is_ok() {
                return Ok(());
            }
        }
        self.child.kill().await?;
        Ok(())
    }
}

/// The log4j2 configuration: the broker's log in `logs/server.log`, warnings of the noisy
/// loggers only.
fn log_config(logs: &Path) -> anyhow::Result<PathBuf> {
    let path = logs.join("log4j2.properties");
    std::fs::write(
        &path,
        "status = warn\n\
         appender.file.type = RollingFile\n\
         appender.file.name = FILE\n\
         appender.file.fileName = ${sys:kafka.logs.dir}/server.log\n\
         appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i\n\
         appender.file.layout.type = PatternLayout\n\
         appender.file.layout.pattern = [%d] %p %m (%c)%n\n\
         appender.file.policies.type = Policies\n\
         appender.file.policies.size.type = SizeBasedTriggeringPolicy\n\
         appender.file.policies.size.size = 10MB\n\
         appender.file.strategy.type = DefaultRolloverStrategy\n\
         appender.file.strategy.max = 2\n\
         rootLogger.level = INFO\n\
         rootLogger.appenderRef.file.ref = FILE\n\
         logger.request.name = kafka.request.logger\n\
         logger.request.level = WARN\n\
         logger.authorizer.name = kafka.authorizer.logger\n\
         logger.authorizer.level = WARN\n",
    )?;
    Ok(path)
}

/// Formats the node's storage once: a new cluster id, the quorum of this one controller, and the
/// admin's SCRAM credentials (the format's own output names the credentials' keys, so it is
/// kept only when formatting fails).
async fn format_storage(install: &KafkaInstall, config: &Path, logs: &Path, s: &NodeState) -> anyhow::Result<()> {
    // As Kafka's own ids: never starting with `-` (the format tool would take it for an option).
    let cluster_id = loop {
        let id = base64_url(uuid::Uuid::new_v4().as_bytes());
        if !id.starts_with('-') {
            break id;
        }
    };
    let mut cmd = Command::new(&install.java);
    cmd.args(["-Xmx256m", "-cp"])
        .arg(install.classpath())
        .arg(format!("-Dlog4j2.configurationFile={}", log_config(logs)?.display()))
        .arg(format!("-Dkafka.logs.dir={}", logs.display()))
        .args(["kafka.tools.StorageTool", "format", "-c"])
        .arg(config)
        .args(["-t", &cluster_id, "--standalone"])
        .arg("--add-scram")
        .arg(format!("SCRAM-SHA-512=[name={},password={}]", s.admin_user, s.admin_password))
        .arg("--add-scram")
        .arg(format!("SCRAM-SHA-256=[name={},password={}]", s.admin_user, s.admin_password))
        .stdin(Stdio::null());
    let out = cmd.output().await.context("formatting the sandbox broker's storage")?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        bail!("formatting the sandbox broker's storage failed ({}):\n{text}", out.status);
    }
    Ok(())
}

/// Kafka's id format: 16 bytes in URL-safe base64 without padding (22 characters).
fn base64_url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_are_22_url_safe_characters() {
        assert_eq!(base64_url(&[0u8; 16]), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(base64_url(&[0xff; 16]), "_____________________w");
        assert_eq!(base64_url(b"Man"), "TWFu");
    }

    #[test]
    fn nothing_but_safe_characters_reaches_the_jaas_lines() {
        assert!(jaas_quoted("meshdesk-sandbox").is_ok());
        for bad in ["", "a\"b", "a;b", "a b", "a\nb"] {
            assert!(jaas_quoted(bad).is_err(), "{bad:?}");
        }
    }
}
