//! Published policy rules: listed with what this desktop's principal may do with them,
//! published and withdrawn through [`Meshdesk::publish`] (so the trust rules every fold applies
//! are checked before anything is queued), and each rule's history from the log.

use meshdesk_contract as c;
use meshdesk_domain::EventBody;
use meshdesk_domain::policy::{self, Rule, Scope};

use crate::{Meshdesk, ServiceError, invalid};

impl Meshdesk {
    /// The published rules, and whose rules this desktop's principal may publish.
    pub async fn policies(&self) -> Result<c::PolicyOverview, ServiceError> {
        let me = self.identity().await?;
        let principal = me.principal.clone();
        let mut scopes = Vec::new();
        if me.is_admin {
            scopes.push(Scope::Global);
        }
        for d in self.store.list_domains().await? {
            if d.owners.contains(&principal) {
                scopes.push(Scope::Domain(d.id));
            }
        }
        let rules = self
            .store
            .policy_rules()
            .await?
            .into_iter()
            .map(|r| c::PublishedRule {
                mine: match &r.rule.owner {
                    Scope::Global => me.is_admin,
                    owner => me.is_admin || scopes.contains(owner),
                },
                rule: r.rule,
                version: r.version,
                published_at_ms: r.published_at_ms,
                published_by: r.published_by,
                withdrawn: r.withdrawn.map(|(at_ms, by, reason)| c::Withdrawal { at_ms, by, reason }),
            })
            .collect();
        Ok(c::PolicyOverview { rules, scopes })
    }

    /// The published rules in force, for the checks beside the built-in policies.
    pub(crate) async fn rules_in_force(&self) -> Result<Vec<Rule>, ServiceError> {
        Ok(self.store.rules_in_force().await?)
    }

    /// Publishes `rule` (or a new version of it) and waits for this desktop's fold to take it in.
    pub async fn publish_policy(&self, rule: &Rule) -> Result<c::PolicyOverview, ServiceError> {
        let mut rule = rule.clone();
        rule.id = rule.id.trim().to_owned();
        rule.policy = rule.policy.trim().to_owned();
        if rule.policy.is_empty() {
            rule.policy = rule.id.clone();
        }
        policy::admissible(&rule).map_err(invalid)?;
        let id = self.publish(&EventBody::PolicyPublished(rule)).await?;
        self.await_folded(&id).await;
        self.policies().await
    }

    /// Withdraws a published rule, with the reason.
    pub async fn withdraw_policy(&self, w: &c::WithdrawRule) -> Result<c::PolicyOverview, ServiceError> {
        if w.reason.trim().is_empty() {
            return Err(invalid("say why the rule is withdrawn"));
        }
        let body = EventBody::PolicyWithdrawn { id: w.id.trim().to_owned(), reason: w.reason.trim().to_owned() };
        let id = self.publish(&body).await?;
        self.await_folded(&id).await;
        self.policies().await
    }

    /// Every event about the rule `id`, oldest first, refused attempts with the fold's reason.
    pub async fn policy_history(&self, r: &c::RuleRef) -> Result<Vec<c::PolicyEvent>, ServiceError> {
        Ok(self
            .store
            .policy_history(r.id.trim())
            .await?
            .into_iter()
            .map(|e| c::PolicyEvent {
                at_ms: e.at_ms,
                actor: e.actor,
                withdrawn: e.kind == "PolicyWithdrawn",
                rule: e.rule,
                reason: e.reason,
                applied: e.outcome == "applied",
                note: e.note,
            })
            .collect())
    }
}
