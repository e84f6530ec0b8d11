//! Access requests and grants, folded from the governance log with the domain's rules: every
//! desktop reaches the same state from the same log, and a decision the rules refuse is
//! recorded as refused rather than applied.

use meshdesk_domain::access::{AccessRequest, DecisionContext, RequestState, check_request, decide, request_digest};
use meshdesk_domain::events::GrantOutcome;
use meshdesk_domain::trust::Refusal;
use meshdesk_domain::{DataProduct, Envelope, EventBody, Principal};
use sqlx::{Sqlite, Transaction};

use crate::{Result, Store, StoreError};

/// An access request as the cache holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessRow {
    pub request: AccessRequest,
    pub requested_by: String,
    pub requested_at_ms: i64,
    pub state: RequestState,
    pub grant_status: Option<String>,
    pub grant_detail: Option<String>,
    pub decided_at_ms: Option<i64>,
    pub updated_at_ms: i64,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Applies an access event; `Ok(Some(reason))` when the rules refuse it (nothing changes).
pub(crate) async fn apply(
    tx: &mut Transaction<'_, Sqlite>,
    env: &Envelope,
    body: &EventBody,
) -> Result<Option<Refusal>> {
    match body {
        EventBody::AccessRequested(req) => request(tx, env, req).await,
        EventBody::GrantApplied { request_id, outcome } => grant_applied(tx, env, request_id, outcome).await,
        _ => decision(tx, env, body).await,
    }
}

fn conflict(m: String) -> Option<Refusal> {
    Some(Refusal::Conflict(m))
}

fn not_a_principal(who: &str, name: &str) -> Option<Refusal> {
    Some(Refusal::Invalid(format!("{who} `{name}` is not a principal")))
}

/// A new request, checked again as its sender checked it.
async fn request(tx: &mut Transaction<'_, Sqlite>, env: &Envelope, req: &AccessRequest) -> Result<Option<Refusal>> {
    {
        if sqlx::query_scalar!("SELECT 1 AS \"x!: i64\" FROM access_requests WHERE id = ?", req.id)
            .fetch_optional(&mut **tx)
            .await?
            .is_some()
        {
            return Ok(conflict(format!("request {} exists already", req.id)));
        }
        let Some(product) = product(tx, req.product.as_str()).await? else {
            return Ok(conflict(format!("product {} is not in the catalog", req.product)));
        };
        let Ok(requested_by) = Principal::parse(&env.actor) else {
            return Ok(not_a_principal("actor", &env.actor));
        };
        // What the sending desktop checked, checked again by the same function: a member with
        // a valid key is not trusted to have run it.
        let owners = crate::trust::domain_owners(tx, req.requester_domain.as_str()).await?;
        let rules = crate::policies::in_force(tx).await?;
        if let Err(why) = check_request(req, &requested_by, owners.as_deref(), &product, &rules) {
            return Ok(Some(why));
        }
        let state = RequestState::Pending { approvals: vec![] };
        let body_json = serde_json::to_string(req).expect("requests serialize");
        let state_json = serde_json::to_string(&state).expect("states serialize");
        let (product_id, domain, consumer) =
            (req.product.as_str(), req.requester_domain.as_str(), req.consumer.as_str());
        sqlx::query!(
            r#"INSERT INTO access_requests (id, product_id, requester_domain, consumer, requested_by, requested_at_ms,
                                            body_json, state, state_json, until_ms, updated_at_ms)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, NULL, ?)"#,
            req.id,
            product_id,
            domain,
            consumer,
            env.actor,
            env.at_ms,
            body_json,
            state_json,
            env.at_ms
        )
        .execute(&mut **tx)
        .await?;
        Ok(None)
    }
}

/// What the reconciler did for an approved request.
async fn grant_applied(
    tx: &mut Transaction<'_, Sqlite>,
    env: &Envelope,
    request_id: &str,
    outcome: &GrantOutcome,
) -> Result<Option<Refusal>> {
    {
        let (status, detail) = match outcome {
            GrantOutcome::Applied => ("applied", None),
            GrantOutcome::Removed => ("removed", None),
            GrantOutcome::NotApplied { reason } => ("not_applied", Some(reason.as_str())),
        };
        let n = sqlx::query!(
            "UPDATE access_requests SET grant_status = ?, grant_detail = ?, updated_at_ms = ? WHERE id = ?",
            status,
            detail,
            env.at_ms,
            request_id
        )
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(if n == 0 { conflict(format!("no request {request_id}")) } else { None })
    }
}

/// An owner's approval, denial or revocation, or the requester's withdrawal.
async fn decision(tx: &mut Transaction<'_, Sqlite>, env: &Envelope, body: &EventBody) -> Result<Option<Refusal>> {
    let Some((request_id, decision)) = body.as_decision() else { return Ok(None) };
    let Some(row) = load(&mut **tx, request_id).await? else { return Ok(conflict(format!("no request {request_id}"))) };
    if let EventBody::AccessApproved { request_digest: named, .. } = body {
        // An approval names the content it approves; only events written before decisions were
        // bound (no environment either, accepted below its offset) may name the id alone.
        let digest = request_digest(&row.request);
        match named {
            Some(d) if *d == digest => {}
            Some(_) => {
                return Ok(conflict(format!(
                    "the approval names other content than request {request_id} holds: it was made for another request"
                )));
            }
            None if env.environment.is_none() => {}
            None => {
                return Ok(Some(Refusal::Invalid(format!(
                    "the approval of request {request_id} names no request content"
                ))));
            }
        }
    }
    let Some(product) = product(tx, row.request.product.as_str()).await? else {
        return Ok(conflict(format!("product {} is not in the catalog", row.request.product)));
    };
    let Ok(actor) = Principal::parse(&env.actor) else {
        return Ok(not_a_principal("actor", &env.actor));
    };
    let Ok(requested_by) = Principal::parse(&row.requested_by) else {
        return Ok(not_a_principal("requester", &row.requested_by));
    };
    let ctx = DecisionContext {
        request: &row.request,
        requested_by: &requested_by,
        requested_at_ms: row.requested_at_ms,
        product_owners: &product.owners,
        classification: product.classification,
    };
    let next = match decide(&row.state, &ctx, &decision, &actor, env.at_ms) {
        Ok(next) => next,
        Err(why) => return Ok(Some(why)),
    };
    let until = match &next {
        RequestState::Approved { until_ms, .. } => Some(*until_ms),
        _ => None,
    };
    let (name, state_json) = (next.name(), serde_json::to_string(&next).expect("states serialize"));
    // A partial approval (restricted products) leaves the request pending: not yet decided.
    let decided = (name != "pending").then_some(env.at_ms);
    sqlx::query!(
        "UPDATE access_requests SET state = ?, state_json = ?, until_ms = ?, updated_at_ms = ?,
                decided_at_ms = COALESCE(?, decided_at_ms) WHERE id = ?",
        name,
        state_json,
        until,
        env.at_ms,
        decided,
        request_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(None)
}

async fn product(tx: &mut Transaction<'_, Sqlite>, id: &str) -> Result<Option<DataProduct>> {
    let body = sqlx::query_scalar!("SELECT body_json FROM products WHERE id = ?", id).fetch_optional(&mut **tx).await?;
    body.map(|b| serde_json::from_str(&b).map_err(|e| corrupt("a product in the cache", e))).transpose()
}

struct Raw {
    body_json: String,
    requested_by: String,
    requested_at_ms: i64,
    state_json: String,
    grant_status: Option<String>,
    grant_detail: Option<String>,
    decided_at_ms: Option<i64>,
    updated_at_ms: i64,
}

fn row(r: Raw) -> Result<AccessRow> {
    Ok(AccessRow {
        request: serde_json::from_str(&r.body_json).map_err(|e| corrupt("an access request in the cache", e))?,
        requested_by: r.requested_by,
        requested_at_ms: r.requested_at_ms,
        state: serde_json::from_str(&r.state_json).map_err(|e| corrupt("an access state in the cache", e))?,
        grant_status: r.grant_status,
        grant_detail: r.grant_detail,
        decided_at_ms: r.decided_at_ms,
        updated_at_ms: r.updated_at_ms,
    })
}

async fn load<'e>(ex: impl sqlx::SqliteExecutor<'e>, id: &str) -> Result<Option<AccessRow>> {
    let r = sqlx::query_as!(
        Raw,
        "SELECT body_json, requested_by, requested_at_ms, state_json, grant_status, grant_detail, decided_at_ms, updated_at_ms
         FROM access_requests WHERE id = ?",
        id
    )
    .fetch_optional(ex)
    .await?;
    r.map(row).transpose()
}

impl Store {
    /// One access request.
    pub async fn access_request(&self, id: &str) -> Result<Option<AccessRow>> {
        load(&self.pool, id).await
    }

    /// Every access request, newest first.
    pub async fn access_requests(&self) -> Result<Vec<AccessRow>> {
        sqlx::query_as!(
            Raw,
            "SELECT body_json, requested_by, requested_at_ms, state_json, grant_status, grant_detail, decided_at_ms, updated_at_ms
             FROM access_requests ORDER BY requested_at_ms DESC, id"
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(row)
        .collect()
    }

    /// The requests for one product, newest first.
    pub async fn access_requests_for(&self, product: &str) -> Result<Vec<AccessRow>> {
        sqlx::query_as!(
            Raw,
            "SELECT body_json, requested_by, requested_at_ms, state_json, grant_status, grant_detail, decided_at_ms, updated_at_ms
             FROM access_requests WHERE product_id = ? ORDER BY requested_at_ms DESC, id",
            product
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(row)
        .collect()
    }
}

/// One access event of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub offset: i64,
    pub at_ms: i64,
    pub kind: String,
    pub actor: String,
    pub request_id: Option<String>,
    pub outcome: String,
    pub note: Option<String>,
}

impl Store {
    /// Every access event read from the log, in log order, with what the fold made of it.
    pub async fn access_audit(&self) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as!(
            AuditRow,
            r#"SELECT "offset" AS "offset!", at_ms AS "at_ms!", kind AS "kind!", actor AS "actor!",
                      COALESCE(json_extract(payload, '$.request_id'), json_extract(payload, '$.id')) AS "request_id: String",
                      outcome AS "outcome!", note
               FROM events
               WHERE kind IN ('AccessRequested', 'AccessApproved', 'AccessDenied', 'AccessWithdrawn', 'AccessRevoked', 'GrantApplied')
               ORDER BY "offset""#
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
