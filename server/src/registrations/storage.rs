//! What the registration features need from storage, as traits: [`RegistrationStore`] (shared),
//! [`RegistrationWriter`] for deciding new registrations and [`RegistrationChanges`] for
//! canceling and confirming them, each inside one write transaction that also queues the work
//! it causes. The SQL adapter (`store`) implements them on `WriteTx`; unit tests use tables in
//! memory.

use super::decide::Checked;
use super::Registration;
use crate::accounts::audit::AuditLog;
use crate::events::{Event, Seats};
use crate::limits::Counters;
use app::domain::RegistrationStatus;
use std::future::Future;

/// What every change to registrations reads, besides the event's seats.
pub trait RegistrationStore: Seats {
    fn registration(&mut self, id: &str) -> impl Future<Output = Result<Option<Registration>, sqlx::Error>> + Send;
    /// The place in the waitlist of the entry with sequence number `seq`.
    fn waitlist_position(&mut self, event_id: &str, seq: Option<i64>) -> impl Future<Output = Result<Option<i64>, sqlx::Error>> + Send;
}

/// What deciding new registrations needs, besides counting the per-address limit.
pub trait RegistrationWriter: RegistrationStore + Counters {
    /// Writes the event's seat counters as `event` has them.
    fn save_counts(&mut self, event: &Event, now: i64) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// What was answered to `key` on this event: the request's fingerprint, the answer
    /// (a `Summary` as JSON) and when.
    fn remembered_key(
        &mut self,
        event_id: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<(String, String, i64)>, sqlx::Error>> + Send;
    /// Forgets an expired key.
    fn forget_key(&mut self, event_id: &str, key: &str) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Remembers the answer (`body`) to `key`.
    fn remember_key(
        &mut self,
        event_id: &str,
        key: &str,
        body: &str,
        fingerprint: &str,
        now: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// The event's registration with this (normalized) email, with when its details were last
    /// sent again.
    fn by_email(
        &mut self,
        event_id: &str,
        email_normalized: &str,
    ) -> impl Future<Output = Result<Option<(Registration, Option<i64>)>, sqlx::Error>> + Send;
    /// Adds the registration unless its email already has one on the event; true if added.
    fn insert(&mut self, row: &Written<'_>) -> impl Future<Output = Result<bool, sqlx::Error>> + Send;
    /// Makes the registration `row.id` (canceled) active again with `row`'s fields and a new link.
    fn revive(&mut self, row: &Written<'_>) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Notes that the registration's details were sent again at `now`.
    fn mark_resent(&mut self, id: &str, now: i64) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// A registration as written: its fields and standing, with its manage link's hash and sealed copy.
pub struct Written<'a> {
    pub id: &'a str,
    pub event_id: &'a str,
    pub checked: &'a Checked,
    pub status: RegistrationStatus,
    pub waitlist_seq: Option<i64>,
    /// The answers as JSON.
    pub answers: &'a str,
    pub token_hash: &'a str,
    pub token_sealed: &'a str,
    pub now: i64,
    pub confirm_by: Option<i64>,
    pub confirm_as: Option<RegistrationStatus>,
}

/// What canceling, confirming and releasing registrations needs.
pub trait RegistrationChanges: RegistrationStore {
    /// Cancels the registration at `now`: out of the waitlist, no longer awaiting confirmation,
    /// its calendar entry's sequence raised.
    fn mark_canceled(&mut self, id: &str, now: i64) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Gives an unconfirmed registration the status decided on confirmation, with its waitlist
    /// number if it waits.
    fn mark_confirmed(
        &mut self,
        id: &str,
        status: RegistrationStatus,
        seq: Option<i64>,
        now: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Uses up the event's next waitlist number.
    fn take_waitlist_number(&mut self, event_id: &str) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// What an organizer's decision on one registration needs, with the audit trail.
pub trait OrganizerDecisions: RegistrationChanges + AuditLog {
    /// Gives the registration `status` (out of the waitlist; a cancellation dated `now`), its
    /// calendar entry's sequence raised.
    fn set_status(&mut self, id: &str, status: RegistrationStatus, now: i64) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}
