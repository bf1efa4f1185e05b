//! The versioned REST API (`/api/v1`): JSON in camelCase, errors as problem+json.

use crate::events::{self, Event};
use crate::http::client_addr::ClientAddr;
use crate::http::problem::Problem;
use crate::registrations::{self, Lookup, NewRegistration, RegisterError, Registered, Summary, MAX_IDEMPOTENCY_KEY};
use crate::AppState;
use app::domain::{Answer, EventStatus, Question, RegistrationStatus};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/events", get(list_events))
        .route("/events/{slug}", get(get_event))
        .route("/events/{slug}/registrations", post(create_registration))
        .route("/registrations/{token}", get(get_registration))
        .route("/registrations/{token}/cancel", post(cancel_registration))
        .fallback(|| async { Problem::not_found("Resource") })
}

fn iso(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map(|t| t.to_string()).unwrap_or_default()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenterJson {
    pub name: String,
    pub company: String,
    pub job_title: String,
    pub bio: String,
    pub photo_url: Option<String>,
    /// Links by kind: LinkedIn, Website, X.
    pub links: Vec<LinkJson>,
}

#[derive(Serialize)]
pub struct LinkJson {
    pub kind: String,
    pub url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventJson {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub kind: String,
    pub status: String,
    pub start_date_time: String,
    pub end_date_time: String,
    pub time_zone: String,
    pub capacity: Option<i64>,
    pub registered_count: i64,
    pub waitlisted_count: i64,
    pub seats_left: Option<i64>,
    pub is_waitlist_enabled: bool,
    pub is_manual_approval_enabled: bool,
    pub registration_opens_date_time: Option<String>,
    pub registration_closes_date_time: Option<String>,
    pub is_registration_open: bool,
    pub terms_url: Option<String>,
    pub questions: Vec<Question>,
    pub presenters: Vec<PresenterJson>,
    pub url: String,
}

pub(crate) fn event_json(state: &AppState, e: &Event) -> EventJson {
    EventJson {
        id: e.id.clone(),
        slug: e.slug.clone(),
        title: e.title.clone(),
        summary: e.summary.clone(),
        description: e.description.clone(),
        kind: e.kind.as_str().into(),
        status: e.status.as_str().into(),
        start_date_time: iso(e.start_at),
        end_date_time: iso(e.end_at),
        time_zone: e.time_zone.clone(),
        capacity: e.capacity,
        registered_count: e.registered_count,
        waitlisted_count: e.waitlisted_count,
        seats_left: e.seats().seats_left(),
        is_waitlist_enabled: e.waitlist_enabled,
        is_manual_approval_enabled: e.manual_approval,
        registration_opens_date_time: e.registration_opens_at.map(iso),
        registration_closes_date_time: e.registration_closes_at.map(iso),
        is_registration_open: e.window().check(state.db.now()).is_ok(),
        terms_url: e.terms_url.clone(),
        questions: e.questions.clone(),
        presenters: e
            .presenters
            .iter()
            .map(|p| PresenterJson {
                name: p.name.clone(),
                company: p.company.clone(),
                job_title: p.job_title.clone(),
                bio: p.bio.clone(),
                photo_url: p.photo_url.clone(),
                links: p
                    .links
                    .iter()
                    .map(|(kind, url)| LinkJson {
                        kind: kind.clone(),
                        url: url.clone(),
                    })
                    .collect(),
            })
            .collect(),
        url: format!("{}/events/{}", state.config.public_url, e.slug),
    }
}

#[derive(Serialize)]
struct Collection<T> {
    value: Vec<T>,
}

async fn list_events(State(state): State<AppState>) -> Response {
    match events::upcoming(&state.db, state.db.now()).await {
        Ok(list) => Json(Collection {
            value: list.iter().map(|e| event_json(&state, e)).collect(),
        })
        .into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

async fn get_event(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match events::public_by_slug(&state.db, &slug).await {
        Ok(Some(e)) => Json(event_json(&state, &e)).into_response(),
        Ok(None) => Problem::not_found("Event").into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedJson {
    id: String,
    status: RegistrationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    manage_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manage_url: Option<String>,
    waitlist_position: Option<i64>,
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

/// 429 with `Retry-After`, for a client over a limit.
pub(crate) fn too_many(wait: i64, detail: String) -> Response {
    let mut r = Problem::new(StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests")
        .detail(detail)
        .into_response();
    r.headers_mut().insert(header::RETRY_AFTER, wait.into());
    r
}

/// Parses a JSON body, turning every way it can be wrong into a 400 or 415 problem.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, Problem> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != "application/json" && !mime.ends_with("+json") {
        return Err(
            Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Send JSON")
                .detail("Set Content-Type: application/json."),
        );
    }
    serde_json::from_slice(body).map_err(|e| Problem::malformed(format!("The body is not valid JSON for this request: {e}")))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
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

async fn create_registration(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: NewRegistration = match parse_json(&headers, &body) {
        Ok(input) => input,
        Err(p) => return p.into_response(),
    };
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
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

async fn get_registration(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    registration_response(&state, &token).await
}

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

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")).into_response()
}
