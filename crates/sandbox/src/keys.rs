//! The sandbox's signing keys: its governance admin (the sandbox environment's trust root) and
//! one key per local principal (the seed's owners, the local user, the reconciler, and anyone
//! `MESHDESK_PRINCIPAL` names). SANDBOX-ONLY: they sit in clear in `trust/keys.json` (mode 0600)
//! under the sandbox's data directory, protect nothing and are never used for a real cluster,
//! whose keys live in the OS keyring.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use meshdesk_domain::Principal;
use meshdesk_domain::seed::{self, SeedSigners};
use meshdesk_domain::trust::{Role, Signer, TrustRoot};
use serde::{Deserialize, Serialize};

const WARNING: &str =
    "SANDBOX-ONLY signing keys of the local Meshdesk sandbox. They protect nothing: never use them for a real cluster.";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeysFile {
    warning: String,
    /// The admin's seed (base64url).
    admin: String,
    /// Each principal's seed.
    principals: BTreeMap<String, String>,
    /// Unsigned events below this offset were written by a sandbox older than signing.
    legacy_unsigned_before: Option<i64>,
    /// The sandbox environment's governance identity (random, made with the keys): every event
    /// is signed for it. `None` in a file written before events were bound to their environment.
    #[serde(default)]
    environment: Option<String>,
    /// Signed events naming no environment below this offset were written by a sandbox older
    /// than the binding.
    #[serde(default)]
    legacy_unbound_before: Option<i64>,
}

/// A new sandbox's governance identity.
fn fresh_environment() -> anyhow::Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    Ok(format!("sandbox-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// Writes a sandbox-only secret file: through a temporary file and a rename, owner-only (0600),
/// its folder created if missing.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("a secret file lives in a folder")?;
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// `User:<login>`: who the sandbox's desktop acts as unless `MESHDESK_PRINCIPAL` says otherwise.
pub fn local_principal() -> String {
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "anonymous".into());
    format!("User:{user}")
}

/// A new key's stored seed.
fn fresh_seed() -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    let anyone = Principal::parse(seed::SEED_ACTOR).expect("the seed actor is a principal");
    Ok(Signer::from_seed(anyone, &seed).seed_text())
}

fn signer_from(principal: Principal, text: &str) -> anyhow::Result<Signer> {
    Signer::from_seed_text(principal, text).map_err(|e| anyhow::anyhow!("a sandbox key: {e}"))
}

pub struct SandboxKeys {
    path: PathBuf,
    file: KeysFile,
}

impl SandboxKeys {
    /// Opens the sandbox's keys, creating the admin's on first use; `true` when just created.
    pub fn open(dir: &Path) -> anyhow::Result<(Self, bool)> {
        let path = dir.join("trust").join("keys.json");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let file: KeysFile =
                    serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?;
                signer_from(Principal::parse(seed::SEED_ACTOR).map_err(anyhow::Error::msg)?, &file.admin)?;
                Ok((Self { path, file }, false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let file = KeysFile {
                    warning: WARNING.into(),
                    admin: fresh_seed()?,
                    principals: BTreeMap::new(),
                    legacy_unsigned_before: None,
                    environment: Some(fresh_environment()?),
                    legacy_unbound_before: None,
                };
                let me = Self { path, file };
                me.save()?;
                Ok((me, true))
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    fn save(&self) -> anyhow::Result<()> {
        write_private(&self.path, &serde_json::to_vec_pretty(&self.file)?)
    }

    /// The sandbox's governance admin, acting as [`seed::SEED_ACTOR`].
    pub fn admin(&self) -> Signer {
        let p = Principal::parse(seed::SEED_ACTOR).expect("the seed actor is a principal");
        signer_from(p, &self.file.admin).expect("checked when opened")
    }

    /// The key of `principal` (the admin's for [`seed::SEED_ACTOR`]), created if it has none yet.
    /// A new key is not endorsed: its principal asks for enrollment like on a real cluster.
    pub fn signer(&mut self, principal: &Principal) -> anyhow::Result<Signer> {
        if principal.as_str() == seed::SEED_ACTOR {
            return Ok(self.admin());
        }
        if !self.file.principals.contains_key(principal.as_str()) {
            self.file.principals.insert(principal.to_string(), fresh_seed()?);
            self.save()?;
        }
        signer_from(principal.clone(), &self.file.principals[principal.as_str()])
    }

    /// The sandbox environment's trust root, bound to its governance identity.
    pub fn trust_root(&self) -> TrustRoot {
        TrustRoot {
            admins: vec![self.admin().public_key().id()],
            accept_unsigned_before_offset: self.file.legacy_unsigned_before,
            environment: self.environment().to_owned(),
            accept_unbound_before_offset: self.file.legacy_unbound_before,
        }
    }

    /// The sandbox environment's governance identity (empty until [`SandboxKeys::bind`] gave a
    /// sandbox from before the binding one).
    pub fn environment(&self) -> &str {
        self.file.environment.as_deref().unwrap_or_default()
    }

    /// Whether the keys were written before events were bound to their environment.
    pub fn unbound(&self) -> bool {
        self.file.environment.is_none()
    }

    /// Gives a sandbox from before the binding its governance identity; what its log holds below
    /// `offset` stays readable.
    pub fn bind(&mut self, offset: i64) -> anyhow::Result<()> {
        self.file.environment = Some(fresh_environment()?);
        self.file.legacy_unbound_before = Some(offset);
        self.save()
    }

    /// Marks the log below `offset` as written before signing (a sandbox seeded by an older app).
    pub fn accept_legacy_before(&mut self, offset: i64) -> anyhow::Result<()> {
        self.file.legacy_unsigned_before = Some(offset);
        self.save()
    }

    /// The seed's signers: the admin, the seed's principals and the local user (as an owner).
    pub fn seed_signers(&mut self) -> anyhow::Result<SeedSigners> {
        let mut wanted = seed::principals();
        let local = Principal::parse(&local_principal()).map_err(anyhow::Error::msg)?;
        if !wanted.iter().any(|(p, _)| *p == local) && local.as_str() != seed::SEED_ACTOR {
            wanted.push((local, Role::Owner));
        }
        let mut principals = Vec::new();
        for (p, role) in wanted {
            principals.push((self.signer(&p)?, role));
        }
        Ok(SeedSigners { admin: self.admin(), principals })
    }
}
