//! A business's custom questions through the API (Graph's `bookingCustomQuestion`).

use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::doc::{Conflict, Invalid, JsonBodyErrors, NotFound, OrganizerErrors, ReadOnlyToken};
use crate::appointments::model::Question;
use crate::appointments::setup::{self, QuestionInput};
use crate::http::json_body::JsonBody;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A question (`bookingCustomQuestion`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionJson {
    id: String,
    display_name: String,
    answer_input_type: String,
    answer_options: Vec<String>,
}

fn question_json(q: &Question) -> QuestionJson {
    QuestionJson {
        id: q.id.clone(),
        display_name: q.display_name.clone(),
        answer_input_type: q.answer_input_type.clone(),
        answer_options: q.answer_options.clone(),
    }
}

/// The business's questions.
#[derive(Serialize, ToSchema)]
pub struct QuestionList {
    value: Vec<QuestionJson>,
}

/// The business's custom questions.
#[utoipa::path(get, path = "/businesses/{slug}/customQuestions", operation_id = "listCustomQuestions", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    security(("bearer" = [])),
    responses((status = 200, description = "The questions", body = QuestionList), OrganizerErrors, (status = 404, response = NotFound)))]
pub(super) async fn list_questions(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match setup::questions(&state.db, &org, &slug).await {
        Ok(list) => Json(QuestionList {
            value: list.iter().map(question_json).collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Add a question services can ask: a `text` answer, or one of a `radioButton` question's
/// `answerOptions`. A service asks it once listed in its `customQuestions`.
#[utoipa::path(post, path = "/businesses/{slug}/customQuestions", operation_id = "createCustomQuestion", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    request_body = QuestionInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The question", body = QuestionJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn create_question(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<QuestionInput>,
) -> Response {
    match setup::create_question(&state.db, &org, &slug, &input).await {
        Ok(q) => (StatusCode::CREATED, Json(question_json(&q))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Remove a question no service asks (409 otherwise).
#[utoipa::path(delete, path = "/businesses/{slug}/customQuestions/{id}", operation_id = "deleteCustomQuestion", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The question")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
pub(super) async fn delete_question(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    match setup::remove_question(&state.db, &org, &slug, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
