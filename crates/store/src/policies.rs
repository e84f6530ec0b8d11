//! Published policy rules: folded from `PolicyPublished` and `PolicyWithdrawn` (authorized by
//! `meshdesk_domain::trust` before they get here), read as the rules in force and as each rule's
//! history.

use meshdesk_domain::policy::{self, Policies, Rule, RuleSet, Scope};
use meshdesk_domain::{DataProduct, Envelope, EventBody};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::{Result, Store, StoreError};

/// A published rule as the cache holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRuleRow {
    pub rule: Rule,
    /// 1 for the first publication.
    pub version: i64,
    pub published_at_ms: i64,
    pub published_by: String,
    /// When, by whom and why it was withdrawn; `None` while it is in force.
    pub withdrawn: Option<(i64, String, String)>,
}

/// One event of a rule's history, as the log had it (refused ones too, with the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEventRow {
    pub offset: i64,
    /// `PolicyPublished` or `PolicyWithdrawn`.
    pub kind: String,
    pub actor: String,
    pub at_ms: i64,
    /// The rule as published (`None` for a withdrawal or a payload that is not a rule).
    pub rule: Option<Rule>,
    /// The withdrawal's reason.
    pub reason: Option<String>,
    /// applied | refused | duplicate | skipped
    pub outcome: meshdesk_domain::events::Outcome,
    pub note: Option<String>,
}

/// Whose rule `id` is already, and whether it was withdrawn (for `trust::authorize`).
pub(crate) async fn owner(conn: &mut SqliteConnection, id: &str) -> Result<Option<(Scope, bool)>> {
    sqlx::query!(
        r#"SELECT scope, withdrawn_at_ms IS NOT NULL AS "withdrawn!: bool" FROM policy_rules WHERE id = ?"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| {
        Ok((
            Scope::from_key(&r.scope).ok_or_else(|| StoreError::Corrupt(format!("rule scope `{}`", r.scope)))?,
            r.withdrawn,
        ))
    })
    .transpose()
}

/// The published rules in force, global ones first, then by domain and id (as they are listed).
pub(crate) async fn in_force(conn: &mut SqliteConnection) -> Result<Vec<Rule>> {
    sqlx::query_scalar!(
        "SELECT rule_json FROM policy_rules WHERE withdrawn_at_ms IS NULL ORDER BY scope <> 'global', scope, id"
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|json| rule_of(json))
    .collect()
}

/// Whether `p` breaks a policy in force: any finding of the built-in policies or `rules`
/// (errors or warnings), as the Policies page's violation report counts it.
pub(crate) fn breaks(p: &DataProduct, rules: &[Rule]) -> bool {
    !policy::check_with(p, &Policies::default(), rules, &[]).is_empty()
}

/// Checks every product again after a rule was published or withdrawn (the rules compiled
/// once, the products spread over the cores) and keeps the catalog's facet in step.
async fn recheck_all(tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
    let rules = in_force(tx).await?;
    let rows = sqlx::query!(
        r#"SELECT f.rid AS "rid!: i64", p.body_json FROM product_facets f JOIN products p ON p.rowid = f.rid"#
    )
    .fetch_all(&mut **tx)
    .await?;
    let (mut rids, mut products) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
    for r in rows {
        // A body this version cannot read was left out of the index by the fold as well.
        if let Ok(p) = serde_json::from_str::<DataProduct>(&r.body_json) {
            rids.push(r.rid);
            products.push(p);
        }
    }
    let breaking: Vec<i64> = match RuleSet::compile(policy::in_force(&Policies::default(), &rules)) {
        Ok(set) => {
            rids.into_iter().zip(set.check_catalog(&products)).filter(|(_, f)| !f.is_empty()).map(|(r, _)| r).collect()
        }
        // A set that cannot be used blocks every product, as `check_with` says.
        Err(_) => rids,
    };
    let breaking = serde_json::to_string(&breaking).expect("rowids serialize");
    sqlx::query!("UPDATE product_facets SET breaks_policy = (rid IN (SELECT value FROM json_each(?)))", breaking)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Applies a policy event the rules allowed.
pub(crate) async fn apply(tx: &mut Transaction<'_, Sqlite>, env: &Envelope, body: &EventBody) -> Result<()> {
    let (at, by) = (env.at_ms, env.actor.as_str());
    match body {
        EventBody::PolicyPublished(rule) => {
            let scope = rule.owner.key();
            let json = serde_json::to_string(rule).expect("rules serialize");
            sqlx::query!(
                r#"INSERT INTO policy_rules (id, scope, rule_json, version, published_at_ms, published_by)
                   VALUES (?1, ?2, ?3, 1, ?4, ?5)
                   ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, rule_json = excluded.rule_json,
                       version = policy_rules.version + 1, published_at_ms = excluded.published_at_ms,
                       published_by = excluded.published_by, withdrawn_at_ms = NULL, withdrawn_by = NULL,
                       withdrawn_reason = NULL"#,
                rule.id,
                scope,
                json,
                at,
                by
            )
            .execute(&mut **tx)
            .await?;
        }
        EventBody::PolicyWithdrawn { id, reason } => {
            sqlx::query!(
                "UPDATE policy_rules SET withdrawn_at_ms = ?, withdrawn_by = ?, withdrawn_reason = ? WHERE id = ?",
                at,
                by,
                reason,
                id
            )
            .execute(&mut **tx)
            .await?;
        }
        _ => return Ok(()),
    }
    recheck_all(tx).await
}

fn rule_of(json: &str) -> Result<Rule> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("a published rule: {e}")))
}

impl Store {
    /// Every published rule, in force or withdrawn, global ones first, then by domain and id.
    pub async fn policy_rules(&self) -> Result<Vec<PolicyRuleRow>> {
        let rows = sqlx::query!(
            r#"SELECT rule_json, version, published_at_ms, published_by, withdrawn_at_ms, withdrawn_by, withdrawn_reason
               FROM policy_rules ORDER BY scope <> 'global', scope, id"#
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(PolicyRuleRow {
                    rule: rule_of(&r.rule_json)?,
                    version: r.version,
                    published_at_ms: r.published_at_ms,
                    published_by: r.published_by,
                    withdrawn: r
                        .withdrawn_at_ms
                        .map(|at| (at, r.withdrawn_by.unwrap_or_default(), r.withdrawn_reason.unwrap_or_default())),
                })
            })
            .collect()
    }

    /// The published rules in force (not withdrawn), as the checks use them.
    pub async fn rules_in_force(&self) -> Result<Vec<Rule>> {
        in_force(&mut *self.pool.acquire().await?).await
    }

    /// Every event about the rule `id` the log holds, oldest first: publications, withdrawals,
    /// and the attempts the fold refused, with the reason.
    pub async fn policy_history(&self, id: &str) -> Result<Vec<PolicyEventRow>> {
        let rows = sqlx::query!(
            r#"SELECT "offset" AS "offset!: i64", kind, actor, at_ms, payload, outcome, note FROM events
               WHERE kind IN ('PolicyPublished', 'PolicyWithdrawn') AND json_extract(payload, '$.id') = ?
               ORDER BY "offset""#,
            id
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let payload: serde_json::Value = serde_json::from_str(&r.payload).unwrap_or_default();
                let (rule, reason) = if r.kind == "PolicyPublished" {
                    (serde_json::from_value(payload).ok(), None)
                } else {
                    (None, payload.get("reason").and_then(|v| v.as_str()).map(str::to_owned))
                };
                Ok(PolicyEventRow {
                    offset: r.offset,
                    kind: r.kind,
                    actor: r.actor,
                    at_ms: r.at_ms,
                    rule,
                    reason,
                    outcome: crate::outcome(&r.outcome)?,
                    note: r.note,
                })
            })
            .collect()
    }
}
