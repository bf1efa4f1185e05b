//! The booking pages customers use: choose a service, a staff member (or anyone), a day and a
//! time in their own zone, give their details, and manage the appointment afterwards. Plain
//! links and forms, so every step works without JavaScript.

mod manage;
mod picker;

pub use manage::{AppointmentPage, AppointmentView};
pub use picker::{BookingForm, BookingPage, BookingView, Choice, PickerSpec, QuestionView};
