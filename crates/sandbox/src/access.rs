//! Who may connect to the sandbox's cluster: the authorizing gateway in front of nisshi, its
//! users and the sandbox's own passwords. The sandbox admin (`User:meshdesk-sandbox`) is the
//! gateway's super user and is what the app connects as; the seed's owners and the local user
//! have users of their own; consumer principals that access requests name are created on demand
//! with a generated password that is handed out once and not kept here.
//!
//! SANDBOX-ONLY: the passwords of the sandbox's own principals sit in clear in
//! `gateway/sandbox-passwords.json` (mode 0600), as its signing keys do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use meshdesk_kafka::KafkaProfile;
use serde::{Deserialize, Serialize};

/// The sandbox admin's Kafka user: the gateway's super user.
pub const ADMIN_USER: &str = "meshdesk-sandbox";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SandboxPasswords {
    warning: String,
    passwords: BTreeMap<String, String>,
}

impl SandboxPasswords {
    fn path(dir: &Path) -> PathBuf {
        dir.join("sandbox-passwords.json")
    }

    /// Opens the sandbox's passwords and makes sure each of `users` has one (and a gateway user).
    pub fn open(dir: &Path, users: &meshdesk_gateway::UserStore, wanted: &[String]) -> anyhow::Result<Self> {
        let path = Self::path(dir);
        let mut me: Self = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::default(),
            Err(e) => return Err(e.into()),
        };
        me.warning = "SANDBOX-ONLY passwords of the local Meshdesk sandbox's own principals.".into();
        let mut changed = false;
        for user in wanted {
            if !me.passwords.contains_key(user) || !users.exists(user) {
                let pw = meshdesk_gateway::new_password()?;
                users.set(user, &pw)?;
                me.passwords.insert(user.clone(), pw);
                changed = true;
            }
        }
        if changed {
            let bytes = serde_json::to_vec_pretty(&me)?;
            let tmp = path.with_extension("tmp");
            {
                use std::io::Write;
                use std::os::unix::fs::OpenOptionsExt;
                let mut f =
                    std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
                f.write_all(&bytes)?;
                f.sync_all()?;
            }
            std::fs::rename(tmp, &path)?;
        }
        Ok(me)
    }

    pub fn password(&self, user: &str) -> Option<&str> {
        self.passwords.get(user).map(String::as_str)
    }
}

/// A SASL/PLAIN client profile for the sandbox's gateway.
pub fn plain_profile(bootstrap: &str, user: &str, password: &str) -> KafkaProfile {
    let mut p = KafkaProfile::plaintext(bootstrap);
    for (k, v) in [
        ("security.protocol", "SASL_PLAINTEXT"),
        ("sasl.mechanism", "PLAIN"),
        ("sasl.username", user),
        ("sasl.password", password),
    ] {
        p.properties.insert(k.into(), v.into());
    }
    p
}
