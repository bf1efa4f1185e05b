//! The event's seat counters: locking the event for a decision, moving a registration between counters, and handing free seats to the waitlist.

use super::super::Event;
use super::{event_from_row, EVENT_COLUMNS};
use crate::jobs::email::{self, Mail};
use crate::store::WriteTx;
use app::domain::RegistrationStatus;
use sqlx::Row;

/// The event counter a registration occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    Registered,
    Waitlisted,
    Pending,
    /// A seat held while the address is unconfirmed.
    Held,
}

impl Counter {
    fn column(self) -> &'static str {
        match self {
            Counter::Registered => "registered_count",
            Counter::Waitlisted => "waitlisted_count",
            Counter::Pending => "pending_count",
            Counter::Held => "held_count",
        }
    }
}

/// Which counter a registration in `status` occupies; an unconfirmed one holds a seat only
/// when it will be registered once confirmed.
pub fn counter(status: RegistrationStatus, confirm_as: Option<RegistrationStatus>) -> Option<Counter> {
    match status {
        RegistrationStatus::Registered => Some(Counter::Registered),
        RegistrationStatus::Waitlisted => Some(Counter::Waitlisted),
        RegistrationStatus::PendingApproval => Some(Counter::Pending),
        RegistrationStatus::Unconfirmed if confirm_as == Some(RegistrationStatus::Registered) => Some(Counter::Held),
        _ => None,
    }
}

/// Moves the event's counters for a registration leaving counter `from` and entering `to`.
pub async fn shift_counts(
    tx: &mut WriteTx,
    event_id: &str,
    from: Option<Counter>,
    to: Option<Counter>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut sets = vec!["updated_at = $2".to_string()];
    if let Some(c) = from.map(Counter::column) {
        sets.push(format!("{c} = {c} - 1"));
    }
    if let Some(c) = to.map(Counter::column) {
        sets.push(format!("{c} = {c} + 1"));
    }
    sqlx::query(&format!("UPDATE events SET {} WHERE id = $1", sets.join(", ")))
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Gives free seats to people on the waitlist, first come first served, and tells them.
pub async fn promote_waitlisted(tx: &mut WriteTx, event_id: &str, now: i64) -> Result<(), sqlx::Error> {
    loop {
        let event = lock(tx, event_id).await?;
        if event.status != app::domain::EventStatus::Published || !event.seats().can_promote() {
            return Ok(());
        }
        let next =
            sqlx::query("SELECT id, email FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY waitlist_seq LIMIT 1")
                .bind(event_id)
                .fetch_optional(&mut *tx.tx)
                .await?;
        let Some(next) = next else { return Ok(()) };
        let id: String = next.try_get("id")?;
        let email: String = next.try_get("email")?;
        sqlx::query("UPDATE registrations SET ics_sequence = ics_sequence + 1, status = 'registered', waitlist_seq = NULL, updated_at = $2 WHERE id = $1")
            .bind(&id)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        shift_counts(tx, event_id, Some(Counter::Waitlisted), Some(Counter::Registered), now).await?;
        email::enqueue(tx, Mail::Promoted, &id, &email, None).await?;
        crate::jobs::teams::register(tx, event.teams_webinar_id.is_some(), event_id, &id).await?;
    }
}

/// Reads the event inside the transaction, locking its row (PostgreSQL) so seat decisions
/// on it happen one at a time.
pub async fn lock(tx: &mut WriteTx, event_id: &str) -> Result<Event, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1{}", tx.for_update()))
        .bind(event_id)
        .fetch_one(&mut *tx.tx)
        .await?;
    event_from_row(&row)
}
