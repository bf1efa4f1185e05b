//! Virtual appointments' rules, in pure Rust: when a business, a service and each staff member
//! can be booked, and which free times (slots) a customer is offered. No I/O: the server hands
//! in what it read (hours, appointments, time off, busy times, the clock) and gets slots back,
//! the same rules on every write as in the picker. The shapes follow Microsoft Graph's Bookings
//! resources (`bookingWorkHours`, `bookingSchedulingPolicy`), so Microsoft mode maps onto them.

mod assign;
mod hours;
mod model;
#[cfg(test)]
mod properties;
mod slots;
#[cfg(test)]
mod tests;

pub use assign::pick_staff;
pub use hours::working_windows;
pub use model::*;
pub use slots::{check_slot, slots, Slot, SlotQuery, SlotRefusal};
