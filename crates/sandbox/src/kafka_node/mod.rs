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
use tokio::process::{Child, Command};

mod config;
pub(crate) use config::free_port;
pub use config::{NodeOptions, NodeTls, Quorum, new_cluster_id};
use config::{NodeState, format_storage, log_config, server_properties, write_private};

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
        // `/usr/bin/../lib/...` named as `/usr/lib/...`.
        let libs = std::fs::canonicalize(&libs).unwrap_or(libs);
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
        let controller_port = options.quorum.as_ref().and_then(Quorum::controller_port);
        let state = NodeState::load_or_new(dir, client_port, controller_port, admin_user, admin_password)?;
        if state.admin_user != admin_user || state.admin_password != admin_password {
            bail!("the sandbox broker in {} was formatted for another admin login", dir.display());
        }
        let config = dir.join("server.properties");
        write_private(&config, server_properties(dir, &state, options)?.as_bytes())?;
        let logs = dir.join("logs");
        if !dir.join("data/meta.properties").is_file() {
            format_storage(install, &config, &logs, &state, options.quorum.as_ref()).await?;
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
        // SAFETY: the closure runs in the forked child before exec and only calls prctl, which
        // is async-signal-safe and touches no memory of the parent.
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

    /// Kills the node with SIGKILL (no controlled shutdown, as a machine that crashed) and waits
    /// for the JVM to be gone.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Stops the node: SIGTERM (a controlled shutdown), then SIGKILL after 30 seconds.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            // SAFETY: kill with integer arguments reads no memory; `pid` is our own child,
            // not yet reaped (we hold it), so the id cannot name another process.
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
