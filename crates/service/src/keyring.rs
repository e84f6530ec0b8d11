//! The OS keyring: principals' signing keys and the environments' credentials. Secret Service
//! on a desktop session; the kernel's keyutils store where no Secret Service answers (headless
//! machines, CI). Nothing read from here is written to SQLite, logs or the webview.
//!
//! Entries live under the service `meshdesk`: `signing-key/<principal>` holds a principal's
//! Ed25519 seed (base64url), `secret/<name>` a credential an environment file names with
//! `{ keyring = "<name>" }`.

use std::sync::OnceLock;

use meshdesk_domain::Principal;
use meshdesk_domain::trust::Signer;

const SERVICE: &str = "meshdesk";

/// Which store the keyring uses on this machine, chosen once: `MESHDESK_KEYRING` (`keyutils`
/// or `secret-service`) when set, else Secret Service if a session bus answers, else keyutils.
pub fn backend() -> &'static str {
    static CHOSEN: OnceLock<&'static str> = OnceLock::new();
    CHOSEN.get_or_init(|| {
        let wanted = std::env::var("MESHDESK_KEYRING").unwrap_or_default();
        let secret_service = match wanted.as_str() {
            "keyutils" => false,
            "secret-service" => true,
            _ => std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() && secret_service_answers(),
        };
        if secret_service {
            keyring::set_default_credential_builder(keyring::secret_service::default_credential_builder());
            "Secret Service"
        } else {
            possess_a_session_keyring();
            keyring::set_default_credential_builder(keyring::keyutils::default_credential_builder());
            "kernel keyutils"
        }
    })
}

/// keyutils entries are added to the session keyring and linked into the user's persistent
/// keyring (which keeps them across logins for days). A process started outside a login session
/// (a service, CI) falls back to the user-session keyring, which it does not possess, so the
/// kernel refuses that link; joining a named session keyring first makes the process possess
/// what it stores. Credentials are per thread, so every thread that touches the keyring joins
/// (the named keyring is shared). This is the one raw system call here: `linux-keyutils` has no
/// KEYCTL_JOIN_SESSION_KEYRING.
fn possess_a_session_keyring() {
    const KEYCTL_GET_KEYRING_ID: libc::c_long = 0;
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    const KEY_SPEC_SESSION_KEYRING: libc::c_long = -3;
    const KEY_SPEC_USER_SESSION_KEYRING: libc::c_long = -5;
    // SAFETY: keyctl with integer arguments reads nothing from this process's memory; the
    // join call reads one NUL-terminated string that lives for the whole call.
    unsafe {
        let session = libc::syscall(libc::SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        let user_session = libc::syscall(libc::SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_SESSION_KEYRING, 0);
        if session >= 0 && session == user_session {
            let name = c"meshdesk";
            if libc::syscall(libc::SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name.as_ptr()) < 0 {
                tracing::warn!("could not join a session keyring: {}", std::io::Error::last_os_error());
            }
        }
    }
}

fn secret_service_answers() -> bool {
    let probe = keyring::secret_service::SsCredential::new_with_target(None, SERVICE, "probe");
    match probe {
        Ok(c) => matches!(keyring::credential::CredentialApi::get_password(&c), Ok(_) | Err(keyring::Error::NoEntry)),
        Err(_) => false,
    }
}

/// What the keyring refused, for people.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The keyring itself failed (no backend, locked, a store that refused).
    #[error("{what} the keyring ({backend}) failed: {source}")]
    Backend {
        what: String,
        backend: &'static str,
        #[source]
        source: keyring::Error,
    },
    /// A name or a value that cannot be stored.
    #[error("{0}")]
    Invalid(#[from] meshdesk_domain::Invalid),
    /// A signing key exists for the principal already.
    #[error("{0} has a signing key on this machine already")]
    KeyExists(Principal),
    /// No randomness from the operating system.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

fn failed(what: String) -> impl FnOnce(keyring::Error) -> KeyringError {
    move |source| KeyringError::Backend { what, backend: backend(), source }
}

fn entry(user: &str) -> Result<keyring::Entry, KeyringError> {
    if backend() == "kernel keyutils" {
        // A thread's session keyring is its own: join on every thread that uses the keyring.
        possess_a_session_keyring();
    }
    keyring::Entry::new(SERVICE, user).map_err(failed("opening".into()))
}

fn get(user: &str) -> Result<Option<String>, KeyringError> {
    match entry(user)?.get_password() {
        Ok(v) => Ok(Some(v)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(failed(format!("reading `{user}` from"))(e)),
    }
}

fn set(user: &str, value: &str) -> Result<(), KeyringError> {
    entry(user)?.set_password(value).map_err(failed(format!("storing `{user}` in")))
}

fn delete(user: &str) -> Result<(), KeyringError> {
    match entry(user)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(failed(format!("removing `{user}` from"))(e)),
    }
}

fn check_name(name: &str) -> Result<(), KeyringError> {
    if name.is_empty() || name.len() > 128 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "._-:@/".contains(c)) {
        return Err(meshdesk_domain::Invalid(format!(
            "keyring name `{name}` must be 1 to 128 letters, digits or `._-:@/`"
        ))
        .into());
    }
    Ok(())
}

/// A credential stored with [`secret_set`] (or `meshctl secret set`).
pub fn secret_get(name: &str) -> Result<Option<String>, KeyringError> {
    check_name(name)?;
    get(&format!("secret/{name}"))
}

pub fn secret_set(name: &str, value: &str) -> Result<(), KeyringError> {
    check_name(name)?;
    if value.is_empty() {
        return Err(meshdesk_domain::Invalid::from("an empty secret cannot be stored").into());
    }
    set(&format!("secret/{name}"), value)
}

pub fn secret_delete(name: &str) -> Result<(), KeyringError> {
    check_name(name)?;
    delete(&format!("secret/{name}"))
}

/// Fresh randomness from the operating system.
pub fn random_seed() -> Result<[u8; 32], KeyringError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| KeyringError::Random(e.to_string()))?;
    Ok(seed)
}

/// The principal's signing key, if this machine has one.
pub fn signing_key(principal: &Principal) -> Result<Option<Signer>, KeyringError> {
    signer_at(&format!("signing-key/{principal}"), principal)
}

/// The signing key stored as the secret `name` (an environment file's `signing_key`), acting as
/// `principal`.
pub fn named_signing_key(name: &str, principal: &Principal) -> Result<Option<Signer>, KeyringError> {
    check_name(name)?;
    signer_at(&format!("secret/{name}"), principal)
}

fn signer_at(user: &str, principal: &Principal) -> Result<Option<Signer>, KeyringError> {
    Ok(get(user)?.map(|text| Signer::from_seed_text(principal.clone(), &text)).transpose()?)
}

/// Creates the principal's signing key; refuses when one exists (replacing it would orphan its
/// endorsement: revoke it first).
pub fn create_signing_key(principal: &Principal) -> Result<Signer, KeyringError> {
    if signing_key(principal)?.is_some() {
        return Err(KeyringError::KeyExists(principal.clone()));
    }
    let signer = Signer::from_seed(principal.clone(), &random_seed()?);
    set(&format!("signing-key/{principal}"), &signer.seed_text())?;
    Ok(signer)
}

/// Removes the principal's signing key from this machine.
pub fn delete_signing_key(principal: &Principal) -> Result<(), KeyringError> {
    delete(&format!("signing-key/{principal}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_keys_round_trip_through_this_machines_keyring() {
        // Verifies store, load and delete of a secret and of a signing key in the machine's keyring (the kernel's keyutils store where no Secret Service session runs, as on CI): nothing is written to disk.
        let name = format!("meshdesk-test-{}", uuid::Uuid::new_v4());
        assert_eq!(secret_get(&name).unwrap(), None);
        secret_set(&name, "s3cret").unwrap();
        assert_eq!(secret_get(&name).unwrap().as_deref(), Some("s3cret"));
        secret_delete(&name).unwrap();
        assert_eq!(secret_get(&name).unwrap(), None);
        assert!(secret_set("bad name!", "x").is_err());

        let principal = Principal::parse(&format!("User:{name}")).unwrap();
        let created = create_signing_key(&principal).unwrap();
        let loaded = signing_key(&principal).unwrap().expect("the key is there");
        assert_eq!(loaded.public_key(), created.public_key());
        assert!(create_signing_key(&principal).is_err(), "a key is never silently replaced");
        delete_signing_key(&principal).unwrap();
        assert!(signing_key(&principal).unwrap().is_none());
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            assert_eq!(backend(), "kernel keyutils");
        }
    }
}
