//! The sandbox's Kafka-compatible broker: nisshi, run as a child process on loopback with SQLite
//! storage under the sandbox's data directory. The child dies with its parent.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use meshdesk_kafka::{KafkaProfile, probe};
use tokio::process::{Child, Command};

/// Where to find the nisshi binary: `$MESHDESK_NISSHI`, then beside the running program (where
/// the installed packages put it, `/usr/bin/nisshi` next to `/usr/bin/meshdesk`), then the tools
/// folder the setup script installs into, then `PATH`.
pub fn locate_nisshi() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("MESHDESK_NISSHI") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        bail!("MESHDESK_NISSHI points at {}, which is not a file", p.display());
    }
    if let Some(beside) = std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("nisshi")))
        && beside.is_file()
    {
        return Ok(beside);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let tools = std::env::var_os("MESHDESK_TOOLS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(home).join(".cache/meshdesk/tools"));
        let p = tools.join(format!("nisshi-{}/bin/nisshi", crate::NISSHI_VERSION));
        if p.is_file() {
            return Ok(p);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("nisshi");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!("the sandbox broker (nisshi {}) is not installed: run scripts/setup.sh", crate::NISSHI_VERSION)
}

/// How the broker guards its listener.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrokerSecurity {
    /// Require SASL (SCRAM) client authentication.
    pub authentication: bool,
    /// Serve TLS with this certificate chain and private key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
}

pub struct BrokerProcess {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl BrokerProcess {
    pub async fn start(nisshi: &Path, dir: &Path, port: u16) -> anyhow::Result<Self> {
        Self::start_with(nisshi, dir, port, &BrokerSecurity::default(), None).await
    }

    /// Starts the broker with `security`; readiness is probed with `probe_with` (the client
    /// settings that security needs), or plaintext without credentials.
    pub async fn start_with(
        nisshi: &Path,
        dir: &Path,
        port: u16,
        security: &BrokerSecurity,
        probe_with: Option<KafkaProfile>,
    ) -> anyhow::Result<Self> {
        Self::launch(nisshi, dir, port, None, security, probe_with).await
    }

    async fn launch(
        nisshi: &Path,
        dir: &Path,
        port: u16,
        advertised_port: Option<u16>,
        security: &BrokerSecurity,
        probe_with: Option<KafkaProfile>,
    ) -> anyhow::Result<Self> {
        tokio::fs::create_dir_all(dir).await?;
        let log = dir.join("broker.log");
        let out = std::fs::OpenOptions::new().create(true).append(true).open(&log)?;
        let url = format!("tcp://127.0.0.1:{port}");
        let advertised = format!("tcp://127.0.0.1:{}", advertised_port.unwrap_or(port));
        let mut cmd = Command::new(nisshi);
        cmd.arg("broker")
            .args(["--listener-url", &url, "--advertised-listener-url", &advertised])
            .args(["--storage-engine", "sqlite://broker.db"])
            .args(security.authentication.then_some("--authentication"))
            // The sqlite path is relative to the working directory.
            .current_dir(dir)
            .args(
                security.tls.iter().flat_map(|(cert, key)| {
                    [OsStr::new("--cert"), cert.as_os_str(), OsStr::new("--key"), key.as_os_str()]
                }),
            )
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
        let child = cmd.spawn().with_context(|| format!("starting {}", nisshi.display()))?;
        let mut me = Self { child, port, log };
        let profile = probe_with.unwrap_or_else(|| KafkaProfile::plaintext(me.bootstrap()));
        me.wait_ready(&profile, Duration::from_secs(60)).await?;
        Ok(me)
    }

    /// Starts the broker on `port`, advertising the gateway's `public_port`; readiness is
    /// probed through the gateway with `probe_with`.
    pub async fn start_behind(
        nisshi: &Path,
        dir: &Path,
        port: u16,
        public_port: u16,
        probe_with: KafkaProfile,
    ) -> anyhow::Result<Self> {
        Self::launch(nisshi, dir, port, Some(public_port), &BrokerSecurity::default(), Some(probe_with)).await
    }

    /// Creates (or updates) a SCRAM user through the running broker, with nisshi's own CLI.
    pub async fn create_scram_user(
        nisshi: &Path,
        bootstrap: &str,
        user: &str,
        password: &str,
        sha512: bool,
    ) -> anyhow::Result<()> {
        let out = Command::new(nisshi)
            .args(["user", "create", user, password, "--broker", &format!("tcp://{bootstrap}")])
            .args(["--mechanism", if sha512 { "scram512" } else { "scram256" }])
            .stdin(Stdio::null())
            .output()
            .await?;
        if !out.status.success() {
            bail!("creating SCRAM user {user} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
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
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops the broker: SIGTERM, then SIGKILL after five seconds.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            unsafe {
                libc::kill(pid as i32, libc::SIGTERM);
            }
            if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_ok() {
                return Ok(());
            }
        }
        self.child.kill().await?;
        Ok(())
    }
}
