//! The reminders' SQL adapter.

use super::super::reminders::{Reminder, ReminderWriter};
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// Gives a new event the default reminders, inside its creating transaction.
pub async fn create_defaults(tx: &mut WriteTx, event_id: &str, now: i64) -> Result<(), sqlx::Error> {
    for offset in super::super::reminders::DEFAULT_OFFSETS {
        sqlx::query("INSERT INTO reminders (id, event_id, offset_minutes, created_at) VALUES ($1, $2, $3, $4)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(event_id)
            .bind(offset)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

pub async fn list(db: &Db, event_id: &str) -> Result<Vec<Reminder>, sqlx::Error> {
    let rows = sqlx::query("SELECT offset_minutes, sent_at FROM reminders WHERE event_id = $1 ORDER BY offset_minutes DESC")
        .bind(event_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Reminder {
                offset_minutes: r.try_get("offset_minutes")?,
                sent_at: r.try_get("sent_at")?,
            })
        })
        .collect()
}

/// After an event moves, reminders whose new moment is still ahead are due again.
pub async fn rearm(tx: &mut WriteTx, event_id: &str, start_at: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reminders SET sent_at = NULL WHERE event_id = $1 AND $2 - offset_minutes * 60 > $3")
        .bind(event_id)
        .bind(start_at)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Makes `wanted` (minutes before the start) the event's reminders; kept ones keep whether
/// they were sent.
pub async fn replace(tx: &mut WriteTx, event_id: &str, wanted: &[i64], now: i64) -> Result<(), sqlx::Error> {
    let existing: Vec<i64> = sqlx::query_scalar("SELECT offset_minutes FROM reminders WHERE event_id = $1")
        .bind(event_id)
        .fetch_all(&mut *tx.tx)
        .await?;
    for old in existing.iter().filter(|o| !wanted.contains(o)) {
        sqlx::query("DELETE FROM reminders WHERE event_id = $1 AND offset_minutes = $2")
            .bind(event_id)
            .bind(old)
            .execute(&mut *tx.tx)
            .await?;
    }
    for new in wanted.iter().filter(|o| !existing.contains(o)) {
        sqlx::query("INSERT INTO reminders (id, event_id, offset_minutes, created_at) VALUES ($1, $2, $3, $4)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(event_id)
            .bind(new)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(())
}

/// Reminders due at `now`: of published events that have not started, whose moment has
/// passed, not yet sent. (reminder id, event id)
pub async fn due(db: &Db, now: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.event_id FROM reminders r JOIN events e ON e.id = r.event_id \
         WHERE r.sent_at IS NULL AND e.status = 'published' AND e.start_at > $1 AND e.start_at - r.offset_minutes * 60 <= $1",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await
}

impl ReminderWriter for WriteTx {
    async fn claim(&mut self, reminder_id: &str, now: i64) -> Result<bool, sqlx::Error> {
        let claimed = sqlx::query("UPDATE reminders SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL")
            .bind(reminder_id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        Ok(claimed == 1)
    }

    async fn registered(&mut self, event_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
        super::writes::registrants_with(self, event_id, &[app::domain::RegistrationStatus::Registered]).await
    }
}
