//! What booking an appointment needs from storage inside its write transaction, which also
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
}
