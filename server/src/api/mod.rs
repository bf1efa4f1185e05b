//! The versioned REST API (`/api/v1`): the public half for attendees and integrations, and the
//! organizer half behind API tokens. The router and the OpenAPI document come from the same
//! declarations, so they cannot disagree.

mod appointment_links;
mod appointments;
pub mod doc;
pub mod organizer;
pub mod public;
mod registrations;

use crate::http::problem::Problem;
use crate::AppState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, OnceLock};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Every operation, with its documentation.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .merge(public::routes())
        .merge(registrations::routes())
        .merge(appointments::routes())
        .merge(appointment_links::routes())
        .merge(organizer::routes())
}

/// The OpenAPI document of every operation the API serves.
pub fn document() -> utoipa::openapi::OpenApi {
    documented().split_for_parts().1
}

/// Both halves and `/openapi.json`, to be nested under `/api/v1`; anything else is a 404 problem.
pub fn routes() -> Router<AppState> {
    let (router, document) = documented().split_for_parts();
    static JSON: OnceLock<Arc<str>> = OnceLock::new();
    let json = JSON
        .get_or_init(|| document.to_pretty_json().expect("the OpenAPI document serialises").into())
        .clone();
    router
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json.to_string()).into_response() }
            }),
        )
        .fallback(|| async { Problem::not_found("Resource") })
}

/// 429 with `Retry-After`, for a client over a limit.
pub(crate) fn too_many(wait: i64, detail: String) -> Response {
    let mut r = Problem::new(StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests")
        .detail(detail)
        .into_response();
    r.headers_mut().insert(header::RETRY_AFTER, wait.into());
    r
}
