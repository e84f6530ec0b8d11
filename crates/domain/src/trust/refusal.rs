//! Why the log's rules refuse an event: which rule, and the sentence for people.

use crate::error::Invalid;

/// An event the trust rules refuse. Each kind names the rule that failed; the text says what
/// was wrong, for people (the fold keeps it in the audit).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The signature does not verify, or the key may not sign for the event's actor (unknown,
    /// not endorsed, rejected, revoked, compromised, another principal's).
    #[error("{0}")]
    Key(String),
    /// The event was signed for another environment, or names none.
    #[error("{0}")]
    Environment(String),
    /// The event's own time is too far from its record's broker time.
    #[error("{0}")]
    Time(String),
    /// The actor may not make this event (not an admin, not an owner).
    #[error("{0}")]
    NotAllowed(String),
    /// The event contradicts what the log holds (a topic held by another product, a key
    /// revoked already, no such request).
    #[error("{0}")]
    Conflict(String),
    /// The event itself is malformed (no reason given, an empty owner list, a bad key).
    #[error("{0}")]
    Invalid(String),
    /// A publication brings a policy error its product did not have.
    #[error("{0}")]
    Policy(String),
}

impl Refusal {
    /// The sentence, for people.
    pub fn message(&self) -> &str {
        match self {
            Refusal::Key(m)
            | Refusal::Environment(m)
            | Refusal::Time(m)
            | Refusal::NotAllowed(m)
            | Refusal::Conflict(m)
            | Refusal::Invalid(m)
            | Refusal::Policy(m) => m,
        }
    }
}

impl From<Invalid> for Refusal {
    fn from(e: Invalid) -> Self {
        Refusal::Invalid(e.0)
    }
}

/// Compares the sentence, whatever the kind.
impl PartialEq<&str> for Refusal {
    fn eq(&self, other: &&str) -> bool {
        self.message() == *other
    }
}
