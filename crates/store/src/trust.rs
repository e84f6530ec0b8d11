//! Trust in the fold: which keys the log endorsed, and the facts the domain's pure rules
//! (`meshdesk_domain::trust`) need to judge an event. Every event but a legacy unsigned one is
//! verified, dated against its record and authorized here before it changes anything.

use std::collections::HashMap;

use meshdesk_domain::policy::Scope;
use meshdesk_domain::trust::{self, Facts, KeyRecord, KeyState, Role, TrustRoot};
use meshdesk_domain::{Envelope, EventBody, Principal, ProductId, TopicName};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::{Result, Store, StoreError};

/// What the log says of the keys looked up during one fold, so a batch asks SQLite once per key
/// (forgotten when a trust event changes one).
#[derive(Default)]
pub(crate) struct KeyRecords {
    records: HashMap<String, Option<KeyRecord>>,
    /// Keys revoked as compromised, and since when (read once per fold).
    compromised: Option<HashMap<String, i64>>,
    /// Why the log must be folded again from the start: a key was newly found compromised.
    pub(crate) rebuild: Option<String>,
}

impl KeyRecords {
    pub(crate) async fn get(&mut self, conn: &mut SqliteConnection, key: &str) -> Result<Option<KeyRecord>> {
        if let Some(r) = self.records.get(key) {
            return Ok(r.clone());
        }
        let r = load_key(conn, key).await?;
        self.records.insert(key.to_owned(), r.clone());
        Ok(r)
    }
    fn forget(&mut self, key: &str) {
        self.records.remove(key);
    }

    /// Whether what `key` signed at `at_ms` is void (the key was revoked as compromised since).
    pub(crate) async fn check_compromise(
        &mut self,
        conn: &mut SqliteConnection,
        key: &str,
        at_ms: i64,
    ) -> Result<trust::Verdict> {
        if self.compromised.is_none() {
            let rows = sqlx::query!(r#"SELECT key, since_ms AS "since_ms!: i64" FROM compromised_keys"#)
                .fetch_all(&mut *conn)
                .await?;
            self.compromised = Some(rows.into_iter().map(|r| (r.key, r.since_ms)).collect());
        }
        Ok(trust::check_compromise(self.compromised.as_ref().expect("loaded above"), key, at_ms))
    }
}

fn state_of(s: &str) -> Result<KeyState> {
    Ok(match s {
        "pending" => KeyState::Pending,
        "endorsed" => KeyState::Endorsed,
        "rejected" => KeyState::Rejected,
        "revoked" => KeyState::Revoked,
        other => return Err(StoreError::Corrupt(format!("key state `{other}`"))),
    })
}

async fn load_key(conn: &mut SqliteConnection, key: &str) -> Result<Option<KeyRecord>> {
    let Some(r) = sqlx::query!("SELECT principal, state, roles_json FROM trust_keys WHERE key = ?", key)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(KeyRecord {
        key: key.to_owned(),
        principal: Principal::parse(&r.principal).map_err(|e| StoreError::Corrupt(e.0))?,
        state: state_of(&r.state)?,
        roles: serde_json::from_str(&r.roles_json).map_err(|e| StoreError::Corrupt(format!("key roles: {e}")))?,
    }))
}

fn principals(json: &str) -> Result<Vec<Principal>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("owner list: {e}")))
}

/// The facts [`trust::authorize`] needs for `body`, read from what was folded before it.
pub(crate) async fn facts(
    conn: &mut SqliteConnection,
    keys: &mut KeyRecords,
    log: &str,
    at_ms: i64,
    body: &EventBody,
) -> Result<Facts> {
    let mut f = Facts { governance_topic: log.to_owned(), event_at_ms: at_ms, ..Facts::default() };
    match body {
        EventBody::DomainRegistered(d) => f.domain_owners = domain_owners(conn, d.id.as_str()).await?,
        EventBody::ProductPublished(p) => {
            f.domain_owners = domain_owners(conn, p.domain.as_str()).await?;
            let topics: Vec<&str> = p.output_ports.iter().map(|port| port.topic.as_str()).collect();
            f.topic_holders = topic_holders(conn, &topics).await?;
            let topics = serde_json::to_string(&topics).expect("topics serialize");
            let domain = p.domain.as_str();
            for t in sqlx::query_scalar!(
                "SELECT topic FROM topic_adoptions WHERE domain = ? AND topic IN (SELECT value FROM json_each(?))",
                domain,
                topics
            )
            .fetch_all(&mut *conn)
            .await?
            {
                f.adopted_topics
                    .push(TopicName::parse(&t).map_err(|e| StoreError::Corrupt(format!("adopted topic: {e}")))?);
            }
            let id = p.id.as_str();
            let previous = sqlx::query_scalar!("SELECT body_json FROM products WHERE id = ?", id)
                .fetch_optional(&mut *conn)
                .await?;
            // A body this version cannot read counts as no previous version (the stricter way).
            f.previous_product = previous.and_then(|b| serde_json::from_str(&b).ok());
            f.rules_in_force = crate::policies::in_force(conn).await?;
        }
        EventBody::TopicAdopted { topic, domain, .. } => {
            f.domain_owners = domain_owners(conn, domain.as_str()).await?;
            f.topic_holders = topic_holders(conn, &[topic.as_str()]).await?;
        }
        EventBody::GrantApplied { request_id, .. } => {
            let owners = sqlx::query_scalar!(
                "SELECT p.owners_json FROM access_requests a JOIN products p ON p.id = a.product_id WHERE a.id = ?",
                request_id
            )
            .fetch_optional(&mut *conn)
            .await?;
            f.grant_product_owners = owners.as_deref().map(principals).transpose()?;
        }
        EventBody::KeyEnrollmentRequested { key, .. }
        | EventBody::KeyEndorsed { key, .. }
        | EventBody::EnrollmentRejected { key, .. }
        | EventBody::KeyRevoked { key, .. } => f.target_key = keys.get(conn, key).await?,
        EventBody::PolicyPublished(rule) => {
            let held = crate::policies::owner(conn, &rule.id).await?;
            f.rule_withdrawn = held.as_ref().is_some_and(|(_, w)| *w);
            f.rule_owner = held.map(|(s, _)| s);
            if let Scope::Domain(d) = &rule.owner {
                f.domain_owners = domain_owners(conn, d).await?;
            }
        }
        EventBody::PolicyWithdrawn { id, .. } => {
            let held = crate::policies::owner(conn, id).await?;
            f.rule_withdrawn = held.as_ref().is_some_and(|(_, w)| *w);
            f.rule_owner = held.map(|(s, _)| s);
            if let Some(Scope::Domain(d)) = &f.rule_owner {
                f.domain_owners = domain_owners(conn, d).await?;
            }
        }
        _ => {}
    }
    Ok(f)
}

/// For each of `topics` that some product holds, that product.
async fn topic_holders(conn: &mut SqliteConnection, topics: &[&str]) -> Result<Vec<(TopicName, ProductId)>> {
    let topics = serde_json::to_string(topics).expect("topics serialize");
    let mut out = Vec::new();
    for r in sqlx::query!("SELECT topic, product_id FROM ports WHERE topic IN (SELECT value FROM json_each(?))", topics)
        .fetch_all(&mut *conn)
        .await?
    {
        let (Ok(t), Ok(holder)) = (TopicName::parse(&r.topic), ProductId::parse(&r.product_id)) else {
            return Err(StoreError::Corrupt(format!("port {} of {}", r.topic, r.product_id)));
        };
        out.push((t, holder));
    }
    Ok(out)
}

pub(crate) async fn domain_owners(conn: &mut SqliteConnection, id: &str) -> Result<Option<Vec<Principal>>> {
    sqlx::query_scalar!("SELECT owners_json FROM domains WHERE id = ?", id)
        .fetch_optional(&mut *conn)
        .await?
        .as_deref()
        .map(principals)
        .transpose()
}

#[allow(clippy::too_many_arguments)]
/// Who signed `env` (already verified as signed by `key`) and whether the rules let that
/// principal make the event: `Ok(Err(reason))` when they do not.
pub(crate) async fn judge(
    conn: &mut SqliteConnection,
    keys: &mut KeyRecords,
    root: &TrustRoot,
    log: &str,
    key: &str,
    actor: &str,
    at_ms: i64,
    body: &EventBody,
) -> Result<trust::Verdict> {
    let Ok(actor) = Principal::parse(actor) else {
        return Ok(Err(trust::Refusal::Invalid(format!("actor `{actor}` is not a principal"))));
    };
    if let Err(why) = trust::check_possession(key, body) {
        return Ok(Err(why));
    }
    let record = keys.get(conn, key).await?;
    let enrolling = matches!(body, EventBody::KeyEnrollmentRequested { key: k, .. } if k == key);
    let standing = match trust::standing(root, key, record.as_ref(), &actor, enrolling) {
        Ok(s) => s,
        Err(why) => return Ok(Err(why)),
    };
    let facts = facts(conn, keys, log, at_ms, body).await?;
    Ok(trust::authorize(&standing, &facts, &actor, body))
}

/// Applies a trust event the rules allowed.
pub(crate) async fn apply(
    tx: &mut Transaction<'_, Sqlite>,
    keys: &mut KeyRecords,
    env: &Envelope,
    body: &EventBody,
) -> Result<()> {
    let (at, by) = (env.at_ms, env.actor.as_str());
    match body {
        EventBody::KeyEnrollmentRequested { principal, key, note } => {
            let principal = principal.as_str();
            sqlx::query!(
                r#"INSERT INTO trust_keys (key, principal, state, note, requested_at_ms, updated_at_ms)
                   VALUES (?1, ?2, 'pending', ?3, ?4, ?4)
                   ON CONFLICT (key) DO UPDATE SET state = 'pending', note = excluded.note,
                       requested_at_ms = excluded.requested_at_ms, updated_at_ms = excluded.updated_at_ms"#,
                key,
                principal,
                note,
                at
            )
            .execute(&mut **tx)
            .await?;
            keys.forget(key);
        }
        EventBody::KeyEndorsed { principal, key, roles } => {
            let principal = principal.as_str();
            let mut roles: Vec<Role> = roles.clone();
            roles.sort();
            roles.dedup();
            let roles = serde_json::to_string(&roles).expect("roles serialize");
            sqlx::query!(
                r#"INSERT INTO trust_keys (key, principal, state, roles_json, decided_by, decided_at_ms, updated_at_ms)
                   VALUES (?1, ?2, 'endorsed', ?3, ?4, ?5, ?5)
                   ON CONFLICT (key) DO UPDATE SET principal = excluded.principal, state = 'endorsed',
                       roles_json = excluded.roles_json, decided_by = excluded.decided_by,
                       decided_at_ms = excluded.decided_at_ms, updated_at_ms = excluded.updated_at_ms"#,
                key,
                principal,
                roles,
                by,
                at
            )
            .execute(&mut **tx)
            .await?;
            keys.forget(key);
        }
        EventBody::KeyRevoked { key, reason, compromised_since_ms: Some(since) } => {
            decide_key(tx, key, "revoked", reason, by, at).await?;
            keys.forget(key);
            // A key newly found compromised (or since earlier): what it signed from then on is
            // void, and what followed from it too; the log is folded again without it.
            let changed = sqlx::query!(
                r#"INSERT INTO compromised_keys (key, since_ms, revoked_by) VALUES (?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET since_ms = excluded.since_ms, revoked_by = excluded.revoked_by
                   WHERE excluded.since_ms < compromised_keys.since_ms"#,
                key,
                since,
                env.id
            )
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if let Some(map) = keys.compromised.as_mut() {
                let e = map.entry(key.clone()).or_insert(*since);
                *e = (*e).min(*since);
            }
            if changed > 0 {
                keys.rebuild = Some(format!(
                    "key {} was revoked as compromised; what it signed since then no longer counts",
                    trust::fingerprint(key)
                ));
            }
        }
        EventBody::EnrollmentRejected { key, reason } | EventBody::KeyRevoked { key, reason, .. } => {
            let state = if matches!(body, EventBody::KeyRevoked { .. }) { "revoked" } else { "rejected" };
            decide_key(tx, key, state, reason, by, at).await?;
            keys.forget(key);
        }
        _ => {}
    }
    Ok(())
}

/// A key's final state, with the reason, who decided and when.
async fn decide_key(
    tx: &mut Transaction<'_, Sqlite>,
    key: &str,
    state: &str,
    reason: &str,
    by: &str,
    at: i64,
) -> Result<()> {
    sqlx::query!(
        "UPDATE trust_keys SET state = ?, note = ?, decided_by = ?, decided_at_ms = ?, updated_at_ms = ? WHERE key = ?",
        state,
        reason,
        by,
        at,
        at,
        key
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One key as the Trust page and `meshctl trust list` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustKeyRow {
    pub key: String,
    pub principal: String,
    pub state: KeyState,
    pub roles: Vec<String>,
    pub note: Option<String>,
    pub requested_at_ms: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
}

impl Store {
    /// Every key the log mentions, pending enrollments first, then by principal.
    pub async fn trust_keys(&self) -> Result<Vec<TrustKeyRow>> {
        let rows = sqlx::query!(
            r#"SELECT key, principal, state, roles_json, note, requested_at_ms, decided_by, decided_at_ms
               FROM trust_keys ORDER BY state <> 'pending', principal, key"#
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(TrustKeyRow {
                    key: r.key,
                    principal: r.principal,
                    state: state_of(&r.state)?,
                    roles: serde_json::from_str(&r.roles_json)
                        .map_err(|e| StoreError::Corrupt(format!("key roles: {e}")))?,
                    note: r.note,
                    requested_at_ms: r.requested_at_ms,
                    decided_by: r.decided_by,
                    decided_at_ms: r.decided_at_ms,
                })
            })
            .collect()
    }

    /// What the log says of one key.
    pub async fn key_record(&self, key: &str) -> Result<Option<KeyRecord>> {
        let mut conn = self.pool.acquire().await?;
        load_key(&mut conn, key).await
    }

    /// Whether the rules would let `actor`, signing with `key`, make `body` now: the service asks
    /// before it queues anything, so a desktop never writes an event every fold will refuse.
    /// Access decisions are judged further by the access rules (the service checks those too).
    pub async fn authorize(
        &self,
        root: &TrustRoot,
        log: &str,
        key: &str,
        actor: &str,
        body: &EventBody,
    ) -> Result<trust::Verdict> {
        let mut conn = self.pool.acquire().await?;
        let now = crate::now_ms();
        let mut keys = KeyRecords::default();
        if let Err(why) = keys.check_compromise(&mut conn, key, now).await? {
            return Ok(Err(why));
        }
        judge(&mut conn, &mut keys, root, log, key, actor, now, body).await
    }
}
