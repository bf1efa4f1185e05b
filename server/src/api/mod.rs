//! The versioned REST API (`/api/v1`): the public half for attendees and integrations, and the
//! organizer half behind API tokens.

pub mod organizer;
pub mod public;

use crate::AppState;
use axum::Router;

/// Both halves, to be nested under `/api/v1`.
pub fn routes() -> Router<AppState> {
    public::routes().merge(organizer::routes())
}
