//! An event's people: the registrant list and CSV export, decisions, announcements and attendance.

use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::events::{self as manage, ManageError};
use crate::http::json_body::{BodyBytes, JsonBody};
use crate::http::problem::Problem;
use crate::registrations::organizer::Decision;
use crate::AppState;
use app::domain::RegistrationStatus;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only registrations with this status.
    #[param(value_type = Option<RegistrationStatus>)]
    status: Option<String>,
    /// Search in names and email addresses (three characters or more).
    q: Option<String>,
    /// From 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    page: Option<String>,
    /// From 1 to 500; 50 by default.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    page_size: Option<String>,
}

/// A page of registrants, newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct RegistrantPage {
    value: Vec<crate::registrations::organizer::RegistrantRow>,
    total_count: i64,
    page: i64,
    page_size: i64,
}

/// A registration's status after a decision.
#[derive(Serialize, ToSchema)]
pub(super) struct Decided {
    id: String,
    status: RegistrationStatus,
}

/// How many people an announcement goes to.
#[derive(Serialize, ToSchema)]
pub(super) struct Announced {
    recipients: usize,
}

/// Time in the event per attendee.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct AttendanceEntry {
    email_address: String,
    total_attendance_in_seconds: i64,
}

/// The event's attendance.
#[derive(Serialize, ToSchema)]
pub(super) struct AttendanceList {
    value: Vec<AttendanceEntry>,
}

/// A whole number in `range` from a query parameter, or a problem naming it.
pub(super) fn number_param(value: Option<&str>, name: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, Problem> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            Problem::invalid(vec![app::domain::FieldError::new(
                name,
                format!("Give a whole number from {} to {}.", range.start(), range.end()),
            )])
        }),
    }
}

/// The event's registrants with their answers, newest first.
#[utoipa::path(
    get,
    path = "/events/{slug}/registrations",
    operation_id = "listRegistrations",
    tag = "organizer registrations",
    params(("slug" = String, Path, description = "The event's address"), ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Registrants with answers", body = RegistrantPage),
        crate::api::doc::OrganizerErrors,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
pub(super) async fn list_registrations(
    State(state): State<AppState>,
    ApiOrganizer(org): ApiOrganizer,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match RegistrationStatus::parse(s) {
            Some(s) => Some(s),
            None => return Problem::invalid(vec![app::domain::FieldError::new("status", "Unknown registration status.")]).into_response(),
        },
    };
    let (page, size) = match (
        number_param(query.page.as_deref(), "page", 1, 1..=crate::registrations::organizer::MAX_PAGE),
        number_param(query.page_size.as_deref(), "pageSize", 50, 1..=500),
    ) {
        (Ok(p), Ok(s)) => (p, s),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    match crate::registrations::organizer::registrants(&state.db, &org, &slug, status, query.q.as_deref(), (size, (page - 1) * size)).await
    {
        Ok((rows, total)) => Json(RegistrantPage {
            value: rows,
            total_count: total,
            page,
            page_size: size,
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Every registrant as CSV, in the order they registered: one column per question, every cell quoted and made inert for spreadsheets.
#[utoipa::path(
    get,
    path = "/events/{slug}/registrations.csv",
    operation_id = "exportRegistrations",
    tag = "organizer registrations",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV, one column per question", body = String, content_type = "text/csv"),
        crate::api::doc::OrganizerErrors,
        (status = 404, response = crate::api::doc::NotFound),
    )
)]
pub(super) async fn registrations_csv(
    State(state): State<AppState>,
    ApiOrganizer(org): ApiOrganizer,
    Path(slug): Path<String>,
) -> Response {
    match crate::registrations::organizer::registrants_csv(&state.db, &org, &slug).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{slug}-registrations.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            axum::body::Body::from_stream(csv),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Approve, reject, promote (from the waitlist) or cancel a registration; the registrant is emailed.
#[utoipa::path(
    post,
    path = "/events/{slug}/registrations/{id}/{action}",
    operation_id = "decideRegistration",
    tag = "organizer registrations",
    params(
        ("slug" = String, Path, description = "The event's address"),
        ("id" = String, Path, description = "The registration"),
        ("action" = String, Path, description = "approve, reject, promote or cancel"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new status", body = Decided),
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 409, response = crate::api::doc::Conflict),
    )
)]
pub(super) async fn decide(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Response {
    let Some(decision) = Decision::parse(&action) else {
        return Problem::not_found("Action").into_response();
    };
    match crate::registrations::organizer::decide(&state.db, &org, &slug, &id, decision).await {
        Ok(status) => {
            state.after_write();
            Json(Decided { id, status }).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, ToSchema)]
pub(super) struct AnnounceRequest {
    message: String,
    /// Registration statuses to write to; `registered` when empty.
    #[serde(default)]
    statuses: Vec<String>,
}

/// Email a message to the event's registrants.
#[utoipa::path(
    post,
    path = "/events/{slug}/announcements",
    operation_id = "announce",
    tag = "organizer registrations",
    params(("slug" = String, Path, description = "The event's address")),
    request_body = AnnounceRequest,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued", body = Announced),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
pub(super) async fn announce(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(request): JsonBody<AnnounceRequest>,
) -> Response {
    let statuses: Vec<RegistrationStatus> = if request.statuses.is_empty() {
        vec![RegistrationStatus::Registered]
    } else {
        match request
            .statuses
            .iter()
            .map(|s| RegistrationStatus::parse(s))
            .collect::<Option<Vec<_>>>()
        {
            Some(s) => s,
            None => {
                return Problem::invalid(vec![app::domain::FieldError::new("statuses", "Unknown registration status.")]).into_response()
            }
        }
    };
    match manage::announce(&state.db, &org, &slug, &statuses, &request.message).await {
        Ok(n) => {
            state.after_write();
            (StatusCode::ACCEPTED, Json(Announced { recipients: n })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `PUT /events/{slug}/attendance` with the Teams attendance report as the body (CSV, UTF-8 or
/// UTF-16): replaces the event's attendance.
/// Replace the attendance from a Teams attendance report (CSV, UTF-8 or UTF-16).
#[utoipa::path(
    put,
    path = "/events/{slug}/attendance",
    operation_id = "importAttendance",
    tag = "organizer attendance",
    params(("slug" = String, Path, description = "The event's address")),
    request_body(content = String, content_type = "text/csv", description = "The report as Teams downloads it"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the import matched", body = crate::attendance::ImportSummary),
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 413, response = crate::api::doc::TooLarge),
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
pub(super) async fn import_attendance(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    BodyBytes(body): BodyBytes,
) -> Response {
    match crate::attendance::import(&state.db, &org, &slug, &body).await {
        Ok(summary) => Json(summary).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Time in the event per attendee.
#[utoipa::path(
    get,
    path = "/events/{slug}/attendance",
    operation_id = "getAttendance",
    tag = "organizer attendance",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Attendance", body = AttendanceList),
        crate::api::doc::OrganizerErrors,
        (status = 404, response = crate::api::doc::NotFound),
    )
)]
pub(super) async fn get_attendance(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    match crate::attendance::by_email(&state.db, &event.id).await {
        Ok(map) => {
            let value = map
                .into_iter()
                .map(|(email_address, total_attendance_in_seconds)| AttendanceEntry {
                    email_address,
                    total_attendance_in_seconds,
                })
                .collect();
            Json(AttendanceList { value }).into_response()
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// Read the attendance from Teams now (Microsoft mode).
#[utoipa::path(
    post,
    path = "/events/{slug}/attendance/refresh",
    operation_id = "refreshAttendance",
    tag = "organizer attendance",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the import matched", body = crate::attendance::ImportSummary),
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 409, response = crate::api::doc::Conflict),
        (status = 502, response = crate::api::doc::MicrosoftFailed),
    )
)]
pub(super) async fn refresh_attendance(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    let Some(teams) = &state.teams else {
        return ManageError::Conflict("Microsoft mode is off: import the attendance report instead.".into()).into_response();
    };
    match teams.read_attendance(&event).await {
        Ok(summary) => Json(summary).into_response(),
        Err(message) => Problem::new(StatusCode::BAD_GATEWAY, "microsoft", "Teams did not answer as expected")
            .detail(message.to_string())
            .into_response(),
    }
}
