//! The registrant's private page behind their manage link: see, cancel, confirm the address, download the invite.

use super::event::{display_zone, times};
use super::{html, problem_page, server_error};
use crate::events::Event;
use crate::registrations::{self, Confirmed, Lookup};
use crate::AppState;
use app::domain::{EventStatus, RegistrationStatus};
use app::pages::ManageDetail;
use app::views::ManagePage;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct ManageQuery {
    new: Option<String>,
    canceled: Option<String>,
    tz: Option<String>,
}

/// The registration and event behind a manage link, or the page to show instead.
pub(super) async fn load_manage(state: &AppState, token: &str) -> Result<(registrations::Registration, Event), Response> {
    match registrations::find(&state.db, token, state.config.manage_link_days, state.db.now()).await {
        Ok(Lookup::Found(found)) => Ok(*found),
        Ok(Lookup::Expired { ended_at }) => Err(expired(state, ended_at)),
        Ok(Lookup::Missing) => Err(gone()),
        Err(e) => Err(server_error(&e)),
    }
}

pub(super) fn gone() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Registration not found",
        "This link doesn't match a registration. Check that you copied the whole link from your email.",
    )
}

pub(super) fn expired(state: &AppState, ended_at: i64) -> Response {
    let ended = jiff::Timestamp::from_second(ended_at)
        .map(|t| t.strftime("%B %-d, %Y").to_string())
        .unwrap_or_default();
    problem_page(
        StatusCode::GONE,
        "This link has expired",
        &format!(
            "Links to manage a registration stop working {} days after the event. This event ended on {ended}.",
            state.config.manage_link_days
        ),
    )
}

pub(super) async fn manage_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ManageQuery>,
    headers: HeaderMap,
) -> Response {
    let (reg, event) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let position = match registrations::position_of(&state.db, &reg).await {
        Ok(p) => p,
        Err(e) => return server_error(&e),
    };
    let (zone, chosen) = display_zone(q.tz.as_deref(), &headers, &reg.preferred_timezone);
    let page = ManagePage {
        token: token.clone(),
        just_registered: q.new.is_some(),
        just_canceled: q.canceled.is_some(),
        event_slug: event.slug.clone(),
        event_title: event.title.clone(),
        event_kind: event.kind,
        event_canceled: event.status == EventStatus::Canceled,
        times: times(&event, &zone, chosen),
        first_name: reg.first_name.clone(),
        last_name: reg.last_name.clone(),
        email: reg.email.clone(),
        status: reg.status,
        waitlist_position: position,
        join_url: event
            .join_link()
            .map(str::to_string)
            .filter(|_| reg.status == RegistrationStatus::Registered),
        teams_sends_link: event.teams_sends_links(),
        answers: reg.answers.iter().map(|a| (a.display_name.clone(), a.as_text())).collect(),
        can_cancel: reg.status.can_become(RegistrationStatus::Canceled)
            && event.status != EventStatus::Canceled
            && event.end_at > state.db.now(),
    };
    let title = format!("Your registration: {}", event.title);
    html(StatusCode::OK, &title, true, true, move || view! { <ManageDetail page=page /> })
}

pub(super) async fn cancel_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, _) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match registrations::cancel_by_id(&state.db, &reg.id).await {
        Ok(_) => {
            state.after_write();
            Redirect::to(&format!("/r/{token}?canceled=1")).into_response()
        }
        Err(registrations::CancelError::NotFound) => gone(),
        Err(registrations::CancelError::Db(e)) => server_error(&e),
    }
}

/// The page an email-confirmation link opens: a button, so that mail scanners that follow
/// links do not confirm on the person's behalf.
pub(super) async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, event) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if reg.status != RegistrationStatus::Unconfirmed {
        return Redirect::to(&format!("/r/{token}")).into_response();
    }
    let page = app::pages::ConfirmAddress {
        action: format!("/r/{token}/confirm"),
        event_title: event.title.clone(),
        email: reg.email.clone(),
    };
    html(
        StatusCode::OK,
        "Confirm your email address",
        false,
        true,
        move || view! { <app::pages::ConfirmAddressPage page=page /> },
    )
}

pub(super) async fn confirm_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, _) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match registrations::confirm(&state.db, &reg.id, state.db.now()).await {
        Ok(Confirmed::Now(_)) => {
            state.after_write();
            Redirect::to(&format!("/r/{token}?new=1")).into_response()
        }
        Ok(Confirmed::Already(_)) => Redirect::to(&format!("/r/{token}")).into_response(),
        Ok(Confirmed::Expired) => problem_page(
            StatusCode::GONE,
            "This confirmation link has expired",
            "Your place was released because the address wasn't confirmed in time. You can register again from the event page.",
        ),
        Ok(Confirmed::Full) => problem_page(
            StatusCode::CONFLICT,
            "The event filled up",
            "Your address is confirmed, but the event filled up in the meantime and has no waitlist.",
        ),
        Err(registrations::CancelError::NotFound) => gone(),
        Err(registrations::CancelError::Db(e)) => server_error(&e),
    }
}

pub(super) async fn invite(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, event) = match load_manage(&state, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    // A download is imported, not processed as a message: no iTIP method in its media type.
    let (ics, _) = crate::notify::mail::invite(&state.config, &event, &reg, &token, false);
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"invite.ics\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ics,
    )
        .into_response()
}
