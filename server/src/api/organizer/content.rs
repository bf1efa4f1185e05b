//! An event's parts edited one at a time: questions, presenters and reminders.

use crate::accounts::auth;
use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::public::{event_json, parse_json};
use crate::events::{self as manage, EventInput, PresenterInput, QuestionInput};
use crate::http::problem::Problem;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

pub(super) async fn get_questions(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match manage::event(&state.db, &org, &slug).await {
        Ok(e) => Json(serde_json::json!({ "value": questions_of(&state, &e) })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Applies a partial update and answers with one part of the updated event.
pub(super) async fn update_part(
    state: &AppState,
    org: &auth::Organizer,
    slug: &str,
    input: EventInput,
    part: fn(&AppState, &crate::events::Event) -> serde_json::Value,
) -> Response {
    match manage::update(&state.db, org, slug, &input).await {
        Ok(e) => Json(serde_json::json!({ "value": part(state, &e) })).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) fn questions_of(_: &AppState, e: &crate::events::Event) -> serde_json::Value {
    serde_json::to_value(&e.questions).unwrap_or_default()
}

pub(super) fn presenters_of(state: &AppState, e: &crate::events::Event) -> serde_json::Value {
    serde_json::to_value(event_json(state, e).presenters).unwrap_or_default()
}

pub(super) async fn put_questions(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match parse_json::<Vec<QuestionInput>>(&headers, &body) {
        Ok(q) => {
            update_part(
                &state,
                &org,
                &slug,
                EventInput {
                    questions: Some(q),
                    ..Default::default()
                },
                questions_of,
            )
            .await
        }
        Err(p) => p.into_response(),
    }
}

pub(super) async fn get_presenters(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match manage::event(&state.db, &org, &slug).await {
        Ok(e) => Json(serde_json::json!({ "value": presenters_of(&state, &e) })).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn put_presenters(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match parse_json::<Vec<PresenterInput>>(&headers, &body) {
        Ok(p) => {
            update_part(
                &state,
                &org,
                &slug,
                EventInput {
                    presenters: Some(p),
                    ..Default::default()
                },
                presenters_of,
            )
            .await
        }
        Err(p) => p.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ReminderInput {
    offset_minutes: i64,
}

pub(super) async fn get_reminders(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    match crate::events::reminders::list(&state.db, &event.id).await {
        Ok(list) => Json(serde_json::json!({ "value": list })).into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

pub(super) async fn put_reminders(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: Vec<ReminderInput> = match parse_json(&headers, &body) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    let offsets: Vec<i64> = input.iter().map(|r| r.offset_minutes).collect();
    match crate::events::reminders::set(&state.db, &org, &slug, &offsets).await {
        Ok(list) => Json(serde_json::json!({ "value": list })).into_response(),
        Err(e) => e.into_response(),
    }
}
