//! Governance events: the ordered log every desktop folds into its cache.
//!
//! On the wire an event is a JSON [`Envelope`]: the envelope's fields are stable across app
//! versions; the payload's shape is given by `type` and `version`. A reader that meets a type
//! or version it does not know keeps the envelope and skips it ([`Decoded::Unknown`]), so
//! desktops on different app versions can share one log.

use serde::{Deserialize, Serialize};

use crate::access::{AccessRequest, Decision};
use crate::ids::{DomainId, ProductId, TopicName};
use crate::model::{DataProduct, Domain, Principal};
use crate::policy::Rule;
use crate::trust::Role;

/// The default governance topic: one partition (a total order), unlimited retention.
pub const GOVERNANCE_TOPIC: &str = "_meshdesk.governance";

/// The governance topic's configs: records are kept forever and never compacted away.
/// The largest governance event a desktop queues (signed envelope, bytes): below Kafka's default
/// `message.max.bytes` (1 MiB) with room for the record's framing.
pub const MAX_EVENT_BYTES: usize = 900 * 1024;

/// What is wrong with a governance topic of this shape, for people: one ordered log needs one
/// partition, records kept forever and never compacted away. Empty when it is fit.
pub fn governance_topic_problems(
    topic: &str,
    partitions: usize,
    configs: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    if partitions != 1 {
        out.push(format!(
            "the governance topic {topic} has {partitions} partitions; it must have exactly one (one ordered log): \
             events in other partitions would be missed. Recreate it with one partition"
        ));
    }
    if let Some(policy) = configs.get("cleanup.policy")
        && policy.split(',').any(|p| p.trim() == "compact")
    {
        out.push(format!(
            "the governance topic {topic} is compacted (cleanup.policy={policy}); it must be cleanup.policy=delete, or history is lost"
        ));
    }
    if let Some(ms) = configs.get("retention.ms")
        && ms.trim() != "-1"
    {
        out.push(format!(
            "the governance topic {topic} keeps records for {ms} ms only; it must keep them forever (retention.ms=-1), or new desktops miss history"
        ));
    }
    out
}

/// The governance topic's configuration: kept forever, never compacted.
pub const GOVERNANCE_TOPIC_CONFIGS: &[(&str, &str)] = &[("retention.ms", "-1"), ("cleanup.policy", "delete")];

/// An event as it travels through Kafka.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique id; applying an event whose id was applied before changes nothing.
    pub id: String,
    /// The event's type, as [`EventBody::kind`] names it.
    #[serde(rename = "type")]
    pub kind: String,
    /// The version of the type's payload.
    pub version: u32,
    /// The principal who caused the event, e.g. `User:alice`.
    pub actor: String,
    /// Milliseconds since the Unix epoch, as the signer says; the fold checks it against the
    /// broker's record timestamp.
    pub at_ms: i64,
    /// The event's content, as the type and version say.
    pub payload: serde_json::Value,
    /// The environment's governance identity ([`crate::trust::TrustRoot::environment`]) the
    /// event was signed for: covered by the signature, so an event carried from one environment's
    /// log into another's is refused there. Absent only in events written before events were
    /// bound (accepted below `accept_unbound_before_offset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The key that signed the envelope (`ed25519:…`), see [`crate::trust`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Ed25519 signature (base64url) over the canonical form of every other field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

/// The events this version of Meshdesk understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
// Events are built once and moved a few times; boxing the product would only add indirection.
#[allow(clippy::large_enum_variant)]
pub enum EventBody {
    /// A domain is registered (or its details change).
    DomainRegistered(Domain),
    /// A product is published: a new product, a new version, or its deprecation.
    ProductPublished(DataProduct),
    /// A consumer asks for access to a product's ports.
    AccessRequested(AccessRequest),
    /// An owner approves an access request.
    AccessApproved {
        /// The request approved.
        request_id: String,
        /// A shorter duration than asked, in days.
        days: Option<u32>,
        /// The content of the request approved ([`crate::access::request_digest`]): an approval
        /// applies to exactly the request its owner saw, never to another under the same id.
        /// Absent only in events written before decisions named it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_digest: Option<String>,
    },
    /// An owner refuses an access request.
    AccessDenied {
        /// The request refused.
        request_id: String,
        /// Why, for the requester.
        reason: String,
    },
    /// The requester takes a request back.
    AccessWithdrawn {
        /// The request withdrawn.
        request_id: String,
    },
    /// An owner ends an approved grant.
    AccessRevoked {
        /// The request whose grant ends.
        request_id: String,
        /// Why, for the consumer.
        reason: String,
    },
    /// A desktop or the reconciler tried to apply (or remove) a grant's ACLs on the cluster.
    GrantApplied {
        /// The request whose ACLs these are.
        request_id: String,
        /// What the cluster made of them.
        outcome: GrantOutcome,
    },
    /// A principal asks the governance admins to endorse its key; signed by that key.
    KeyEnrollmentRequested {
        /// The principal the key signs for.
        principal: Principal,
        /// The key, `ed25519:…`.
        key: String,
        /// Who asks, for the admins.
        #[serde(default)]
        note: String,
    },
    /// An admin endorses a principal's key with roles.
    KeyEndorsed {
        /// The principal the key signs for.
        principal: Principal,
        /// The key, `ed25519:…`.
        key: String,
        /// The roles the key may act in.
        roles: Vec<Role>,
    },
    /// An admin turns an enrollment request down.
    EnrollmentRejected {
        /// The key, `ed25519:…`.
        key: String,
        /// Why, for the requester.
        reason: String,
    },
    /// An admin (or the key's own principal) revokes a key: nothing it signs counts any more.
    /// A key revoked as compromised since a time also loses what it signed from then on, its
    /// endorsements included: every desktop folds the log again without those events.
    KeyRevoked {
        /// The key, `ed25519:…`.
        key: String,
        /// Why, for the log.
        reason: String,
        /// When the key was compromised (ms since the epoch), if it was: what it signed from
        /// then on is void. Absent for a key retired in good order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        compromised_since_ms: Option<i64>,
    },
    /// A policy rule is published (or a new version of it): a global rule by a governance
    /// admin, a domain's rule by an owner of that domain. In force from then on, beside the
    /// built-in policies.
    PolicyPublished(Rule),
    /// A published rule stops being checked; its history stays.
    PolicyWithdrawn {
        /// The rule's id.
        id: String,
        /// Why, for the rule's history.
        reason: String,
    },
    /// A governance admin lets a domain adopt an existing topic outside its namespace
    /// (`<domain>.`): from then on a product of that domain may name it as a port. Internal
    /// topics can never be adopted.
    TopicAdopted {
        /// The topic adopted.
        topic: TopicName,
        /// The domain that adopts it.
        domain: DomainId,
        /// Why, for the log.
        reason: String,
    },
    /// A reader of a product has taken note of a change to it (named by the event that made
    /// it); signed by the reader, so it only ever speaks for its signer.
    ChangeAcknowledged {
        /// The product changed.
        product: ProductId,
        /// The id of the event that made the change.
        change: String,
    },
}

/// What the cluster made of a grant's ACLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum GrantOutcome {
    /// Every binding was created.
    Applied,
    /// Every binding was removed (after expiry or revocation).
    Removed,
    /// The cluster refused, e.g. no authorizer (SECURITY_DISABLED) or no rights: the reason.
    NotApplied {
        /// The cluster's refusal.
        reason: String,
    },
}

impl EventBody {
    /// The event's type, as the envelope names it.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::DomainRegistered(_) => "DomainRegistered",
            EventBody::ProductPublished(_) => "ProductPublished",
            EventBody::AccessRequested(_) => "AccessRequested",
            EventBody::AccessApproved { .. } => "AccessApproved",
            EventBody::AccessDenied { .. } => "AccessDenied",
            EventBody::AccessWithdrawn { .. } => "AccessWithdrawn",
            EventBody::AccessRevoked { .. } => "AccessRevoked",
            EventBody::GrantApplied { .. } => "GrantApplied",
            EventBody::KeyEnrollmentRequested { .. } => "KeyEnrollmentRequested",
            EventBody::KeyEndorsed { .. } => "KeyEndorsed",
            EventBody::EnrollmentRejected { .. } => "EnrollmentRejected",
            EventBody::KeyRevoked { .. } => "KeyRevoked",
            EventBody::PolicyPublished(_) => "PolicyPublished",
            EventBody::PolicyWithdrawn { .. } => "PolicyWithdrawn",
            EventBody::ChangeAcknowledged { .. } => "ChangeAcknowledged",
            EventBody::TopicAdopted { .. } => "TopicAdopted",
        }
    }
    /// The payload version this app writes and the newest it reads, per type.
    pub fn current_version(kind: &str) -> Option<u32> {
        match kind {
            "DomainRegistered"
            | "ProductPublished"
            | "AccessRequested"
            | "AccessApproved"
            | "AccessDenied"
            | "AccessWithdrawn"
            | "AccessRevoked"
            | "GrantApplied"
            | "KeyEnrollmentRequested"
            | "KeyEndorsed"
            | "EnrollmentRejected"
            | "KeyRevoked"
            | "PolicyPublished"
            | "PolicyWithdrawn"
            | "ChangeAcknowledged"
            | "TopicAdopted" => Some(1),
            _ => None,
        }
    }
}

impl EventBody {
    /// An approval of exactly `request` (its id and the digest of its content), for `days` or the
    /// requested duration.
    pub fn approval(request: &AccessRequest, days: Option<u32>) -> Self {
        EventBody::AccessApproved {
            request_id: request.id.clone(),
            days,
            request_digest: Some(crate::access::request_digest(request)),
        }
    }

    /// For a decision on an access request: the request and the decision.
    pub fn as_decision(&self) -> Option<(&str, Decision)> {
        Some(match self {
            EventBody::AccessApproved { request_id, days, .. } => (request_id, Decision::Approve { days: *days }),
            EventBody::AccessDenied { request_id, reason } => (request_id, Decision::Deny { reason: reason.clone() }),
            EventBody::AccessWithdrawn { request_id } => (request_id, Decision::Withdraw),
            EventBody::AccessRevoked { request_id, reason } => {
                (request_id, Decision::Revoke { reason: reason.clone() })
            }
            _ => return None,
        })
    }
}

/// What the fold did with one record of the log, as its audit keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Verified, authorized and applied.
    Applied,
    /// An event the trust or the event's own rules refused: nothing changed.
    Refused,
    /// An event applied before (same id and signer): nothing changed.
    Duplicate,
    /// An event of a kind or version this desktop does not know: nothing changed.
    Skipped,
    /// Not an event at all.
    Invalid,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 5] =
        [Outcome::Applied, Outcome::Refused, Outcome::Duplicate, Outcome::Skipped, Outcome::Invalid];

    /// The name kept in the cache and shown in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Refused => "refused",
            Outcome::Duplicate => "duplicate",
            Outcome::Skipped => "skipped",
            Outcome::Invalid => "invalid",
        }
    }

    /// The outcome named `s` (as [`Outcome::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Outcome {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// What a reader made of an envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// An event this version knows.
    Known(Box<EventBody>),
    /// Kept, not applied; `reason` says why (unknown type, newer version, bad payload).
    Unknown {
        /// Why it is not applied.
        reason: String,
    },
}

/// A record that is not a governance envelope.
#[derive(Debug, thiserror::Error)]
#[error("not a governance event: {0}")]
pub struct EnvelopeError(String);

impl Envelope {
    /// An unsigned envelope carrying `body`, written by `actor` at `at_ms`.
    pub fn new(id: impl Into<String>, actor: impl Into<String>, at_ms: i64, body: &EventBody) -> Self {
        let value = serde_json::to_value(body).expect("event bodies always serialize");
        let payload = value.get("payload").cloned().unwrap_or(serde_json::Value::Null);
        Self {
            id: id.into(),
            kind: body.kind().to_owned(),
            version: EventBody::current_version(body.kind()).unwrap_or(1),
            actor: actor.into(),
            at_ms,
            payload,
            environment: None,
            key: None,
            sig: None,
        }
    }

    /// The envelope as JSON bytes, as written to the log.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("envelopes always serialize")
    }

    /// Parses the envelope only; a record that is not even an envelope is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        serde_json::from_slice(bytes).map_err(|e| EnvelopeError(e.to_string()))
    }

    /// Interprets the payload, never failing: what this version cannot apply is `Unknown`.
    pub fn decode(&self) -> Decoded {
        match EventBody::current_version(&self.kind) {
            None => Decoded::Unknown { reason: format!("unknown event type `{}`", self.kind) },
            Some(newest) if self.version > newest => Decoded::Unknown {
                reason: format!(
                    "`{}` version {} is newer than this app understands (up to {newest})",
                    self.kind, self.version
                ),
            },
            Some(_) => {
                let tagged = serde_json::json!({ "type": self.kind, "payload": self.payload });
                match serde_json::from_value::<EventBody>(tagged) {
                    Ok(body) => Decoded::Known(Box::new(body)),
                    Err(e) => Decoded::Unknown { reason: format!("`{}` payload is malformed: {e}", self.kind) },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn known_events_round_trip_through_bytes() {
        let domain = seed::domains().remove(0);
        let env = Envelope::new("e-1", "User:alice", 1_700_000_000_000, &EventBody::DomainRegistered(domain.clone()));
        let back = Envelope::from_bytes(&env.to_bytes()).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.kind, "DomainRegistered");
        assert_eq!(back.decode(), Decoded::Known(Box::new(EventBody::DomainRegistered(domain))));
    }

    #[test]
    fn unknown_types_and_newer_versions_are_kept_but_not_applied() {
        let mut env = Envelope::new("e-2", "User:bob", 0, &EventBody::ProductPublished(seed::products().remove(0)));
        env.version = 7;
        match env.decode() {
            Decoded::Unknown { reason } => assert!(reason.contains("version 7 is newer"), "{reason}"),
            other => panic!("expected Unknown, got {other:?}"),
        }
        env.kind = "AccessTeleported".into();
        match env.decode() {
            Decoded::Unknown { reason } => {
                assert!(reason.contains("unknown event type `AccessTeleported`"), "{reason}")
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
    }

    #[test]
    fn malformed_payloads_are_unknown_not_a_crash() {
        let env = Envelope {
            id: "e-3".into(),
            kind: "DomainRegistered".into(),
            version: 1,
            actor: "User:x".into(),
            at_ms: 0,
            payload: serde_json::json!({"id": "Not Kebab"}),
            environment: None,
            key: None,
            sig: None,
        };
        assert!(matches!(env.decode(), Decoded::Unknown { .. }));
        assert!(Envelope::from_bytes(b"\x00\x00garbage").is_err());
    }
}

#[cfg(test)]
mod governance_topic_tests {
    use std::collections::BTreeMap;

    use super::governance_topic_problems;

    #[test]
    fn a_governance_topic_must_be_one_partition_kept_forever_and_never_compacted() {
        // Verifies the shape rule: one partition, retention.ms=-1 and a delete policy pass; more partitions, compaction or a finite retention are each named.
        let fit: BTreeMap<String, String> =
            [("retention.ms", "-1"), ("cleanup.policy", "delete")].map(|(k, v)| (k.into(), v.into())).into();
        assert!(governance_topic_problems("g", 1, &fit).is_empty());
        assert!(governance_topic_problems("g", 1, &BTreeMap::new()).is_empty(), "unknown configs are not guessed");
        assert!(governance_topic_problems("g", 3, &fit)[0].contains("has 3 partitions"));
        let mut compacted = fit.clone();
        compacted.insert("cleanup.policy".into(), "compact,delete".into());
        assert!(governance_topic_problems("g", 1, &compacted)[0].contains("compacted"));
        let mut week = fit.clone();
        week.insert("retention.ms".into(), "604800000".into());
        assert!(governance_topic_problems("g", 1, &week)[0].contains("forever"));
    }
}
