//! The outbox: governance events this desktop wrote, kept until the cluster acknowledged them.

use meshdesk_domain::Envelope;

use crate::{Result, Store, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub envelope: Vec<u8>,
    pub attempts: i64,
    pub next_attempt_at_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStatus {
    pub pending: i64,
    pub last_error: Option<String>,
    /// Writes the cluster refused for good, waiting for their author (retry or discard).
    pub parked: Vec<ParkedEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedEntry {
    pub event_id: String,
    pub kind: String,
    pub reason: String,
    pub parked_at_ms: i64,
}

impl Store {
    /// Queues an event for `log`. Queuing the same event id twice keeps the first.
    pub async fn enqueue(&self, log: &str, env: &Envelope) -> Result<i64> {
        let bytes = env.to_bytes();
        let now = now_ms();
        sqlx::query!(
            "INSERT INTO outbox (log, event_id, kind, envelope, created_at_ms) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (event_id) DO NOTHING",
            log,
            env.id,
            env.kind,
            bytes,
            now
        )
        .execute(&self.pool)
        .await?;
        Ok(sqlx::query_scalar!(r#"SELECT seq AS "seq!: i64" FROM outbox WHERE event_id = ?"#, env.id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Whether a decision on the access request `request_id` (an approval, denial, withdrawal or
    /// revocation) waits in `log`'s outbox, unsent and not parked.
    pub async fn decision_pending(&self, log: &str, request_id: &str) -> Result<bool> {
        Ok(sqlx::query_scalar!(
            r#"SELECT 1 AS "x!: i64" FROM outbox
               WHERE log = ? AND sent_offset IS NULL AND parked_at_ms IS NULL
                 AND kind IN ('AccessApproved', 'AccessDenied', 'AccessWithdrawn', 'AccessRevoked')
                 AND json_extract(CAST(envelope AS TEXT), '$.payload.request_id') = ?
               LIMIT 1"#,
            log,
            request_id
        )
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// The oldest pending entries of `log`, in the order they must be sent.
    pub async fn pending(&self, log: &str, limit: i64) -> Result<Vec<OutboxEntry>> {
        let rows = sqlx::query!(
            r#"SELECT seq AS "seq!: i64", event_id, kind, envelope, attempts, next_attempt_at_ms
               FROM outbox WHERE log = ? AND sent_offset IS NULL AND parked_at_ms IS NULL ORDER BY seq LIMIT ?"#,
            log,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxEntry {
                seq: r.seq,
                event_id: r.event_id,
                kind: r.kind,
                envelope: r.envelope,
                attempts: r.attempts,
                next_attempt_at_ms: r.next_attempt_at_ms,
            })
            .collect())
    }

    pub async fn mark_sent(&self, seq: i64, offset: i64) -> Result<()> {
        let now = now_ms();
        sqlx::query!(
            "UPDATE outbox SET sent_offset = ?, sent_at_ms = ?, last_error = NULL WHERE seq = ?",
            offset,
            now,
            seq
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_failed(&self, seq: i64, error: &str, next_attempt_at_ms: i64) -> Result<()> {
        sqlx::query!(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ? WHERE seq = ?",
            error,
            next_attempt_at_ms,
            seq
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Parks an entry the cluster refused for good: it leaves the queue (the entries behind it
    /// go on) and keeps its reason.
    pub async fn park(&self, seq: i64, reason: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query!(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, parked_at_ms = ? WHERE seq = ?",
            reason,
            now,
            seq
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Puts a parked entry back in the queue (its place: its original order); `false` when no
    /// such parked entry exists.
    pub async fn unpark(&self, event_id: &str) -> Result<bool> {
        let done = sqlx::query!(
            "UPDATE outbox SET parked_at_ms = NULL, next_attempt_at_ms = 0 WHERE event_id = ? AND parked_at_ms IS NOT NULL AND sent_offset IS NULL",
            event_id
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Discards a parked entry: it will never be sent. `false` when no such parked entry exists.
    pub async fn discard_parked(&self, event_id: &str) -> Result<bool> {
        let done = sqlx::query!(
            "DELETE FROM outbox WHERE event_id = ? AND parked_at_ms IS NOT NULL AND sent_offset IS NULL",
            event_id
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn outbox_status(&self, log: &str) -> Result<OutboxStatus> {
        let pending = sqlx::query_scalar!(
            "SELECT COUNT(*) FROM outbox WHERE log = ? AND sent_offset IS NULL AND parked_at_ms IS NULL",
            log
        )
        .fetch_one(&self.pool)
        .await?;
        let last_error = sqlx::query_scalar!(
            "SELECT last_error FROM outbox WHERE log = ? AND sent_offset IS NULL AND parked_at_ms IS NULL ORDER BY seq LIMIT 1",
            log
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        let parked = sqlx::query!(
            r#"SELECT event_id, kind, last_error, parked_at_ms AS "parked_at_ms!: i64" FROM outbox
               WHERE log = ? AND sent_offset IS NULL AND parked_at_ms IS NOT NULL ORDER BY seq"#,
            log
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| ParkedEntry {
            event_id: r.event_id,
            kind: r.kind,
            reason: r.last_error.unwrap_or_default(),
            parked_at_ms: r.parked_at_ms,
        })
        .collect();
        Ok(OutboxStatus { pending, last_error, parked })
    }
}
