//! What Atrium tells people: the emails it composes, the calendar invites they carry, and the
//! worker that delivers them through a [`mailer::Mailer`].

pub mod appointment_mail;
pub mod ics;
pub mod mail;
pub mod mailer;
pub mod worker;
