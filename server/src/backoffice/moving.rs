//! Moving an appointment from the dashboard: a day's free times with the same staff member (the
//! same slot engine and rules customers book by, in the business's zone), and the move itself,
//! which emails the customer and staff and, in Microsoft mode, moves the same Teams meeting.

use super::businesses::setup_error;
use super::*;
use crate::appointments::setup::desk::{self, MoveError};
use crate::appointments::{self, BookError, SlotRequest};
use app::dashboard::MoveView;
use app::views::Choice;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct DayQuery {
    date: Option<String>,
}

/// The move page for `date` (the appointment's own day when none), with `notice` on top.
async fn move_view(
    state: &AppState,
    signed: &SignedIn,
    (slug, id): (&str, &str),
    date: Option<&str>,
    status: StatusCode,
    notice: Option<String>,
) -> Response {
    let desk::Moving {
        mut catalog,
        booking,
        customer_name,
        customer_email,
    } = match desk::for_moving(&state.db, &state.sealer, &signed.organizer, slug, id).await {
        Ok(found) => found,
        Err(e) => return setup_error(e),
    };
    let zone = match app::tz::parse_zone(&catalog.business.time_zone) {
        Ok(z) => z,
        Err(e) => return server_error(&e.0),
    };
    let at = |t: i64, format: &str| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_zoned(zone.clone()).strftime(format).to_string())
            .unwrap_or_default()
    };
    let day = date.and_then(|d| d.trim().parse::<jiff::civil::Date>().ok()).unwrap_or_else(|| {
        jiff::Timestamp::from_second(booking.start)
            .unwrap_or_default()
            .to_zoned(zone.clone())
            .date()
    });
    let instant = |d: jiff::civil::Date| d.to_zoned(zone.clone()).map(|z| z.timestamp().as_second()).unwrap_or_default();
    // The move keeps the staff member, whether or not customers may choose one.
    catalog.business.allow_staff_selection = true;
    let request = SlotRequest {
        service_id: booking.service_id.clone(),
        staff_id: booking.staff_ids.first().cloned(),
        from: instant(day),
        to: instant(day.tomorrow().unwrap_or(day)),
        zone: zone.clone(),
    };
    let (times, why_none) = match appointments::slots_in(&state.db, &state.calendars, &catalog, &request).await {
        Ok(slots) => (slots, None),
        Err(appointments::AppointmentError::Invalid(e)) => (Vec::new(), e.first().map(|e| e.message.clone())),
        Err(e) => return server_error(&e),
    };
    let notice = notice.or(why_none).or_else(|| {
        times
            .is_empty()
            .then(|| "No times are free on this day with this staff member. Choose another day.".to_string())
    });
    let view = MoveView {
        what: format!(
            "{} for {customer_name} ({customer_email})",
            catalog
                .service(&booking.service_id)
                .map(|s| s.display_name.as_str())
                .unwrap_or("An appointment")
        ),
        now_at: at(booking.start, "%A %-d %B %Y %H:%M"),
        staff: super::agenda::staff_names(&catalog.staff, &booking.staff_ids),
        zone: catalog.business.time_zone.clone(),
        date: day.to_string(),
        times: times
            .iter()
            .map(|s| Choice {
                value: at(s.start, "%Y-%m-%dT%H:%M:%S%:z"),
                label: at(s.start, "%H:%M"),
                chosen: false,
            })
            .collect(),
        notice,
        business: catalog.business.display_name.clone(),
        slug: catalog.business.slug.clone(),
        id: booking.id.clone(),
        csrf: signed.csrf.clone(),
    };
    dash(
        signed,
        status,
        "Move an appointment",
        move || view! { <app::dashboard::MovePage page=view /> },
    )
}

pub(super) async fn move_page(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<DayQuery>,
) -> Response {
    move_view(&state, &signed, (&slug, &id), q.date.as_deref(), StatusCode::OK, None).await
}

pub(super) async fn move_appointment(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, form }: Posted,
) -> Response {
    let start = form_value(&form, "start");
    let teams = state.microsoft.is_some();
    match desk::reschedule(&state.db, &state.sealer, &signed.organizer, &slug, &id, &start, teams).await {
        Ok(()) => {
            state.after_write();
            // Back to the week the appointment is now in (the start is written in the business's zone).
            let week = start
                .get(..10)
                .filter(|d| d.parse::<jiff::civil::Date>().is_ok())
                .unwrap_or_default();
            Redirect::to(&format!("/dashboard/appointments/{slug}?week={week}&done=moved")).into_response()
        }
        Err(MoveError::Setup(e)) => setup_error(e),
        Err(MoveError::Book(BookError::Refused { refusal, .. })) => {
            let day = start.get(..10).map(str::to_string);
            let notice = format!("{refusal} Choose another time.");
            move_view(&state, &signed, (&slug, &id), day.as_deref(), StatusCode::CONFLICT, Some(notice)).await
        }
        Err(MoveError::Book(BookError::Invalid(errors))) => {
            let notice = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
            move_view(&state, &signed, (&slug, &id), None, StatusCode::UNPROCESSABLE_ENTITY, Some(notice)).await
        }
        Err(MoveError::Book(BookError::NotFound)) => setup_error(crate::appointments::setup::SetupError::NotFound("Appointment")),
        Err(MoveError::Book(e)) => server_error(&e),
    }
}
