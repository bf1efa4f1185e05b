//! The background work of a running Atrium: email delivery, reminders, and periodic chores
//! (releasing places held for unconfirmed addresses, forgetting spent rate counters and
//! idempotency keys).

use crate::lifecycle::Lifecycle;
use crate::notify::worker::Outbox;
use crate::store::Db;
use std::time::Duration;

/// One pass of the periodic chores at `now`. Returns how many held places were released.
pub async fn housekeeping(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let released = crate::registrations::release_unconfirmed(db, now).await?;
    crate::limits::purge(db, now).await?;
    crate::registrations::purge_idempotency_keys(db, now).await?;
    Ok(released)
}

/// Starts the email worker, the reminder loop and the chores; each finishes its pass and ends
/// when Atrium stops.
pub fn spawn(db: Db, outbox: Outbox, life: &Lifecycle) {
    outbox.clone().spawn(life);
    let reminders_db = db.clone();
    let reminders_outbox = outbox.clone();
    let reminders_life = life.clone();
    life.spawn(async move {
        loop {
            match crate::events::reminders::send_due(&reminders_db).await {
                Ok(n) if n > 0 => {
                    tracing::info!(reminders = n, "reminders queued");
                    reminders_outbox.notify();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder pass failed"),
            }
            if !reminders_life.rest(Duration::from_secs(30)).await {
                break;
            }
        }
    });
    let chores_life = life.clone();
    life.spawn(async move {
        loop {
            match housekeeping(&db, db.now()).await {
                Ok(n) if n > 0 => {
                    tracing::info!(released = n, "released places of unconfirmed registrations");
                    outbox.notify();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping pass failed"),
            }
            if !chores_life.rest(Duration::from_secs(30)).await {
                break;
            }
        }
    });
}
