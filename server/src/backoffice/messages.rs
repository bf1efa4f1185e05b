//! The email log of an event: every message, when it was queued and how its delivery went.

use super::*;
use crate::accounts::auth::SignedIn;
use crate::events::{self as manage};
use crate::portal::server_error;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use leptos::prelude::*;

pub(super) async fn messages(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(e),
    };
    let rows = match crate::jobs::message_log(&state.db, &event.id).await {
        Ok(r) => r,
        Err(e) => return server_error(&e),
    };
    let fmt = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default()
    };
    let rows = rows
        .into_iter()
        .map(|r| app::dashboard::MessageRow {
            recipient: r.recipient,
            kind: r.mail.unwrap_or_default(),
            queued: fmt(r.created_at),
            state: match (r.sent_at, r.failed_at, r.last_error) {
                (Some(t), _, _) => format!("sent {}", fmt(t)),
                (None, Some(_), e) => format!("failed after {} attempts: {}", r.attempts, e.unwrap_or_default()),
                (None, None, Some(e)) => format!("retrying (attempt {}): {e}", r.attempts),
                (None, None, None) => "queued".into(),
            },
        })
        .collect();
    let title = event.title.clone();
    dash(
        &signed,
        StatusCode::OK,
        "Emails",
        move || view! { <app::dashboard::MessagesPage title=title slug=slug rows=rows /> },
    )
}
