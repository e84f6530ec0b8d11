//! How registries that speak the Confluent API differ from Confluent's: the one place that knows.
//!
//! Measured against Apicurio Registry 3.3 through its Confluent API (`/apis/ccompat/v7`, see
//! `tests/it/registry_client.rs`):
//! - it accepts a version's `metadata` and `ruleSet` and keeps neither (a data contract lives
//!   only in the catalog there, and serializers enforce no rule);
//! - until a compatibility level is set, registration checks nothing, and its compatibility
//!   endpoint answers by BACKWARD even where the level is `NONE` (Confluent: compatible), and
//!   its check "against the versions as the level says" checks every version even at a level
//!   that compares with the latest only;
//! - it stores `READONLY` mode and still takes registrations;
//! - one id per content, across subjects (Confluent does the same), and no reasons with
//!   `verbose=true`;
//! - `GET /schemas` lists schema texts without their subjects and versions;
//! - refusals carry a Java exception's class before the words.
//!
//! The sandbox's registry answers as Confluent's does (it is the reference here).

use meshdesk_domain::CompatibilityLevel;

/// Which kind of server answers the Confluent API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Confluent Schema Registry, and servers answering as it does (the sandbox's).
    Confluent,
    /// Apicurio Registry's Confluent compatibility API.
    Apicurio,
}

impl Dialect {
    /// Told by the address: Apicurio serves the Confluent API under `/apis/ccompat/`.
    pub fn of(base_url: &str) -> Self {
        if base_url.contains("/apis/ccompat/") { Dialect::Apicurio } else { Dialect::Confluent }
    }

    /// For people: "Apicurio Registry".
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Confluent => "Confluent-compatible registry",
            Dialect::Apicurio => "Apicurio Registry",
        }
    }

    /// Whether a version's `metadata` and `ruleSet` are kept and read back.
    pub fn keeps_contract(self) -> bool {
        matches!(self, Dialect::Confluent)
    }

    /// Whether the server refuses writes itself in `READONLY` mode.
    pub(crate) fn enforces_mode(self) -> bool {
        matches!(self, Dialect::Confluent)
    }

    /// Whether an incompatible verdict comes with the reasons (`verbose=true`).
    pub fn explains_incompatibility(self) -> bool {
        matches!(self, Dialect::Confluent)
    }

    /// Whether `GET /schemas?latestOnly=false` lists every version with its subject and number.
    pub(crate) fn lists_versions(self) -> bool {
        matches!(self, Dialect::Confluent)
    }

    /// Whether `POST /compatibility/subjects/{s}/versions` compares with the versions the level
    /// names (the latest only, unless transitive). Where not, the client asks for the latest.
    pub(crate) fn checks_versions_by_level(self) -> bool {
        matches!(self, Dialect::Confluent)
    }

    /// Whether the compatibility endpoint answers by the subject's level even when it is `NONE`.
    /// Where it does not, the client answers "compatible" for `NONE` itself, as Confluent does.
    pub(crate) fn checks_by_level(self, level: CompatibilityLevel) -> bool {
        matches!(self, Dialect::Confluent) || level != CompatibilityLevel::None
    }
}

/// The server's words without what only its developers read: a leading Java exception class
/// (`io.apicurio.registry.rules.violation.RuleViolationException: Incompatible artifact: …`).
pub(crate) fn plain_message(message: String) -> String {
    let Some((head, rest)) = message.split_once(": ") else { return message };
    let java_class = head.contains('.')
        && !head.contains(' ')
        && (head.ends_with("Exception") || head.ends_with("Error"))
        && head
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$'));
    if java_class { rest.to_owned() } else { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialect_is_told_by_the_address() {
        assert_eq!(Dialect::of("http://127.0.0.1:8080/apis/ccompat/v7"), Dialect::Apicurio);
        assert_eq!(Dialect::of("http://127.0.0.1:8081"), Dialect::Confluent);
        assert_eq!(Dialect::of("https://psrc-1.confluent.cloud"), Dialect::Confluent);
    }

    #[test]
    fn a_java_exception_class_is_taken_off_the_message() {
        assert_eq!(
            plain_message(
                "io.apicurio.registry.rules.violation.RuleViolationException: Incompatible artifact: b-value [AVRO]"
                    .into()
            ),
            "Incompatible artifact: b-value [AVRO]"
        );
        let confluent = "Schema being registered is incompatible with an earlier schema for subject \"x\": details";
        assert_eq!(plain_message(confluent.into()), confluent);
        assert_eq!(plain_message("Subject 'x' not found.".into()), "Subject 'x' not found.");
    }
}
