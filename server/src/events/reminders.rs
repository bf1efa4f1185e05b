//! Scheduled reminders: each event has a few (by default a day and an hour before it starts).
//! A reminder is claimed and its emails queued in one transaction, so it goes out once, and a
//! reminder that fell due while the server was down goes out when it is back, as long as the
//! event has not started.

use crate::accounts::auth::Organizer;
use crate::clock::now;
use crate::events::manage::{self, ManageError};
use crate::jobs::email::{self as outbox, Mail};
use crate::store::{Db, WriteTx};
use app::domain::FieldError;
use sqlx::Row;

pub const DEFAULT_OFFSETS: [i64; 2] = [24 * 60, 60];
const MAX_REMINDERS: usize = 5;
const MIN_OFFSET: i64 = 5;
const MAX_OFFSET: i64 = 30 * 24 * 60;

/// One reminder of an event.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub offset_minutes: i64,
    pub sent_at: Option<i64>,
}

/// Gives a new event the default reminders, inside its creating transaction.
pub async fn create_defaults(tx: &mut WriteTx, event_id: &str, now: i64) -> Result<(), sqlx::Error> {
    for offset in DEFAULT_OFFSETS {
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

/// "1 day", "2 hours", "30 minutes".
pub fn describe(offset_minutes: i64) -> String {
    let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    if offset_minutes % (24 * 60) == 0 {
        plural(offset_minutes / (24 * 60), "day")
    } else if offset_minutes % 60 == 0 {
        plural(offset_minutes / 60, "hour")
    } else {
        plural(offset_minutes, "minute")
    }
}

/// Replaces the event's reminders. Reminders kept keep whether they were sent.
pub async fn set(db: &Db, org: &Organizer, slug: &str, offsets: &[i64]) -> Result<Vec<Reminder>, ManageError> {
    let event = manage::event(db, org, slug).await?;
    let mut wanted: Vec<i64> = offsets.to_vec();
    wanted.sort_unstable_by(|a, b| b.cmp(a));
    wanted.dedup();
    if wanted.len() > MAX_REMINDERS || wanted.iter().any(|o| !(MIN_OFFSET..=MAX_OFFSET).contains(o)) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "reminders",
            format!("Use up to {MAX_REMINDERS} reminders, each from 5 minutes to 30 days before the start."),
        )]));
    }
    let now = now();
    let mut tx = db.begin_write().await?;
    let existing: Vec<i64> = sqlx::query_scalar("SELECT offset_minutes FROM reminders WHERE event_id = $1")
        .bind(&event.id)
        .fetch_all(&mut *tx.tx)
        .await?;
    for old in existing.iter().filter(|o| !wanted.contains(o)) {
        sqlx::query("DELETE FROM reminders WHERE event_id = $1 AND offset_minutes = $2")
            .bind(&event.id)
            .bind(old)
            .execute(&mut *tx.tx)
            .await?;
    }
    for new in wanted.iter().filter(|o| !existing.contains(o)) {
        sqlx::query("INSERT INTO reminders (id, event_id, offset_minutes, created_at) VALUES ($1, $2, $3, $4)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&event.id)
            .bind(new)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await?;
    Ok(list(db, &event.id).await?)
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

/// Sends every reminder that is due now: published events that have not started, whose
/// reminder moment has passed. Returns how many reminders went out.
pub async fn send_due(db: &Db) -> Result<usize, sqlx::Error> {
    let now = now();
    let due: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.id, r.event_id FROM reminders r JOIN events e ON e.id = r.event_id \
         WHERE r.sent_at IS NULL AND e.status = 'published' AND e.start_at > $1 AND e.start_at - r.offset_minutes * 60 <= $1",
    )
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    let mut sent = 0;
    for (reminder_id, event_id) in due {
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query("UPDATE reminders SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL")
            .bind(&reminder_id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        if claimed == 1 {
            let recipients: Vec<(String, String)> =
                sqlx::query_as("SELECT id, email FROM registrations WHERE event_id = $1 AND status = 'registered'")
                    .bind(&event_id)
                    .fetch_all(&mut *tx.tx)
                    .await?;
            outbox::enqueue_many(&mut tx, Mail::Reminder, &recipients, None).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_naturally() {
        assert_eq!(describe(1440), "1 day");
        assert_eq!(describe(2880), "2 days");
        assert_eq!(describe(60), "1 hour");
        assert_eq!(describe(90), "90 minutes");
        assert_eq!(describe(180), "3 hours");
    }
}
