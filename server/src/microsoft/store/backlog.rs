//! What is still on its way to Teams: Graph jobs in the outbox, and registrations Teams refused.

use crate::store::Db;

/// A job not done yet: topic, payload, its registration's event, last error, attempts, next try.
pub type PendingJob = (String, String, Option<String>, Option<String>, i64, i64);

/// Graph jobs not sent yet, oldest first, at most 5000.
pub async fn pending_jobs(db: &Db) -> Result<Vec<PendingJob>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.topic, o.payload, r.event_id, o.last_error, o.attempts, o.available_at FROM outbox o \
         LEFT JOIN registrations r ON r.id = o.registration_id \
         WHERE o.sent_at IS NULL AND o.topic LIKE 'graph.%' ORDER BY o.created_at LIMIT 5000",
    )
    .fetch_all(&db.pool)
    .await
}

/// Registrations of the organization's events that Teams did not take: (event title, email),
/// newest first, at most `limit`.
pub async fn refused(db: &Db, organization_id: &str, limit: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.title, r.email FROM registrations r JOIN events e ON e.id = r.event_id \
         WHERE e.organization_id = $1 AND r.status = 'registered' AND r.teams_problem IS NOT NULL \
         ORDER BY r.created_at DESC LIMIT $2",
    )
    .bind(organization_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
