//! Who may connect to the sandbox's cluster: Apache Kafka's own SCRAM users and ACLs
//! (`StandardAuthorizer`). The sandbox admin (`User:meshdesk-sandbox`) is the broker's only super
//! user and is what the app connects as; the seed's owners and the local user have users of their
//! own; consumer principals that access requests name are created on demand, through the admin
//! API (`AlterUserScramCredentials`), with a generated password that is handed out once and not
//! kept here.
//!
//! SANDBOX-ONLY: the passwords of the sandbox's own principals sit in clear in
//! `access/sandbox-passwords.json` (mode 0600), as its signing keys do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use meshdesk_kafka::KafkaProfile;
use serde::{Deserialize, Serialize};

/// The sandbox admin's Kafka user: the broker's only super user.
pub const ADMIN_USER: &str = "meshdesk-sandbox";

/// A user name is what follows `User:` in a principal: letters, digits, `.`, `_`, `-` and `@`,
/// 1 to 128 characters (the sandbox's safe set).
pub fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// A new random password: 18 bytes from the OS, in hex.
pub fn new_password() -> anyhow::Result<String> {
    let mut b = [0u8; 18];
    getrandom::getrandom(&mut b).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SandboxPasswords {
    warning: String,
    passwords: BTreeMap<String, String>,
    /// Consumer users made on demand (their passwords are not kept).
    #[serde(default)]
    consumers: BTreeSet<String>,
    #[serde(skip)]
    path: PathBuf,
}

impl SandboxPasswords {
    fn path(dir: &Path) -> PathBuf {
        dir.join("sandbox-passwords.json")
    }

    /// Opens the sandbox's passwords in `dir` and makes sure each of `wanted` has one (the
    /// caller makes them Kafka users). A sandbox of an earlier Meshdesk kept them in `legacy`.
    pub fn open(dir: &Path, legacy: &Path, wanted: &[String]) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = Self::path(dir);
        let read = |p: &Path| -> anyhow::Result<Option<Self>> {
            match std::fs::read(p) {
                Ok(b) => Ok(Some(serde_json::from_slice(&b).with_context(|| format!("reading {}", p.display()))?)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        };
        let mut me = match read(&path)? {
            Some(me) => me,
            None => read(&Self::path(legacy))?.unwrap_or_default(),
        };
        me.path = path;
        me.warning = "SANDBOX-ONLY passwords of the local Meshdesk sandbox's own principals.".into();
        for user in wanted {
            if !me.passwords.contains_key(user) {
                me.passwords.insert(user.clone(), new_password()?);
            }
        }
        me.save()?;
        Ok(me)
    }

    fn save(&self) -> anyhow::Result<()> {
        crate::keys::write_private(&self.path, &serde_json::to_vec_pretty(self)?)
    }

    pub fn password(&self, user: &str) -> Option<&str> {
        self.passwords.get(user).map(String::as_str)
    }

    /// The sandbox's own users and their passwords.
    pub fn own(&self) -> impl Iterator<Item = (&str, &str)> {
        self.passwords.iter().map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// Whether `user` is one of the sandbox's own or a consumer made before.
    pub fn knows(&self, user: &str) -> bool {
        self.passwords.contains_key(user) || self.consumers.contains(user)
    }

    /// Records that the consumer `user` was made (its password is not kept).
    pub fn made_consumer(&mut self, user: &str) -> anyhow::Result<()> {
        self.consumers.insert(user.to_owned());
        self.save()
    }
}

/// A SASL/SCRAM-SHA-512 client profile for the sandbox's broker.
pub fn scram_profile(bootstrap: &str, user: &str, password: &str) -> KafkaProfile {
    let mut p = KafkaProfile::plaintext(bootstrap);
    for (k, v) in [
        ("security.protocol", "SASL_PLAINTEXT"),
        ("sasl.mechanism", "SCRAM-SHA-512"),
        ("sasl.username", user),
        ("sasl.password", password),
    ] {
        p.properties.insert(k.into(), v.into());
    }
    p
}
