//! The registration operations of the public API: register, and read or cancel through the
//! manage link.

use crate::events::Event;
use crate::http::client_addr::ClientAddr;
use crate::http::problem::Problem;
use crate::registrations::{self, Lookup, NewRegistration, RegisterError, Registered, Summary, MAX_IDEMPOTENCY_KEY};
use crate::AppState;
use app::domain::{Answer, EventStatus, RegistrationStatus};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::too_many;
use crate::api::public::{event_json, iso, EventJson};
use crate::http::json_body::JsonBody;

/// The registration operations, each documented by its `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_registration))
        .routes(routes!(get_registration))
        .routes(routes!(cancel_registration))
}

/// What a registration request came to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Created)]
struct CreatedJson {
    id: String,
    status: RegistrationStatus,
    /// The manage link's secret: shown once, and only to the request that made the
    /// registration (withheld, and only emailed, when the event asks people to confirm their
    /// address).
    #[serde(skip_serializing_if = "Option::is_none")]
    manage_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manage_url: Option<String>,
    /// Place on the waitlist, for a waitlisted registration.
    waitlist_position: Option<i64>,
    /// What to do next, when there is something.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

fn created(state: &AppState, s: Summary) -> CreatedJson {
    CreatedJson {
        manage_url: s.manage_token.as_ref().map(|t| format!("{}/r/{t}", state.config.public_url)),
        message: s.manage_token.is_none().then(|| {
            "Check your email: we've sent a link to confirm the address. The place is held until then, and the manage link arrives by email only."
                .to_string()
        }),
        id: s.id,
        status: s.status,
        manage_token: s.manage_token,
        waitlist_position: s.waitlist_position,
    }
}

pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| Problem::malformed("Idempotency-Key must be printable ASCII."))?
        .trim()
        .trim_matches('"');
    if !registrations::idempotency_key_is_valid(key) {
        return Err(Problem::malformed(format!(
            "Idempotency-Key must be 1–{MAX_IDEMPOTENCY_KEY} printable ASCII characters."
        )));
    }
    Ok(Some(key.to_string()))
}

/// Register for an event.
#[utoipa::path(
    post,
    path = "/events/{slug}/registrations",
    operation_id = "register",
    tag = "registrations",
    params(
        ("slug" = String, Path, description = "The event's address"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 200,
         description = "Retries of the same request with the same key return the first result (for 24 hours). \
                        The same key with a different request is refused with 422. Browsers use 128 random bits."),
    ),
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Registered, waitlisted, awaiting approval, or (for events that ask registrants \
            to confirm their email address) unconfirmed: then the manage link is withheld and only emailed",
            body = CreatedJson, headers(("Location" = String, description = "The registration, when its token is shown"))),
        (status = 200, description = "This email was already registered; the details were emailed to it again", body = CreatedJson),
        (status = 400, response = super::doc::Malformed),
        (status = 404, response = super::doc::NotFound),
        (status = 409, description = "Registration is not possible now (not open yet, closed, full, or the event is canceled)",
            body = Problem, content_type = "application/problem+json"),
        (status = 413, response = super::doc::TooLarge),
        (status = 415, response = super::doc::UnsupportedMediaType),
        (status = 422, description = "Invalid fields, the hidden website field filled in, or an Idempotency-Key reused for a different request",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, response = super::doc::TooManyRequests),
        (status = 500, response = super::doc::Internal),
    )
)]
async fn create_registration(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(slug): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<NewRegistration>,
) -> Response {
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(p) => return p.into_response(),
    };
    let address = client.to_string();
    match registrations::register(&state.registrar, &slug, &input, key.as_deref(), Some(&address)).await {
        Ok(Registered::Created(s)) | Ok(Registered::Replayed(s)) => {
            state.after_write();
            match s.manage_token.clone() {
                Some(token) => {
                    let location = format!("/api/v1/registrations/{token}");
                    (StatusCode::CREATED, [(header::LOCATION, location)], Json(created(&state, s))).into_response()
                }
                None => (StatusCode::CREATED, Json(created(&state, s))).into_response(),
            }
        }
        Ok(Registered::Existing {
            id,
            status,
            waitlist_position,
        }) => {
            state.after_write();
            let body = CreatedJson {
                id,
                status,
                manage_token: None,
                manage_url: None,
                waitlist_position,
                message: Some(registrations::ALREADY_REGISTERED.into()),
            };
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(RegisterError::NotFound) => Problem::not_found("Event").into_response(),
        Err(RegisterError::Invalid(errors)) => Problem::invalid(errors).into_response(),
        Err(RegisterError::Refused(refusal)) => Problem::new(StatusCode::CONFLICT, "registration-refused", "Registration is not possible")
            .detail(refusal.message())
            .into_response(),
        Err(RegisterError::KeyReused) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused", "Idempotency-Key reused")
            .detail("This key was used for a different request. Use a new Idempotency-Key for each new registration.")
            .into_response(),
        Err(RegisterError::Limited(wait)) => too_many(wait, crate::portal::limited_message(wait)),
        Err(RegisterError::Db(e)) => Problem::internal(&e).into_response(),
    }
}

/// The registration behind a manage token, or the problem to answer instead.
async fn lookup(state: &AppState, token: &str) -> Result<(registrations::Registration, Event), Response> {
    match registrations::find(&state.db, token, state.config.manage_link_days, state.db.now()).await {
        Ok(Lookup::Found(found)) => Ok(*found),
        Ok(Lookup::Expired { .. }) => Err(Problem::new(StatusCode::GONE, "link-expired", "This manage link has expired")
            .detail(format!(
                "Manage links stop working {} days after their event ends.",
                state.config.manage_link_days
            ))
            .into_response()),
        Ok(Lookup::Missing) => Err(Problem::not_found("Registration").into_response()),
        Err(e) => Err(Problem::internal(&e).into_response()),
    }
}

/// A registration, as its manage link shows it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Registration)]
struct RegistrationJson {
    id: String,
    status: RegistrationStatus,
    first_name: String,
    last_name: String,
    email: String,
    preferred_timezone: String,
    preferred_language: Option<String>,
    registration_date_time: String,
    waitlist_position: Option<i64>,
    registration_question_answers: Vec<Answer>,
    join_web_url: Option<String>,
    manage_url: String,
    event: EventJson,
}

async fn registration_response(state: &AppState, token: &str) -> Response {
    let (reg, event) = match lookup(state, token).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let position = match registrations::position_of(&state.db, &reg).await {
        Ok(p) => p,
        Err(e) => return Problem::internal(&e).into_response(),
    };
    let join = event
        .join_link()
        .map(str::to_string)
        .filter(|_| reg.status == RegistrationStatus::Registered && event.status == EventStatus::Published);
    let body = RegistrationJson {
        manage_url: format!("{}/r/{token}", state.config.public_url),
        id: reg.id,
        status: reg.status,
        first_name: reg.first_name,
        last_name: reg.last_name,
        email: reg.email,
        preferred_timezone: reg.preferred_timezone,
        preferred_language: reg.preferred_language,
        registration_date_time: iso(reg.created_at),
        waitlist_position: position,
        registration_question_answers: reg.answers,
        join_web_url: join,
        event: event_json(state, &event),
    };
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// The registration behind a manage link.
#[utoipa::path(
    get,
    path = "/registrations/{manageToken}",
    operation_id = "getRegistration",
    tag = "registrations",
    params(("manageToken" = String, Path, description = "The private token from the manage link")),
    responses(
        (status = 200, description = "The registration", body = RegistrationJson),
        (status = 404, response = super::doc::NotFound),
        (status = 410, response = super::doc::Gone),
        (status = 500, response = super::doc::Internal),
    )
)]
async fn get_registration(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    registration_response(&state, &token).await
}

/// Cancel a registration through its manage link; the seat goes to the next person waiting.
#[utoipa::path(
    post,
    path = "/registrations/{manageToken}/cancel",
    operation_id = "cancelRegistration",
    tag = "registrations",
    params(("manageToken" = String, Path, description = "The private token from the manage link")),
    responses(
        (status = 200, description = "The canceled registration", body = RegistrationJson),
        (status = 404, response = super::doc::NotFound),
        (status = 410, response = super::doc::Gone),
        (status = 500, response = super::doc::Internal),
    )
)]
async fn cancel_registration(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (reg, _) = match lookup(&state, &token).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match registrations::cancel_by_id(&state.db, &reg.id).await {
        Ok(_) => {
            state.after_write();
            registration_response(&state, &token).await
        }
        Err(registrations::CancelError::NotFound) => Problem::not_found("Registration").into_response(),
        Err(registrations::CancelError::Db(e)) => Problem::internal(&e).into_response(),
    }
}
