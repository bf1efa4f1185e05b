//! A business's page in the dashboard: its week of appointments (everyone's or one staff
//! member's) with what can be done to each, its services and staff, and the notice of the last
//! change.

use super::businesses::setup_error;
use super::*;
use crate::appointments::model::{Business, Staff};
use crate::appointments::setup;
use app::dashboard::{BusinessView, ServiceRow, SetupForms, StaffRow};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct WeekQuery {
    pub(super) week: Option<String>,
    pub(super) staff: Option<String>,
    pub(super) done: Option<String>,
}

/// The notice for a `done=` code; only these words can appear.
fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "published" => "Published: customers can book on the booking page.",
            "closed" => "The booking page is closed; booked appointments stay.",
            "service" => "Service added.",
            "staff" => "Staff member added.",
            "canceled" => "Appointment canceled; the customer and the staff member are emailed.",
            "noshow" => "Marked as a no-show.",
            "settings" => "Settings saved.",
            "service-saved" => "Service saved.",
            "service-removed" => "Service removed.",
            "moved" => "Appointment moved; the customer and the staff member are emailed the new time.",
            "hours" => "Opening hours saved.",
            _ => return None,
        }
        .to_string(),
    )
}

fn hours_of(s: &Staff, b: &Business) -> String {
    let (hours, zone) = if s.use_business_hours {
        (&b.business_hours, "the business's hours".to_string())
    } else {
        (&s.working_hours, s.time_zone.clone())
    };
    let days: Vec<String> = hours
        .iter()
        .map(|h| {
            let slots: Vec<String> = h
                .time_slots
                .iter()
                .map(|t| {
                    format!(
                        "{}–{}",
                        &t.start_time[..5.min(t.start_time.len())],
                        &t.end_time[..5.min(t.end_time.len())]
                    )
                })
                .collect();
            format!("{:?} {}", h.day, slots.join(", "))
        })
        .collect();
    if s.use_business_hours {
        zone
    } else {
        format!("{} ({zone})", days.join("; "))
    }
}

pub(super) async fn business_view(
    state: &AppState,
    signed: &SignedIn,
    slug: &str,
    q: &WeekQuery,
    status: StatusCode,
    forms: SetupForms,
) -> Response {
    let org = &signed.organizer;
    let w = match super::agenda::week(state, signed, slug, q.week.as_deref(), q.staff.as_deref()).await {
        Ok(w) => w,
        Err(e) => return setup_error(e),
    };
    let services = match setup::services(&state.db, org, slug).await {
        Ok(s) => s,
        Err(e) => return setup_error(e),
    };
    let fingerprint = w.fingerprint();
    let super::agenda::Week {
        business: b,
        monday,
        staff,
        chosen,
        days,
    } = w;
    let next = monday.checked_add(jiff::Span::new().days(7)).unwrap_or(monday);
    let previous = monday.checked_sub(jiff::Span::new().days(7)).unwrap_or(monday);
    let base = format!("/dashboard/appointments/{}", b.slug);
    let view = BusinessView {
        name: b.display_name.clone(),
        slug: b.slug.clone(),
        published: b.is_published,
        zone: b.time_zone.clone(),
        week: monday.to_string(),
        previous_week: previous.to_string(),
        next_week: next.to_string(),
        staff_filter: staff
            .iter()
            .map(|s| (s.id.clone(), s.display_name.clone(), chosen.as_deref() == Some(s.id.as_str())))
            .collect(),
        agenda: app::islands::AgendaSpec {
            query: app::rpc::AgendaQuery {
                slug: b.slug.clone(),
                week: monday.to_string(),
                staff: chosen.clone().unwrap_or_default(),
                fingerprint,
            },
            base,
            csrf: signed.csrf.clone(),
            days,
        },
        services: services
            .iter()
            .map(|s| ServiceRow {
                id: s.id.clone(),
                name: s.display_name.clone(),
                duration: format!("{} min", s.duration / 60),
                staff: super::agenda::staff_names(&staff, &s.staff_member_ids),
            })
            .collect(),
        staff: staff
            .iter()
            .map(|s| StaffRow {
                id: s.id.clone(),
                name: s.display_name.clone(),
                email: s.email_address.clone(),
                hours: hours_of(s, &b),
            })
            .collect(),
        hours: super::hours::editable(&b.business_hours),
        forms,
        notice: notice(q.done.as_deref()),
        csrf: signed.csrf.clone(),
    };
    let title = b.display_name.clone();
    live_dash(signed, status, &title, move || view! { <app::dashboard::BusinessPage page=view /> })
}

/// The business's customers.
pub(super) async fn customers_page(
    axum::extract::State(state): axum::extract::State<AppState>,
    signed: SignedIn,
    axum::extract::Path(slug): axum::extract::Path<String>,
) -> Response {
    let (b, list) = match setup::customers(&state.db, &signed.organizer, &slug).await {
        Ok(found) => found,
        Err(e) => return setup_error(e),
    };
    let zone = app::tz::parse_zone(&b.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let when = |t: Option<i64>| {
        t.and_then(|t| jiff::Timestamp::from_second(t).ok())
            .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "—".into())
    };
    let rows = list
        .into_iter()
        .map(|c| app::dashboard::CustomerView {
            last: when(c.last),
            next: when(c.next),
            name: c.name,
            email: c.email,
            booked: c.booked,
            canceled: c.canceled,
        })
        .collect();
    let (business, slug) = (b.display_name.clone(), b.slug.clone());
    dash(&signed, StatusCode::OK, &format!("Customers of {business}"), move || {
        view! { <app::dashboard::CustomersPage business=business slug=slug rows=rows /> }
    })
}

/// Saves the opening hours from the editor: each day ticked open, from its times.
pub(super) async fn save_hours(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    Posted { signed, form }: Posted,
) -> Response {
    let hours = super::hours::from_form(&form);
    let input = setup::BusinessInput {
        business_hours: Some(hours),
        ..Default::default()
    };
    match setup::update_business(&state.db, &signed.organizer, &slug, &input).await {
        Ok(_) => {
            axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/dashboard/appointments/{slug}?done=hours")))
        }
        Err(setup::SetupError::Invalid(errors)) => {
            let forms = SetupForms {
                errors,
                ..Default::default()
            };
            business_view(
                &state,
                &signed,
                &slug,
                &WeekQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                forms,
            )
            .await
        }
        Err(e) => setup_error(e),
    }
}
