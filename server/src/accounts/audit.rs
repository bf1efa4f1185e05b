//! Each organization's audit trail: who published, canceled, approved, exported, created a
//! token, joined the team. Written in the same transaction as the change it records, and
//! shown only to the organization's own organizers.

use crate::store::{Db, WriteTx};
use sqlx::Row;

/// One entry of the trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
}

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

/// Records an action that changes nothing else (an export), in its own transaction.
pub async fn record_now(db: &Db, organization_id: &str, actor: &str, action: &str, target: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    record(&mut tx, organization_id, actor, action, target, crate::clock::now()).await?;
    tx.commit().await
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

/// The words the dashboard shows for an action.
pub fn describe(action: &str) -> &str {
    match action {
        "event.created" => "created the event",
        "event.updated" => "edited the event",
        "event.published" => "published the event",
        "event.canceled" => "canceled the event",
        "event.duplicated" => "copied the event",
        "event.announced" => "messaged registrants of",
        "registrations.exported" => "exported the registrants of",
        "registration.approved" => "approved a registration for",
        "registration.rejected" => "declined a registration for",
        "registration.promoted" => "promoted a registration for",
        "registration.canceled" => "canceled a registration for",
        "attendance.imported" => "imported attendance for",
        "token.created" => "created the API token",
        "token.revoked" => "revoked the API token",
        "invitation.created" => "invited",
        "invitation.accepted" => "joined the team as",
        "microsoft.linked" => "linked a Microsoft account",
        "microsoft.unlinked" => "unlinked a Microsoft account",
        other => other,
    }
}
