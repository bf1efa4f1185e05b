//! The public pages: the list of events and an event's page with its registration form, in the visitor's time zone.

use super::{html, problem_page, server_error};
use crate::events::{self, Event};
use crate::AppState;
use app::domain::{EventStatus, FieldError};
use app::pages::{EventDetail, HomePage};
use app::views::{EventCard, EventPage, FormSpec, FormValues, PresenterView, Times};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use leptos::prelude::*;
use serde::Deserialize;

/// The zone to show times in: `?tz=`, else the visitor's saved choice, else the event's own.
/// The second value says whether the visitor chose it.
pub(super) fn display_zone(query: Option<&str>, headers: &HeaderMap, fallback: &str) -> (String, bool) {
    if let Some(z) = query.filter(|z| app::tz::parse_zone(z).is_ok()) {
        return (z.to_string(), true);
    }
    // Older pages wrote the zone's slash as %2F.
    let cookie = crate::http::cookies::read(headers, "atrium_tz").map(|v| v.replace("%2F", "/"));
    match cookie.filter(|z| app::tz::parse_zone(z).is_ok()) {
        Some(z) => (z, true),
        None => (fallback.to_string(), false),
    }
}

pub(super) fn times(event: &Event, zone: &str, chosen: bool) -> Times {
    let tz = app::tz::parse_zone(zone)
        .or_else(|_| app::tz::parse_zone(&event.time_zone))
        .unwrap_or(jiff::tz::TimeZone::UTC);
    Times {
        start_unix: event.start_at,
        end_unix: event.end_at,
        zone: zone.to_string(),
        text: app::tz::format_range(event.start_at, event.end_at, &tz),
        chosen,
    }
}

#[derive(Deserialize)]
pub(super) struct ZoneQuery {
    tz: Option<String>,
}

pub(super) async fn home(State(state): State<AppState>, Query(q): Query<ZoneQuery>, headers: HeaderMap) -> Response {
    let now = state.db.now();
    let list = match events::upcoming(&state.db, now).await {
        Ok(list) => list,
        Err(e) => return server_error(&e),
    };
    let cards: Vec<EventCard> = list
        .iter()
        .map(|e| {
            let (zone, chosen) = display_zone(q.tz.as_deref(), &headers, &e.time_zone);
            EventCard {
                slug: e.slug.clone(),
                title: e.title.clone(),
                summary: e.summary.clone(),
                kind: e.kind,
                times: times(e, &zone, chosen),
                availability: e.availability(),
            }
        })
        .collect();
    html(StatusCode::OK, "", true, false, move || view! { <HomePage events=cards /> })
}

pub(super) fn submit_label(event: &Event) -> String {
    match event.seats().admit() {
        app::domain::Admission::Waitlisted => "Join the waitlist".into(),
        app::domain::Admission::PendingApproval => "Request to attend".into(),
        _ => "Register".into(),
    }
}

pub(crate) fn event_view(
    event: &Event,
    zone: (String, bool),
    values: FormValues,
    errors: Vec<FieldError>,
    notice: Option<String>,
    now: i64,
) -> EventPage {
    let closed_reason = match event.window().check(now) {
        Err(refusal) => Some(refusal.message()),
        Ok(()) if event.seats().admit() == app::domain::Admission::Full => Some("This event is full.".into()),
        Ok(()) => None,
    };
    EventPage {
        slug: event.slug.clone(),
        title: event.title.clone(),
        description: event.description.clone(),
        kind: event.kind,
        canceled: event.status == EventStatus::Canceled,
        times: times(event, &zone.0, zone.1),
        availability: event.availability(),
        closed_reason,
        form: FormSpec {
            slug: event.slug.clone(),
            questions: event.questions.clone(),
            terms_url: event.terms_url.clone(),
            preferred_timezone: zone.0.clone(),
            submit_label: submit_label(event),
            values,
            errors,
            notice,
        },
        presenters: event
            .presenters
            .iter()
            .map(|p| PresenterView {
                name: p.name.clone(),
                title_line: [p.job_title.as_str(), p.company.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                bio: p.bio.clone(),
                photo_url: p.photo_url.clone(),
                links: p.links.clone(),
            })
            .collect(),
        zones: app::tz::zone_names().to_vec(),
    }
}

pub(super) fn render_event(status: StatusCode, page: EventPage, set_zone_cookie: Option<&str>) -> Response {
    let title = page.title.clone();
    let mut response = html(status, &title, true, false, move || view! { <EventDetail page=page /> });
    if let Some(zone) = set_zone_cookie {
        let cookie = crate::http::cookies::preference("atrium_tz", zone);
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

pub(super) fn event_not_found() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Event not found",
        "This event doesn't exist or isn't published yet.",
    )
}

/// A published or canceled event with everything its page shows, or the page to send instead.
pub(super) async fn public_event(state: &AppState, slug: &str) -> Result<Event, Response> {
    match events::public_by_slug(&state.db, slug).await {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(event_not_found()),
        Err(e) => Err(server_error(&e)),
    }
}

pub(super) async fn event_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<ZoneQuery>,
    headers: HeaderMap,
) -> Response {
    let event = match public_event(&state, &slug).await {
        Ok(e) => e,
        Err(page) => return page,
    };
    let zone = display_zone(q.tz.as_deref(), &headers, &event.time_zone);
    let chosen_now = q.tz.as_deref().filter(|z| app::tz::parse_zone(z).is_ok()).map(str::to_string);
    let page = event_view(&event, zone, FormValues::default(), Vec::new(), None, state.db.now());
    render_event(StatusCode::OK, page, chosen_now.as_deref())
}
