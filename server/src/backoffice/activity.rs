//! The organization's audit trail.

use super::*;
use crate::accounts::auth::SignedIn;
use crate::portal::server_error;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

/// The organization's audit trail (its own only).
pub(super) async fn activity_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    let entries = match crate::accounts::audit::recent(&state.db, &signed.organizer.organization_id, 500).await {
        Ok(e) => e,
        Err(e) => return server_error(&e),
    };
    let rows = entries
        .into_iter()
        .map(|e| app::dashboard::ActivityRow {
            when: jiff::Timestamp::from_second(e.at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
            who: e.actor,
            what: crate::accounts::audit::describe(&e.action).to_string(),
            target: e.target,
        })
        .collect();
    dash(
        &signed,
        StatusCode::OK,
        "Activity",
        move || view! { <app::dashboard::ActivityPage rows=rows /> },
    )
}
