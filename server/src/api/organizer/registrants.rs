//! An event's people: the registrant list and CSV export, decisions, announcements and attendance.

use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::public::parse_json;
use crate::events::{self as manage, ManageError};
use crate::http::problem::Problem;
use crate::registrations::organizer::Decision;
use crate::AppState;
use app::domain::RegistrationStatus;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
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
        Ok((rows, total)) => {
            Json(serde_json::json!({ "value": rows, "totalCount": total, "page": page, "pageSize": size })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

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
            Json(serde_json::json!({ "id": id, "status": status })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct AnnounceRequest {
    message: String,
    #[serde(default)]
    statuses: Vec<String>,
}

pub(super) async fn announce(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: AnnounceRequest = match parse_json(&headers, &body) {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
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
            (StatusCode::ACCEPTED, Json(serde_json::json!({ "recipients": n }))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `PUT /events/{slug}/attendance` with the Teams attendance report as the body (CSV, UTF-8 or
/// UTF-16): replaces the event's attendance.
pub(super) async fn import_attendance(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    body: Bytes,
) -> Response {
    match crate::attendance::import(&state.db, &org, &slug, &body).await {
        Ok(summary) => Json(summary).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn get_attendance(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    match crate::attendance::by_email(&state.db, &event.id).await {
        Ok(map) => {
            let value: Vec<_> = map
                .into_iter()
                .map(|(email, seconds)| serde_json::json!({ "emailAddress": email, "totalAttendanceInSeconds": seconds }))
                .collect();
            Json(serde_json::json!({ "value": value })).into_response()
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// `POST /events/{slug}/attendance/refresh`: reads attendance from Teams now (Microsoft mode).
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
