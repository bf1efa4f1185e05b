//! Setting businesses up through the API, in Graph's own JSON for `bookingBusiness` and
//! `bookingService`: create, change, publish and list businesses; create, change, remove and
//! list their services.

use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::appointments::{business_json, service_json, BusinessJson, ServiceJson, ServiceList};
use crate::api::doc::{Conflict, Invalid, JsonBodyErrors, NotFound, OrganizerErrors, ReadOnlyToken};
use crate::appointments::model::Business;
use crate::appointments::setup::{self, BusinessInput, ServiceInput, SetupError};
use crate::http::json_body::JsonBody;
use crate::http::problem::Problem;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

impl IntoResponse for SetupError {
    fn into_response(self) -> Response {
        match self {
            SetupError::NotFound(what) => Problem::not_found(what).into_response(),
            SetupError::Invalid(errors) => Problem::invalid(errors).into_response(),
            SetupError::Conflict(message) => Problem::new(StatusCode::CONFLICT, "conflict", "Not possible now")
                .detail(message)
                .into_response(),
            SetupError::Db(e) => Problem::internal(&e).into_response(),
        }
    }
}

/// A business as its organizers see it: what customers see, and whether it is published.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizerBusinessJson {
    #[serde(flatten)]
    business: BusinessJson,
    is_published: bool,
}

pub(super) fn organizer_business(state: &AppState, b: &Business) -> OrganizerBusinessJson {
    OrganizerBusinessJson {
        business: business_json(state, b),
        is_published: b.is_published,
    }
}

/// The organization's businesses, in Graph's collection shape.
#[derive(Serialize, ToSchema)]
pub struct OrganizerBusinessList {
    value: Vec<OrganizerBusinessJson>,
}

/// The organization's businesses, unpublished ones included.
#[utoipa::path(get, path = "/organizer/businesses", operation_id = "listOrganizerBusinesses", tag = "organizer appointments",
    security(("bearer" = [])),
    responses((status = 200, description = "The businesses", body = OrganizerBusinessList), OrganizerErrors))]
pub(super) async fn list_businesses(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer) -> Response {
    match setup::businesses(&state.db, &org).await {
        Ok(list) => Json(OrganizerBusinessList {
            value: list.iter().map(|b| organizer_business(&state, b)).collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// One of the organization's businesses, published or not.
#[utoipa::path(get, path = "/organizer/businesses/{slug}", operation_id = "getOrganizerBusiness", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    security(("bearer" = [])),
    responses((status = 200, description = "The business", body = OrganizerBusinessJson), OrganizerErrors, (status = 404, response = NotFound)))]
pub(super) async fn get_business(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match setup::business(&state.db, &org, &slug).await {
        Ok(b) => Json(organizer_business(&state, &b)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Create an unpublished business (`bookingBusiness`): `displayName` and `timeZone` are
/// required; the rest takes Bookings' defaults (Monday–Friday 09:00–17:00, PT30M slots, P1D
/// lead time, P365D maximum advance, staff selection allowed).
#[utoipa::path(post, path = "/businesses", operation_id = "createBusiness", tag = "organizer appointments",
    request_body = BusinessInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The business", body = OrganizerBusinessJson, headers(("Location" = String, description = "The business"))),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 422, response = Invalid),
    ))]
pub(super) async fn create_business(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    JsonBody(input): JsonBody<BusinessInput>,
) -> Response {
    match setup::create_business(&state.db, &org, &input).await {
        Ok(b) => (
            StatusCode::CREATED,
            [(header::LOCATION, format!("/api/v1/organizer/businesses/{}", b.slug))],
            Json(organizer_business(&state, &b)),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Change a business: absent fields keep their value.
#[utoipa::path(patch, path = "/businesses/{slug}", operation_id = "updateBusiness", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    request_body = BusinessInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The business", body = OrganizerBusinessJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn update_business(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<BusinessInput>,
) -> Response {
    match setup::update_business(&state.db, &org, &slug, &input).await {
        Ok(b) => Json(organizer_business(&state, &b)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Open the booking page: needs a service that a staff member gives.
#[utoipa::path(post, path = "/businesses/{slug}/publish", operation_id = "publishBusiness", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The business", body = OrganizerBusinessJson),
        OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
pub(super) async fn publish_business(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    match setup::set_published(&state.db, &org, &slug, true).await {
        Ok(b) => Json(organizer_business(&state, &b)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Close the booking page; booked appointments stay.
#[utoipa::path(post, path = "/businesses/{slug}/unpublish", operation_id = "unpublishBusiness", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The business", body = OrganizerBusinessJson),
        OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
    ))]
pub(super) async fn unpublish_business(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    match setup::set_published(&state.db, &org, &slug, false).await {
        Ok(b) => Json(organizer_business(&state, &b)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A business's services, published or not.
#[utoipa::path(get, path = "/organizer/businesses/{slug}/services", operation_id = "listOrganizerServices", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    security(("bearer" = [])),
    responses((status = 200, description = "The services", body = ServiceList), OrganizerErrors, (status = 404, response = NotFound)))]
pub(super) async fn list_services(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match setup::services(&state.db, &org, &slug).await {
        Ok(list) => Json(ServiceList {
            value: list.iter().map(service_json).collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Add a service (`bookingService`): `displayName` and `defaultDuration` are required; its
/// `staffMemberIds` must be staff members of this business. `customQuestions` are not supported
/// yet and are refused rather than dropped.
#[utoipa::path(post, path = "/businesses/{slug}/services", operation_id = "createService", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    request_body = ServiceInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The service", body = ServiceJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn create_service(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<ServiceInput>,
) -> Response {
    match setup::create_service(&state.db, &org, &slug, &input).await {
        Ok(s) => (StatusCode::CREATED, Json(service_json(&s))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Change a service: absent fields keep their value, `serviceHours: null` follows the business
/// hours again. Appointments already booked keep their times.
#[utoipa::path(patch, path = "/businesses/{slug}/services/{id}", operation_id = "updateService", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The service")),
    request_body = ServiceInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The service", body = ServiceJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn update_service(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id)): Path<(String, String)>,
    JsonBody(input): JsonBody<ServiceInput>,
) -> Response {
    match setup::update_service(&state.db, &org, &slug, &id, &input).await {
        Ok(s) => Json(service_json(&s)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Remove a service that no upcoming appointment is for (409 otherwise).
#[utoipa::path(delete, path = "/businesses/{slug}/services/{id}", operation_id = "deleteService", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The service")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
pub(super) async fn delete_service(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    match setup::remove_service(&state.db, &org, &slug, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
