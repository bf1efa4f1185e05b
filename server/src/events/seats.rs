//! An event's seats: which counter a registration occupies, and handing free seats to the
//! people waiting. What this needs from storage is [`Seats`], inside the caller's write
//! transaction; the SQL adapter (`store::seats`) implements it on `WriteTx`.

use super::Event;
use crate::jobs::email::{self, Mail};
use crate::jobs::JobWriter;
use app::domain::{EventStatus, RegistrationStatus};
use std::future::Future;

/// The event counter a registration occupies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    Registered,
    Waitlisted,
    Pending,
    /// A seat held while the address is unconfirmed.
    Held,
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

/// What deciding seats needs from storage.
pub trait Seats: JobWriter {
    /// Reads the event, holding it (a row lock on PostgreSQL) until the transaction ends, so
    /// seat decisions on it happen one at a time.
    fn lock_event(&mut self, event_id: &str) -> impl Future<Output = Result<Event, sqlx::Error>> + Send;
    /// Moves the event's counters for a registration leaving `from` and entering `to`.
    fn shift_counts(
        &mut self,
        event_id: &str,
        from: Option<Counter>,
        to: Option<Counter>,
        now: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// The first person on the event's waitlist: (registration id, email).
    fn first_waitlisted(&mut self, event_id: &str) -> impl Future<Output = Result<Option<(String, String)>, sqlx::Error>> + Send;
    /// Makes the waitlisted registration `id` registered (its calendar entry's sequence raised).
    fn promote(&mut self, id: &str, now: i64) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// Gives free seats to people on the waitlist, first come first served, and tells them (and
/// Teams, for an event linked to a webinar).
pub async fn promote_waitlisted(tx: &mut impl Seats, event_id: &str, now: i64) -> Result<(), sqlx::Error> {
    loop {
        let event = tx.lock_event(event_id).await?;
        if event.status != EventStatus::Published || !event.seats().can_promote() {
            return Ok(());
        }
        let Some((id, email)) = tx.first_waitlisted(event_id).await? else {
            return Ok(());
        };
        tx.promote(&id, now).await?;
        tx.shift_counts(event_id, Some(Counter::Waitlisted), Some(Counter::Registered), now)
            .await?;
        email::enqueue(tx, Mail::Promoted, &id, &email, None).await?;
        crate::jobs::teams::register(tx, event.teams_webinar_id.is_some(), event_id, &id).await?;
    }
}
