//! A staff member's page in the dashboard: their zone and working hours (the business's or their
//! own, edited day by day) and their time off, changed through the same setup commands as the
//! API, so the same rules and messages apply.

use super::businesses::setup_error;
use super::*;
use crate::appointments::setup::{self, DateTimeTimeZone, SetupError, StaffInput, TimeOffInput};
use app::dashboard::{StaffMemberView, TimeOffRow};
use app::domain::FieldError;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct Done {
    done: Option<String>,
}

/// What the organizer typed, shown again beside the problems when it was refused.
#[derive(Default)]
struct Typed {
    time_zone: Option<String>,
    use_business_hours: Option<bool>,
    hours: Option<Vec<app::dashboard::DayHours>>,
    off: Option<(String, String)>,
    errors: Vec<FieldError>,
}

fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "hours" => "Working hours saved.",
            "off" => "Time off added; nobody can book them then.",
            "removed" => "Time off removed.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn staff_view(
    state: &AppState,
    signed: &SignedIn,
    (slug, id): (&str, &str),
    status: StatusCode,
    notice: Option<String>,
    typed: Typed,
) -> Response {
    let org = &signed.organizer;
    let (business, off) = match setup::time_off(&state.db, org, slug, id).await {
        Ok(found) => found,
        Err(e) => return setup_error(e),
    };
    let member = match setup::staff(&state.db, org, slug).await {
        Ok(list) => match list.into_iter().find(|s| s.id == id) {
            Some(s) => s,
            None => return setup_error(SetupError::NotFound("Staff member")),
        },
        Err(e) => return setup_error(e),
    };
    let zone_name = Some(member.time_zone.clone())
        .filter(|z| !z.is_empty())
        .unwrap_or_else(|| business.time_zone.clone());
    let zone = app::tz::parse_zone(&zone_name).unwrap_or(jiff::tz::TimeZone::UTC);
    let local = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_zoned(zone.clone()).strftime("%a %-d %b %Y %H:%M").to_string())
            .unwrap_or_default()
    };
    let (off_from, off_until) = typed.off.unwrap_or_default();
    let view = StaffMemberView {
        business: business.display_name.clone(),
        slug: business.slug.clone(),
        id: member.id.clone(),
        name: member.display_name.clone(),
        email: member.email_address.clone(),
        time_zone: typed.time_zone.unwrap_or(zone_name),
        use_business_hours: typed.use_business_hours.unwrap_or(member.use_business_hours),
        hours: typed.hours.unwrap_or_else(|| super::hours::editable(&member.working_hours)),
        time_off: off
            .into_iter()
            .map(|t| TimeOffRow {
                from: local(t.span.start),
                until: local(t.span.end),
                id: t.id,
            })
            .collect(),
        off_from,
        off_until,
        zones: app::tz::zone_names().to_vec(),
        errors: typed.errors,
        notice,
        csrf: signed.csrf.clone(),
    };
    let title = member.display_name;
    dash(
        signed,
        status,
        &title,
        move || view! { <app::dashboard::StaffMemberPage page=view /> },
    )
}

fn back(slug: &str, id: &str, done: &str) -> Response {
    Redirect::to(&format!("/dashboard/appointments/{slug}/staff/{id}?done={done}")).into_response()
}

pub(super) async fn staff_page(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Response {
    staff_view(
        &state,
        &signed,
        (&slug, &id),
        StatusCode::OK,
        notice(q.done.as_deref()),
        Typed::default(),
    )
    .await
}

/// Saves the zone, whether they work the business's hours, and their own hours (when the
/// editor was shown: hours it cannot show are never overwritten).
pub(super) async fn save_staff(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, form }: Posted,
) -> Response {
    let editor = form_value(&form, "hoursEditor") == "1";
    let hours = editor.then(|| super::hours::from_form(&form));
    let input = StaffInput {
        time_zone: Some(form_value(&form, "timeZone")),
        use_business_hours: Some(!form_value(&form, "useBusinessHours").is_empty()),
        working_hours: hours,
        ..Default::default()
    };
    match setup::update_staff(&state.db, &signed.organizer, &slug, &id, &input).await {
        Ok(_) => back(&slug, &id, "hours"),
        Err(SetupError::Invalid(errors)) => {
            let typed = Typed {
                time_zone: input.time_zone,
                use_business_hours: input.use_business_hours,
                hours: editor.then(|| typed_days(&form)),
                errors,
                ..Default::default()
            };
            staff_view(&state, &signed, (&slug, &id), StatusCode::UNPROCESSABLE_ENTITY, None, typed).await
        }
        Err(e) => setup_error(e),
    }
}

/// The editor's days as posted, to show them again as they were typed.
fn typed_days(form: &Form) -> Vec<app::dashboard::DayHours> {
    app::booking::Day::ALL
        .iter()
        .map(|d| {
            let name = d.name();
            app::dashboard::DayHours {
                day: name.to_string(),
                open: !form_value(form, &format!("open.{name}")).is_empty(),
                from: form_value(form, &format!("from.{name}")),
                until: form_value(form, &format!("until.{name}")),
            }
        })
        .collect()
}

/// Adds time off from the two `datetime-local` fields, read in the staff member's zone.
pub(super) async fn add_time_off(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, form }: Posted,
) -> Response {
    let (from, until) = (form_value(&form, "from"), form_value(&form, "until"));
    // Read in the zone the page shows them in: theirs, else the business's.
    let zone = match (
        setup::business(&state.db, &signed.organizer, &slug).await,
        setup::staff(&state.db, &signed.organizer, &slug).await,
    ) {
        (Ok(b), Ok(list)) => list
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.time_zone)
            .filter(|z| !z.is_empty())
            .unwrap_or(b.time_zone),
        (Err(e), _) | (_, Err(e)) => return setup_error(e),
    };
    let mut errors = Vec::new();
    let at = |value: &str, field: &str, errors: &mut Vec<FieldError>| {
        if value.trim().is_empty() {
            errors.push(FieldError::new(field, "Give the day and time."));
            return None;
        }
        Some(DateTimeTimeZone {
            date_time: value.trim().to_string(),
            time_zone: Some(zone.clone()).filter(|z| !z.is_empty()),
        })
    };
    let input = TimeOffInput {
        start_date_time: at(&from, "startDateTime", &mut errors),
        end_date_time: at(&until, "endDateTime", &mut errors),
    };
    let outcome = if errors.is_empty() {
        setup::add_time_off(&state.db, &signed.organizer, &slug, &id, &input)
            .await
            .map(|_| ())
    } else {
        Err(SetupError::Invalid(errors))
    };
    match outcome {
        Ok(()) => back(&slug, &id, "off"),
        Err(SetupError::Invalid(errors)) => {
            let typed = Typed {
                off: Some((from, until)),
                errors,
                ..Default::default()
            };
            staff_view(&state, &signed, (&slug, &id), StatusCode::UNPROCESSABLE_ENTITY, None, typed).await
        }
        Err(e) => setup_error(e),
    }
}

pub(super) async fn remove_time_off(
    State(state): State<AppState>,
    Path((slug, id, off)): Path<(String, String, String)>,
    Posted { signed, .. }: Posted,
) -> Response {
    match setup::remove_time_off(&state.db, &signed.organizer, &slug, &id, &off).await {
        Ok(()) => back(&slug, &id, "removed"),
        Err(e) => setup_error(e),
    }
}
