//! What a node is started with: its options (TLS, a quorum), what it keeps between starts
//! (`node.json`), the `server.properties` written at every start, the log configuration, and the
//! storage formatted once.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use meshdesk_kafka::KafkaProfile;
use serde::{Deserialize, Serialize};
use tokio::process::Command;

use super::KafkaInstall;
pub(super) use crate::keys::write_private;

/// TLS on the client listener (SASL over TLS then): Kafka's PEM stores.
#[derive(Debug, Clone)]
pub struct NodeTls {
    /// The private key (PKCS#8, unencrypted) followed by the certificate chain, in one PEM file.
    pub keystore_pem: PathBuf,
    /// CA certificates for client certificates, which are then requested (not required).
    pub truststore_pem: Option<PathBuf>,
}

/// One node of a static KRaft quorum (`controller.quorum.voters`), every node a broker and a
/// controller: the three-node test tier (`kafka_cluster.rs`).
#[derive(Debug, Clone)]
pub struct Quorum {
    pub node_id: u32,
    /// Every voter: its node id and controller port, this node's among them.
    pub voters: Vec<(u32, u16)>,
    /// The cluster id all nodes are formatted with.
    pub cluster_id: String,
}

impl Quorum {
    pub(super) fn controller_port(&self) -> Option<u16> {
        self.voters.iter().find(|(id, _)| *id == self.node_id).map(|(_, p)| *p)
    }

    /// Internal topics and defaults replicated to every voter, at most 3, with one replica
    /// allowed to be away.
    fn replication(&self) -> (usize, usize) {
        let rf = self.voters.len().min(3);
        (rf, rf.saturating_sub(1).max(1))
    }
}

/// How a node is started beyond the sandbox's defaults.
#[derive(Debug, Clone, Default)]
pub struct NodeOptions {
    pub tls: Option<NodeTls>,
    /// One node of a multi-node quorum (`None`: the sandbox's single node, `--standalone`).
    pub quorum: Option<Quorum>,
    /// The client settings readiness is probed with (default: the admin over SCRAM-SHA-512).
    pub probe_with: Option<KafkaProfile>,
}

/// What a node keeps between starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct NodeState {
    pub(super) warning: String,
    pub(super) client_port: u16,
    pub(super) broker_port: u16,
    pub(super) controller_port: u16,
    pub(super) admin_user: String,
    pub(super) admin_password: String,
}

impl NodeState {
    fn path(dir: &Path) -> PathBuf {
        dir.join("node.json")
    }

    pub(super) fn load_or_new(
        dir: &Path,
        client_port: u16,
        controller_port: Option<u16>,
        admin_user: &str,
        admin_password: &str,
    ) -> anyhow::Result<Self> {
        let path = Self::path(dir);
        let mut state = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self {
                warning: "SANDBOX-ONLY: the local Meshdesk sandbox broker's ports and admin password.".into(),
                client_port,
                broker_port: free_port()?,
                controller_port: match controller_port {
                    Some(p) => p,
                    None => free_port()?,
                },
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

/// A free loopback port (bound, then released).
pub(crate) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

fn port_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// A JAAS value in double quotes (the sandbox's passwords are URL-safe, so nothing to escape;
/// anything else is refused rather than written into the broker's config).
fn jaas_quoted(s: &str) -> anyhow::Result<String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        bail!("a sandbox user name or password may hold only letters, digits, `-`, `_` and `.`");
    }
    Ok(format!("\"{s}\""))
}

pub(super) fn server_properties(dir: &Path, s: &NodeState, options: &NodeOptions) -> anyhow::Result<String> {
    let tls = options.tls.as_ref();
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
    let (node_id, quorum_line, (rf, min_isr)) = match &options.quorum {
        Some(q) => {
            let voters: Vec<String> = q.voters.iter().map(|(id, port)| format!("{id}@127.0.0.1:{port}")).collect();
            (q.node_id, format!("controller.quorum.voters={}", voters.join(",")), q.replication())
        }
        None => (1, format!("controller.quorum.bootstrap.servers=127.0.0.1:{}", s.controller_port), (1, 1)),
    };
    Ok(format!(
        r#"# Written by Meshdesk at every start of the sandbox broker: edits are lost.
process.roles=broker,controller
node.id={node_id}
{quorum_line}
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
offsets.topic.replication.factor={rf}
offsets.topic.num.partitions=1
transaction.state.log.replication.factor={rf}
transaction.state.log.min.isr={min_isr}
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor={rf}
share.coordinator.state.topic.min.isr={min_isr}
share.coordinator.state.topic.num.partitions=1
default.replication.factor={rf}
min.insync.replicas={min_isr}
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

/// The log4j2 configuration: the broker's log in `logs/server.log`, warnings of the noisy
/// loggers only.
pub(super) fn log_config(logs: &Path) -> anyhow::Result<PathBuf> {
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
pub(super) async fn format_storage(
    install: &KafkaInstall,
    config: &Path,
    logs: &Path,
    s: &NodeState,
    quorum: Option<&Quorum>,
) -> anyhow::Result<()> {
    let cluster_id = match quorum {
        Some(q) => q.cluster_id.clone(),
        None => new_cluster_id(),
    };
    let mut cmd = Command::new(&install.java);
    cmd.args(["-Xmx256m", "-cp"])
        .arg(install.classpath())
        .arg(format!("-Dlog4j2.configurationFile={}", log_config(logs)?.display()))
        .arg(format!("-Dkafka.logs.dir={}", logs.display()))
        .args(["kafka.tools.StorageTool", "format", "-c"])
        .arg(config)
        .args(["-t", &cluster_id])
        // One node: a quorum of itself; several: the voters the configuration names.
        .args(quorum.is_none().then_some("--standalone"))
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

/// A new cluster id, as Kafka's own: never starting with `-` (the format tool would take it for
/// an option).
pub fn new_cluster_id() -> String {
    loop {
        let id = base64_url(uuid::Uuid::new_v4().as_bytes());
        if !id.starts_with('-') {
            return id;
        }
    }
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
