//! Changes to products as their readers meet them: recorded by the fold when a product is
//! published again (`record`), acknowledged by readers (`acknowledge`), and read back for the
//! product page and the notices.

use meshdesk_domain::change::{Change, changes};
use meshdesk_domain::{DataProduct, Envelope};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::{Result, Store};

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// The event that made it (what acknowledgements name).
    pub event_id: String,
    pub product_id: String,
    pub at_ms: i64,
    pub by: String,
    pub change: Change,
    /// Principals that took note of it.
    pub acknowledged_by: Vec<String>,
}

/// Records what publishing `new` changed, before the product row is replaced.
pub(crate) async fn record(tx: &mut Transaction<'_, Sqlite>, env: &Envelope, new: &DataProduct) -> Result<()> {
    let id = new.id.as_str();
    let before =
        sqlx::query_scalar!("SELECT body_json FROM products WHERE id = ?", id).fetch_optional(&mut **tx).await?;
    let Some(old) = before.and_then(|b| serde_json::from_str::<DataProduct>(&b).ok()) else { return Ok(()) };
    for (seq, c) in changes(Some(&old), new).iter().enumerate() {
        let seq = seq as i64;
        let body = serde_json::to_string(c).expect("changes serialize");
        let topic = c.topic();
        let needs_action = c.needs_action();
        sqlx::query!(
            r#"INSERT INTO product_changes (event_id, seq, product_id, at_ms, by_principal, topic, needs_action, body_json)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"#,
            env.id,
            seq,
            id,
            env.at_ms,
            env.actor,
            topic,
            needs_action,
            body
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A reader's acknowledgement; `Some(reason)` when it names no change of that product.
pub(crate) async fn acknowledge(
    conn: &mut SqliteConnection,
    env: &Envelope,
    product: &str,
    change: &str,
) -> Result<Option<meshdesk_domain::trust::Refusal>> {
    let known = sqlx::query_scalar!(
        r#"SELECT 1 AS "x!: i64" FROM product_changes WHERE event_id = ? AND product_id = ? LIMIT 1"#,
        change,
        product
    )
    .fetch_optional(&mut *conn)
    .await?;
    if known.is_none() {
        return Ok(Some(meshdesk_domain::trust::Refusal::Conflict(format!(
            "{product} has no change made by event {change}"
        ))));
    }
    sqlx::query!(
        "INSERT INTO change_acknowledgements (event_id, principal, at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        change,
        env.actor,
        env.at_ms
    )
    .execute(&mut *conn)
    .await?;
    Ok(None)
}

impl Store {
    /// A product's changes, newest first, at most `limit`.
    pub async fn product_changes(&self, product: &str, limit: i64) -> Result<Vec<ChangeRow>> {
        let rows = sqlx::query!(
            r#"SELECT c.event_id, c.product_id, c.at_ms, c.by_principal, c.body_json,
                      (SELECT json_group_array(principal) FROM change_acknowledgements a WHERE a.event_id = c.event_id)
                          AS "acks!: String"
               FROM product_changes c WHERE c.product_id = ? ORDER BY c.at_ms DESC, c.event_id, c.seq LIMIT ?"#,
            product,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(ChangeRow {
                    change: serde_json::from_str(&r.body_json).ok()?,
                    acknowledged_by: serde_json::from_str(&r.acks).unwrap_or_default(),
                    event_id: r.event_id,
                    product_id: r.product_id,
                    at_ms: r.at_ms,
                    by: r.by_principal,
                })
            })
            .collect())
    }
}
