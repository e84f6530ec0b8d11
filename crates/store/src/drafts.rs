//! Wizard drafts and the publication journal (see migration 0008).

use crate::{Result, Store, now_ms};
use meshdesk_domain::plan::{DraftStatus, StepDone};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub id: String,
    pub body_json: String,
    pub status: String,
    pub plan_json: Option<String>,
    pub done_json: String,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl DraftRow {
    /// The publication's journal: what each finished step did, in order.
    pub fn journal(&self) -> crate::Result<Vec<StepDone>> {
        serde_json::from_str(&self.done_json)
            .map_err(|e| crate::StoreError::Corrupt(format!("the journal of draft {}: {e}", self.id)))
    }

    /// Where the draft stands (a status the cache does not know reads as a failed publication,
    /// which the owner can resume or edit).
    pub fn status(&self) -> DraftStatus {
        DraftStatus::parse(&self.status).unwrap_or(DraftStatus::Failed)
    }
}

impl Store {
    /// Saves the draft's content (creating it). Editing a draft whose publication failed drops
    /// its fixed plan and journal: the next publication checks and plans the new content afresh
    /// (steps already applied are idempotent and find their work done).
    pub async fn save_draft(&self, id: &str, body_json: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query!(
            r#"INSERT INTO drafts (id, body_json, status, created_at_ms, updated_at_ms) VALUES (?, ?, 'editing', ?, ?)
               ON CONFLICT (id) DO UPDATE SET body_json = excluded.body_json, updated_at_ms = excluded.updated_at_ms,
                   plan_json = CASE WHEN status = 'failed' THEN NULL ELSE plan_json END,
                   done_json = CASE WHEN status = 'failed' THEN '[]' ELSE done_json END,
                   last_error = CASE WHEN status = 'failed' THEN NULL ELSE last_error END,
                   status = CASE WHEN status = 'failed' THEN 'editing' ELSE status END"#,
            id,
            body_json,
            now,
            now
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn draft(&self, id: &str) -> Result<Option<DraftRow>> {
        Ok(sqlx::query_as!(
            DraftRow,
            r#"SELECT id AS "id!", body_json, status, plan_json, done_json, last_error, created_at_ms, updated_at_ms
               FROM drafts WHERE id = ?"#,
            id
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every draft, the most recently changed first.
    pub async fn drafts(&self) -> Result<Vec<DraftRow>> {
        Ok(sqlx::query_as!(
            DraftRow,
            r#"SELECT id AS "id!", body_json, status, plan_json, done_json, last_error, created_at_ms, updated_at_ms
               FROM drafts ORDER BY updated_at_ms DESC"#
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn delete_draft(&self, id: &str) -> Result<()> {
        sqlx::query!("DELETE FROM drafts WHERE id = ?", id).execute(&self.pool).await?;
        Ok(())
    }

    /// Fixes the plan and marks the draft as being published (the journal starts empty).
    pub async fn start_publishing(&self, id: &str, plan_json: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query!(
            "UPDATE drafts SET status = 'publishing', plan_json = ?, done_json = '[]', last_error = NULL, updated_at_ms = ?
             WHERE id = ?",
            plan_json,
            now,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the result of the next finished step.
    pub async fn record_step(&self, id: &str, result: &StepDone) -> Result<()> {
        let now = now_ms();
        let result_json = serde_json::to_string(result).expect("journal entries serialize");
        sqlx::query!(
            "UPDATE drafts SET done_json = json_insert(done_json, '$[#]', json(?)), status = 'publishing',
                    last_error = NULL, updated_at_ms = ? WHERE id = ?",
            result_json,
            now,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn finish_draft(&self, id: &str, status: DraftStatus, error: Option<&str>) -> Result<()> {
        let now = now_ms();
        let status = status.as_str();
        sqlx::query!(
            "UPDATE drafts SET status = ?, last_error = ?, updated_at_ms = ? WHERE id = ?",
            status,
            error,
            now,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
