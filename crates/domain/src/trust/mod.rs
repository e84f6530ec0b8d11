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

use serde::{Deserialize, Serialize};

use crate::events::EventBody;
use crate::ids::{ProductId, TopicName};
use crate::model::Principal;
use crate::policy::Scope;

pub use keys::{KEY_PREFIX, KeyCache, PublicKey, Signer, canonical_bytes, fingerprint, verify, verify_cached};

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
    pub const ALL: &'static [Role] = &[Role::Owner, Role::Reconciler, Role::Admin];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Reconciler => "reconciler",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("role `{s}` must be one of owner, reconciler, admin"))
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
    pub fn new(admins: Vec<String>, accept_unsigned_before_offset: Option<i64>) -> Result<Self, String> {
        for k in &admins {
            PublicKey::parse(k).map_err(|e| format!("[trust] admins: {e}"))?;
        }
        if let Some(o) = accept_unsigned_before_offset
            && o < 0
        {
            return Err(format!("[trust] accept_unsigned_before_offset must be 0 or more, not {o}"));
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
    pub fn bound_to(mut self, environment: &str, accept_unbound_before_offset: Option<i64>) -> Result<Self, String> {
        if environment.trim().is_empty()
            || environment.len() > MAX_ENVIRONMENT_ID
            || environment.chars().any(char::is_control)
        {
            return Err(format!(
                "[trust] environment must be 1 to {MAX_ENVIRONMENT_ID} printable characters, not `{}`",
                environment.escape_debug()
            ));
        }
        if let Some(o) = accept_unbound_before_offset
            && o < 0
        {
            return Err(format!("[trust] accept_unbound_before_offset must be 0 or more, not {o}"));
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
    Endorsed,
    Rejected,
    /// Final: nothing it signs counts any more.
    Revoked,
}

impl KeyState {
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
    pub key: String,
    pub principal: Principal,
    pub state: KeyState,
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
) -> Result<Standing, String> {
    if root.is_admin_key(signer_key) {
        return Ok(Standing::Root);
    }
    let fp = fingerprint(signer_key);
    match record {
        Some(r) if r.state == KeyState::Revoked => Err(format!("key {fp} of {} was revoked", r.principal)),
        Some(r) if r.principal != *actor => {
            Err(format!("key {fp} belongs to {}, but the event claims to be by {actor}", r.principal))
        }
        Some(r) if r.state == KeyState::Endorsed => Ok(Standing::Endorsed(r.roles.clone())),
        _ if enrolling => Ok(Standing::Enrolling),
        Some(r) if r.state == KeyState::Rejected => Err(format!("the enrollment of key {fp} was rejected")),
        _ => Err(format!("key {fp} is not endorsed by a governance admin")),
    }
}

/// Checks that a signed event at `offset` was signed for this environment: `Ok(true)` when it
/// names none but lies below the root's `accept_unbound_before_offset` (written before events
/// were bound). The environment is inside the signed envelope, so it cannot be changed after
/// signing: an event carried from another environment's log is refused here.
pub fn check_environment(root: &TrustRoot, named: Option<&str>, offset: i64) -> Result<bool, String> {
    match named {
        Some(e) if !root.environment.is_empty() && e == root.environment => Ok(false),
        Some(e) => Err(format!(
            "the event was signed for the environment `{}`, not this one (`{}`): events never carry over between environments",
            keys::short(e),
            root.environment
        )),
        None if root.accepts_unbound_at(offset) => Ok(true),
        None => Err(format!(
            "the event names no environment; every event is signed for one (this one is `{}`)",
            root.environment
        )),
    }
}

/// Whether `signer_key` may sign an enrollment for `body`'s key: only that key itself (proof of
/// possession), so nobody enrolls a public key they saw in the log under their own name.
pub fn check_possession(signer_key: &str, body: &EventBody) -> Result<(), String> {
    match body {
        EventBody::KeyEnrollmentRequested { key, .. } if key != signer_key => Err(format!(
            "an enrollment of key {} must be signed with that key itself (proof of possession), not with {}",
            fingerprint(key),
            fingerprint(signer_key)
        )),
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
pub fn check_schema_budget(p: &crate::model::DataProduct) -> Result<(), String> {
    let bytes: usize = p
        .output_ports
        .iter()
        .flat_map(|port| port.key_schema.iter().chain(port.value_schema.iter()))
        .map(|s| s.schema.len())
        .sum();
    if bytes > MAX_PRODUCT_SCHEMA_BYTES {
        return Err(format!(
            "the schemas of {} hold {} KiB together; a product carries at most {} KiB of schemas (split it into products, or move shared types into referenced schemas)",
            p.id,
            bytes.div_ceil(1024),
            MAX_PRODUCT_SCHEMA_BYTES / 1024
        ));
    }
    Ok(())
}

/// Whether an event signed by a key at `at_ms` is void because the key was revoked as
/// compromised since `since_ms` (`compromised`: the revocations the log holds, key → since).
pub fn check_compromise(
    compromised: &std::collections::HashMap<String, i64>,
    key: &str,
    at_ms: i64,
) -> Result<(), String> {
    match compromised.get(key) {
        Some(since) if at_ms >= *since => Err(format!(
            "key {} was revoked as compromised since {since} ms: what it signed from then on is void",
            fingerprint(key)
        )),
        _ => Ok(()),
    }
}

/// Checks an event's own time against its record's broker timestamp.
pub fn check_time(at_ms: i64, record_ms: Option<i64>) -> Result<(), String> {
    let record_ms = record_ms.ok_or("the record has no broker timestamp")?;
    match at_ms.checked_sub(record_ms).map(i64::unsigned_abs) {
        Some(skew) if skew <= MAX_SKEW_MS as u64 => Ok(()),
        _ => Err(format!(
            "the event is dated {at_ms} ms but its record was written at {record_ms} ms: more than {} minutes apart",
            MAX_SKEW_MS / 60_000
        )),
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
    pub rule_withdrawn: bool,
    /// `ProductPublished`: the product's topics outside its domain's namespace that an admin's
    /// adoption gave to its domain. `TopicAdopted`: whether the domain is registered, in
    /// `domain_owners`.
    pub adopted_topics: Vec<TopicName>,
    /// `ProductPublished`: the version it replaces (`None`: a new product), and the published
    /// rules in force: a publication may not bring a policy error its product did not have
    /// ([`crate::policy::publication_errors`]).
    pub previous_product: Option<crate::model::DataProduct>,
    pub rules_in_force: Vec<crate::policy::Rule>,
    /// The governance log's topic (never claimable).
    pub governance_topic: String,
    /// The event's own (signed, checked) time.
    pub event_at_ms: i64,
}

/// Whether `actor`, standing as `standing`, may make this event given `facts`. Access decisions
/// are judged further by [`crate::access::decide`] with the same verified actor.
pub fn authorize(standing: &Standing, facts: &Facts, actor: &Principal, body: &EventBody) -> Result<(), String> {
    let admin = standing.is_admin();
    if *standing == Standing::Enrolling && !matches!(body, EventBody::KeyEnrollmentRequested { .. }) {
        return Err("a key that is not endorsed can only request enrollment".into());
    }
    let need_admin = |what: &str| if admin { Ok(()) } else { Err(format!("only a governance admin may {what}")) };
    match body {
        EventBody::KeyEnrollmentRequested { principal, key, .. } => {
            if principal != actor {
                return Err(format!("an enrollment for {principal} must be signed by {principal}, not {actor}"));
            }
            PublicKey::parse(key)?;
            match &facts.target_key {
                Some(r) if r.state == KeyState::Revoked => Err(format!("key {} was revoked", fingerprint(key))),
                Some(r) if r.principal != *principal => {
                    Err(format!("key {} already belongs to {}", fingerprint(key), r.principal))
                }
                Some(r) if r.state == KeyState::Endorsed => {
                    Err(format!("key {} is endorsed already", fingerprint(key)))
                }
                _ => Ok(()),
            }
        }
        EventBody::KeyEndorsed { principal, key, roles } => {
            need_admin("endorse keys")?;
            PublicKey::parse(key)?;
            if roles.is_empty() {
                return Err("an endorsement names at least one role".into());
            }
            match &facts.target_key {
                Some(r) if r.state == KeyState::Revoked => {
                    Err(format!("key {} was revoked; revocation is final", fingerprint(key)))
                }
                Some(r) if r.principal != *principal && r.state == KeyState::Endorsed => {
                    Err(format!("key {} is endorsed for {} already", fingerprint(key), r.principal))
                }
                _ => Ok(()),
            }
        }
        EventBody::EnrollmentRejected { key, reason } => {
            need_admin("reject enrollments")?;
            if reason.trim().is_empty() {
                return Err("a rejection needs a reason".into());
            }
            match &facts.target_key {
                Some(r) if r.state == KeyState::Pending => Ok(()),
                _ => Err(format!("no pending enrollment for key {}", fingerprint(key))),
            }
        }
        EventBody::KeyRevoked { key, reason, compromised_since_ms } => {
            let Some(r) = &facts.target_key else {
                return Err(format!("key {} is not known to the log", fingerprint(key)));
            };
            if reason.trim().is_empty() {
                return Err("a revocation says why".into());
            }
            if let Some(since) = compromised_since_ms
                && (*since < 0 || *since > facts.event_at_ms)
            {
                return Err("a key is compromised since a time before its revocation".into());
            }
            if r.state == KeyState::Revoked {
                return Err(format!("key {} was revoked already", fingerprint(key)));
            }
            if admin || r.principal == *actor { Ok(()) } else { need_admin("revoke another principal's key") }
        }
        EventBody::DomainRegistered(d) => {
            if d.owners.is_empty() {
                return Err(format!("domain {} must keep at least one owner", d.id));
            }
            match &facts.domain_owners {
                None => need_admin(&format!("create the domain {}", d.id)),
                Some(owners) if admin || owners.contains(actor) => Ok(()),
                Some(_) => Err(format!("{actor} does not own the domain {}", d.id)),
            }
        }
        EventBody::ProductPublished(p) => {
            if p.id.domain() != p.domain {
                return Err(format!("product {} does not lie in its domain {}", p.id, p.domain));
            }
            check_schema_budget(p)?;
            let Some(owners) = &facts.domain_owners else {
                return Err(format!("the domain {} is not registered", p.domain));
            };
            if !owners.contains(actor) {
                return Err(format!("{actor} does not own the domain {}", p.domain));
            }
            let mut seen = std::collections::HashSet::new();
            let namespace = format!("{}.", p.domain);
            for port in &p.output_ports {
                if !seen.insert(&port.topic) {
                    return Err(format!("topic {} is named by two ports of {}", port.topic, p.id));
                }
            }
            for port in &p.output_ports {
                if let Some(d) = &port.deprecation {
                    crate::change::check_sunset(&d.sunset).map_err(|e| format!("port {}: {e}", port.topic))?;
                    if let Some(next) = &d.successor
                        && (next == &port.topic || !p.output_ports.iter().any(|o| &o.topic == next))
                    {
                        return Err(format!(
                            "port {} names {next} as its successor, which is not another port of {}",
                            port.topic, p.id
                        ));
                    }
                }
            }
            if let Some((topic, holder)) = facts.topic_holders.iter().find(|(_, holder)| *holder != p.id) {
                return Err(format!("topic {topic} is an output port of {holder}"));
            }
            // Claims only where the mesh may: the domain's namespace, or what an admin let it
            // adopt; internal topics never.
            for port in &p.output_ports {
                let topic = port.topic.as_str();
                if let Some(why) = reserved_topic(topic, &facts.governance_topic) {
                    return Err(format!("topic {topic} can never be a product's port: {why}"));
                }
                if !topic.starts_with(&namespace) && !facts.adopted_topics.contains(&port.topic) {
                    return Err(format!(
                        "topic {topic} lies outside the domain's namespace ({namespace}…): a product's ports are its domain's topics, or topics a governance admin let the domain adopt"
                    ));
                }
            }
            // The wizard's policies, as far as the log can judge them.
            let errors = crate::policy::publication_errors(
                p,
                facts.previous_product.as_ref(),
                &facts.rules_in_force,
                &facts.adopted_topics,
            );
            if !errors.is_empty() {
                return Err(crate::policy::publication::refusal(&errors));
            }
            Ok(())
        }
        EventBody::PolicyPublished(rule) => {
            crate::policy::admissible(rule)?;
            crate::policy::published::conflict(facts.rule_owner.as_ref(), rule)?;
            match &rule.owner {
                Scope::Global => need_admin("publish a global policy rule"),
                Scope::Domain(d) => domain_rule_author(admin, facts, actor, d, "publish"),
            }
        }
        EventBody::PolicyWithdrawn { id, reason } => {
            if reason.trim().is_empty() {
                return Err("withdrawing a rule needs a reason".into());
            }
            match &facts.rule_owner {
                None => Err(format!("no rule `{id}` was published")),
                Some(_) if facts.rule_withdrawn => Err(format!("the rule `{id}` was withdrawn already")),
                Some(Scope::Global) => need_admin("withdraw a global policy rule"),
                Some(Scope::Domain(d)) => domain_rule_author(admin, facts, actor, d, "withdraw"),
            }
        }
        EventBody::TopicAdopted { topic, domain, reason } => {
            need_admin("let a domain adopt a topic outside its namespace")?;
            if reason.trim().is_empty() {
                return Err("an adoption needs a reason".into());
            }
            if let Some(why) = reserved_topic(topic.as_str(), &facts.governance_topic) {
                return Err(format!("topic {topic} can never be adopted: {why}"));
            }
            match &facts.domain_owners {
                None => Err(format!("the domain {domain} is not registered")),
                Some(_) => match facts.topic_holders.first() {
                    Some((_, holder)) if holder.domain() != *domain => {
                        Err(format!("topic {topic} is an output port of {holder}"))
                    }
                    _ => Ok(()),
                },
            }
        }
        EventBody::AccessRequested(_) | EventBody::ChangeAcknowledged { .. } => match standing {
            Standing::Root | Standing::Endorsed(_) => Ok(()),
            Standing::Enrolling => Err("only an endorsed principal may request access".into()),
        },
        EventBody::AccessApproved { .. }
        | EventBody::AccessDenied { .. }
        | EventBody::AccessWithdrawn { .. }
        | EventBody::AccessRevoked { .. } => Ok(()),
        EventBody::GrantApplied { request_id, .. } => {
            if matches!(standing, Standing::Endorsed(r) if r.contains(&Role::Reconciler)) {
                return Ok(());
            }
            match &facts.grant_product_owners {
                Some(owners) if owners.contains(actor) => Ok(()),
                Some(_) => {
                    Err(format!("{actor} is neither a reconciler nor an owner of the product of request {request_id}"))
                }
                None => Err(format!("no request {request_id}")),
            }
        }
    }
}

/// Whether `actor` may publish or withdraw a rule of the domain `d`: its owners and the admins.
fn domain_rule_author(admin: bool, facts: &Facts, actor: &Principal, d: &str, verb: &str) -> Result<(), String> {
    match &facts.domain_owners {
        None => Err(format!("the domain {d} is not registered")),
        Some(owners) if admin || owners.contains(actor) => Ok(()),
        Some(_) => Err(format!("{actor} does not own the domain {d}: only its owners {verb} its rules")),
    }
}

#[cfg(test)]
mod tests;
