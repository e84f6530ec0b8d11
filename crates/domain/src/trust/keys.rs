//! Signing keys and signed envelopes: Ed25519 over the RFC 8785 (JCS) canonical form of the
//! envelope without its signature. A key is written `ed25519:<base64url, no padding>` of its
//! 32-byte public key, so an envelope names the key that signed it and a trust root is a list
//! of such strings.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use super::Refusal;
use crate::error::Invalid;
use crate::events::Envelope;
use crate::model::Principal;

/// The prefix of every key id.
pub const KEY_PREFIX: &str = "ed25519:";

/// A public key, parsed and checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses `ed25519:<base64url>`: what is wrong, for people.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let b64 =
            s.strip_prefix(KEY_PREFIX).ok_or_else(|| format!("key `{}` must start with `{KEY_PREFIX}`", short(s)))?;
        if b64.len() != 43 {
            return Err(Invalid(format!("key `{}` is not a 32-byte Ed25519 public key", short(s))));
        }
        let bytes = URL_SAFE_NO_PAD.decode(b64).map_err(|e| format!("key `{}` is not base64url: {e}", short(s)))?;
        let bytes: [u8; 32] =
            bytes.try_into().map_err(|_| format!("key `{}` is not a 32-byte Ed25519 public key", short(s)))?;
        let key =
            VerifyingKey::from_bytes(&bytes).map_err(|_| format!("key `{}` is not an Ed25519 point", short(s)))?;
        if key.is_weak() {
            return Err(Invalid(format!("key `{}` is a weak Ed25519 key", short(s))));
        }
        Ok(Self(key))
    }

    /// The key's id, `ed25519:…`.
    pub fn id(&self) -> String {
        format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(self.0.as_bytes()))
    }

    /// A short form for people: the first 16 base64 characters in groups of four.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.id())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

/// A short form of a key id for people, e.g. `ed25519 Xk3p-9aQe-…`.
pub fn fingerprint(key_id: &str) -> String {
    let body = key_id.strip_prefix(KEY_PREFIX).unwrap_or(key_id);
    let head: Vec<String> = body.chars().take(16).collect::<Vec<_>>().chunks(4).map(|c| c.iter().collect()).collect();
    format!("ed25519 {}", head.join("-"))
}

/// At most 60 characters of `s`, for messages about what came from outside.
pub(super) fn short(s: &str) -> String {
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s.to_owned() }
}

/// A principal's signing key. Its `Debug` shows the public key only.
#[derive(Clone)]
pub struct Signer {
    principal: Principal,
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}, {})", self.principal, self.public_key().id())
    }
}

impl Signer {
    /// A signer from a 32-byte secret seed (as kept in the keyring).
    pub fn from_seed(principal: Principal, seed: &[u8; 32]) -> Self {
        Self { principal, key: SigningKey::from_bytes(seed) }
    }

    /// The secret seed, to store in the keyring. Never log it.
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The secret seed as stored (base64url). Never log it.
    pub fn seed_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.seed())
    }

    /// A signer from a stored seed ([`Signer::seed_text`]).
    pub fn from_seed_text(principal: Principal, text: &str) -> Result<Self, Invalid> {
        let seed = URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or("a stored signing key is not 32 bytes of base64url")?;
        Ok(Self::from_seed(principal, &seed))
    }

    /// The principal the key signs for.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The public half of the key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    /// Signs `env` for the environment whose governance identity is `environment`
    /// ([`crate::trust::TrustRoot::environment`]): the identity is inside what the signature
    /// covers, so the event counts in that environment's log only.
    pub fn sign_for(&self, env: &mut Envelope, environment: &str) {
        env.environment = Some(environment.to_owned());
        self.sign(env);
    }

    /// Signs `env` as this principal: sets its actor and key, then the signature over the
    /// canonical form of everything else (the environment it names included).
    pub fn sign(&self, env: &mut Envelope) {
        env.actor = self.principal.as_str().to_owned();
        env.key = Some(self.public_key().id());
        env.sig = None;
        let sig = self.key.sign(&canonical_bytes(env));
        env.sig = Some(URL_SAFE_NO_PAD.encode(sig.to_bytes()));
    }
}

/// The bytes a signature covers: the envelope without `sig`, in RFC 8785 canonical JSON. The
/// envelope's own members are written in their canonical (sorted) order by hand, so the payload
/// is canonicalized in place rather than copied.
pub fn canonical_bytes(env: &Envelope) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend(serde_jcs::to_vec(s).expect("strings always canonicalize"));
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"actor\":");
    string(&mut out, &env.actor);
    out.extend_from_slice(format!(",\"at_ms\":{}", env.at_ms).as_bytes());
    if let Some(environment) = &env.environment {
        out.extend_from_slice(b",\"environment\":");
        string(&mut out, environment);
    }
    out.extend_from_slice(b",\"id\":");
    string(&mut out, &env.id);
    if let Some(key) = &env.key {
        out.extend_from_slice(b",\"key\":");
        string(&mut out, key);
    }
    out.extend_from_slice(b",\"payload\":");
    out.extend(serde_jcs::to_vec(&env.payload).expect("JSON values always canonicalize"));
    out.extend_from_slice(b",\"type\":");
    string(&mut out, &env.kind);
    out.extend_from_slice(format!(",\"version\":{}}}", env.version).as_bytes());
    out
}

/// Parsed public keys, so that a batch signed by a few keys decompresses each point once.
#[derive(Default)]
pub struct KeyCache(std::collections::HashMap<String, Result<PublicKey, Refusal>>);

/// Checks an envelope's signature: the key that signed it, or why it does not count.
pub fn verify(env: &Envelope) -> Result<PublicKey, Refusal> {
    verify_cached(&mut KeyCache::default(), env)
}

/// [`verify`] with parsed keys kept in `cache`.
pub fn verify_cached(cache: &mut KeyCache, env: &Envelope) -> Result<PublicKey, Refusal> {
    let refused = |m: &str| Refusal::Key(m.to_owned());
    let key_id = env.key.as_deref().ok_or_else(|| refused("the event is not signed"))?;
    let sig = env.sig.as_deref().ok_or_else(|| refused("the event names a key but carries no signature"))?;
    let key = cache
        .0
        .entry(key_id.to_owned())
        .or_insert_with(|| PublicKey::parse(key_id).map_err(|e| Refusal::Key(e.0)))
        .clone()?;
    let raw = URL_SAFE_NO_PAD.decode(sig).map_err(|_| refused("the signature is not base64url"))?;
    let raw: [u8; 64] = raw.try_into().map_err(|_| refused("the signature is not 64 bytes"))?;
    key.0
        .verify_strict(&canonical_bytes(env), &Signature::from_bytes(&raw))
        .map_err(|_| Refusal::Key(format!("the signature does not match the event (key {})", key.fingerprint())))?;
    Ok(key)
}
