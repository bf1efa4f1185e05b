//! The dashboard's appointments: the organization's businesses and a new one; a business's
//! week with cancel and no-show, its services and staff, publishing. Changes go through the
//! same setup commands as the API, so the same rules and messages apply.

use super::business_week::{business_view, WeekQuery};
use super::*;
use crate::appointments::setup::{self, BusinessInput, ServiceInput, SetupError, StaffInput};
use app::dashboard::{BusinessRow, NewBusinessForm, SetupForms};
use app::domain::FieldError;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};

pub(super) fn setup_error(e: SetupError) -> Response {
    match e {
        SetupError::NotFound(what) => problem_page(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("{what} not found in your organization."),
        ),
        SetupError::Conflict(m) => problem_page(StatusCode::CONFLICT, "Not possible now", &m),
        SetupError::Invalid(errors) => problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please check the form",
            &errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "),
        ),
        SetupError::Db(e) => server_error(&e),
    }
}

async fn businesses_view(state: &AppState, signed: &SignedIn, status: StatusCode, form: NewBusinessForm) -> Response {
    let rows = match setup::businesses_with_counts(&state.db, &signed.organizer).await {
        Ok(list) => list
            .into_iter()
            .map(|(b, services, staff)| BusinessRow {
                name: b.display_name,
                slug: b.slug,
                published: b.is_published,
                services: services as usize,
                staff: staff as usize,
            })
            .collect::<Vec<_>>(),
        Err(e) => return setup_error(e),
    };
    let zones = app::tz::zone_names().to_vec();
    let csrf = signed.csrf.clone();
    dash(signed, status, "Appointments", move || {
        view! { <app::dashboard::BusinessesPage rows=rows form=form zones=zones csrf=csrf /> }
    })
}

pub(super) async fn businesses_page(State(state): State<AppState>, signed: SignedIn) -> Response {
    businesses_view(&state, &signed, StatusCode::OK, NewBusinessForm::default()).await
}

pub(super) async fn create_business(State(state): State<AppState>, Posted { signed, form }: Posted) -> Response {
    let typed = NewBusinessForm {
        name: form_value(&form, "displayName"),
        time_zone: form_value(&form, "timeZone"),
        slug: form_value(&form, "slug"),
        errors: Vec::new(),
    };
    let input = BusinessInput {
        display_name: Some(typed.name.clone()),
        time_zone: Some(typed.time_zone.clone()),
        slug: Some(typed.slug.trim().to_string()).filter(|s| !s.is_empty()),
        ..Default::default()
    };
    match setup::create_business(&state.db, &signed.organizer, &input).await {
        Ok(b) => Redirect::to(&format!("/dashboard/appointments/{}", b.slug)).into_response(),
        Err(SetupError::Invalid(errors)) => {
            businesses_view(
                &state,
                &signed,
                StatusCode::UNPROCESSABLE_ENTITY,
                NewBusinessForm { errors, ..typed },
            )
            .await
        }
        Err(e) => setup_error(e),
    }
}

pub(super) async fn business_page(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<WeekQuery>,
) -> Response {
    business_view(&state, &signed, &slug, &q, StatusCode::OK, SetupForms::default()).await
}

fn back(slug: &str, done: &str) -> Response {
    Redirect::to(&format!("/dashboard/appointments/{slug}?done={done}")).into_response()
}

async fn publishing(state: &AppState, signed: &SignedIn, slug: &str, published: bool) -> Response {
    match setup::set_published(&state.db, &signed.organizer, slug, published).await {
        Ok(_) => back(slug, if published { "published" } else { "closed" }),
        Err(e) => setup_error(e),
    }
}

pub(super) async fn publish_business(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, .. }: Posted) -> Response {
    publishing(&state, &signed, &slug, true).await
}

pub(super) async fn unpublish_business(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, .. }: Posted) -> Response {
    publishing(&state, &signed, &slug, false).await
}

pub(super) async fn add_service(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    let minutes = form_value(&form, "defaultDuration");
    let typed = SetupForms {
        service_name: form_value(&form, "displayName"),
        service_minutes: minutes.clone(),
        ..Default::default()
    };
    let Ok(minutes) = minutes.trim().parse::<i64>() else {
        let errors = vec![FieldError::new("defaultDuration", "Give the length in minutes, such as 30.")];
        return business_view(
            &state,
            &signed,
            &slug,
            &WeekQuery::default(),
            StatusCode::UNPROCESSABLE_ENTITY,
            SetupForms { errors, ..typed },
        )
        .await;
    };
    let input = ServiceInput {
        display_name: Some(typed.service_name.clone()),
        default_duration: Some(format!("PT{}M", minutes.clamp(0, 100_000))),
        staff_member_ids: Some(form.iter().filter(|(k, _)| k == "staff").map(|(_, v)| v.clone()).collect()),
        ..Default::default()
    };
    match setup::create_service(&state.db, &signed.organizer, &slug, &input).await {
        Ok(_) => back(&slug, "service"),
        Err(SetupError::Invalid(errors)) => {
            business_view(
                &state,
                &signed,
                &slug,
                &WeekQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                SetupForms { errors, ..typed },
            )
            .await
        }
        Err(e) => setup_error(e),
    }
}

pub(super) async fn add_staff(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    let typed = SetupForms {
        staff_name: form_value(&form, "staffName"),
        staff_email: form_value(&form, "emailAddress"),
        ..Default::default()
    };
    let input = StaffInput {
        display_name: Some(typed.staff_name.clone()),
        email_address: Some(typed.staff_email.clone()),
        ..Default::default()
    };
    match setup::create_staff(&state.db, &signed.organizer, &slug, &input).await {
        Ok(_) => back(&slug, "staff"),
        Err(SetupError::Invalid(errors)) => {
            // The staff form's name field is `staffName`: the service form has a `displayName`.
            let errors = errors
                .into_iter()
                .map(|e| {
                    if e.field == "displayName" {
                        FieldError::new("staffName", e.message)
                    } else {
                        e
                    }
                })
                .collect();
            business_view(
                &state,
                &signed,
                &slug,
                &WeekQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                SetupForms { errors, ..typed },
            )
            .await
        }
        Err(e) => setup_error(e),
    }
}

pub(super) async fn cancel_appointment(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, .. }: Posted,
) -> Response {
    match setup::desk::cancel(&state.db, &signed.organizer, &slug, &id, state.microsoft.is_some()).await {
        Ok(()) => {
            state.after_write();
            back(&slug, "canceled")
        }
        Err(e) => setup_error(e),
    }
}

pub(super) async fn no_show(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Posted { signed, .. }: Posted,
) -> Response {
    match setup::desk::no_show(&state.db, &signed.organizer, &slug, &id).await {
        Ok(()) => back(&slug, "noshow"),
        Err(e) => setup_error(e),
    }
}
