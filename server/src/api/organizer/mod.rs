//! The organizer half of the REST API: bearer-token authenticated, scoped to the caller's
//! organization (another organization's event answers 404, exactly like a missing one).

use crate::accounts::auth;
use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::public::{event_json, EventJson};
use crate::events::{self as manage, EventInput, ManageError};
use crate::http::json_body::{JsonBody, JsonBodyOrEmpty};
use crate::http::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod bookings_import;
mod businesses;
mod content;
mod credentials;
mod questions;
mod registrants;
mod staff;

use content::*;
use credentials::*;
use registrants::*;

/// The organizer operations, each documented by its `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(list_events))
        .routes(routes!(create_event))
        .routes(routes!(update_event))
        .routes(routes!(publish))
        .routes(routes!(cancel))
        .routes(routes!(put_questions, get_questions))
        .routes(routes!(put_presenters, get_presenters))
        .routes(routes!(list_registrations))
        .routes(routes!(registrations_csv))
        .routes(routes!(decide))
        .routes(routes!(announce))
        .routes(routes!(put_reminders, get_reminders))
        .routes(routes!(import_attendance, get_attendance))
        .routes(routes!(refresh_attendance))
        .routes(routes!(businesses::list_businesses))
        .routes(routes!(businesses::get_business))
        .routes(routes!(businesses::create_business))
        .routes(routes!(businesses::update_business))
        .routes(routes!(businesses::publish_business))
        .routes(routes!(businesses::unpublish_business))
        .routes(routes!(businesses::list_services))
        .routes(routes!(businesses::create_service))
        .routes(routes!(businesses::update_service, businesses::delete_service))
        .routes(routes!(staff::list_staff, staff::create_staff))
        .routes(routes!(staff::update_staff, staff::delete_staff))
        .routes(routes!(staff::list_time_off, staff::create_time_off))
        .routes(routes!(staff::delete_time_off))
        .routes(routes!(staff::list_appointments))
        .routes(routes!(bookings_import::import_booking_business))
        .routes(routes!(questions::list_questions, questions::create_question))
        .routes(routes!(questions::delete_question))
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

/// The organization's events, in Graph's collection shape.
#[derive(serde::Serialize, ToSchema)]
pub struct OrganizerEventList {
    value: Vec<OrganizerEventJson>,
}

/// The organization's events, drafts and canceled ones included.
#[utoipa::path(
    get,
    path = "/organizer/events",
    operation_id = "listOrganizerEvents",
    tag = "organizer events",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The events", body = OrganizerEventList),
        crate::api::doc::OrganizerErrors,
    )
)]
async fn list_events(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer) -> Response {
    match manage::list(&state.db, &org).await {
        Ok(list) => Json(OrganizerEventList {
            value: list.iter().map(|e| organizer_event_json(&state, e)).collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Create a draft event.
#[utoipa::path(
    post,
    path = "/events",
    operation_id = "createEvent",
    tag = "organizer events",
    request_body = EventInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The draft", body = OrganizerEventJson,
            headers(("Location" = String, description = "The event"))),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 422, response = crate::api::doc::Invalid),
    )
)]
async fn create_event(State(state): State<AppState>, ApiWriter(org): ApiWriter, JsonBody(input): JsonBody<EventInput>) -> Response {
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

/// Change an event: absent fields keep their value, `null` clears an optional one. Linking a Teams webinar (`teamsWebinarId`) checks in Teams that the organization organizes it.
#[utoipa::path(
    patch,
    path = "/events/{slug}",
    operation_id = "updateEvent",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    request_body = EventInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event", body = OrganizerEventJson),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 409, response = crate::api::doc::Conflict),
        (status = 422, response = crate::api::doc::Invalid),
        (status = 502, response = crate::api::doc::MicrosoftFailed),
    )
)]
async fn update_event(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(mut input): JsonBody<EventInput>,
) -> Response {
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

/// Publish a draft: its page opens and registration starts as configured.
#[utoipa::path(
    post,
    path = "/events/{slug}/publish",
    operation_id = "publishEvent",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event", body = OrganizerEventJson),
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
        (status = 409, response = crate::api::doc::Conflict),
    )
)]
async fn publish(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    match manage::publish(&state.db, &org, &slug, state.microsoft.is_some()).await {
        Ok(e) => Json(organizer_event_json(&state, &e)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default, ToSchema)]
struct CancelRequest {
    /// Added to the email every registrant gets.
    #[serde(default)]
    message: Option<String>,
}

/// Cancel an event; every registrant is emailed.
#[utoipa::path(
    post,
    path = "/events/{slug}/cancel",
    operation_id = "cancelEvent",
    tag = "organizer events",
    params(("slug" = String, Path, description = "The event's address")),
    request_body(content = Option<CancelRequest>, description = "Optional"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The canceled event", body = OrganizerEventJson),
        crate::api::doc::JsonBodyErrors,
        crate::api::doc::OrganizerErrors,
        crate::api::doc::ReadOnlyToken,
        (status = 404, response = crate::api::doc::NotFound),
    )
)]
async fn cancel(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBodyOrEmpty(request): JsonBodyOrEmpty<CancelRequest>,
) -> Response {
    match manage::cancel(&state.db, &org, &slug, request.message.as_deref()).await {
        Ok(e) => {
            state.after_write();
            Json(organizer_event_json(&state, &e)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// An event as its organizers see it: the public fields, and where it stands in Teams.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OrganizerEvent)]
pub struct OrganizerEventJson {
    #[serde(flatten)]
    event: EventJson,
    /// Minutes registrants have to confirm their email address; 0 when not asked.
    email_confirmation_minutes: i64,
    teams: Option<TeamsJson>,
}

/// The event's webinar or meeting in Teams (Microsoft mode).
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TeamsLink)]
struct TeamsJson {
    webinar_id: Option<String>,
    meeting_id: Option<String>,
    join_url: Option<String>,
    is_attendee_email_notification_enabled: bool,
    /// "service" (the organization's service account) or "organizer" (an organizer's own).
    owner: String,
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
            owner: if e.teams_owner.is_some() { "organizer" } else { "service" }.into(),
        }),
    }
}
