//! The fold: a batch of governance records verified (signatures split over the cores, time,
//! standing, authorization) and applied in one transaction with the new log position.

use std::collections::HashSet;

use meshdesk_domain::events::Outcome;
use meshdesk_domain::trust::{Refusal, TrustRoot};
use meshdesk_domain::{Decoded, Envelope, EventBody};
use sqlx::{Sqlite, Transaction};

use crate::{ApplyReport, LogRecord, NotAnEvent, Result, Store, StoreError, access, now_ms, policies, search, trust};

impl Store {
    /// Folds a batch of consecutive records into the cache in one transaction, together with
    /// the new log position. Records below the stored position were applied before and are
    /// ignored; an event id seen before is recorded as a duplicate and changes nothing. Every
    /// event is verified against `root` first (signature, time, standing, authorization, see
    /// `meshdesk_domain::trust`); one that fails is recorded as refused with the reason.
    ///
    /// An event that fails in SQLite itself (a constraint no rule foresaw) must not freeze every
    /// desktop on this batch: the batch is then folded again with each event in a savepoint, and
    /// that event is refused with the database's reason while the others apply. Savepoints cost a
    /// third of the fold's speed, so only such a batch pays for them.
    pub async fn apply(&self, log: &str, root: &TrustRoot, records: &[LogRecord]) -> Result<ApplyReport> {
        match self.apply_batch(log, root, records, false).await {
            Err(StoreError::EventFailed(e)) => {
                tracing::warn!("an event failed in the cache ({e}); folding the batch again event by event");
                self.apply_batch(log, root, records, true).await
            }
            other => other,
        }
    }

    async fn apply_batch(
        &self,
        log: &str,
        root: &TrustRoot,
        records: &[LogRecord],
        careful: bool,
    ) -> Result<ApplyReport> {
        // Signatures are pure CPU: checked for the batch up front, on every core, before the
        // write lock is taken (other writers wait for it while it is held).
        let before = sqlx::query_scalar!("SELECT next_offset FROM log_position WHERE log = ?", log)
            .fetch_optional(&self.pool)
            .await?
            .unwrap_or(0);
        let candidates: Vec<&LogRecord> = records.iter().filter(|r| r.offset >= before).collect();
        let checked = verify_all(&candidates);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut next = sqlx::query_scalar!("SELECT next_offset FROM log_position WHERE log = ?", log)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or(0);
        let mut report = ApplyReport { next_offset: next, ..Default::default() };
        // Another fold may have moved the position meanwhile: only what is still fresh goes on.
        let (fresh, signatures): (Vec<&LogRecord>, Vec<_>) =
            candidates.into_iter().zip(checked).filter(|(r, _)| r.offset >= next).unzip();
        let seen = applied_before(&mut tx, &fresh).await?;
        let mut fold = Fold { tx, keys: trust::KeyRecords::default(), root, log, careful, seen };
        let mut rows = Vec::with_capacity(fresh.len());
        for (rec, signature) in fresh.into_iter().zip(signatures) {
            if rec.offset < next {
                continue;
            }
            let row = match &rec.envelope {
                Err(reason) => {
                    tracing::warn!(offset = rec.offset, "governance record is not an event: {reason}");
                    Row::invalid(rec.offset, reason)
                }
                Ok(env) => {
                    let (outcome, note) = fold.event(rec, env, signature).await?;
                    Row::event(rec.offset, env, outcome, note)
                }
            };
            if row.outcome == Outcome::Applied {
                report.applied += 1;
            } else {
                report.skipped += 1;
            }
            next = rec.offset + 1;
            rows.push(row);
        }
        let Fold { mut tx, mut keys, .. } = fold;
        write_rows(&mut tx, log, &rows).await?;
        report.rebuild = keys.rebuild.take();
        let now = now_ms();
        sqlx::query!(
            r#"INSERT INTO log_position (log, next_offset, updated_at_ms) VALUES (?, ?, ?)
               ON CONFLICT (log) DO UPDATE SET next_offset = excluded.next_offset, updated_at_ms = excluded.updated_at_ms"#,
            log,
            next,
            now
        )
        .execute(&mut *tx)
        .await?;
        // Crash tests widen the window between applying and committing here
        // (`FAILPOINTS=fold-before-commit=sleep(150)`); only builds with `failpoints` have it.
        #[cfg(feature = "failpoints")]
        fail::fail_point!("fold-before-commit");
        tx.commit().await?;
        report.next_offset = next;
        Ok(report)
    }
}

/// One audit row; the batch's rows are inserted with one statement.
#[derive(serde::Serialize)]
struct Row<'a> {
    offset: i64,
    id: std::borrow::Cow<'a, str>,
    kind: &'a str,
    version: i64,
    actor: &'a str,
    at_ms: i64,
    payload: String,
    outcome: Outcome,
    note: Option<String>,
    signer: Option<&'a str>,
}

impl<'a> Row<'a> {
    /// A record that is not an event.
    fn invalid(offset: i64, reason: &NotAnEvent) -> Self {
        Row {
            offset,
            id: format!("invalid@{offset}").into(),
            kind: "?",
            version: 0,
            actor: "",
            at_ms: 0,
            payload: "null".into(),
            outcome: Outcome::Invalid,
            note: Some(reason.to_string()),
            signer: None,
        }
    }

    /// An event and what the fold did with it.
    fn event(offset: i64, env: &'a Envelope, outcome: Outcome, note: Option<String>) -> Self {
        Row {
            offset,
            id: env.id.as_str().into(),
            kind: &env.kind,
            version: env.version as i64,
            actor: &env.actor,
            at_ms: env.at_ms,
            payload: audit_payload(&env.payload, outcome),
            outcome,
            note,
            signer: env.key.as_deref(),
        }
    }
}

/// Which of the batch's events were applied before, by id and signer: one query for the whole
/// batch. An id alone is no identity: another member who reuses (or predicts) an id must not
/// make a later event of its rightful signer a "duplicate".
async fn applied_before(
    tx: &mut Transaction<'_, Sqlite>,
    fresh: &[&LogRecord],
) -> Result<HashSet<(String, Option<String>)>> {
    let ids: Vec<&str> = fresh.iter().filter_map(|r| r.envelope.as_ref().ok()).map(|e| e.id.as_str()).collect();
    let ids_json = serde_json::to_string(&ids).expect("ids serialize");
    Ok(sqlx::query!(
        "SELECT id, signer FROM events WHERE outcome = 'applied' AND id IN (SELECT value FROM json_each(?))",
        ids_json
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.signer))
    .collect())
}

/// The batch's audit rows, in one statement.
async fn write_rows(tx: &mut Transaction<'_, Sqlite>, log: &str, rows: &[Row<'_>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows_json = serde_json::to_string(&rows).expect("rows serialize");
    sqlx::query!(
        r#"INSERT INTO events (log, "offset", id, kind, version, actor, at_ms, payload, outcome, note, signer)
           SELECT ?1, json_extract(value, '$.offset'), json_extract(value, '$.id'), json_extract(value, '$.kind'),
                  json_extract(value, '$.version'), json_extract(value, '$.actor'), json_extract(value, '$.at_ms'),
                  json_extract(value, '$.payload'), json_extract(value, '$.outcome'), json_extract(value, '$.note'),
                  json_extract(value, '$.signer')
           FROM json_each(?2)"#,
        log,
        rows_json
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A batch being folded: its transaction, the keys it has read, and the events applied so far.
struct Fold<'t, 'a> {
    tx: Transaction<'t, Sqlite>,
    keys: trust::KeyRecords,
    root: &'a TrustRoot,
    log: &'a str,
    /// Each event in a savepoint (see [`Store::apply`]).
    careful: bool,
    seen: HashSet<(String, Option<String>)>,
}

impl Fold<'_, '_> {
    /// What becomes of one event: its outcome and the audit's note.
    async fn event(
        &mut self,
        rec: &LogRecord,
        env: &Envelope,
        signature: Option<std::result::Result<String, Refusal>>,
    ) -> Result<(Outcome, Option<String>)> {
        let identity = (env.id.clone(), env.key.clone());
        if self.seen.contains(&identity) {
            return Ok((Outcome::Duplicate, Some(format!("event {} was applied before", env.id))));
        }
        let body = match env.decode() {
            Decoded::Known(body) => body,
            Decoded::Unknown { reason } => {
                tracing::warn!(offset = rec.offset, "skipping governance event: {reason}");
                return Ok((Outcome::Skipped, Some(reason)));
            }
        };
        // Trust first, then the event's own rules (access decisions). In a careful fold the
        // event's changes sit in a savepoint: whatever fails for this one event (a constraint
        // its author found a way around) refuses it with the reason and rolls back its changes
        // alone; the batch and every event after it go on.
        if self.careful {
            sqlx::query("SAVEPOINT event").execute(&mut *self.tx).await?;
        }
        let verdict = match self.admit_and_apply(rec, env, &body, signature).await {
            Ok(v) => v,
            Err(e) if self.careful => Err(Refusal::Conflict(format!("could not be applied: {e}"))),
            Err(e) => return Err(e.into_event_failed()),
        };
        if self.careful {
            if verdict.is_err() {
                sqlx::query("ROLLBACK TO event").execute(&mut *self.tx).await?;
                // The per-fold key cache may hold what was rolled back.
                self.keys = trust::KeyRecords::default();
            }
            sqlx::query("RELEASE event").execute(&mut *self.tx).await?;
        }
        Ok(match verdict {
            Ok(note) => {
                self.seen.insert(identity);
                (Outcome::Applied, note)
            }
            Err(why) => {
                tracing::info!(offset = rec.offset, "governance event refused: {why}");
                (Outcome::Refused, Some(why.to_string()))
            }
        })
    }

    /// Admits the event and applies it: `Ok(Ok(note))` applied, `Ok(Err(refusal))` refused.
    async fn admit_and_apply(
        &mut self,
        rec: &LogRecord,
        env: &Envelope,
        body: &EventBody,
        signature: Option<std::result::Result<String, Refusal>>,
    ) -> Result<std::result::Result<Option<String>, Refusal>> {
        let note = match admit(&mut self.tx, &mut self.keys, self.root, self.log, rec, env, body, signature).await? {
            Ok(note) => note,
            Err(why) => return Ok(Err(why)),
        };
        Ok(match apply_body(&mut self.tx, &mut self.keys, env, body).await? {
            None => Ok(note),
            Some(why) => Err(why),
        })
    }
}

/// The most bytes of payload the audit keeps for an event that was not applied: junk and
/// refusals cannot fill every desktop's cache (what was applied is kept whole).
pub const MAX_AUDIT_PAYLOAD: usize = 64 * 1024;

fn audit_payload(payload: &serde_json::Value, outcome: Outcome) -> String {
    let text = payload.to_string();
    if outcome == Outcome::Applied || text.len() <= MAX_AUDIT_PAYLOAD {
        return text;
    }
    serde_json::json!({ "omitted": format!("{} KiB, not kept for an event that was not applied", text.len() / 1024) })
        .to_string()
}

/// Applies one event; `Ok(Some(reason))` when the rules refuse it and nothing changed.
async fn apply_body(
    tx: &mut Transaction<'_, Sqlite>,
    keys: &mut trust::KeyRecords,
    env: &Envelope,
    body: &EventBody,
) -> Result<Option<Refusal>> {
    match body {
        EventBody::DomainRegistered(d) => register_domain(tx, env, d).await?,
        EventBody::ProductPublished(p) => publish(tx, env, p).await?,
        EventBody::KeyEnrollmentRequested { .. }
        | EventBody::KeyEndorsed { .. }
        | EventBody::EnrollmentRejected { .. }
        | EventBody::KeyRevoked { .. } => trust::apply(tx, keys, env, body).await?,
        EventBody::PolicyPublished(_) | EventBody::PolicyWithdrawn { .. } => policies::apply(tx, env, body).await?,
        EventBody::ChangeAcknowledged { product, change } => {
            return crate::changes::acknowledge(tx, env, product.as_str(), change).await;
        }
        EventBody::TopicAdopted { topic, domain, reason } => adopt(tx, env, topic, domain, reason).await?,
        // Named one by one: a new event type must say here what it does.
        EventBody::AccessRequested(_)
        | EventBody::AccessApproved { .. }
        | EventBody::AccessDenied { .. }
        | EventBody::AccessWithdrawn { .. }
        | EventBody::AccessRevoked { .. }
        | EventBody::GrantApplied { .. } => return access::apply(tx, env, body).await,
    }
    Ok(None)
}

/// A domain registered or changed.
async fn register_domain(tx: &mut Transaction<'_, Sqlite>, env: &Envelope, d: &meshdesk_domain::Domain) -> Result<()> {
    let id = d.id.as_str();
    let owners = serde_json::to_string(&d.owners).expect("principals serialize");
    sqlx::query!(
        r#"INSERT INTO domains (id, name, description, owners_json, contact, registered_at_ms, registered_by)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
               owners_json = excluded.owners_json, contact = excluded.contact"#,
        id,
        d.name,
        d.description,
        owners,
        d.contact,
        env.at_ms,
        env.actor
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A product's version: its row, its ports, its changes and its search entry.
async fn publish(tx: &mut Transaction<'_, Sqlite>, env: &Envelope, p: &meshdesk_domain::DataProduct) -> Result<()> {
    crate::changes::record(tx, env, p).await?;
    let id = p.id.as_str();
    let domain = p.domain.as_str();
    let classification = p.classification.as_str();
    let status = p.status.as_str();
    let owners = serde_json::to_string(&p.owners).expect("principals serialize");
    let tags = serde_json::to_string(&p.tags).expect("tags serialize");
    let body = serde_json::to_string(p).expect("products serialize");
    sqlx::query!(
        r#"INSERT INTO products (id, domain, title, description, classification, status, version,
                                 owners_json, tags_json, body_json, published_at_ms, published_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description,
               classification = excluded.classification, status = excluded.status, version = excluded.version,
               owners_json = excluded.owners_json, tags_json = excluded.tags_json, body_json = excluded.body_json,
               published_at_ms = excluded.published_at_ms, published_by = excluded.published_by"#,
        id,
        domain,
        p.title,
        p.description,
        classification,
        status,
        p.version,
        owners,
        tags,
        body,
        env.at_ms,
        env.actor
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("DELETE FROM ports WHERE product_id = ?", id).execute(&mut **tx).await?;
    for (position, port) in p.output_ports.iter().enumerate() {
        let topic = port.topic.as_str();
        let position = position as i64;
        let cleanup = port.cleanup_policy.as_str();
        let subject = port.value_schema.as_ref().map(|s| s.subject.clone());
        let schema_id = port.value_schema.as_ref().and_then(|s| s.id).map(i64::from);
        sqlx::query!(
            r#"INSERT INTO ports (topic, product_id, position, partitions, replication_factor, retention_ms,
                                  cleanup_policy, value_subject, value_schema_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"#,
            topic,
            id,
            position,
            port.partitions,
            port.replication_factor,
            port.retention_ms,
            cleanup,
            subject,
            schema_id
        )
        .execute(&mut **tx)
        .await?;
    }
    let rules = policies::in_force(tx).await?;
    search::index_product(tx, p, &rules).await?;
    Ok(())
}

/// A topic outside its namespace that a domain may now claim.
async fn adopt(
    tx: &mut Transaction<'_, Sqlite>,
    env: &Envelope,
    topic: &meshdesk_domain::TopicName,
    domain: &meshdesk_domain::DomainId,
    reason: &str,
) -> Result<()> {
    let (topic, domain) = (topic.as_str(), domain.as_str());
    sqlx::query!(
        r#"INSERT INTO topic_adoptions (topic, domain, reason, adopted_at_ms, adopted_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (topic) DO UPDATE SET domain = excluded.domain, reason = excluded.reason,
               adopted_at_ms = excluded.adopted_at_ms, adopted_by = excluded.adopted_by"#,
        topic,
        domain,
        reason,
        env.at_ms,
        env.actor
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Signature checks for a batch, index-aligned with it: the verified key id, or why not
/// (`None` for records that are not envelopes). Split over the machine's cores.
fn verify_all(records: &[&LogRecord]) -> Vec<Option<std::result::Result<String, Refusal>>> {
    use meshdesk_domain::trust::{KeyCache, verify_cached};
    let check = |chunk: &[&LogRecord]| {
        let mut keys = KeyCache::default();
        chunk
            .iter()
            .map(|r| r.envelope.as_ref().ok().map(|env| verify_cached(&mut keys, env).map(|k| k.id())))
            .collect::<Vec<_>>()
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if cores < 2 || records.len() < 64 {
        return check(records);
    }
    let chunk = records.len().div_ceil(cores);
    std::thread::scope(|s| {
        let parts: Vec<_> = records.chunks(chunk).map(|c| s.spawn(move || check(c))).collect();
        parts.into_iter().flat_map(|h| h.join().expect("signature checks do not panic")).collect()
    })
}

/// Whether an event may be applied: `Ok(note)` (a note for a legacy unsigned event), or why it
/// is refused. Legacy unsigned events (below the root's `accept_unsigned_before_offset`) skip the
/// trust checks; every other event needs a good signature, a time near its record's and the
/// rules' consent.
#[allow(clippy::too_many_arguments)]
async fn admit(
    tx: &mut Transaction<'_, Sqlite>,
    keys: &mut trust::KeyRecords,
    root: &TrustRoot,
    log: &str,
    rec: &LogRecord,
    env: &Envelope,
    body: &EventBody,
    signature: Option<std::result::Result<String, Refusal>>,
) -> Result<std::result::Result<Option<String>, Refusal>> {
    if env.sig.is_none() && env.key.is_none() && root.accepts_unsigned_at(rec.offset) {
        return Ok(Ok(Some(format!(
            "unsigned: accepted as written before signing (trust.accept_unsigned_before_offset = {})",
            root.accept_unsigned_before_offset.unwrap_or_default()
        ))));
    }
    let key = match signature {
        Some(Ok(key)) => key,
        Some(Err(why)) => return Ok(Err(why)),
        None => return Ok(Err(Refusal::Invalid("not an event".into()))),
    };
    let unbound = match meshdesk_domain::trust::check_environment(root, env.environment.as_deref(), rec.offset) {
        Ok(unbound) => unbound,
        Err(why) => return Ok(Err(why)),
    };
    if let Err(why) = meshdesk_domain::trust::check_time(env.at_ms, rec.timestamp_ms) {
        return Ok(Err(why));
    }
    if let Err(why) = keys.check_compromise(tx, &key, env.at_ms).await? {
        return Ok(Err(why));
    }
    let note = unbound.then(|| {
        format!(
            "names no environment: accepted as written before events were bound (trust.accept_unbound_before_offset = {})",
            root.accept_unbound_before_offset.unwrap_or_default()
        )
    });
    Ok(trust::judge(tx, keys, root, log, &key, &env.actor, env.at_ms, body).await?.map(|()| note))
}
