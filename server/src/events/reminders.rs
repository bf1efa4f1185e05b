//! Scheduled reminders: each event has a few (by default a day and an hour before it starts).
//! A reminder is claimed and its emails queued in one transaction, so it goes out once, and a
//! reminder that fell due while the server was down goes out when it is back, as long as the
//! event has not started.

use super::store::reminders as store;
use super::{event, ManageError};
use crate::accounts::auth::Organizer;
use crate::jobs::email::{self, Mail};
use crate::jobs::JobWriter;
use crate::store::Db;
use app::domain::FieldError;
use std::future::Future;

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

/// What sending a reminder needs from storage, inside the transaction that claims it: the SQL
/// adapter (`store::reminders`) implements it on `WriteTx`; the tests below use a list.
pub trait ReminderWriter: JobWriter {
    /// Marks the reminder sent at `now`; false when another worker already did.
    fn claim(&mut self, reminder_id: &str, now: i64) -> impl Future<Output = Result<bool, sqlx::Error>> + Send;

    /// The event's confirmed registrations: (registration id, email).
    fn registered(&mut self, event_id: &str) -> impl Future<Output = Result<Vec<(String, String)>, sqlx::Error>> + Send;
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
    let wanted = wanted_offsets(offsets)?;
    let mut tx = db.begin_write().await?;
    store::replace(&mut tx, &event.id, &wanted, db.now()).await?;
    tx.commit().await?;
    Ok(list(db, &event.id).await?)
}

/// The offsets asked for, latest first and each once, if there are few enough and each is in
/// range.
fn wanted_offsets(offsets: &[i64]) -> Result<Vec<i64>, ManageError> {
    let mut wanted: Vec<i64> = offsets.to_vec();
    wanted.sort_unstable_by(|a, b| b.cmp(a));
    wanted.dedup();
    if wanted.len() > MAX_REMINDERS || wanted.iter().any(|o| !(MIN_OFFSET..=MAX_OFFSET).contains(o)) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "reminders",
            format!("Use up to {MAX_REMINDERS} reminders, each from 5 minutes to 30 days before the start."),
        )]));
    }
    Ok(wanted)
}

/// Sends every reminder that is due now: published events that have not started, whose
/// reminder moment has passed. Returns how many reminders went out.
pub async fn send_due(db: &Db) -> Result<usize, sqlx::Error> {
    let now = db.now();
    let mut sent = 0;
    for (reminder_id, event_id) in store::due(db, now).await? {
        let mut tx = db.begin_write().await?;
        if send(&mut tx, &reminder_id, &event_id, now).await? {
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Claims the reminder and queues its email to each confirmed registrant; false (and nothing
/// queued) when it was already sent.
async fn send(tx: &mut impl ReminderWriter, reminder_id: &str, event_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    if !tx.claim(reminder_id, now).await? {
        return Ok(false);
    }
    let recipients = tx.registered(event_id).await?;
    email::enqueue_many(tx, Mail::Reminder, &recipients, None).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::jobs::fake::ListJobs;
    use crate::jobs::NewJob;
    use std::collections::HashSet;

    /// Sent reminders, an event's registrants and the jobs queued.
    #[derive(Default)]
    struct Fake {
        sent: HashSet<String>,
        registered: Vec<(String, String)>,
        jobs: ListJobs,
    }

    impl JobWriter for Fake {
        fn now_ms(&self) -> i64 {
            self.jobs.now_ms()
        }

        async fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> Result<(), sqlx::Error> {
            self.jobs.add_job(job, due_ms).await
        }
    }

    impl ReminderWriter for Fake {
        async fn claim(&mut self, reminder_id: &str, _now: i64) -> Result<bool, sqlx::Error> {
            Ok(self.sent.insert(reminder_id.to_string()))
        }

        async fn registered(&mut self, _event_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
            Ok(self.registered.clone())
        }
    }

    #[tokio::test]
    async fn a_reminder_goes_to_each_registrant_once() {
        let mut fake = Fake {
            registered: vec![("r1".into(), "ada@example.com".into()), ("r2".into(), "bo@example.com".into())],
            ..Fake::default()
        };
        assert!(send(&mut fake, "m1", "e1", 0).await.unwrap());
        assert!(!send(&mut fake, "m1", "e1", 0).await.unwrap(), "claimed already");
        let to: Vec<_> = fake.jobs.jobs.iter().map(|j| (j.recipient.as_str(), j.label.as_deref())).collect();
        assert_eq!(to, [("ada@example.com", Some("reminder")), ("bo@example.com", Some("reminder"))]);
    }

    #[test]
    fn offsets_are_kept_latest_first_once_each_and_within_bounds() {
        assert_eq!(wanted_offsets(&[60, 1440, 60]).unwrap(), [1440, 60]);
        assert_eq!(wanted_offsets(&[]).unwrap(), Vec::<i64>::new());
        for bad in [vec![4], vec![30 * 24 * 60 + 1], vec![5, 6, 7, 8, 9, 10]] {
            let Err(ManageError::Invalid(errors)) = wanted_offsets(&bad) else {
                panic!("{bad:?} was taken")
            };
            assert_eq!(errors[0].field, "reminders");
        }
        assert_eq!(wanted_offsets(&[5, 5, 6, 7, 8, 9]).unwrap().len(), 5, "repeats count once");
    }

    #[test]
    fn offsets_read_naturally() {
        assert_eq!(describe(1440), "1 day");
        assert_eq!(describe(2880), "2 days");
        assert_eq!(describe(60), "1 hour");
        assert_eq!(describe(90), "90 minutes");
        assert_eq!(describe(180), "3 hours");
    }
}
