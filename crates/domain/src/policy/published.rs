//! Rules published in the governance log, beside the built-in ones: what a rule must be to be
//! published at all ([`admissible`]), who may publish or withdraw it (`trust::authorize`, from
//! the facts the fold reads), and the rules in force for a product ([`check_with`]).
//!
//! Rules only add conditions: every rule in force must pass. So a domain's rule can tighten
//! what the organisation asks (`port.partitions <= 12` where the global bound is 48) but can
//! never loosen it, except by taking a global rule's place; that is what is refused: a domain
//! rule may not reuse the id of a built-in or published global rule, nor of another domain's.

use crate::error::Invalid;
use std::cell::RefCell;
use std::rc::Rc;

use super::rules::{Rule, RuleSet, Scope};
use super::{Finding, Policies, Severity, finding};
use crate::model::DataProduct;

/// The longest id or policy name a published rule may have.
pub const MAX_RULE_ID: usize = 100;

/// An id or a policy name: lowercase letters, digits, `.`, `-` and `_`.
fn name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_RULE_ID
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'))
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Whether `id` is one of the built-in rules (which change through the settings, not events).
pub fn is_built_in(id: &str) -> bool {
    thread_local! {
        static IDS: Vec<String> = Policies::default().rules().into_iter().map(|r| r.id).collect();
    }
    IDS.with(|ids| ids.iter().any(|i| i == id))
}

/// Why a domain's rule cannot take the place of the global rule `id`.
pub fn loosening(id: &str, domain: &str) -> String {
    format!(
        "`{id}` is a global rule: a domain's rules add conditions to the global ones and can never replace \
         or loosen them. Publish yours under an id of its own (for example `{domain}.{id}`): both then apply"
    )
}

/// Whether `rule` may take the id it has, given whose rule that id is already (`held`): a
/// domain's rule never in a global rule's place, nor in another domain's, and always under its
/// domain's namespace (`<domain>.…`), so no domain can take an id first that the organisation
/// later wants for a global rule.
pub fn conflict(held: Option<&Scope>, rule: &Rule) -> Result<(), Invalid> {
    match (held, &rule.owner) {
        (Some(Scope::Global), Scope::Domain(d)) => Err(Invalid(loosening(&rule.id, d))),
        (Some(Scope::Domain(other)), owner) if *owner != Scope::Domain(other.clone()) => {
            Err(Invalid(format!("`{}` is a rule of the domain {other}; give this rule an id of its own", rule.id)))
        }
        (_, Scope::Domain(d)) if !rule.id.starts_with(&format!("{d}.")) => Err(Invalid(format!(
            "a rule of the domain {d} has an id starting with `{d}.` (for example `{d}.{}`): the ids outside the domains' namespaces are the organisation's",
            rule.id
        ))),
        _ => Ok(()),
    }
}

/// What a rule must be before anyone may publish it: a well-formed id and policy name, not a
/// built-in rule's id, and a rule the engine compiles on its own. The reason, for people.
pub fn admissible(rule: &Rule) -> Result<(), Invalid> {
    if !name_ok(&rule.id) {
        return Err(Invalid(format!(
            "a rule's id is 1 to {MAX_RULE_ID} lowercase letters, digits, `.`, `-` or `_`, starting with a letter or digit; `{}` is not",
            rule.id.chars().take(MAX_RULE_ID).collect::<String>()
        )));
    }
    if !name_ok(&rule.policy) {
        return Err(Invalid(format!(
            "the policy a rule reports under is named like an id (lowercase letters, digits, `.`, `-`, `_`); `{}` is not",
            rule.policy.chars().take(MAX_RULE_ID).collect::<String>()
        )));
    }
    if let Scope::Domain(d) = &rule.owner
        && crate::ids::DomainId::parse(d).is_err()
    {
        return Err(Invalid(format!("`{}` is not a domain id", d.chars().take(MAX_RULE_ID).collect::<String>())));
    }
    if is_built_in(&rule.id) {
        return Err(match &rule.owner {
            Scope::Domain(d) => Invalid(loosening(&rule.id, d)),
            Scope::Global => Invalid(format!(
                "`{}` is a built-in rule: the built-in policies change through the organisation's settings, not by publishing",
                rule.id
            )),
        });
    }
    RuleSet::compile(vec![rule.clone()]).map(|_| ()).map_err(|e| Invalid(e.reason))
}

/// The rules in force: the built-in ones with these settings, then the published ones.
pub fn in_force(policies: &Policies, published: &[Rule]) -> Vec<Rule> {
    let mut rules = policies.rules();
    rules.extend(published.iter().cloned());
    rules
}

/// The findings of the published rules on access requests on `r`, a request to `p` (the
/// built-in access rules are `access::AccessRequest::validate`'s). Compiled on each call: a
/// request is sent now and then, not on every keystroke.
pub fn check_request(p: &DataProduct, r: &crate::access::AccessRequest, published: &[Rule]) -> Vec<Finding> {
    let rules: Vec<Rule> = published.iter().filter(|r| r.target == super::Target::Request).cloned().collect();
    match RuleSet::compile(rules) {
        Ok(set) => set.check_request(p, r),
        Err(e) => vec![finding("settings", Severity::Error, "request", e.to_string())],
    }
}

/// Every finding of the built-in policies and the published rules on `p` (the set compiled once
/// per thread and per settings and rules, so the wizard's check on every keystroke costs no
/// compilation). A set that does not compile (a published rule this version of the engine
/// cannot use) blocks publishing with the reason rather than letting a product through unchecked.
pub fn check_with(
    p: &DataProduct,
    policies: &Policies,
    published: &[Rule],
    existing_topics: &[String],
) -> Vec<Finding> {
    type Cached = Option<(Policies, Vec<Rule>, Rc<RuleSet>)>;
    thread_local! {
        static SET: RefCell<Cached> = const { RefCell::new(None) };
    }
    let set = SET.with(|cell| {
        let mut cell = cell.borrow_mut();
        match cell.as_ref() {
            Some((settings, rules, set)) if settings == policies && rules == published => Ok(Rc::clone(set)),
            _ => RuleSet::compile(in_force(policies, published)).map(|set| {
                let set = Rc::new(set);
                *cell = Some((policies.clone(), published.to_vec(), Rc::clone(&set)));
                set
            }),
        }
    });
    match set {
        Ok(set) => {
            // The last product checked on this thread, with its findings: the fold checks a
            // publication against the policies and then indexes it with the same findings.
            type Last = Option<(Rc<RuleSet>, DataProduct, Vec<String>, Vec<Finding>)>;
            thread_local! {
                static LAST: RefCell<Last> = const { RefCell::new(None) };
            }
            let hit = LAST.with(|cell| {
                cell.borrow().as_ref().and_then(|(s, last, topics, findings)| {
                    (Rc::ptr_eq(s, &set) && last == p && topics == existing_topics).then(|| findings.clone())
                })
            });
            hit.unwrap_or_else(|| {
                let findings = set.check(p, existing_topics);
                LAST.with(|cell| {
                    *cell.borrow_mut() = Some((set, p.clone(), existing_topics.to_vec(), findings.clone()))
                });
                findings
            })
        }
        Err(e) => vec![finding("settings", Severity::Error, "product", e.to_string())],
    }
}
