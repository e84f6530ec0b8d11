//! The sandbox's Kafka users for SASL/PLAIN: names with a salted SHA-256 of the password, in
//! `users.json` (mode 0600). Passwords are generated here and handed out once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::RwLock;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::scram::{Credential, Mechanism};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    salt: String,
    sha256: String,
    /// SCRAM credentials (absent for users made before SCRAM was served: PLAIN only).
    #[serde(default)]
    scram_sha256: Option<Credential>,
    #[serde(default)]
    scram_sha512: Option<Credential>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    users: BTreeMap<String, Entry>,
}

pub struct UserStore {
    path: PathBuf,
    users: RwLock<BTreeMap<String, Entry>>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn digest(salt: &str, password: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    hex(&h.finalize())
}

fn random_bytes(n: usize) -> anyhow::Result<Vec<u8>> {
    let mut b = vec![0u8; n];
    getrandom::getrandom(&mut b).map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    Ok(b)
}

/// A fresh password for a sandbox user: 18 random bytes, in hex.
pub fn new_password() -> anyhow::Result<String> {
    Ok(hex(&random_bytes(18)?))
}

impl UserStore {
    /// See [`valid_name`].
    pub fn valid_name(name: &str) -> bool {
        valid_name(name)
    }
}

/// A user name is what follows `User:` in a principal: letters, digits, `.`, `_`, `-` and `@`,
/// 1 to 128 characters (the sandbox's safe set; PLAIN forbids NUL anyway).
pub fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

impl UserStore {
    pub fn open(path: PathBuf) -> anyhow::Result<Self> {
        let users = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice::<File>(&b).with_context(|| format!("reading {}", path.display()))?.users,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self { path, users: RwLock::new(users) })
    }

    fn save(&self, users: &BTreeMap<String, Entry>) -> anyhow::Result<()> {
        let file = File { users: users.clone() };
        crate::write_private(&self.path, &serde_json::to_vec_pretty(&file)?)
    }

    /// Sets `name`'s password (creating the user).
    pub fn set(&self, name: &str, password: &str) -> anyhow::Result<()> {
        anyhow::ensure!(valid_name(name), "`{name}` is not a valid user name (letters, digits, . _ - @)");
        let salt = hex(&random_bytes(16)?);
        let scram_salt = random_bytes(24)?;
        let entry = Entry {
            sha256: digest(&salt, password),
            salt,
            scram_sha256: Some(Credential::derive(Mechanism::Sha256, password, &scram_salt)),
            scram_sha512: Some(Credential::derive(Mechanism::Sha512, password, &scram_salt)),
        };
        let mut users = self.users.write().expect("users lock");
        users.insert(name.to_owned(), entry);
        self.save(&users)
    }

    /// Creates `name` with a fresh random password and returns it; `None` if the user exists.
    pub fn create(&self, name: &str) -> anyhow::Result<Option<String>> {
        if self.exists(name) {
            return Ok(None);
        }
        let password = new_password()?;
        self.set(name, &password)?;
        Ok(Some(password))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.users.read().expect("users lock").contains_key(name)
    }

    pub fn names(&self) -> Vec<String> {
        self.users.read().expect("users lock").keys().cloned().collect()
    }

    /// `name`'s SCRAM credential for `m`, if it has one.
    pub fn scram(&self, name: &str, m: Mechanism) -> Option<Credential> {
        let users = self.users.read().expect("users lock");
        let e = users.get(name)?;
        match m {
            Mechanism::Sha256 => e.scram_sha256.clone(),
            Mechanism::Sha512 => e.scram_sha512.clone(),
        }
    }

    /// Whether `password` is `name`'s (compared in constant time).
    pub fn check(&self, name: &str, password: &str) -> bool {
        let users = self.users.read().expect("users lock");
        match users.get(name) {
            Some(e) => digest(&e.salt, password).as_bytes().ct_eq(e.sha256.as_bytes()).into(),
            None => false,
        }
    }
}

/// A SASL/PLAIN message (RFC 4616): `[authzid] NUL authcid NUL passwd`. The authorization
/// identity, when given, must be the authenticated one (no impersonation).
pub fn parse_plain(bytes: &[u8]) -> Result<(String, String), &'static str> {
    let parts: Vec<&[u8]> = bytes.split(|b| *b == 0).collect();
    let [authz, user, pass] = parts.as_slice() else { return Err("malformed PLAIN message") };
    let user = std::str::from_utf8(user).map_err(|_| "the user name is not UTF-8")?;
    let pass = std::str::from_utf8(pass).map_err(|_| "the password is not UTF-8")?;
    if !authz.is_empty() && *authz != user.as_bytes() {
        return Err("an authorization identity other than the user is not supported");
    }
    Ok((user.to_owned(), pass.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_checked_and_kept() {
        // Verifies passwords are checked against salted digests that survive a reopen, and that names outside the safe set are refused.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.json");
        let store = UserStore::open(path.clone()).unwrap();
        let pw = store.create("sales-app").unwrap().unwrap();
        assert!(store.create("sales-app").unwrap().is_none(), "an existing user keeps its password");
        assert!(store.check("sales-app", &pw));
        assert!(!store.check("sales-app", "wrong"));
        assert!(!store.check("nobody", &pw));
        let again = UserStore::open(path.clone()).unwrap();
        assert!(again.check("sales-app", &pw));
        assert!(!std::fs::read_to_string(&path).unwrap().contains(&pw), "the password is not stored");
        for bad in ["", "a b", "x;rm", "$(id)", "a'b", "*"] {
            assert!(store.set(bad, "p").is_err(), "{bad:?} refused");
        }
        assert_eq!(parse_plain(b"\0sam\0pw").unwrap(), ("sam".into(), "pw".into()));
        assert_eq!(parse_plain(b"sam\0sam\0pw").unwrap(), ("sam".into(), "pw".into()));
        assert!(parse_plain(b"admin\0sam\0pw").is_err());
        assert!(parse_plain(b"sam\0pw").is_err());
    }
}
