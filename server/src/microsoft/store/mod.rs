//! The Microsoft integration's SQL: delegated accounts, Graph subscriptions and notifications, and the Teams sync's records.

pub mod accounts;
pub mod backlog;
pub mod events;
pub mod notifications;
pub mod registrations;
pub mod subscriptions;
