//! What booking or moving an appointment needs from storage inside its write transaction, which also
//! counts the per-address limit and queues the emails: implemented on `WriteTx` by the SQL
//! adapter (`store`), and by tables in memory in the booking's unit tests.

use super::store::NewAppointment;
use crate::jobs::JobWriter;
use crate::limits::Counters;
use app::booking::{Booked, Span};
use std::future::Future;

pub trait AppointmentWriter: JobWriter + Counters {
    /// Holds the staff members until the transaction ends, so that their calendars read next
    /// stay as read until the appointment is written.
    fn lock_staff(&mut self, ids: &[String]) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// The appointments (not canceled) that occupy any of `staff` during `[from, to)`, by staff id.
    fn occupied(&mut self, staff: &[String], from: i64, to: i64)
        -> impl Future<Output = Result<Vec<(String, Booked)>, sqlx::Error>> + Send;
    /// The time off and outside busy times of any of `staff` touching `[from, to)`, by staff id.
    fn time_off(&mut self, staff: &[String], from: i64, to: i64) -> impl Future<Output = Result<Vec<(String, Span)>, sqlx::Error>> + Send;
    /// Writes the appointment with the staff it occupies. A unique violation means its
    /// idempotency key was taken meanwhile.
    fn insert_appointment(&mut self, a: &NewAppointment<'_>) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
    /// Moves the appointment `id` from `was` to `start` (with the service's duration and
    /// buffers) if it is still booked at `was`; false when it was canceled or moved meanwhile.
    fn move_if_booked_at(
        &mut self,
        id: &str,
        was: i64,
        start: i64,
        lengths: (i64, i64, i64),
    ) -> impl Future<Output = Result<bool, sqlx::Error>> + Send;
    /// The email address of the appointment's customer.
    fn customer_email(&mut self, id: &str) -> impl Future<Output = Result<Option<String>, sqlx::Error>> + Send;
}
