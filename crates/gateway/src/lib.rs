//! The sandbox's authorizing gateway: a Kafka-protocol proxy in front of nisshi, which has no
//! authorizer. **It is a stand-in for Kafka's own authorizer, for the sandbox only**; real
//! clusters bring theirs (`kafka.security.authorizer.AclAuthorizer` / `StandardAuthorizer`).
//!
//! - Clients authenticate with SASL/PLAIN or SCRAM-SHA-256/512 (`scram.rs`) against the
//!   sandbox's user list (`users.rs`); the principal is `User:<name>`. Nothing but ApiVersions
//!   and the SASL exchange is served before.
//! - It keeps the ACLs (`acls.rs`, durable as `acls.json`), answers CreateAcls, DescribeAcls and
//!   DeleteAcls itself, and checks every other request against them with Kafka's rules
//!   (`authorizer.rs`, pure) before forwarding it (`apis.rs`): unauthorized topics and groups are
//!   answered with TOPIC_ / GROUP_ / CLUSTER_AUTHORIZATION_FAILED the way Kafka answers them.
//! - The broker advertises the gateway's address, so clients always come back through it.
//!
//! Data directory: `users.json` and `acls.json` (both mode 0600).

mod acl_apis;
mod acls;
mod apis;
pub mod authorizer;
mod conn;
#[cfg(feature = "failpoints")]
mod held;
mod scram;
mod users;
mod wire;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use acls::AclStore;
pub use authorizer::{Acl, Operation, PatternType, Permission, ResourceType};
pub use users::{UserStore, new_password};

/// What the connections share.
pub(crate) struct Shared {
    pub upstream: SocketAddr,
    pub users: UserStore,
    pub acls: AclStore,
    pub super_users: Vec<String>,
}

/// A running gateway. Dropping it stops accepting; open connections end with their clients.
pub struct Gateway {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Gateway {
    /// Serves on `listener`, forwarding to the broker at `upstream`, with state under `dir`.
    /// `super_users` bypass ACLs (Kafka's `super.users`).
    pub async fn start(
        listener: TcpListener,
        upstream: SocketAddr,
        dir: &Path,
        super_users: Vec<String>,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let shared = Arc::new(Shared {
            upstream,
            users: UserStore::open(dir.join("users.json"))?,
            acls: AclStore::open(dir.join("acls.json"))?,
            super_users,
        });
        let addr = listener.local_addr()?;
        let s = shared.clone();
        let accept = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((sock, peer)) => {
                        let s = s.clone();
                        tokio::spawn(async move {
                            if let Err(e) = conn::serve(sock, peer, s).await {
                                tracing::debug!("gateway connection from {peer} ended: {e:#}");
                            }
                        });
                    }
                    Err(e) => {
                        tracing::warn!("gateway accept: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
            }
        });
        Ok(Self { addr, shared, accept })
    }

    pub fn users(&self) -> &UserStore {
        &self.shared.users
    }

    pub fn acls(&self) -> &AclStore {
        &self.shared.acls
    }

    pub fn stop(self) {
        self.accept.abort();
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, readable by the owner only.
pub(crate) fn write_private(path: &PathBuf, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}
