//! Each organization's audit trail: who published, canceled, approved, exported, created a
//! token, joined the team. Written in the same transaction as the change it records, and
//! shown only to the organization's own organizers.

pub use super::store::audit::{recent, record};
use crate::store::Db;
use std::future::Future;

/// What a feature needs to add to the trail inside its own write transaction, so an entry
/// commits with the change it records. The SQL adapter implements it on `WriteTx`.
pub trait AuditLog: Send {
    /// Records that `actor` (an email address) did `action` (like `event.published`) to
    /// `target` (like the event's slug).
    fn add_entry(
        &mut self,
        organization_id: &str,
        actor: &str,
        action: &str,
        target: &str,
        now: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// One entry of the trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
}

/// Records an action that changes nothing else (an export), in its own transaction.
pub async fn record_now(db: &Db, organization_id: &str, actor: &str, action: &str, target: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    record(&mut tx, organization_id, actor, action, target, db.now()).await?;
    tx.commit().await
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
