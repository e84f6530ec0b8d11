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
    Endorsed,
    Rejected,
    Revoked,
    /// One of the environment's pinned governance admin keys.
    Admin,
}

/// Settings' identity section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub principal: String,
    /// `ed25519:…`, when there is a key.
    pub key: Option<String>,
    /// A short form of the key for people.
    pub fingerprint: Option<String>,
    pub standing: KeyStanding,
    pub roles: Vec<String>,
    /// Whether this principal may endorse keys (shows the Trust page).
    pub is_admin: bool,
    /// Where keys and secrets are kept: "Secret Service", "kernel keyutils", or the sandbox's folder.
    pub key_store: String,
    /// What is wrong with the environment or the identity, for people.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRequest {
    /// Who you are, for the admins (team, why you need to act).
    pub note: String,
}

/// One key as the Trust page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustKey {
    pub key: String,
    pub fingerprint: String,
    pub principal: String,
    pub state: meshdesk_domain::trust::KeyState,
    pub roles: Vec<String>,
    pub note: Option<String>,
    pub requested_at_ms: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
}

/// How many of the log's records came to each outcome, in [`Outcome::ALL`]'s order (every
/// outcome listed, zero included).
///
/// [`Outcome::ALL`]: meshdesk_domain::events::Outcome::ALL
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    pub counts: Vec<(meshdesk_domain::events::Outcome, u64)>,
}

/// One event as the fold judged it, for the audit view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub offset: i64,
    pub kind: String,
    /// Who the event says wrote it.
    pub actor: String,
    pub at_ms: i64,
    pub outcome: meshdesk_domain::events::Outcome,
    pub note: Option<String>,
    /// The signing key's fingerprint; `None`: unsigned.
    pub signer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustOverview {
    /// The environment's pinned admin keys.
    pub root_admins: Vec<String>,
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
        topic: String,
        domain: String,
        reason: String,
    },
    Endorse {
        principal: String,
        key: String,
        roles: Vec<String>,
    },
    Reject {
        key: String,
        reason: String,
    },
    /// `compromised_since_ms`: the key was compromised from then on; what it signed since is void.
    Revoke {
        key: String,
        reason: String,
        #[serde(default)]
        compromised_since_ms: Option<i64>,
    },
}

/// A credential for the OS keyring, named as an environment file refers to it
/// (`{ keyring = "NAME" }`). The value goes in, never out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretForm {
    pub name: String,
    pub value: String,
}
