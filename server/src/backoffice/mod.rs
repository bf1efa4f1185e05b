//! The organizer dashboard (`/dashboard`) and sign-in. Every page needs a session; every form
//! carries the session's CSRF token and is refused without it.

mod actions;
mod activity;
mod agenda;
mod attendance;
mod business_week;
mod businesses;
mod editor;
mod hours;
mod messages;
mod microsoft;
mod moving;
pub mod notice;
mod overview;
mod posted;
mod settings;
mod signin;
mod staff_member;
mod team;
mod tokens;

use actions::*;
use activity::*;
use attendance::*;
use businesses::*;
use editor::*;
use messages::*;
use microsoft::*;
use overview::*;
use posted::Posted;
use signin::*;
use team::*;
use tokens::*;

use crate::accounts::auth::SignedIn;
use crate::events::ManageError;
use crate::portal::{html, problem_page, server_error};
use crate::AppState;
use app::dashboard::DashNav;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/login/microsoft", get(microsoft_sign_in))
        .route("/login/microsoft/callback", get(microsoft_sign_in_callback))
        .route("/dashboard", get(events_page))
        .route("/dashboard/events/new", get(new_event_page))
        .route("/dashboard/events", post(create_event))
        .route("/dashboard/events/{slug}", get(overview))
        .route("/dashboard/events/{slug}/edit", get(edit_page).post(update_event))
        .route("/dashboard/events/{slug}/publish", post(publish))
        .route("/dashboard/events/{slug}/cancel", post(cancel))
        .route("/dashboard/events/{slug}/duplicate", post(duplicate))
        .route("/dashboard/events/{slug}/announce", post(announce))
        .route("/dashboard/events/{slug}/reminders", post(set_reminders))
        .route("/dashboard/events/{slug}/messages", get(messages))
        .route("/dashboard/events/{slug}/attendance", post(import_attendance))
        .route("/dashboard/events/{slug}/registrations.csv", get(csv))
        .route("/dashboard/events/{slug}/registrations/{id}/{action}", post(decide))
        .route("/dashboard/events/{slug}/organizers", post(set_organizers))
        .route("/dashboard/events/{slug}/preview", get(preview))
        .route("/dashboard/team", get(team_page).post(invite))
        .route("/invite/{token}", get(invitation_page).post(accept_invitation))
        .route("/dashboard/microsoft", get(microsoft_page))
        .route("/dashboard/microsoft/connect", post(microsoft_connect))
        .route("/dashboard/microsoft/callback", get(microsoft_callback))
        .route("/dashboard/microsoft/disconnect", post(microsoft_disconnect))
        .route("/dashboard/microsoft/link", post(microsoft_link))
        .route("/dashboard/microsoft/unlink", post(microsoft_unlink))
        .route("/dashboard/microsoft/check", post(microsoft_check))
        .route("/dashboard/microsoft/import", post(microsoft_import))
        .route("/dashboard/tokens", get(tokens_page).post(create_token))
        .route("/dashboard/activity", get(activity_page))
        .route("/dashboard/tokens/{id}/revoke", post(revoke_token))
        .route("/dashboard/appointments", get(businesses_page).post(create_business))
        .route("/dashboard/appointments/{slug}", get(business_page))
        .route("/dashboard/appointments/{slug}/customers", get(business_week::customers_page))
        .route("/dashboard/appointments/{slug}/hours", post(business_week::save_hours))
        .route("/dashboard/appointments/{slug}/publish", post(publish_business))
        .route("/dashboard/appointments/{slug}/unpublish", post(unpublish_business))
        .route("/dashboard/appointments/{slug}/services", post(add_service))
        .route("/dashboard/appointments/{slug}/staff", post(add_staff))
        .route("/dashboard/appointments/{slug}/appointments/{id}/cancel", post(cancel_appointment))
        .route("/dashboard/appointments/{slug}/appointments/{id}/no-show", post(no_show))
        .route("/rpc/agenda_week", post(agenda::rpc))
        .route(
            "/dashboard/appointments/{slug}/settings",
            get(settings::settings_page).post(settings::save_settings),
        )
        .route(
            "/dashboard/appointments/{slug}/services/{id}",
            get(settings::service_page).post(settings::save_service),
        )
        .route(
            "/dashboard/appointments/{slug}/services/{id}/remove",
            post(settings::remove_service),
        )
        .route(
            "/dashboard/appointments/{slug}/appointments/{id}/move",
            get(moving::move_page).post(moving::move_appointment),
        )
        .route(
            "/dashboard/appointments/{slug}/staff/{id}",
            get(staff_member::staff_page).post(staff_member::save_staff),
        )
        .route(
            "/dashboard/appointments/{slug}/staff/{id}/time-off",
            post(staff_member::add_time_off),
        )
        .route(
            "/dashboard/appointments/{slug}/staff/{id}/time-off/{off}/remove",
            post(staff_member::remove_time_off),
        )
}

pub(super) type Form = Vec<(String, String)>;

pub(super) fn form_value(form: &Form, name: &str) -> String {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

pub(super) fn parse_form(body: &Bytes) -> Form {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The form's CSRF token must match the session's, compared in constant time. Urlencoded posts
/// check it by extracting [`Posted`]; the attendance upload, a multipart form, calls this itself.
pub(super) fn check_csrf(signed: &SignedIn, form: &Form) -> Result<(), Response> {
    let given = form_value(form, "csrf");
    let ok = crate::crypto::same_secret(&given, &signed.csrf);
    if ok {
        Ok(())
    } else {
        Err(problem_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "Go back, reload the page and try again.",
        ))
    }
}

pub(super) fn dash<V: IntoView + 'static>(
    signed: &SignedIn,
    status: StatusCode,
    title: &str,
    body: impl FnOnce() -> V + Send + 'static,
) -> Response {
    dash_page(signed, status, title, false, body)
}

/// A dashboard page with an island, which loads the islands' JS and wasm.
pub(super) fn live_dash<V: IntoView + 'static>(
    signed: &SignedIn,
    status: StatusCode,
    title: &str,
    body: impl FnOnce() -> V + Send + 'static,
) -> Response {
    dash_page(signed, status, title, true, body)
}

fn dash_page<V: IntoView + 'static>(
    signed: &SignedIn,
    status: StatusCode,
    title: &str,
    interactive: bool,
    body: impl FnOnce() -> V + Send + 'static,
) -> Response {
    let nav_org = signed.organizer.organization_name.clone();
    let nav_email = signed.organizer.email.clone();
    let csrf = signed.csrf.clone();
    html(status, title, interactive, true, move || {
        view! {
            <DashNav organization=nav_org email=nav_email csrf=csrf />
            {body()}
        }
    })
}

pub(super) fn manage_error(error: ManageError) -> Response {
    match error {
        ManageError::NotFound => problem_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such event or registration in your organization.",
        ),
        ManageError::Conflict(m) => problem_page(StatusCode::CONFLICT, "Not possible now", &m),
        ManageError::Invalid(errors) => problem_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please check the form",
            &errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" "),
        ),
        ManageError::Db(e) => server_error(&e),
    }
}
