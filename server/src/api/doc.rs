//! The OpenAPI document's frame: its title, servers and security schemes, and the problem
//! responses operations share. The operations themselves are generated from the handlers'
//! `#[utoipa::path]` attributes and the types they read and write, as the API's router is
//! built (see [`super::routes`]), so the document cannot list a route the router lacks or miss
//! one it serves.

// The response types below exist for the document: only their types are read, never a value.
#![allow(dead_code)]

use crate::http::problem::Problem;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atrium API",
        version = "1.0.0",
        description = "Events and registrations of an Atrium site. JSON in camelCase; errors are RFC 9457 \
                       application/problem+json with per-field messages in `errors`. Organizer operations \
                       take a bearer token from `POST /tokens` and see only their organization's events: \
                       another organization's event answers 404, exactly like a missing one."
    ),
    servers((url = "/api/v1")),
    components(schemas(Problem), responses(
        Malformed,
        Unauthorized,
        ReadOnly,
        NotFound,
        Gone,
        Conflict,
        UnsupportedMediaType,
        TooLarge,
        Invalid,
        TooManyRequests,
        Internal,
        MicrosoftFailed,
        Busy
    )),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

/// Bearer tokens for organizer operations, HTTP Basic to get one.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme("basic", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    }
}

/// The body is not JSON, or not JSON of this request's shape (the detail says where).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Malformed(Problem);

/// No token, or one that is unknown, revoked or expired.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(Problem);

/// The token is read-only.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct ReadOnly(Problem);

/// No such resource (or one of another organization).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(Problem);

/// The manage link expired (links stop working a set number of days after the event ends).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Gone(Problem);

/// Not possible in the resource's current state (the detail says why).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(Problem);

/// The body is larger than the server takes (256 KiB).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct TooLarge(Problem);

/// The body must be sent as `Content-Type: application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(Problem);

/// Some fields need attention: one message per field in `errors`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Invalid(Problem);

/// Too many requests from this address; `Retry-After` says when to try again.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = i64, description = "Seconds to wait"))
)]
pub struct TooManyRequests(Problem);

/// Something went wrong on Atrium's side; try again in a moment.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Internal(Problem);

/// Microsoft Teams did not answer as expected (Microsoft mode).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct MicrosoftFailed(Problem);

/// Busy checking passwords; try again after `Retry-After`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = i64, description = "Seconds to wait"))
)]
pub struct Busy(Problem);

/// What every organizer operation can answer besides its own outcome: no usable token, or a
/// failure on Atrium's side.
#[derive(IntoResponses)]
pub enum OrganizerErrors {
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 500)]
    Internal(#[ref_response] Internal),
}

/// What an organizer change can answer to a read-only token.
#[derive(IntoResponses)]
pub enum ReadOnlyToken {
    #[response(status = 403)]
    ReadOnly(#[ref_response] ReadOnly),
}

/// What an operation with a JSON body answers to a body that is not JSON of its shape.
#[derive(IntoResponses)]
pub enum JsonBodyErrors {
    #[response(status = 400)]
    Malformed(#[ref_response] Malformed),
    #[response(status = 413)]
    TooLarge(#[ref_response] TooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
}
