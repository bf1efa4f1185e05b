//! The public pages: event list, event page with the registration form, and the private
//! manage page. Forms post here as plain HTML forms, so everything works without JavaScript.

use crate::AppState;
use app::pages::Problem;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;

mod appointment;
mod book;
mod event;
mod manage;
mod register;
mod rpc;

pub(crate) use rpc::answer_with;

pub(crate) use event::event_view;
use event::{event_page, home};
use manage::{cancel_form, confirm_form, confirm_page, invite, manage_page};
pub(crate) use register::limited_message;
use register::register_form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/events/{slug}", get(event_page).post(register_form))
        .route("/r/{token}", get(manage_page))
        .route("/r/{token}/cancel", post(cancel_form))
        .route("/r/{token}/invite.ics", get(invite))
        .route("/r/{token}/confirm", get(confirm_page).post(confirm_form))
        .route("/book/{business}", get(book::booking_page).post(book::book_form))
        .route("/book/{business}/brand.css", get(book::brand_sheet))
        .route("/appointments/{token}", get(appointment::appointment_page))
        .route("/appointments/{token}/appointment.ics", get(appointment::appointment_ics))
        .route("/appointments/{token}/cancel", post(appointment::cancel_appointment_form))
        .route("/appointments/{token}/reschedule", post(appointment::reschedule_form))
        .merge(rpc::routes())
}

/// A page; `body` builds its view when the page is rendered (islands need the renderer's context).
pub(crate) fn html<V: IntoView + 'static>(
    status: StatusCode,
    title: &str,
    interactive: bool,
    private: bool,
    body: impl FnOnce() -> V + Send + 'static,
) -> Response {
    let mut response = crate::http::render::page(status, title, interactive, body);
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if private { "no-store" } else { "no-cache" }),
    );
    if private {
        h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

pub(crate) fn problem_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let (t, d) = (title.to_string(), detail.to_string());
    html(status, title, false, false, move || view! { <Problem title=t detail=d /> })
}

pub(crate) fn server_error(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "page failed");
    problem_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Please try again in a moment. If it keeps happening, contact the organizer.",
    )
}

pub async fn not_found() -> Response {
    problem_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "We couldn't find that page. It may have moved, or the link may be mistyped.",
    )
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            "database unreachable",
        )
            .into_response()
    }
}
