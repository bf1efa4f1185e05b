//! Microsoft Graph and the identity platform, spoken directly over HTTP (no SDK).

pub mod check;
pub mod client;
pub mod delegated;
pub mod models;
pub mod subscriptions;
