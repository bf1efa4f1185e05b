//! What Atrium tells people: the emails it composes and the calendar invites they carry.

pub mod ics;
pub mod mail;
