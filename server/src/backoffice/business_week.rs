//! A business's page in the dashboard: its week of appointments (everyone's or one staff
//! member's) with what can be done to each, its services and staff, and the notice of the last
//! change.

use super::businesses::setup_error;
use super::*;
use crate::appointments::model::{Business, Staff};
use crate::appointments::setup;
use app::dashboard::{AgendaDay, AgendaItem, BusinessView, ServiceRow, SetupForms, StaffRow};
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
    let b = match setup::business(&state.db, org, slug).await {
        Ok(b) => b,
        Err(e) => return setup_error(e),
    };
    let Ok(zone) = app::tz::parse_zone(&b.time_zone) else {
        return server_error(&format!("the business's zone {:?} does not read", b.time_zone));
    };
    let now = state.db.now();
    let today = jiff::Timestamp::from_second(now).unwrap_or_default().to_zoned(zone.clone()).date();
    let asked = q.week.as_deref().and_then(|w| w.parse::<jiff::civil::Date>().ok()).unwrap_or(today);
    let monday = asked
        .checked_sub(jiff::Span::new().days(asked.weekday().to_monday_zero_offset() as i64))
        .unwrap_or(asked);
    let next = monday.checked_add(jiff::Span::new().days(7)).unwrap_or(monday);
    let previous = monday.checked_sub(jiff::Span::new().days(7)).unwrap_or(monday);
    let (services, staff, rows) = match (
        setup::services(&state.db, org, slug).await,
        setup::staff(&state.db, org, slug).await,
        setup::appointments(&state.db, org, slug, Some(&monday.to_string()), Some(&next.to_string())).await,
    ) {
        (Ok(s), Ok(t), Ok((_, all_services, rows))) => (s, t, (all_services, rows)),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return setup_error(e),
    };
    let (all_services, rows) = rows;
    let chosen = q.staff.as_deref().filter(|id| staff.iter().any(|s| s.id == *id));
    let name_of = |id: &str| {
        staff
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.display_name.clone())
            .unwrap_or_else(|| "(removed)".into())
    };
    let mut days: Vec<AgendaDay> = (0..7)
        .filter_map(|n| monday.checked_add(jiff::Span::new().days(n)).ok())
        .map(|d| AgendaDay {
            label: d.strftime("%A %-d %B %Y").to_string(),
            items: Vec::new(),
        })
        .collect();
    for a in rows
        .into_iter()
        .filter(|a| chosen.is_none_or(|c| a.staff_ids.iter().any(|s| s == c)))
    {
        let start = jiff::Timestamp::from_second(a.start).unwrap_or_default().to_zoned(zone.clone());
        let end = jiff::Timestamp::from_second(a.end).unwrap_or_default().to_zoned(zone.clone());
        let index = (start.date() - monday).get_days().clamp(0, 6) as usize;
        days[index].items.push(AgendaItem {
            time: format!("{}–{}", start.strftime("%H:%M"), end.strftime("%H:%M")),
            service: all_services
                .iter()
                .find(|s| s.id == a.service_id)
                .map(|s| s.display_name.clone())
                .unwrap_or_default(),
            customer: a.customer_name.clone(),
            email: a.customer_email.clone(),
            staff: a.staff_ids.iter().map(|id| name_of(id)).collect::<Vec<_>>().join(", "),
            can_cancel: a.status == "booked" && a.end > now,
            can_no_show: a.status == "booked" && a.start <= now,
            status: a.status,
            id: a.id,
        });
    }
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
            .map(|s| (s.id.clone(), s.display_name.clone(), chosen == Some(s.id.as_str())))
            .collect(),
        days,
        services: services
            .iter()
            .map(|s| ServiceRow {
                name: s.display_name.clone(),
                duration: format!("{} min", s.duration / 60),
                staff: s.staff_member_ids.iter().map(|id| name_of(id)).collect::<Vec<_>>().join(", "),
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
        hours: editable_hours(&b),
        forms,
        notice: notice(q.done.as_deref()),
        csrf: signed.csrf.clone(),
    };
    let title = b.display_name.clone();
    dash(signed, status, &title, move || view! { <app::dashboard::BusinessPage page=view /> })
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

/// The business hours as the editor shows them (one stretch a day), or none when some day has
/// more than one (the editor would lose them).
fn editable_hours(b: &Business) -> Vec<app::dashboard::DayHours> {
    if b.business_hours.iter().any(|h| h.time_slots.len() > 1) {
        return Vec::new();
    }
    let short = |t: &str| t.get(..5).unwrap_or(t).to_string();
    app::booking::Day::ALL
        .iter()
        .map(|day| {
            let slot = b.business_hours.iter().find(|h| h.day == *day).and_then(|h| h.time_slots.first());
            app::dashboard::DayHours {
                day: day.name().to_string(),
                open: slot.is_some(),
                from: slot.map(|s| short(&s.start_time)).unwrap_or_else(|| "09:00".into()),
                until: slot.map(|s| short(&s.end_time)).unwrap_or_else(|| "17:00".into()),
            }
        })
        .collect()
}

/// Saves the opening hours from the editor: each day ticked open, from its times.
pub(super) async fn save_hours(
    axum::extract::State(state): axum::extract::State<AppState>,
    signed: SignedIn,
    axum::extract::Path(slug): axum::extract::Path<String>,
    body: Bytes,
) -> Response {
    use crate::appointments::model::{WorkHoursJson, WorkTimeSlotJson};
    let form = parse_form(&body);
    if let Err(r) = check_csrf(&signed, &form) {
        return r;
    }
    let hours: Vec<WorkHoursJson> = app::booking::Day::ALL
        .iter()
        .filter(|day| !form_value(&form, &format!("open.{}", day.name())).is_empty())
        .map(|day| WorkHoursJson {
            day: *day,
            time_slots: vec![WorkTimeSlotJson {
                start_time: format!("{}:00.0000000", form_value(&form, &format!("from.{}", day.name()))),
                end_time: format!("{}:00.0000000", form_value(&form, &format!("until.{}", day.name()))),
            }],
        })
        .collect();
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
