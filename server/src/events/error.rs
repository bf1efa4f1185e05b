//! What can go wrong when an organizer manages events.

use app::domain::FieldError;

impl From<crate::accounts::team::InviteError> for ManageError {
    fn from(e: crate::accounts::team::InviteError) -> Self {
        match e {
            crate::accounts::team::InviteError::Invalid(errors) => ManageError::Invalid(errors),
            crate::accounts::team::InviteError::Db(e) => ManageError::Db(e),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("not found")]
    NotFound,
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
