//! What organizers do from an event's overview: publish, cancel, copy, message, decide on registrations, export, reminders, organizers.

use super::*;
use crate::accounts::auth::SignedIn;
use crate::backoffice::notice::Notice;
use crate::events::{self as manage, ManageError};
use crate::portal::problem_page;
use crate::registrations::organizer::Decision;
use crate::AppState;
use app::domain::RegistrationStatus;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub(super) async fn simple_action(state: &AppState, signed: &SignedIn, slug: &str, form: &Form, action: &str) -> Response {
    let org = &signed.organizer;
    let result = match action {
        "publish" => manage::publish(&state.db, org, slug, state.microsoft.is_some())
            .await
            .map(|e| (e.slug, Notice::Published)),
        "cancel" => {
            let message = form_value(form, "message");
            manage::cancel(&state.db, org, slug, Some(&message))
                .await
                .map(|e| (e.slug, Notice::Canceled))
        }
        "duplicate" => manage::duplicate(&state.db, org, slug).await.map(|e| (e.slug, Notice::Duplicated)),
        "announce" => {
            let statuses: Vec<RegistrationStatus> = form
                .iter()
                .filter(|(k, _)| k == "status")
                .filter_map(|(_, v)| RegistrationStatus::parse(v))
                .collect();
            manage::announce(&state.db, org, slug, &statuses, &form_value(form, "message"))
                .await
                .map(|n| (slug.to_string(), Notice::Announced(n as i64)))
        }
        _ => Err(ManageError::NotFound),
    };
    match result {
        Ok((slug, notice)) => {
            state.after_write();
            Redirect::to(&format!("/dashboard/events/{slug}?{}", notice.query())).into_response()
        }
        Err(e) => manage_error(e),
    }
}

pub(super) async fn publish(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    simple_action(&state, &signed, &slug, &form, "publish").await
}

pub(super) async fn cancel(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    simple_action(&state, &signed, &slug, &form, "cancel").await
}

pub(super) async fn duplicate(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    simple_action(&state, &signed, &slug, &form, "duplicate").await
}

pub(super) async fn announce(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    simple_action(&state, &signed, &slug, &form, "announce").await
}

pub(super) async fn decide(
    State(state): State<AppState>,
    Path((slug, id, action)): Path<(String, String, String)>,
    Posted { signed, .. }: Posted,
) -> Response {
    let Some(decision) = Decision::parse(&action) else {
        return manage_error(ManageError::NotFound);
    };
    match crate::registrations::organizer::decide(&state.db, &signed.organizer, &slug, &id, decision).await {
        Ok(status) => {
            state.after_write();
            Redirect::to(&format!("/dashboard/events/{slug}?{}", Notice::Status(status).query())).into_response()
        }
        Err(e) => manage_error(e),
    }
}

pub(super) async fn csv(State(state): State<AppState>, signed: SignedIn, Path(slug): Path<String>) -> Response {
    match crate::registrations::organizer::registrants_csv(&state.db, &signed.organizer, &slug).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{slug}-registrations.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            axum::body::Body::from_stream(csv),
        )
            .into_response(),
        Err(e) => manage_error(e),
    }
}

/// Minutes as hours for the reminder form: 1440 → "24", 90 → "1.5".
pub(super) fn format_hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{}", minutes as f64 / 60.0)
    }
}

pub(super) async fn set_reminders(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    let text = form_value(&form, "hours");
    let parsed: Result<Vec<i64>, ()> = text
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| h.parse::<f64>().map(|h| (h * 60.0).round() as i64).map_err(|_| ()))
        .collect();
    let Ok(offsets) = parsed else {
        return problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please check the reminders",
            "Give hours before the start as numbers separated by commas, like 24, 1.",
        );
    };
    match crate::events::reminders::set(&state.db, &signed.organizer, &slug, &offsets).await {
        Ok(_) => Redirect::to(&format!("/dashboard/events/{slug}?{}", Notice::Reminders.query())).into_response(),
        Err(e) => manage_error(e),
    }
}

pub(super) async fn set_organizers(State(state): State<AppState>, Path(slug): Path<String>, Posted { signed, form }: Posted) -> Response {
    let ids: Vec<String> = form.iter().filter(|(k, _)| k == "organizer").map(|(_, v)| v.clone()).collect();
    match crate::events::organizers::set_event_organizers(&state.db, &signed.organizer, &slug, &ids).await {
        Ok(()) => Redirect::to(&format!("/dashboard/events/{slug}?{}", Notice::Organizers.query())).into_response(),
        Err(e) => manage_error(e),
    }
}
