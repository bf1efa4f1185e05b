//! An appointment's private page `/appointments/{token}`: what, when, with whom; cancel it, or
//! move it to a time chosen on the booking page.

use super::{html, problem_page, server_error};
use crate::appointments::{self, BookError, Booking, Catalog};
use crate::AppState;
use app::book::{AppointmentPage, AppointmentView, BookingForm};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use leptos::prelude::*;
use serde::Deserialize;

use super::book::{render, Picked};

#[derive(Deserialize, Default)]
pub(super) struct Said {
    booked: Option<String>,
    canceled: Option<String>,
    moved: Option<String>,
}

fn appointment_view(catalog_name: &str, service: &str, with: &str, booking: &Booking, token: &str, said: &Said) -> AppointmentView {
    let zone = app::tz::parse_zone(&booking.customer_time_zone).unwrap_or(TimeZone::UTC);
    AppointmentView {
        business: catalog_name.to_string(),
        service: service.to_string(),
        when: format!(
            "{} ({})",
            app::tz::format_range(booking.start, booking.end, &zone),
            booking.customer_time_zone
        ),
        with: with.to_string(),
        canceled: booking.status == "canceled",
        cancel_action: format!("/appointments/{token}/cancel"),
        calendar_link: format!("/appointments/{token}/appointment.ics"),
        move_link: format!(
            "/book/{}?service={}&staff={}&tz={}&reschedule={token}",
            booking.business_slug,
            booking.service_id,
            booking.staff_ids.first().map(String::as_str).unwrap_or(""),
            booking.customer_time_zone
        ),
        book_again: format!("/book/{}", booking.business_slug),
        join_link: booking.join_url.clone(),
        notice: if said.canceled.is_some() {
            Some("Your appointment is canceled.".into())
        } else if said.moved.is_some() {
            Some("Your appointment is moved to its new time.".into())
        } else if said.booked.is_some() {
            Some("You're booked. Keep this page's address to change or cancel your appointment.".into())
        } else {
            None
        },
    }
}

/// What an appointment whose business stopped taking bookings shows.
fn business_gone() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Appointment not found",
        "This business no longer takes bookings here.",
    )
}

/// What a link that leads to no appointment shows.
fn not_found() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Appointment not found",
        "This link does not lead to an appointment. Check the link in your email.",
    )
}

/// The appointment's calendar entry, as a download.
pub(super) async fn appointment_ics(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let booking = match appointments::find(&state.db, &state.sealer, &token).await {
        Ok(b) => b,
        Err(BookError::NotFound) => return not_found(),
        Err(e) => return server_error(&e),
    };
    let details = match appointments::Details::load(&state.db, &booking.id).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(),
        Err(e) => return server_error(&e),
    };
    let title = format!("{} with {}", details.service_name, details.business.display_name);
    let url = format!("{}/appointments/{token}", state.config.public_url);
    // A download is imported, not processed as a message: no iTIP method in its media type.
    let (ics, _) = crate::notify::appointment_mail::invite(&state.config, &details, &title, &url, booking.status == "canceled");
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"appointment.ics\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ics,
    )
        .into_response()
}

pub(super) async fn appointment_page(State(state): State<AppState>, Path(token): Path<String>, Query(said): Query<Said>) -> Response {
    let booking = match appointments::find(&state.db, &state.sealer, &token).await {
        Ok(b) => b,
        Err(BookError::NotFound) => return not_found(),
        Err(e) => return server_error(&e),
    };
    let Ok(catalog) = Catalog::load(&state.db, &booking.business_slug).await else {
        return business_gone();
    };
    let service = catalog
        .service(&booking.service_id)
        .map(|s| s.display_name.clone())
        .unwrap_or_default();
    let with = catalog
        .staff
        .iter()
        .filter(|s| booking.staff_ids.contains(&s.id))
        .map(|s| s.display_name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let view = appointment_view(&catalog.business.display_name, &service, &with, &booking, &token, &said);
    html(
        StatusCode::OK,
        "Your appointment",
        false,
        true,
        move || view! { <AppointmentPage page=view /> },
    )
}

pub(super) async fn cancel_appointment_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match appointments::cancel(&state.db, &state.sealer, &token, state.microsoft.is_some()).await {
        Ok(_) => {
            state.after_write();
            Redirect::to(&format!("/appointments/{token}?canceled=1")).into_response()
        }
        Err(BookError::NotFound) => not_found(),
        Err(e) => server_error(&e),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct Moved {
    #[serde(default)]
    start: String,
    #[serde(default)]
    tz: String,
}

/// Moves an appointment to the time chosen on the booking page.
pub(super) async fn reschedule_form(State(state): State<AppState>, Path(token): Path<String>, body: axum::body::Bytes) -> Response {
    let Ok(posted) = serde_urlencoded::from_bytes::<Moved>(&body) else {
        return problem_page(
            StatusCode::BAD_REQUEST,
            "We couldn't read that form",
            "Please go back and try again.",
        );
    };
    match appointments::reschedule(&state.db, &state.sealer, &token, &posted.start, state.microsoft.is_some()).await {
        Ok(_) => {
            state.after_write();
            Redirect::to(&format!("/appointments/{token}?moved=1")).into_response()
        }
        Err(BookError::NotFound) => not_found(),
        Err(e @ (BookError::Refused { .. } | BookError::Invalid(_))) => {
            let Ok(found) = appointments::find(&state.db, &state.sealer, &token).await else {
                return not_found();
            };
            let Ok(catalog) = Catalog::load(&state.db, &found.business_slug).await else {
                return business_gone();
            };
            let (notice, status) = match e {
                BookError::Refused { refusal, .. } => (refusal.to_string(), StatusCode::CONFLICT),
                BookError::Invalid(errors) => (
                    errors.first().map(|e| e.message.clone()).unwrap_or_default(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                _ => unreachable!("matched above"),
            };
            let picked = Picked {
                service: Some(found.service_id.clone()),
                staff: found.staff_ids.first().cloned(),
                date: posted.start.get(..10).map(str::to_string),
                tz: Some(posted.tz.clone()).filter(|z| !z.is_empty()),
                reschedule: Some(token.clone()),
            };
            render(&state, &catalog, &picked, BookingForm::default(), Vec::new(), Some(notice), status).await
        }
        Err(e) => server_error(&e),
    }
}
