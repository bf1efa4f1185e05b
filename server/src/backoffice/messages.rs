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
use sqlx::Row;

pub(super) async fn messages(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &signed.organizer, &slug).await {
        Ok(e) => e,
        Err(e) => return manage_error(&state, e),
    };
    let rows = match sqlx::query(
        "SELECT o.recipient, o.mail, o.created_at, o.sent_at, o.attempts, o.last_error, o.failed_at FROM outbox o \
         JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = $1 ORDER BY o.created_at DESC LIMIT 1000",
    )
    .bind(&event.id)
    .fetch_all(&state.db.pool)
    .await
    {
        Ok(r) => r,
        Err(e) => return server_error(&state, &e),
    };
    let fmt = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default()
    };
    let rows = rows
        .iter()
        .map(|r| {
            let sent: Option<i64> = r.try_get("sent_at").ok().flatten();
            let attempts: i64 = r.try_get("attempts").unwrap_or(0);
            let error: Option<String> = r.try_get("last_error").ok().flatten();
            let failed: Option<i64> = r.try_get("failed_at").ok().flatten();
            app::dashboard::MessageRow {
                recipient: r.try_get("recipient").unwrap_or_default(),
                kind: r.try_get::<Option<String>, _>("mail").ok().flatten().unwrap_or_default(),
                queued: fmt(r.try_get("created_at").unwrap_or(0)),
                state: match (sent, failed, error) {
                    (Some(t), _, _) => format!("sent {}", fmt(t)),
                    (None, Some(_), e) => format!("failed after {attempts} attempts: {}", e.unwrap_or_default()),
                    (None, None, Some(e)) => format!("retrying (attempt {attempts}): {e}"),
                    (None, None, None) => "queued".into(),
                },
            }
        })
        .collect();
    let title = event.title.clone();
    dash(
        &state,
        &signed,
        StatusCode::OK,
        "Emails",
        view! { <app::dashboard::MessagesPage title=title slug=slug rows=rows /> },
    )
}
