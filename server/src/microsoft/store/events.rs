//! What the Teams sync records on events: the webinar or meeting an event is linked to, how
//! far its creation in Teams got, which version Teams has, and when attendance was read.

use crate::store::Db;
use sqlx::Row;

/// Published events linked to a webinar: (event id, webinar id).
pub async fn published_with_webinar(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, teams_webinar_id FROM events WHERE status = 'published' AND teams_webinar_id IS NOT NULL")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("teams_webinar_id")?)))
        .collect()
}

/// The ids of the organization's events.
pub async fn ids_of_organization(db: &Db, organization_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM events WHERE organization_id = $1")
        .bind(organization_id)
        .fetch_all(&db.pool)
        .await
}

/// The event linked to the Teams webinar `webinar`, if any.
pub async fn by_webinar(db: &Db, webinar: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM events WHERE teams_webinar_id = $1")
        .bind(webinar)
        .fetch_optional(&db.pool)
        .await
}

/// Every webinar an event is linked to.
pub async fn linked_webinars(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT teams_webinar_id FROM events WHERE teams_webinar_id IS NOT NULL")
        .fetch_all(&db.pool)
        .await
}

/// The slug and organization of the event linked to the Teams webinar `webinar`, if any.
pub async fn holding_webinar(db: &Db, webinar: &str) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT slug, organization_id FROM events WHERE teams_webinar_id = $1")
        .bind(webinar)
        .fetch_optional(&db.pool)
        .await
}

/// Links an event made from an imported webinar to it, in a transaction of its own.
pub async fn link_imported(
    db: &Db,
    event_id: &str,
    webinar_id: &str,
    stage: &str,
    owner: &str,
    teams_emails: bool,
    status: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE events SET teams_webinar_id = $2, teams_stage = $3, teams_owner = $4, teams_emails = $5, status = $6 WHERE id = $1",
    )
    .bind(event_id)
    .bind(webinar_id)
    .bind(stage)
    .bind(owner)
    .bind(teams_emails as i64)
    .bind(status)
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

/// How far the event's creation in Teams got.
pub async fn teams_stage(db: &Db, event_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT teams_stage FROM events WHERE id = $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
}

/// Records a step of the event's creation in Teams (and the webinar, once there is one), in a
/// transaction of its own.
pub async fn set_stage(db: &Db, event_id: &str, webinar: Option<&str>, stage: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET teams_webinar_id = COALESCE($2, teams_webinar_id), teams_stage = $3 WHERE id = $1")
        .bind(event_id)
        .bind(webinar)
        .bind(stage)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// The version of the event that Teams should have.
pub async fn teams_version(db: &Db, event_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT teams_version FROM events WHERE id = $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
}

/// The version of the event that Teams should have, and the one it was last sent.
pub async fn teams_versions(db: &Db, event_id: &str) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as("SELECT teams_version, teams_synced_version FROM events WHERE id = $1")
        .bind(event_id)
        .fetch_one(&db.pool)
        .await
}

/// Records that Teams has `version` of the event (never going back), in a transaction of its own.
pub async fn mark_synced(db: &Db, event_id: &str, version: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET teams_synced_version = $2 WHERE id = $1 AND teams_synced_version < $2")
        .bind(event_id)
        .bind(version)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// Records the online meeting made for a meeting-kind event, in a transaction of its own.
pub async fn set_meeting(db: &Db, event_id: &str, meeting_id: &str, join_url: Option<&str>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET ics_sequence = ics_sequence + 1, teams_meeting_id = $2, teams_join_url = $3, teams_stage = 'published' WHERE id = $1")
        .bind(event_id)
        .bind(meeting_id)
        .bind(join_url)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// Records the join link of the event's webinar session, in a transaction of its own.
pub async fn set_join_url(db: &Db, event_id: &str, join_url: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET ics_sequence = ics_sequence + 1, teams_join_url = $2 WHERE id = $1")
        .bind(event_id)
        .bind(join_url)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// Published Teams events whose attendance is due to be read: ended ten minutes ago or more,
/// less than two days ago, and not read yet (or read empty over an hour ago); at most five,
/// the earliest ended first.
pub async fn attendance_due(db: &Db, now: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM events WHERE status = 'published' AND (teams_webinar_id IS NOT NULL OR teams_meeting_id IS NOT NULL) \
         AND end_at + 600 <= $1 AND end_at + 172800 > $1 \
         AND (attendance_fetched_at IS NULL OR (COALESCE(attendance_records, 0) = 0 AND attendance_fetched_at + 3600 <= $1)) \
         ORDER BY end_at LIMIT 5",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await
}

/// Records that the event's attendance was read just now, with how many records (None when
/// reading failed), in a transaction of its own.
pub async fn record_attendance(db: &Db, event_id: &str, records: Option<i64>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET attendance_fetched_at = $2, attendance_records = $3 WHERE id = $1")
        .bind(event_id)
        .bind(db.now())
        .bind(records)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// Has an attendance read that found nobody done again on the next pass, in a transaction of
/// its own.
pub async fn forget_empty_attendance(db: &Db, event_id: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET attendance_fetched_at = NULL, attendance_records = NULL WHERE id = $1 AND attendance_records = 0")
        .bind(event_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}
