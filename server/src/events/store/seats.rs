//! The seats' SQL adapter: locking the event for a decision, moving a registration between
//! counters, and the waitlist's first entry ([`Seats`] on `WriteTx`).

use super::super::seats::{Counter, Seats};
use super::super::Event;
use super::{event_from_row, EVENT_COLUMNS};
use crate::store::WriteTx;

/// The column of the event that keeps `counter`.
fn column(counter: Counter) -> &'static str {
    match counter {
        Counter::Registered => "registered_count",
        Counter::Waitlisted => "waitlisted_count",
        Counter::Pending => "pending_count",
        Counter::Held => "held_count",
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
    if let Some(c) = from.map(column) {
        sets.push(format!("{c} = {c} - 1"));
    }
    if let Some(c) = to.map(column) {
        sets.push(format!("{c} = {c} + 1"));
    }
    sqlx::query(&format!("UPDATE events SET {} WHERE id = $1", sets.join(", ")))
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

impl Seats for WriteTx {
    async fn lock_event(&mut self, event_id: &str) -> Result<Event, sqlx::Error> {
        lock(self, event_id).await
    }

    async fn shift_counts(&mut self, event_id: &str, from: Option<Counter>, to: Option<Counter>, now: i64) -> Result<(), sqlx::Error> {
        shift_counts(self, event_id, from, to, now).await
    }

    async fn first_waitlisted(&mut self, event_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        sqlx::query_as("SELECT id, email FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY waitlist_seq LIMIT 1")
            .bind(event_id)
            .fetch_optional(&mut *self.tx)
            .await
    }

    async fn promote(&mut self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE registrations SET ics_sequence = ics_sequence + 1, status = 'registered', waitlist_seq = NULL, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
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
