//! Identity and trust: this desktop's signing key, enrollment, and the admins' Trust page.

use serde::{Deserialize, Serialize};

/// Where this desktop's key stands in the governance log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStanding {
    /// No signing key on this machine yet.
    NoKey,
    /// A key, not yet submitted for enrollment.
    NotEnrolled,
    /// Enrollment requested, waiting for an admin.
    Pending,
    /// An admin endorsed it: its signatures count.
    Endorsed,
    /// An admin rejected its enrollment.
    Rejected,
    /// An admin revoked it.
    Revoked,
    /// One of the environment's pinned governance admin keys.
    Admin,
}

/// Settings' identity section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// This desktop's principal.
    pub principal: String,
    /// `ed25519:…`, when there is a key.
    pub key: Option<String>,
    /// A short form of the key for people.
    pub fingerprint: Option<String>,
    /// Where the key stands in the governance log.
    pub standing: KeyStanding,
    /// The roles an endorsement gave the key.
    pub roles: Vec<String>,
    /// Whether this principal may endorse keys (shows the Trust page).
    pub is_admin: bool,
    /// Where keys and secrets are kept: "Secret Service", "kernel keyutils", or the sandbox's folder.
    pub key_store: String,
    /// What is wrong with the environment or the identity, for people.
    pub warnings: Vec<String>,
}

/// Asks the admins to endorse this desktop's key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRequest {
    /// Who you are, for the admins (team, why you need to act).
    pub note: String,
}

/// One key as the Trust page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustKey {
    /// The public key, `ed25519:…`.
    pub key: String,
    /// A short form of the key for people.
    pub fingerprint: String,
    /// The principal the key signs for.
    pub principal: String,
    /// Where the key stands.
    pub state: meshdesk_domain::trust::KeyState,
    /// The roles it was given.
    pub roles: Vec<String>,
    /// The requester's note for the admins.
    pub note: Option<String>,
    /// When enrollment was requested, in ms since the epoch.
    pub requested_at_ms: Option<i64>,
    /// The admin that decided.
    pub decided_by: Option<String>,
    /// When, in ms since the epoch.
    pub decided_at_ms: Option<i64>,
}

/// How many of the log's records came to each outcome, in [`Outcome::ALL`]'s order (every
/// outcome listed, zero included).
///
/// [`Outcome::ALL`]: meshdesk_domain::events::Outcome::ALL
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    /// Each outcome and how many records came to it.
    pub counts: Vec<(meshdesk_domain::events::Outcome, u64)>,
}

/// One event as the fold judged it, for the audit view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The event's offset in the governance log.
    pub offset: i64,
    /// The event's type, e.g. `ProductPublished`.
    pub kind: String,
    /// Who the event says wrote it.
    pub actor: String,
    /// When the event says it was written, in ms since the epoch.
    pub at_ms: i64,
    /// What the fold made of it.
    pub outcome: meshdesk_domain::events::Outcome,
    /// Why, when it was refused.
    pub note: Option<String>,
    /// The signing key's fingerprint; `None`: unsigned.
    pub signer: Option<String>,
}

/// The Trust page: the admin keys, every enrolled key and the latest events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustOverview {
    /// The environment's pinned admin keys.
    pub root_admins: Vec<String>,
    /// Every key that asked for enrollment.
    pub keys: Vec<TrustKey>,
    /// The newest events read from the log, newest first: verified and refused alike.
    pub recent: Vec<AuditEvent>,
}

/// An admin's decision on a key, or on a topic outside every domain's namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TrustAction {
    /// Lets `domain` adopt `topic`, an existing topic outside its namespace.
    Adopt {
        /// The topic.
        topic: String,
        /// The domain that adopts it.
        domain: String,
        /// Why, for the log.
        reason: String,
    },
    /// Endorses `key` for `principal` with `roles`.
    Endorse {
        /// The principal the key signs for.
        principal: String,
        /// The key, `ed25519:…`.
        key: String,
        /// The roles given.
        roles: Vec<String>,
    },
    /// Rejects a key's enrollment.
    Reject {
        /// The key, `ed25519:…`.
        key: String,
        /// Why, for the requester.
        reason: String,
    },
    /// `compromised_since_ms`: the key was compromised from then on; what it signed since is void.
    Revoke {
        /// The key, `ed25519:…`.
        key: String,
        /// Why, for the log.
        reason: String,
        /// When the key was compromised, in ms since the epoch.
        #[serde(default)]
        compromised_since_ms: Option<i64>,
    },
}

/// A credential for the OS keyring, named as an environment file refers to it
/// (`{ keyring = "NAME" }`). The value goes in, never out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretForm {
    /// The entry's name.
    pub name: String,
    /// The secret.
    pub value: String,
}
