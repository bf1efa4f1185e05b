//! What the Teams sync records on registrations: when one reached Teams, why Teams refused
//! one, and the Teams id of one made there.

use crate::store::{Db, WriteTx};

/// The event's registered people not yet in Teams.
pub async fn not_in_teams(db: &Db, event_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM registrations WHERE event_id = $1 AND status = 'registered' AND teams_synced_at IS NULL")
        .bind(event_id)
        .fetch_all(&db.pool)
        .await
}

/// Records that the registration reached Teams, clearing any earlier problem.
pub async fn mark_in_teams(tx: &mut WriteTx, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE registrations SET teams_synced_at = $2, teams_problem = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Records why Teams does not have the registration.
pub async fn set_teams_problem(tx: &mut WriteTx, id: &str, problem: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE registrations SET teams_problem = $2 WHERE id = $1")
        .bind(id)
        .bind(problem)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// The Teams id of a registration made in Teams and imported; None for Atrium's own.
pub async fn teams_registration_id(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let teams_id: Option<Option<String>> = sqlx::query_scalar("SELECT teams_registration_id FROM registrations WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(teams_id.flatten())
}

/// The event's registered registration whose `column` is `value`.
async fn registered_where(db: &Db, event_id: &str, column: &str, value: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM registrations WHERE event_id = $1 AND status = 'registered' AND {column} = $2"
    ))
    .bind(event_id)
    .bind(value)
    .fetch_optional(&db.pool)
    .await
}

/// The event's registration `id`, if it is registered.
pub async fn registered_by_id(db: &Db, event_id: &str, id: &str) -> Result<Option<String>, sqlx::Error> {
    registered_where(db, event_id, "id", id).await
}

/// The event's registered registration imported from Teams with the Teams id `teams_id`.
pub async fn registered_by_teams_id(db: &Db, event_id: &str, teams_id: &str) -> Result<Option<String>, sqlx::Error> {
    registered_where(db, event_id, "teams_registration_id", teams_id).await
}
