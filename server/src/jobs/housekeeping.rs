//! Periodic chores: release places held for email addresses never confirmed, and forget rate
//! counters and idempotency keys that have run out.

use crate::store::Db;
use std::time::Duration;

/// One pass of every chore at `now`. Returns how many held places were released.
pub async fn run_once(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let released = crate::registrations::release_unconfirmed(db, now).await?;
    crate::limits::purge(db, now).await?;
    crate::registrations::purge_idempotency_keys(db, now).await?;
    Ok(released)
}

/// Runs the chores every half minute until the process ends.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        loop {
            match run_once(&db, crate::registrations::now()).await {
                Ok(n) if n > 0 => tracing::info!(released = n, "released places of unconfirmed registrations"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping pass failed"),
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    });
}
