//! Who may say what in the governance log. Pure rules, run in the window (to say why an action
//! is not offered), in the service before anything is queued, in every desktop's fold and in
//! the reconciler.
//!
//! Anyone with WRITE on the governance topic can append anything, and a reader cannot see who
//! produced a record. So every event is signed by its actor's key ([`keys`]), and the fold
//! applies it only when:
//! 1. the signature verifies ([`keys::verify`]);
//! 2. its time is within [`MAX_SKEW_MS`] of the broker's record timestamp ([`check_time`]);
//! 3. the key is the environment's trust root (an admin key pinned in the environment file),
//!    or was endorsed by an admin for exactly the envelope's actor and not revoked since
//!    (an enrollment request is the one event a key signs before it is endorsed);
//! 4. [`authorize`] allows the event for that principal given what the log said before.
//!
//! Whatever fails is kept in the audit as refused, with the reason, and changes nothing.

pub mod keys;
mod refusal;
mod rules;

use serde::{Deserialize, Serialize};

use crate::error::Invalid;
use crate::events::EventBody;
use crate::ids::{ProductId, TopicName};
use crate::model::Principal;
use crate::policy::Scope;

pub use refusal::Refusal;

/// Whether the rules allow an event, or which rule refuses it.
pub type Verdict = Result<(), Refusal>;

pub use keys::{KEY_PREFIX, KeyCache, PublicKey, Signer, canonical_bytes, fingerprint, verify, verify_cached};
pub use rules::authorize;

/// How far an event's own time may be from its record's broker timestamp.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// What an endorsed key may do besides what every endorsed principal may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A person who owns domains (ownership itself comes from the domain's owner list).
    Owner,
    /// A headless reconciler: records what it applied on the cluster.
    Reconciler,
    /// A governance administrator: endorses and revokes keys, creates domains.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: &'static [Role] = &[Role::Owner, Role::Reconciler, Role::Admin];
    /// The role's name, as events and files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Reconciler => "reconciler",
            Role::Admin => "admin",
        }
    }
    /// The role named `s`.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| Invalid(format!("role `{s}` must be one of owner, reconciler, admin")))
    }
}

/// The environment's trust root: its governance administrators' public keys, pinned like a CA
/// bundle, and how an older, unsigned log is treated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRoot {
    /// `ed25519:…` key ids.
    pub admins: Vec<String>,
    /// Unsigned events below this offset were written before signing and are applied as they
    /// were then (their actor unchecked); off (`None`) unless the environment says so.
    pub accept_unsigned_before_offset: Option<i64>,
    /// The environment's governance identity: every signed event names it and the fold refuses
    /// an event signed for another ([`check_environment`]). Fixed by the environment file
    /// (`[trust] environment`), or else its cluster's id and its log's topic
    /// ([`environment_of`]); the sandbox has one of its own.
    pub environment: String,
    /// Signed events that name no environment, below this offset, were written before events
    /// were bound to their environment and are accepted as they were; off (`None`) unless the
    /// environment says so.
    pub accept_unbound_before_offset: Option<i64>,
}

/// The governance identity of a log that its environment file does not fix: its cluster and
/// topic, the same for every desktop that reads it.
pub fn environment_of(cluster_id: &str, topic: &str) -> String {
    format!("{topic}@{cluster_id}")
}

/// The most bytes an environment's governance identity takes.
pub const MAX_ENVIRONMENT_ID: usize = 200;

impl TrustRoot {
    /// Checks every admin key: what is wrong, for people.
    pub fn new(admins: Vec<String>, accept_unsigned_before_offset: Option<i64>) -> Result<Self, Invalid> {
        for k in &admins {
            PublicKey::parse(k).map_err(|e| e.context("[trust] admins"))?;
        }
        if let Some(o) = accept_unsigned_before_offset
            && o < 0
        {
            return Err(Invalid(format!("[trust] accept_unsigned_before_offset must be 0 or more, not {o}")));
        }
        Ok(Self {
            admins,
            accept_unsigned_before_offset,
            environment: String::new(),
            accept_unbound_before_offset: None,
        })
    }

    /// The same root bound to the governance identity `environment` (checked: non-empty, at most
    /// [`MAX_ENVIRONMENT_ID`] bytes, no control characters).
    pub fn bound_to(mut self, environment: &str, accept_unbound_before_offset: Option<i64>) -> Result<Self, Invalid> {
        if environment.trim().is_empty()
            || environment.len() > MAX_ENVIRONMENT_ID
            || environment.chars().any(char::is_control)
        {
            return Err(Invalid(format!(
                "[trust] environment must be 1 to {MAX_ENVIRONMENT_ID} printable characters, not `{}`",
                environment.escape_debug()
            )));
        }
        if let Some(o) = accept_unbound_before_offset
            && o < 0
        {
            return Err(Invalid(format!("[trust] accept_unbound_before_offset must be 0 or more, not {o}")));
        }
        self.environment = environment.to_owned();
        self.accept_unbound_before_offset = accept_unbound_before_offset;
        Ok(self)
    }

    /// Whether a signed event naming no environment, at `offset`, is accepted as written before
    /// events were bound.
    pub fn accepts_unbound_at(&self, offset: i64) -> bool {
        self.accept_unbound_before_offset.is_some_and(|o| offset < o)
    }

    /// Whether `key` is one of the pinned admin keys.
    pub fn is_admin_key(&self, key: &str) -> bool {
        self.admins.iter().any(|a| a == key)
    }

    /// Whether an unsigned event at `offset` is accepted as written before signing.
    pub fn accepts_unsigned_at(&self, offset: i64) -> bool {
        self.accept_unsigned_before_offset.is_some_and(|o| offset < o)
    }
}

/// Where a key stands in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Its principal asked for enrollment; no admin has answered.
    Pending,
    /// An admin endorsed it: its signatures count.
    Endorsed,
    /// An admin turned its enrollment down.
    Rejected,
    /// Final: nothing it signs counts any more.
    Revoked,
}

impl std::fmt::Display for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl KeyState {
    /// The state's name, as the cache and the window write it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Pending => "pending",
            KeyState::Endorsed => "endorsed",
            KeyState::Rejected => "rejected",
            KeyState::Revoked => "revoked",
        }
    }
}

/// What the log says of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The public key, `ed25519:…`.
    pub key: String,
    /// The principal it signs for.
    pub principal: Principal,
    /// Where it stands.
    pub state: KeyState,
    /// The roles an endorsement gave it.
    pub roles: Vec<Role>,
}

/// The signer as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// One of the environment's pinned admin keys.
    Root,
    /// Endorsed for the envelope's actor, with these roles.
    Endorsed(Vec<Role>),
    /// The key of an enrollment request that is not endorsed yet.
    Enrolling,
}

impl Standing {
    /// Whether the signer may act as a governance admin.
    pub fn is_admin(&self) -> bool {
        match self {
            Standing::Root => true,
            Standing::Endorsed(roles) => roles.contains(&Role::Admin),
            Standing::Enrolling => false,
        }
    }
}

/// Whether the key `signer_key` (with its record, if the log has one) may sign for `actor`, and
/// how it stands. `enrolling` is true for an enrollment request, the one event an unendorsed
/// key signs.
pub fn standing(
    root: &TrustRoot,
    signer_key: &str,
    record: Option<&KeyRecord>,
    actor: &Principal,
    enrolling: bool,
) -> Result<Standing, Refusal> {
    if root.is_admin_key(signer_key) {
        return Ok(Standing::Root);
    }
    let fp = fingerprint(signer_key);
    match record {
        Some(r) if r.state == KeyState::Revoked => {
            Err(Refusal::Key(format!("key {fp} of {} was revoked", r.principal)))
        }
        Some(r) if r.principal != *actor => {
            Err(Refusal::Key(format!("key {fp} belongs to {}, but the event claims to be by {actor}", r.principal)))
        }
        Some(r) if r.state == KeyState::Endorsed => Ok(Standing::Endorsed(r.roles.clone())),
        _ if enrolling => Ok(Standing::Enrolling),
        Some(r) if r.state == KeyState::Rejected => {
            Err(Refusal::Key(format!("the enrollment of key {fp} was rejected")))
        }
        _ => Err(Refusal::Key(format!("key {fp} is not endorsed by a governance admin"))),
    }
}

/// Checks that a signed event at `offset` was signed for this environment: `Ok(true)` when it
/// names none but lies below the root's `accept_unbound_before_offset` (written before events
/// were bound). The environment is inside the signed envelope, so it cannot be changed after
/// signing: an event carried from another environment's log is refused here.
pub fn check_environment(root: &TrustRoot, named: Option<&str>, offset: i64) -> Result<bool, Refusal> {
    match named {
        Some(e) if !root.environment.is_empty() && e == root.environment => Ok(false),
        Some(e) => Err(Refusal::Environment(format!(
            "the event was signed for the environment `{}`, not this one (`{}`): events never carry over between environments",
            keys::short(e),
            root.environment
        ))),
        None if root.accepts_unbound_at(offset) => Ok(true),
        None => Err(Refusal::Environment(format!(
            "the event names no environment; every event is signed for one (this one is `{}`)",
            root.environment
        ))),
    }
}

/// Whether `signer_key` may sign an enrollment for `body`'s key: only that key itself (proof of
/// possession), so nobody enrolls a public key they saw in the log under their own name.
pub fn check_possession(signer_key: &str, body: &EventBody) -> Result<(), Refusal> {
    match body {
        EventBody::KeyEnrollmentRequested { key, .. } if key != signer_key => Err(Refusal::Key(format!(
            "an enrollment of key {} must be signed with that key itself (proof of possession), not with {}",
            fingerprint(key),
            fingerprint(signer_key)
        ))),
        _ => Ok(()),
    }
}

/// Topics no product may ever claim: Kafka's and the registry's internal topics, Kafka
/// Connect's (its default config, offset and status topics, and any outside a namespace named
/// like them), and
/// anything starting with `_` (which includes the governance log's default topic).
pub fn reserved_topic(topic: &str, governance_topic: &str) -> Option<&'static str> {
    const CONNECT: &[&str] = &["connect-configs", "connect-offsets", "connect-status"];
    if topic == governance_topic {
        Some("it is the governance log")
    } else if topic.starts_with('_') {
        Some("topics starting with `_` are internal (Kafka's, the registry's, Meshdesk's)")
    } else if CONNECT.contains(&topic)
        || (!topic.contains('.') && ["-configs", "-offsets", "-status"].iter().any(|s| topic.ends_with(s)))
    {
        Some("it is (or is named like) one of Kafka Connect's internal topics")
    } else {
        None
    }
}

/// The most bytes of schema text one product carries, all its ports' key and value schemas
/// together: every desktop parses them, indexes their fields and checks the policies on them
/// while folding, so what one product costs each fold is bounded (real schemas are a few KiB).
pub const MAX_PRODUCT_SCHEMA_BYTES: usize = 256 * 1024;

/// Whether `p`'s schemas fit [`MAX_PRODUCT_SCHEMA_BYTES`]: the reason, for people, when not.
pub fn check_schema_budget(p: &crate::model::DataProduct) -> Result<(), Invalid> {
    let bytes: usize = p
        .output_ports
        .iter()
        .flat_map(|port| port.key_schema.iter().chain(port.value_schema.iter()))
        .map(|s| s.schema.len())
        .sum();
    if bytes > MAX_PRODUCT_SCHEMA_BYTES {
        return Err(Invalid(format!(
            "the schemas of {} hold {} KiB together; a product carries at most {} KiB of schemas (split it into products, or move shared types into referenced schemas)",
            p.id,
            bytes.div_ceil(1024),
            MAX_PRODUCT_SCHEMA_BYTES / 1024
        )));
    }
    Ok(())
}

/// Whether an event signed by a key at `at_ms` is void because the key was revoked as
/// compromised since `since_ms` (`compromised`: the revocations the log holds, key → since).
pub fn check_compromise(
    compromised: &std::collections::HashMap<String, i64>,
    key: &str,
    at_ms: i64,
) -> Result<(), Refusal> {
    match compromised.get(key) {
        Some(since) if at_ms >= *since => Err(Refusal::Key(format!(
            "key {} was revoked as compromised since {since} ms: what it signed from then on is void",
            fingerprint(key)
        ))),
        _ => Ok(()),
    }
}

/// Checks an event's own time against its record's broker timestamp.
pub fn check_time(at_ms: i64, record_ms: Option<i64>) -> Result<(), Refusal> {
    let record_ms = record_ms.ok_or_else(|| Refusal::Time("the record has no broker timestamp".into()))?;
    match at_ms.checked_sub(record_ms).map(i64::unsigned_abs) {
        Some(skew) if skew <= MAX_SKEW_MS as u64 => Ok(()),
        _ => Err(Refusal::Time(format!(
            "the event is dated {at_ms} ms but its record was written at {record_ms} ms: more than {} minutes apart",
            MAX_SKEW_MS / 60_000
        ))),
    }
}

/// What the log said before the event, as far as the rules need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `DomainRegistered`: the domain's current owners (`None`: a new domain).
    /// `ProductPublished`: the owners of the product's domain (`None`: no such domain).
    pub domain_owners: Option<Vec<Principal>>,
    /// `ProductPublished`: for each of the product's topics that some product already holds,
    /// that product.
    pub topic_holders: Vec<(TopicName, ProductId)>,
    /// `GrantApplied`: the owners of the request's product (`None`: no such request).
    pub grant_product_owners: Option<Vec<Principal>>,
    /// Trust events: the record of the key the event is about.
    pub target_key: Option<KeyRecord>,
    /// Policy events: whose rule the id is already (`None`: never published), and whether it
    /// was withdrawn. For a domain's rule, `domain_owners` are that domain's owners.
    pub rule_owner: Option<Scope>,
    /// Whether that rule was withdrawn.
    pub rule_withdrawn: bool,
    /// `ProductPublished`: the product's topics outside its domain's namespace that an admin's
    /// adoption gave to its domain. `TopicAdopted`: whether the domain is registered, in
    /// `domain_owners`.
    pub adopted_topics: Vec<TopicName>,
    /// `ProductPublished`: the version it replaces (`None`: a new product), and the published
    /// rules in force: a publication may not bring a policy error its product did not have
    /// ([`crate::policy::publication_errors`]).
    pub previous_product: Option<crate::model::DataProduct>,
    /// The published rules in force.
    pub rules_in_force: Vec<crate::policy::Rule>,
    /// The governance log's topic (never claimable).
    pub governance_topic: String,
    /// The event's own (signed, checked) time.
    pub event_at_ms: i64,
}

#[cfg(test)]
mod tests;
