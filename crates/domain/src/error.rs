//! The domain's refusals as types. An input that is not well-formed is [`Invalid`]; an event the
//! log's rules refuse is a [`crate::trust::Refusal`], which says which rule. The service maps
//! each to an error of its own kind (invalid input, refused by trust or policy), and the fold
//! records the sentence in the audit.

/// An input (a name, a date, a document, a rule, a request) that is not well-formed: what is
/// wrong and what to fix, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{0}")]
#[serde(transparent)]
pub struct Invalid(pub String);

impl Invalid {
    /// The sentence, for people.
    pub fn message(&self) -> &str {
        &self.0
    }

    /// The same refusal with what it concerns in front (`"port x: …"`).
    #[must_use]
    pub fn context(self, what: impl std::fmt::Display) -> Self {
        Self(format!("{what}: {}", self.0))
    }
}

impl From<String> for Invalid {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Invalid {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// The sentence, where a message is all that is wanted (the window's forms).
impl From<Invalid> for String {
    fn from(e: Invalid) -> Self {
        e.0
    }
}

/// The result of checking an input.
pub type Checked<T> = Result<T, Invalid>;

/// Compares the sentence (tests and callers that match a known refusal).
impl PartialEq<&str> for Invalid {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
