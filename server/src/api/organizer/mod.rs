//! The organizer half of the REST API: bearer-token authenticated, scoped to the caller's
//! organization (another organization's event answers 404, exactly like a missing one).

use crate::accounts::auth;
use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::public::{event_json, parse_json, EventJson};
use crate::events::{self as manage, EventInput, ManageError};
use crate::http::problem::Problem;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

mod content;
mod credentials;
mod registrants;

use content::*;
use credentials::create_token;
use registrants::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", post(create_token))
        .route("/organizer/events", get(list_events))
        .route("/events", post(create_event))
        .route("/events/{slug}", axum::routing::patch(update_event))
        .route("/events/{slug}/publish", post(publish))
        .route("/events/{slug}/cancel", post(cancel))
        .route("/events/{slug}/questions", put(put_questions).get(get_questions))
        .route("/events/{slug}/presenters", put(put_presenters).get(get_presenters))
        .route("/events/{slug}/registrations", get(list_registrations))
        .route("/events/{slug}/registrations.csv", get(registrations_csv))
        .route("/events/{slug}/registrations/{id}/{action}", post(decide))
        .route("/events/{slug}/announcements", post(announce))
        .route("/events/{slug}/reminders", put(put_reminders).get(get_reminders))
        .route("/events/{slug}/attendance", put(import_attendance).get(get_attendance))
        .route("/events/{slug}/attendance/refresh", post(refresh_attendance))
}

impl IntoResponse for ManageError {
    fn into_response(self) -> Response {
        match self {
            ManageError::NotFound => Problem::not_found("Resource").into_response(),
            ManageError::Invalid(errors) => Problem::invalid(errors).into_response(),
            ManageError::Conflict(message) => Problem::new(StatusCode::CONFLICT, "conflict", "Not possible now")
                .detail(message)
                .into_response(),
            ManageError::Db(e) => Problem::internal(&e).into_response(),
        }
    }
}

async fn list_events(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer) -> Response {
    match manage::list(&state.db, &org).await {
        Ok(list) => {
            Json(serde_json::json!({ "value": list.iter().map(|e| organizer_event_json(&state, e)).collect::<Vec<_>>() })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn create_event(State(state): State<AppState>, ApiWriter(org): ApiWriter, headers: HeaderMap, body: Bytes) -> Response {
    let input: EventInput = match parse_json(&headers, &body) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    match manage::create(&state.db, &org, &input).await {
        Ok(e) => (
            StatusCode::CREATED,
            [(header::LOCATION, format!("/api/v1/events/{}", e.slug))],
            Json(organizer_event_json(&state, &e)),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn update_event(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut input: EventInput = match parse_json(&headers, &body) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    if let Some(Some(link)) = &input.teams_webinar_id {
        match check_webinar_link(&state, &org, &slug, link.trim()).await {
            Ok(account) => input.teams_webinar_checked_with = account,
            Err(r) => return r,
        }
    }
    match manage::update(&state.db, &org, &slug, &input).await {
        Ok(e) => {
            state.after_write();
            Json(organizer_event_json(&state, &e)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// Before an event is linked to the Teams webinar `id`: its form, that no other event holds it,
/// and, in Teams, that the organization's connected Microsoft 365 account organizes or
/// co-organizes it. Returns that account (None when the event already holds this webinar).
async fn check_webinar_link(
    state: &AppState,
    org: &auth::Organizer,
    slug: &str,
    id: &str,
) -> Result<Option<crate::microsoft::delegated::Account>, Response> {
    use crate::microsoft::sync::LinkRefusal;
    let event = manage::event(&state.db, org, slug).await.map_err(IntoResponse::into_response)?;
    if id.is_empty() || event.teams_webinar_id.as_deref() == Some(id) {
        return Ok(None);
    }
    manage::check_webinar_link(&state.db, &event, id)
        .await
        .map_err(IntoResponse::into_response)?;
    let refused =
        |status: StatusCode, kind: &str, title: &str, detail: String| Problem::new(status, kind, title).detail(detail).into_response();
    let Some(teams) = &state.teams else {
        return Err(refused(
            StatusCode::CONFLICT,
            "microsoft-not-connected",
            "Connect Microsoft 365 first",
            "Linking a Teams webinar needs Microsoft mode and a connected Microsoft 365 account, to check that your organization organizes the webinar. Configure Microsoft mode, then connect an account on the dashboard's Microsoft 365 page.".into(),
        ));
    };
    match teams.webinar_account(org, id).await {
        Ok(account) => Ok(Some(account)),
        Err(LinkRefusal::Invalid(m)) => Err(Problem::invalid(vec![app::domain::FieldError::new("teamsWebinarId", m)]).into_response()),
        Err(LinkRefusal::NotConnected) => Err(refused(
            StatusCode::CONFLICT,
            "microsoft-not-connected",
            "Connect Microsoft 365 first",
            "No Microsoft 365 account is connected to check that your organization organizes this webinar: connect your organization's service account (or your own) on the dashboard's Microsoft 365 page, then link the webinar again.".into(),
        )),
        Err(LinkRefusal::NotOrganizer(m)) => Err(Problem::invalid(vec![app::domain::FieldError::new("teamsWebinarId", m)]).into_response()),
        Err(LinkRefusal::Unavailable(m)) => Err(refused(
            StatusCode::BAD_GATEWAY,
            "microsoft",
            "Teams did not answer as expected",
            format!("Could not check the webinar in Teams: {m}"),
        )),
    }
}

async fn publish(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    match manage::publish(&state.db, &org, &slug, state.microsoft.is_some()).await {
        Ok(e) => Json(organizer_event_json(&state, &e)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default)]
struct CancelRequest {
    #[serde(default)]
    message: Option<String>,
}

async fn cancel(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: CancelRequest = if body.is_empty() {
        CancelRequest::default()
    } else {
        match parse_json(&headers, &body) {
            Ok(r) => r,
            Err(p) => return p.into_response(),
        }
    };
    match manage::cancel(&state.db, &org, &slug, request.message.as_deref()).await {
        Ok(e) => {
            state.after_write();
            Json(organizer_event_json(&state, &e)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// An event as its organizers see it: the public fields, and where it stands in Teams.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizerEventJson {
    #[serde(flatten)]
    event: EventJson,
    /// Minutes registrants have to confirm their email address; 0 when not asked.
    email_confirmation_minutes: i64,
    teams: Option<TeamsJson>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TeamsJson {
    webinar_id: Option<String>,
    meeting_id: Option<String>,
    join_url: Option<String>,
    is_attendee_email_notification_enabled: bool,
    /// "service" (the organization's service account) or "organizer" (an organizer's own).
    owner: &'static str,
}

fn organizer_event_json(state: &AppState, e: &crate::events::Event) -> OrganizerEventJson {
    OrganizerEventJson {
        event: event_json(state, e),
        email_confirmation_minutes: e.confirm_hold_minutes,
        teams: e.in_teams().then(|| TeamsJson {
            webinar_id: e.teams_webinar_id.clone(),
            meeting_id: e.teams_meeting_id.clone(),
            join_url: e.teams_join_url.clone(),
            is_attendee_email_notification_enabled: e.teams_emails,
            owner: if e.teams_owner.is_some() { "organizer" } else { "service" },
        }),
    }
}
