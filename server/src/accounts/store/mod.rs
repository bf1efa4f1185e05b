//! The accounts' SQL: organizers, sessions, API tokens, invitations and the audit trail.

pub mod audit;
pub mod invitations;
pub mod organizers;
pub mod sessions;
pub mod tokens;
