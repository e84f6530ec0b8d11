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

    /// The oldest pending entries of `log`, in the order they must be sent.
    pub async fn pending(&self, log: &str, limit: i64) -> Result<Vec<OutboxEntry>> {
        let rows = sqlx::query!(
            r#"SELECT seq AS "seq!: i64", event_id, kind, envelope, attempts, next_attempt_at_ms
               FROM outbox WHERE log = ? AND sent_offset IS NULL ORDER BY seq LIMIT ?"#,
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

    pub async fn outbox_status(&self, log: &str) -> Result<OutboxStatus> {
        let pending = sqlx::query_scalar!("SELECT COUNT(*) FROM outbox WHERE log = ? AND sent_offset IS NULL", log)
            .fetch_one(&self.pool)
            .await?;
        let last_error = sqlx::query_scalar!(
            "SELECT last_error FROM outbox WHERE log = ? AND sent_offset IS NULL ORDER BY seq LIMIT 1",
            log
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        Ok(OutboxStatus { pending, last_error })
    }
}
