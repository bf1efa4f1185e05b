//! An event's parts edited one at a time: questions, presenters and reminders.

use crate::accounts::auth;
use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::public::event_json;
use crate::events::{self as manage, EventInput, PresenterInput, QuestionInput};
use crate::http::json_body::JsonBody;
use crate::http::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An event's questions, in order.
#[derive(Serialize, ToSchema)]
pub(super) struct QuestionList {
    value: Vec<app::domain::Question>,
}

/// An event's presenters, in order.
#[derive(Serialize, ToSchema)]
pub(super) struct PresenterList {
    value: Vec<crate::api::public::PresenterJson>,
}

/// An event's reminders.
#[derive(Serialize, ToSchema)]
pub(super) struct ReminderList {
    value: Vec<crate::events::reminders::Reminder>,
}

/// The event's registration questions.
#[utoipa::path(
    get,
    path = "/events/{slug}/questions",
    operation_id = "getQuestions",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Questions", body = QuestionList),
        crate::api::doc::OrganizerErrors,
        (status = 404, response = crate::api::doc::NotFound),
    )
)]
pub(super) async fn get_questions(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match manage::event(&state.db, &org, &slug).await {
        Ok(e) => Json(questions_of(&state, &e)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Applies a partial update and answers with one part of the updated event.
pub(super) async fn update_part<T: Serialize>(
    state: &AppState,
    org: &auth::Organizer,
    slug: &str,
    input: EventInput,
    part: fn(&AppState, &crate::events::Event) -> T,
) -> Response {
    match manage::update(&state.db, org, slug, &input).await {
        Ok(e) => Json(part(state, &e)).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) fn questions_of(_: &AppState, e: &crate::events::Event) -> QuestionList {
    QuestionList {
        value: e.questions.clone(),
    }
}

pub(super) fn presenters_of(state: &AppState, e: &crate::events::Event) -> PresenterList {
    PresenterList {
        value: event_json(state, e).presenters,
    }
}

/// Replace the ordered list of questions.
#[utoipa::path(
    put,
    path = "/events/{slug}/questions",
    operation_id = "putQuestions",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    request_body = Vec<QuestionInput>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Questions", body = QuestionList),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
pub(super) async fn put_questions(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(questions): JsonBody<Vec<QuestionInput>>,
) -> Response {
    let change = EventInput {
        questions: Some(questions),
        ..Default::default()
    };
    update_part(&state, &org, &slug, change, questions_of).await
}

/// The event's presenters.
#[utoipa::path(
    get,
    path = "/events/{slug}/presenters",
    operation_id = "getPresenters",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Presenters", body = PresenterList),
        crate::api::doc::OrganizerErrors,
        (status = 404, response = crate::api::doc::NotFound),
    )
)]
pub(super) async fn get_presenters(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match manage::event(&state.db, &org, &slug).await {
        Ok(e) => Json(presenters_of(&state, &e)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Replace the ordered list of presenters.
#[utoipa::path(
    put,
    path = "/events/{slug}/presenters",
    operation_id = "putPresenters",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    request_body = Vec<PresenterInput>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Presenters", body = PresenterList),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
pub(super) async fn put_presenters(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(presenters): JsonBody<Vec<PresenterInput>>,
) -> Response {
    let change = EventInput {
        presenters: Some(presenters),
        ..Default::default()
    };
    update_part(&state, &org, &slug, change, presenters_of).await
}

/// A reminder email, sent this many minutes before the start.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ReminderInput {
    offset_minutes: i64,
}

/// The event's reminders, with when each was sent.
#[utoipa::path(
    get,
    path = "/events/{slug}/reminders",
    operation_id = "getReminders",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reminders", body = ReminderList),
        crate::api::doc::OrganizerErrors,
        (status = 404, response = crate::api::doc::NotFound),
    )
)]
pub(super) async fn get_reminders(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    match crate::events::reminders::list(&state.db, &event.id).await {
        Ok(value) => Json(ReminderList { value }).into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// Replace the reminders (minutes before the start, up to 30 days).
#[utoipa::path(
    put,
    path = "/events/{slug}/reminders",
    operation_id = "putReminders",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    request_body = Vec<ReminderInput>,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The reminders", body = ReminderList),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
pub(super) async fn put_reminders(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<Vec<ReminderInput>>,
) -> Response {
    let offsets: Vec<i64> = input.iter().map(|r| r.offset_minutes).collect();
    match crate::events::reminders::set(&state.db, &org, &slug, &offsets).await {
        Ok(value) => Json(ReminderList { value }).into_response(),
        Err(e) => e.into_response(),
    }
}
