//! The business's settings page and a service's page in the dashboard: the forms read whole
//! numbers (minutes, days, seats) into Graph's durations and go through the same setup commands
//! as the API, so the same rules and messages apply.

use super::businesses::setup_error;
use super::*;
use crate::appointments::setup::{self, BusinessInput, PolicyInput, ServiceInput, SetupError};
use app::dashboard::{ServiceForm, SettingsForm};
use app::domain::FieldError;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};

/// The whole number typed in `field` (at least 0); else its problem, said for that field.
fn whole(form: &Form, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match form_value(form, field).trim().parse::<i64>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "Give a whole number, such as 30."));
            None
        }
    }
}

fn settings_view(signed: &SignedIn, business: &str, slug: &str, status: StatusCode, form: SettingsForm) -> Response {
    let (business, slug, csrf) = (business.to_string(), slug.to_string(), signed.csrf.clone());
    let zones = app::tz::zone_names().to_vec();
    dash(signed, status, "Business settings", move || {
        view! { <app::dashboard::SettingsPage business=business slug=slug form=form zones=zones csrf=csrf /> }
    })
}

pub(super) async fn settings_page(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    let b = match setup::business(&state.db, &signed.organizer, &slug).await {
        Ok(b) => b,
        Err(e) => return setup_error(e),
    };
    let form = SettingsForm {
        name: b.display_name.clone(),
        time_zone: b.time_zone.clone(),
        interval: (b.policy.interval / 60).to_string(),
        lead_minutes: (b.policy.minimum_lead_time / 60).to_string(),
        advance_days: (b.policy.maximum_advance / 86_400).to_string(),
        allow_staff_selection: b.allow_staff_selection,
        errors: Vec::new(),
    };
    settings_view(&signed, &b.display_name, &b.slug, StatusCode::OK, form)
}

pub(super) async fn save_settings(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    let mut errors = Vec::new();
    let interval = whole(&form, "schedulingPolicy.timeSlotInterval", &mut errors);
    let lead = whole(&form, "schedulingPolicy.minimumLeadTime", &mut errors);
    let advance = whole(&form, "schedulingPolicy.maximumAdvance", &mut errors);
    let typed = SettingsForm {
        name: form_value(&form, "displayName"),
        time_zone: form_value(&form, "timeZone"),
        interval: form_value(&form, "schedulingPolicy.timeSlotInterval"),
        lead_minutes: form_value(&form, "schedulingPolicy.minimumLeadTime"),
        advance_days: form_value(&form, "schedulingPolicy.maximumAdvance"),
        allow_staff_selection: !form_value(&form, "allowStaffSelection").is_empty(),
        errors: Vec::new(),
    };
    let outcome = match (interval, lead, advance) {
        (Some(interval), Some(lead), Some(advance)) if errors.is_empty() => {
            let input = BusinessInput {
                display_name: Some(typed.name.clone()),
                time_zone: Some(typed.time_zone.clone()),
                scheduling_policy: Some(PolicyInput {
                    time_slot_interval: Some(format!("PT{interval}M")),
                    minimum_lead_time: Some(format!("PT{lead}M")),
                    maximum_advance: Some(format!("P{advance}D")),
                    allow_staff_selection: Some(typed.allow_staff_selection),
                }),
                ..Default::default()
            };
            setup::update_business(&state.db, &signed.organizer, &slug, &input)
                .await
                .map(|_| ())
        }
        _ => Err(SetupError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/dashboard/appointments/{slug}?done=settings")).into_response(),
        Err(SetupError::Invalid(errors)) => {
            let business = typed.name.clone();
            settings_view(
                &signed,
                &business,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                SettingsForm { errors, ..typed },
            )
        }
        Err(e) => setup_error(e),
    }
}

async fn service_view(
    state: &AppState,
    signed: &SignedIn,
    (slug, id): (&str, &str),
    status: StatusCode,
    typed: Option<ServiceForm>,
) -> Response {
    let org = &signed.organizer;
    let (b, services, staff) = match (
        setup::business(&state.db, org, slug).await,
        setup::services(&state.db, org, slug).await,
        setup::staff(&state.db, org, slug).await,
    ) {
        (Ok(b), Ok(s), Ok(t)) => (b, s, t),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return setup_error(e),
    };
    let Some(service) = services.into_iter().find(|s| s.id == id) else {
        return setup_error(SetupError::NotFound("Service"));
    };
    let form = typed.unwrap_or_else(|| ServiceForm {
        id: service.id.clone(),
        name: service.display_name.clone(),
        minutes: (service.duration / 60).to_string(),
        pre_minutes: (service.pre_buffer / 60).to_string(),
        post_minutes: (service.post_buffer / 60).to_string(),
        seats: service.maximum_attendees.to_string(),
        online: service.is_location_online,
        staff: staff
            .iter()
            .map(|s| (s.id.clone(), s.display_name.clone(), service.staff_member_ids.contains(&s.id)))
            .collect(),
        errors: Vec::new(),
    });
    let (business, slug, csrf) = (b.display_name.clone(), b.slug.clone(), signed.csrf.clone());
    dash(signed, status, &service.display_name, move || {
        view! { <app::dashboard::ServicePage business=business slug=slug form=form csrf=csrf /> }
    })
}

pub(super) async fn service_page(State(state): State<AppState>, signed: SignedIn, Path((slug, id)): Path<(String, String)>) -> Response {
    service_view(&state, &signed, (&slug, &id), StatusCode::OK, None).await
}

pub(super) async fn save_service(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, form }: Posted,
) -> Response {
    let mut errors = Vec::new();
    let minutes = whole(&form, "defaultDuration", &mut errors);
    let pre = whole(&form, "preBuffer", &mut errors);
    let post = whole(&form, "postBuffer", &mut errors);
    let seats = whole(&form, "maximumAttendeesCount", &mut errors);
    let chosen: Vec<String> = form.iter().filter(|(k, _)| k == "staff").map(|(_, v)| v.clone()).collect();
    let online = !form_value(&form, "isLocationOnline").is_empty();
    let outcome = match (minutes, pre, post, seats) {
        (Some(minutes), Some(pre), Some(post), Some(seats)) if errors.is_empty() => {
            let input = ServiceInput {
                display_name: Some(form_value(&form, "displayName")),
                default_duration: Some(format!("PT{minutes}M")),
                pre_buffer: Some(format!("PT{pre}M")),
                post_buffer: Some(format!("PT{post}M")),
                maximum_attendees_count: Some(seats),
                is_location_online: Some(online),
                staff_member_ids: Some(chosen.clone()),
                ..Default::default()
            };
            setup::update_service(&state.db, &signed.organizer, &slug, &id, &input)
                .await
                .map(|_| ())
        }
        _ => Err(SetupError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/dashboard/appointments/{slug}?done=service-saved")).into_response(),
        Err(SetupError::Invalid(errors)) => {
            let staff = match setup::staff(&state.db, &signed.organizer, &slug).await {
                Ok(list) => list
                    .into_iter()
                    .map(|s| {
                        let gives = chosen.contains(&s.id);
                        (s.id, s.display_name, gives)
                    })
                    .collect(),
                Err(e) => return setup_error(e),
            };
            let typed = ServiceForm {
                id: id.clone(),
                name: form_value(&form, "displayName"),
                minutes: form_value(&form, "defaultDuration"),
                pre_minutes: form_value(&form, "preBuffer"),
                post_minutes: form_value(&form, "postBuffer"),
                seats: form_value(&form, "maximumAttendeesCount"),
                online,
                staff,
                errors,
            };
            service_view(&state, &signed, (&slug, &id), StatusCode::UNPROCESSABLE_ENTITY, Some(typed)).await
        }
        Err(e) => setup_error(e),
    }
}

pub(super) async fn remove_service(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, .. }: Posted,
) -> Response {
    match setup::remove_service(&state.db, &signed.organizer, &slug, &id).await {
        Ok(()) => Redirect::to(&format!("/dashboard/appointments/{slug}?done=service-removed")).into_response(),
        Err(e) => setup_error(e),
    }
}
