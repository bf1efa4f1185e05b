//! Scheduled reminders: each event has a few (by default a day and an hour before it starts).
//! A reminder is claimed and its emails queued in one transaction, so it goes out once, and a
//! reminder that fell due while the server was down goes out when it is back, as long as the
//! event has not started.

use super::store::reminders as store;
use super::{event, ManageError};
use crate::accounts::auth::Organizer;
use crate::jobs::email::{self, Mail};
use crate::store::Db;
use app::domain::FieldError;

pub use store::list;

pub const DEFAULT_OFFSETS: [i64; 2] = [24 * 60, 60];

const MAX_REMINDERS: usize = 5;

const MIN_OFFSET: i64 = 5;

const MAX_OFFSET: i64 = 30 * 24 * 60;

/// One reminder of an event.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    /// Minutes before the start.
    pub offset_minutes: i64,
    /// When it was sent (Unix seconds), once it was.
    pub sent_at: Option<i64>,
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
    let event = event(db, org, slug).await?;
    let mut wanted: Vec<i64> = offsets.to_vec();
    wanted.sort_unstable_by(|a, b| b.cmp(a));
    wanted.dedup();
    if wanted.len() > MAX_REMINDERS || wanted.iter().any(|o| !(MIN_OFFSET..=MAX_OFFSET).contains(o)) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "reminders",
            format!("Use up to {MAX_REMINDERS} reminders, each from 5 minutes to 30 days before the start."),
        )]));
    }
    let mut tx = db.begin_write().await?;
    store::replace(&mut tx, &event.id, &wanted, db.now()).await?;
    tx.commit().await?;
    Ok(list(db, &event.id).await?)
}

/// Sends every reminder that is due now: published events that have not started, whose
/// reminder moment has passed. Returns how many reminders went out.
pub async fn send_due(db: &Db) -> Result<usize, sqlx::Error> {
    let now = db.now();
    let mut sent = 0;
    for (reminder_id, event_id) in store::due(db, now).await? {
        let mut tx = db.begin_write().await?;
        if store::claim(&mut tx, &reminder_id, now).await? {
            let recipients =
                super::store::writes::registrants_with(&mut tx, &event_id, &[app::domain::RegistrationStatus::Registered]).await?;
            email::enqueue_many(&mut tx, Mail::Reminder, &recipients, None).await?;
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
