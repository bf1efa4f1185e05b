//! The audit trail in the database.

use super::super::audit::{AuditLog, Entry};
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// Records that `actor` (an email address) did `action` (like `event.published`) to
/// `target` (like the event's slug), inside the caller's transaction.
pub async fn record(tx: &mut WriteTx, organization_id: &str, actor: &str, action: &str, target: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (id, organization_id, actor, action, target, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(organization_id)
        .bind(actor)
        .bind(action)
        .bind(target.chars().take(300).collect::<String>())
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

impl AuditLog for WriteTx {
    async fn add_entry(&mut self, organization_id: &str, actor: &str, action: &str, target: &str, now: i64) -> Result<(), sqlx::Error> {
        record(self, organization_id, actor, action, target, now).await
    }
}

/// The organization's most recent entries, newest first.
pub async fn recent(db: &Db, organization_id: &str, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT created_at, actor, action, target FROM audit_log WHERE organization_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(organization_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                at: r.try_get("created_at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                target: r.try_get("target")?,
            })
        })
        .collect()
}
