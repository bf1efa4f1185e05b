//! An appointment's manage link in the public API: read it, move it, cancel it.

use super::appointments::{appointment_json, refused, AppointmentJson, SlotTaken};
use super::doc::{Internal, Malformed, NotFound, TooLarge, UnsupportedMediaType};
use crate::appointments::{self, BookError};
use crate::http::json_body::JsonBody;
use crate::http::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The manage-link operations, each documented by its `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_appointment))
        .routes(routes!(cancel_appointment))
        .routes(routes!(reschedule_appointment))
}

fn manage_failed(e: BookError) -> Response {
    match e {
        BookError::NotFound => Problem::not_found("Appointment").into_response(),
        BookError::Invalid(errors) => Problem::invalid(errors).into_response(),
        other => Problem::internal(&other).into_response(),
    }
}

/// A new time for an appointment.
#[derive(Deserialize, ToSchema)]
pub struct RescheduleRequest {
    /// RFC 3339 with an offset, one of the slots offered.
    start: String,
}

/// Move an appointment to another time with the same staff member.
#[utoipa::path(post, path = "/appointments/{manageToken}/reschedule", operation_id = "rescheduleAppointment", tag = "appointments",
    params(("manageToken" = String, Path, description = "The private token from the manage link")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, description = "The appointment at its new time", body = AppointmentJson),
        (status = 400, response = Malformed),
        (status = 404, response = NotFound),
        (status = 409, description = "The time is not bookable with this staff member; `slots` holds that day's free times", body = SlotTaken, content_type = "application/problem+json"),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "An unreadable time, or a canceled appointment", body = Problem, content_type = "application/problem+json"),
        (status = 500, response = Internal),
    ))]
async fn reschedule_appointment(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonBody(input): JsonBody<RescheduleRequest>,
) -> Response {
    match appointments::reschedule(&state.db, &state.sealer, &token, &input.start, state.microsoft.is_some()).await {
        Ok(b) => {
            state.after_write();
            Json(appointment_json(&state, &b, false)).into_response()
        }
        Err(BookError::Refused { refusal, fresh }) => {
            let zone = appointments::find(&state.db, &state.sealer, &token)
                .await
                .map(|b| b.customer_time_zone)
                .ok();
            refused(refusal, &fresh, zone.as_deref())
        }
        Err(e) => manage_failed(e),
    }
}

/// The appointment behind a manage link.
#[utoipa::path(get, path = "/appointments/{manageToken}", operation_id = "getAppointment", tag = "appointments",
    params(("manageToken" = String, Path, description = "The private token from the manage link")),
    responses((status = 200, description = "The appointment", body = AppointmentJson), (status = 404, response = NotFound), (status = 500, response = Internal)))]
async fn get_appointment(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match appointments::find(&state.db, &state.sealer, &token).await {
        Ok(b) => ([(header::CACHE_CONTROL, "no-store")], Json(appointment_json(&state, &b, false))).into_response(),
        Err(e) => manage_failed(e),
    }
}

/// Cancel an appointment through its manage link; the time is free again at once.
#[utoipa::path(post, path = "/appointments/{manageToken}/cancel", operation_id = "cancelAppointment", tag = "appointments",
    params(("manageToken" = String, Path, description = "The private token from the manage link")),
    responses((status = 200, description = "The canceled appointment", body = AppointmentJson), (status = 404, response = NotFound), (status = 500, response = Internal)))]
async fn cancel_appointment(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match appointments::cancel(&state.db, &state.sealer, &token, state.microsoft.is_some()).await {
        Ok(b) => {
            state.after_write();
            Json(appointment_json(&state, &b, false)).into_response()
        }
        Err(e) => manage_failed(e),
    }
}
