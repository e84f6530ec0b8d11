//! Policy rules published in the governance log: the Policies page lists them with their
//! history, publishes new ones and withdraws them. The built-in policies are not here: the UI
//! reads them from the domain crate, as the checks do.

use meshdesk_domain::policy::{Rule, Scope};
use serde::{Deserialize, Serialize};

/// A withdrawal: when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// When, in ms since the epoch.
    pub at_ms: i64,
    /// The principal that withdrew it.
    pub by: String,
    /// Why, in their words.
    pub reason: String,
}

/// A published rule as the log left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedRule {
    /// The rule as published.
    pub rule: Rule,
    /// 1 for the first publication.
    pub version: i64,
    /// When this version was published, in ms since the epoch.
    pub published_at_ms: i64,
    /// Who published it.
    pub published_by: String,
    /// `None` while it is in force.
    pub withdrawn: Option<Withdrawal>,
    /// Whether this desktop's principal may publish a new version or withdraw it.
    pub mine: bool,
}

/// The Policies page's published part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyOverview {
    /// Global rules first, then by domain and id.
    pub rules: Vec<PublishedRule>,
    /// Whose rules this desktop's principal may publish: global (a governance admin) and the
    /// domains it owns. Empty: it may publish none.
    pub scopes: Vec<Scope>,
}

impl PolicyOverview {
    /// The published rules in force (not withdrawn), as the checks use them.
    pub fn in_force(&self) -> Vec<Rule> {
        self.rules.iter().filter(|r| r.withdrawn.is_none()).map(|r| r.rule.clone()).collect()
    }
}

/// Withdraws a published rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawRule {
    /// The rule's id.
    pub id: String,
    /// Why, for the history.
    pub reason: String,
}

/// One event of a rule's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEvent {
    /// When, in ms since the epoch.
    pub at_ms: i64,
    /// Who wrote the event.
    pub actor: String,
    /// Published (with the rule as it was) or withdrawn (with the reason).
    pub withdrawn: bool,
    /// The rule as published; `None` for a withdrawal.
    pub rule: Option<Rule>,
    /// Why it was withdrawn; `None` for a publication.
    pub reason: Option<String>,
    /// Whether the fold applied it; a refused one carries the fold's reason in `note`.
    pub applied: bool,
    /// Why the fold refused it.
    pub note: Option<String>,
}

/// Names a published rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRef {
    /// The rule's id.
    pub id: String,
}
