//! The public API's events: the upcoming list and one event, as attendees see them.

use crate::events::{self, Event};
use crate::http::problem::Problem;
use crate::AppState;
use app::domain::{EventStatus, Question};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The public event operations, each documented by its `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events)).routes(routes!(get_event))
}

pub(super) fn iso(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map(|t| t.to_string()).unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Presenter)]
pub struct PresenterJson {
    pub name: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    pub photo_url: Option<String>,
    /// Links by kind: LinkedIn, Website, X.
    pub links: Vec<LinkJson>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Link)]
pub struct LinkJson {
    /// LinkedIn, Website or X.
    pub kind: String,
    pub url: String,
}

/// An event as attendees see it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Event)]
pub struct EventJson {
    pub id: String,
    /// The event's address: `/events/{slug}`.
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Plain text; blank lines separate paragraphs.
    pub description: String,
    pub kind: app::domain::EventKind,
    pub status: EventStatus,
    /// RFC 3339, UTC.
    pub start_date_time: String,
    pub end_date_time: String,
    /// The IANA time zone the event is shown in.
    pub time_zone: String,
    /// Seats; none means unlimited.
    pub capacity: Option<i64>,
    pub registered_count: i64,
    pub waitlisted_count: i64,
    pub seats_left: Option<i64>,
    pub is_waitlist_enabled: bool,
    pub is_manual_approval_enabled: bool,
    pub registration_opens_date_time: Option<String>,
    pub registration_closes_date_time: Option<String>,
    pub is_registration_open: bool,
    pub terms_url: Option<String>,
    pub questions: Vec<Question>,
    pub presenters: Vec<PresenterJson>,
    pub url: String,
}

pub(crate) fn event_json(state: &AppState, e: &Event) -> EventJson {
    EventJson {
        id: e.id.clone(),
        slug: e.slug.clone(),
        title: e.title.clone(),
        summary: e.summary.clone(),
        description: e.description.clone(),
        kind: e.kind,
        status: e.status,
        start_date_time: iso(e.start_at),
        end_date_time: iso(e.end_at),
        time_zone: e.time_zone.clone(),
        capacity: e.capacity,
        registered_count: e.registered_count,
        waitlisted_count: e.waitlisted_count,
        seats_left: e.seats().seats_left(),
        is_waitlist_enabled: e.waitlist_enabled,
        is_manual_approval_enabled: e.manual_approval,
        registration_opens_date_time: e.registration_opens_at.map(iso),
        registration_closes_date_time: e.registration_closes_at.map(iso),
        is_registration_open: e.window().check(state.db.now()).is_ok(),
        terms_url: e.terms_url.clone(),
        questions: e.questions.clone(),
        presenters: e
            .presenters
            .iter()
            .map(|p| PresenterJson {
                name: p.name.clone(),
                company: p.company.clone(),
                job_title: p.job_title.clone(),
                bio: p.bio.clone(),
                photo_url: p.photo_url.clone(),
                links: p
                    .links
                    .iter()
                    .map(|(kind, url)| LinkJson {
                        kind: kind.clone(),
                        url: url.clone(),
                    })
                    .collect(),
            })
            .collect(),
        url: format!("{}/events/{}", state.config.public_url, e.slug),
    }
}

/// Events, in Graph's collection shape.
#[derive(Serialize, ToSchema)]
pub struct EventList {
    value: Vec<EventJson>,
}

/// Upcoming published events.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "listEvents",
    tag = "events",
    responses(
        (status = 200, description = "The events, soonest first", body = EventList),
        (status = 500, response = super::doc::Internal),
    )
)]
async fn list_events(State(state): State<AppState>) -> Response {
    match events::upcoming(&state.db, state.db.now()).await {
        Ok(list) => Json(EventList {
            value: list.iter().map(|e| event_json(&state, e)).collect(),
        })
        .into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// One published event.
#[utoipa::path(
    get,
    path = "/events/{slug}",
    operation_id = "getEvent",
    tag = "events",
    params(("slug" = String, Path, description = "The event's address")),
    responses(
        (status = 200, description = "The event", body = EventJson),
        (status = 404, response = super::doc::NotFound),
        (status = 500, response = super::doc::Internal),
    )
)]
async fn get_event(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match events::public_by_slug(&state.db, &slug).await {
        Ok(Some(e)) => Json(event_json(&state, &e)).into_response(),
        Ok(None) => Problem::not_found("Event").into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}
