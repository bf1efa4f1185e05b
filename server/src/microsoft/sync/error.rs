//! Why a step of the Teams sync did not go through, by layer: Atrium's database, Microsoft's
//! answer, the organization's delegated sign-in, or a reason Atrium itself refuses the step.

use crate::microsoft::client::GraphError;
use crate::microsoft::delegated::DelegatedError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Atrium's database failed: {0}")]
    Store(#[from] sqlx::Error),
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    SignIn(#[from] DelegatedError),
    #[error("Microsoft sent a resource Atrium could not read: {0}")]
    Decode(#[from] serde_json::Error),
    #[error(transparent)]
    Time(#[from] super::GraphTimeError),
    #[error(transparent)]
    NotAWebinarId(#[from] crate::events::NotAWebinarId),
    #[error(transparent)]
    Event(#[from] crate::events::ManageError),
    #[error(transparent)]
    Cancel(#[from] crate::registrations::CancelError),
    #[error("Microsoft mode is not fully configured")]
    NotConfigured,
    /// A step Atrium will not take, with the reason in words an organizer can act on.
    #[error("{0}")]
    Refused(String),
}

impl From<&str> for SyncError {
    fn from(reason: &str) -> Self {
        SyncError::Refused(reason.to_string())
    }
}

impl From<String> for SyncError {
    fn from(reason: String) -> Self {
        SyncError::Refused(reason)
    }
}
