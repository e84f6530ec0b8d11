//! [`authorize`]: whether a verified actor may make an event, given what the log said before.
//! One function per family of events; every event kind is matched, so a new one does not
//! compile until it has its rule.

use super::{Facts, KeyState, PublicKey, Refusal, Role, Standing, check_schema_budget, fingerprint, reserved_topic};
use crate::events::EventBody;
use crate::model::{DataProduct, Principal};
use crate::policy::Scope;

use super::Verdict;

fn invalid(m: impl Into<String>) -> Refusal {
    Refusal::Invalid(m.into())
}

fn conflict(m: impl Into<String>) -> Refusal {
    Refusal::Conflict(m.into())
}

fn not_allowed(m: impl Into<String>) -> Refusal {
    Refusal::NotAllowed(m.into())
}

/// An actor with a standing, as the rules judge it.
struct Judge<'a> {
    facts: &'a Facts,
    actor: &'a Principal,
    admin: bool,
}

impl Judge<'_> {
    fn need_admin(&self, what: &str) -> Verdict {
        if self.admin { Ok(()) } else { Err(not_allowed(format!("only a governance admin may {what}"))) }
    }

    /// Whether the actor may publish or withdraw a rule of the domain `d`: its owners and the
    /// admins.
    fn domain_rule_author(&self, d: &str, verb: &str) -> Verdict {
        match &self.facts.domain_owners {
            None => Err(conflict(format!("the domain {d} is not registered"))),
            Some(owners) if self.admin || owners.contains(self.actor) => Ok(()),
            Some(_) => Err(not_allowed(format!(
                "{} does not own the domain {d}: only its owners {verb} its rules",
                self.actor
            ))),
        }
    }
}

/// Whether `actor`, standing as `standing`, may make this event given `facts`. Access decisions
/// are judged further by [`crate::access::decide`] with the same verified actor.
pub fn authorize(standing: &Standing, facts: &Facts, actor: &Principal, body: &EventBody) -> Verdict {
    let j = Judge { facts, actor, admin: standing.is_admin() };
    if *standing == Standing::Enrolling && !matches!(body, EventBody::KeyEnrollmentRequested { .. }) {
        return Err(Refusal::Key("a key that is not endorsed can only request enrollment".into()));
    }
    match body {
        EventBody::KeyEnrollmentRequested { .. }
        | EventBody::KeyEndorsed { .. }
        | EventBody::EnrollmentRejected { .. }
        | EventBody::KeyRevoked { .. } => key_event(&j, body),
        EventBody::DomainRegistered(d) => {
            if d.owners.is_empty() {
                return Err(invalid(format!("domain {} must keep at least one owner", d.id)));
            }
            match &facts.domain_owners {
                None => j.need_admin(&format!("create the domain {}", d.id)),
                Some(owners) if j.admin || owners.contains(actor) => Ok(()),
                Some(_) => Err(not_allowed(format!("{actor} does not own the domain {}", d.id))),
            }
        }
        EventBody::ProductPublished(p) => publication(&j, p),
        EventBody::PolicyPublished(rule) => {
            crate::policy::admissible(rule)?;
            crate::policy::published::conflict(facts.rule_owner.as_ref(), rule).map_err(|e| conflict(e.0))?;
            match &rule.owner {
                Scope::Global => j.need_admin("publish a global policy rule"),
                Scope::Domain(d) => j.domain_rule_author(d, "publish"),
            }
        }
        EventBody::PolicyWithdrawn { id, reason } => {
            if reason.trim().is_empty() {
                return Err(invalid("withdrawing a rule needs a reason"));
            }
            match &facts.rule_owner {
                None => Err(conflict(format!("no rule `{id}` was published"))),
                Some(_) if facts.rule_withdrawn => Err(conflict(format!("the rule `{id}` was withdrawn already"))),
                Some(Scope::Global) => j.need_admin("withdraw a global policy rule"),
                Some(Scope::Domain(d)) => j.domain_rule_author(d, "withdraw"),
            }
        }
        EventBody::TopicAdopted { topic, domain, reason } => {
            j.need_admin("let a domain adopt a topic outside its namespace")?;
            if reason.trim().is_empty() {
                return Err(invalid("an adoption needs a reason"));
            }
            if let Some(why) = reserved_topic(topic.as_str(), &facts.governance_topic) {
                return Err(not_allowed(format!("topic {topic} can never be adopted: {why}")));
            }
            match &facts.domain_owners {
                None => Err(conflict(format!("the domain {domain} is not registered"))),
                Some(_) => match facts.topic_holders.first() {
                    Some((_, holder)) if holder.domain() != *domain => {
                        Err(conflict(format!("topic {topic} is an output port of {holder}")))
                    }
                    _ => Ok(()),
                },
            }
        }
        EventBody::AccessRequested(_) | EventBody::ChangeAcknowledged { .. } => match standing {
            Standing::Root | Standing::Endorsed(_) => Ok(()),
            Standing::Enrolling => Err(Refusal::Key("only an endorsed principal may request access".into())),
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
                Some(_) => Err(not_allowed(format!(
                    "{actor} is neither a reconciler nor an owner of the product of request {request_id}"
                ))),
                None => Err(conflict(format!("no request {request_id}"))),
            }
        }
    }
}

/// Enrollment, endorsement, rejection and revocation of keys.
fn key_event(j: &Judge<'_>, body: &EventBody) -> Verdict {
    let target = j.facts.target_key.as_ref();
    match body {
        EventBody::KeyEnrollmentRequested { principal, key, .. } => {
            if principal != j.actor {
                return Err(not_allowed(format!(
                    "an enrollment for {principal} must be signed by {principal}, not {}",
                    j.actor
                )));
            }
            PublicKey::parse(key)?;
            match target {
                Some(r) if r.state == KeyState::Revoked => {
                    Err(conflict(format!("key {} was revoked", fingerprint(key))))
                }
                Some(r) if r.principal != *principal => {
                    Err(conflict(format!("key {} already belongs to {}", fingerprint(key), r.principal)))
                }
                Some(r) if r.state == KeyState::Endorsed => {
                    Err(conflict(format!("key {} is endorsed already", fingerprint(key))))
                }
                _ => Ok(()),
            }
        }
        EventBody::KeyEndorsed { principal, key, roles } => {
            j.need_admin("endorse keys")?;
            PublicKey::parse(key)?;
            if roles.is_empty() {
                return Err(invalid("an endorsement names at least one role"));
            }
            match target {
                Some(r) if r.state == KeyState::Revoked => {
                    Err(conflict(format!("key {} was revoked; revocation is final", fingerprint(key))))
                }
                Some(r) if r.principal != *principal && r.state == KeyState::Endorsed => {
                    Err(conflict(format!("key {} is endorsed for {} already", fingerprint(key), r.principal)))
                }
                _ => Ok(()),
            }
        }
        EventBody::EnrollmentRejected { key, reason } => {
            j.need_admin("reject enrollments")?;
            if reason.trim().is_empty() {
                return Err(invalid("a rejection needs a reason"));
            }
            match target {
                Some(r) if r.state == KeyState::Pending => Ok(()),
                _ => Err(conflict(format!("no pending enrollment for key {}", fingerprint(key)))),
            }
        }
        EventBody::KeyRevoked { key, reason, compromised_since_ms } => {
            let Some(r) = target else {
                return Err(conflict(format!("key {} is not known to the log", fingerprint(key))));
            };
            if reason.trim().is_empty() {
                return Err(invalid("a revocation says why"));
            }
            if let Some(since) = compromised_since_ms
                && (*since < 0 || *since > j.facts.event_at_ms)
            {
                return Err(invalid("a key is compromised since a time before its revocation"));
            }
            if r.state == KeyState::Revoked {
                return Err(conflict(format!("key {} was revoked already", fingerprint(key))));
            }
            if j.admin || r.principal == *j.actor { Ok(()) } else { j.need_admin("revoke another principal's key") }
        }
        _ => Ok(()),
    }
}

/// A product's publication: its domain's owner, its own topics, inside its namespace (or
/// adopted), none reserved, and no policy error its previous version did not have.
fn publication(j: &Judge<'_>, p: &DataProduct) -> Verdict {
    let facts = j.facts;
    if p.id.domain() != p.domain {
        return Err(invalid(format!("product {} does not lie in its domain {}", p.id, p.domain)));
    }
    check_schema_budget(p)?;
    let Some(owners) = &facts.domain_owners else {
        return Err(conflict(format!("the domain {} is not registered", p.domain)));
    };
    if !owners.contains(j.actor) {
        return Err(not_allowed(format!("{} does not own the domain {}", j.actor, p.domain)));
    }
    check_ports(p)?;
    if let Some((topic, holder)) = facts.topic_holders.iter().find(|(_, holder)| *holder != p.id) {
        return Err(conflict(format!("topic {topic} is an output port of {holder}")));
    }
    // Claims only where the mesh may: the domain's namespace, or what an admin let it adopt;
    // internal topics never.
    let namespace = format!("{}.", p.domain);
    for port in &p.output_ports {
        let topic = port.topic.as_str();
        if let Some(why) = reserved_topic(topic, &facts.governance_topic) {
            return Err(not_allowed(format!("topic {topic} can never be a product's port: {why}")));
        }
        if !topic.starts_with(&namespace) && !facts.adopted_topics.contains(&port.topic) {
            return Err(not_allowed(format!(
                "topic {topic} lies outside the domain's namespace ({namespace}…): a product's ports are its domain's topics, or topics a governance admin let the domain adopt"
            )));
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
        return Err(Refusal::Policy(crate::policy::publication::refusal(&errors)));
    }
    Ok(())
}

/// Each port's topic named once; a deprecation's sunset well-formed and its successor another
/// port of the product.
fn check_ports(p: &DataProduct) -> Verdict {
    let mut seen = std::collections::HashSet::new();
    for port in &p.output_ports {
        if !seen.insert(&port.topic) {
            return Err(invalid(format!("topic {} is named by two ports of {}", port.topic, p.id)));
        }
    }
    for port in &p.output_ports {
        if let Some(d) = &port.deprecation {
            crate::change::check_sunset(&d.sunset).map_err(|e| e.context(format!("port {}", port.topic)))?;
            if let Some(next) = &d.successor
                && (next == &port.topic || !p.output_ports.iter().any(|o| &o.topic == next))
            {
                return Err(invalid(format!(
                    "port {} names {next} as its successor, which is not another port of {}",
                    port.topic, p.id
                )));
            }
        }
    }
    Ok(())
}
