//! Organizers and how they prove who they are: passwords, sessions, API tokens, the team and
//! its invitations, and each organization's audit trail.

pub mod audit;
pub mod auth;
pub mod microsoft;
pub mod passwords;
mod sessions;
mod signin;
pub mod store;
pub mod team;
pub mod tokens;

pub use microsoft::MicrosoftAccount;
