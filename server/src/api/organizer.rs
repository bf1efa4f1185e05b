//! The organizer half of the REST API: bearer-token authenticated, scoped to the caller's
//! organization (another organization's event answers 404, exactly like a missing one).

use crate::accounts::auth;
use crate::accounts::tokens::{self, ApiOrganizer, ApiWriter};
use crate::api::public::{event_json, parse_json, EventJson};
use crate::events::{self as manage, EventInput, ManageError, PresenterInput, QuestionInput};
use crate::http::client_addr::ClientAddr;
use crate::http::problem::Problem;
use crate::registrations::organizer::Decision;
use crate::AppState;
use app::domain::RegistrationStatus;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", post(create_token))
        .route("/organizer/events", get(list_events))
        .route("/events", post(create_event))
        .route("/events/{slug}", axum::routing::patch(update_event))
        .route("/events/{slug}/publish", post(publish))
        .route("/events/{slug}/cancel", post(cancel))
        .route("/events/{slug}/questions", put(put_questions).get(get_questions))
        .route("/events/{slug}/presenters", put(put_presenters).get(get_presenters))
        .route("/events/{slug}/registrations", get(list_registrations))
        .route("/events/{slug}/registrations.csv", get(registrations_csv))
        .route("/events/{slug}/registrations/{id}/{action}", post(decide))
        .route("/events/{slug}/announcements", post(announce))
        .route("/events/{slug}/reminders", put(put_reminders).get(get_reminders))
        .route("/events/{slug}/attendance", put(import_attendance).get(get_attendance))
        .route("/events/{slug}/attendance/refresh", post(refresh_attendance))
}

impl IntoResponse for ManageError {
    fn into_response(self) -> Response {
        match self {
            ManageError::NotFound => Problem::not_found("Resource").into_response(),
            ManageError::Invalid(errors) => Problem::invalid(errors).into_response(),
            ManageError::Conflict(message) => Problem::new(StatusCode::CONFLICT, "conflict", "Not possible now")
                .detail(message)
                .into_response(),
            ManageError::Db(e) => Problem::internal(&e).into_response(),
        }
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(value.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, password) = text.split_once(':')?;
    Some((email.to_string(), password.to_string()))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct TokenRequest {
    #[serde(default)]
    name: Option<String>,
    /// Days until the token stops working; none: until revoked.
    #[serde(default)]
    expires_in_days: Option<i64>,
    /// `write` (the default) or `read`.
    #[serde(default)]
    scope: Option<String>,
}

/// `POST /tokens` with HTTP Basic (email:password) → a new API token, shown once.
async fn create_token(State(state): State<AppState>, client: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let Some((email, password)) = basic_credentials(&headers) else {
        let mut r = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required")
            .detail("Send your email and password with HTTP Basic authentication.")
            .into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, "Basic realm=\"atrium\"".parse().expect("valid header"));
        return r;
    };
    let organizer = match auth::sign_in_with_password(&state.db, &state.hasher, &email, &password, &client.to_string()).await {
        Ok(o) => o,
        Err(auth::SignInFailure::Limited(wait)) => {
            let mut r = Problem::new(StatusCode::TOO_MANY_REQUESTS, "too-many-attempts", "Too many sign-in attempts")
                .detail(format!("Try again in {} minutes.", (wait + 59) / 60))
                .into_response();
            r.headers_mut().insert(header::RETRY_AFTER, wait.into());
            return r;
        }
        Err(auth::SignInFailure::Busy) => {
            let mut r = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "The server is busy")
                .detail("Try again in a moment.")
                .into_response();
            r.headers_mut().insert(header::RETRY_AFTER, 2.into());
            return r;
        }
        Err(auth::SignInFailure::Wrong) => {
            return Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Wrong email or password").into_response()
        }
        Err(auth::SignInFailure::Db(e)) => return Problem::internal(&e).into_response(),
    };
    let request: TokenRequest = if body.is_empty() {
        TokenRequest::default()
    } else {
        match parse_json(&headers, &body) {
            Ok(r) => r,
            Err(p) => return p.into_response(),
        }
    };
    let scope = match request.scope.as_deref() {
        None => tokens::Scope::Write,
        Some(s) => match tokens::Scope::parse(s) {
            Some(scope) => scope,
            None => return Problem::invalid(vec![app::domain::FieldError::new("scope", "Use read or write.")]).into_response(),
        },
    };
    let spec = tokens::NewToken {
        name: request.name.unwrap_or_else(|| "API token".into()),
        expires_in_days: request.expires_in_days,
        scope,
    };
    match tokens::create(&state.db, &organizer, &spec).await {
        Ok((id, token)) => (
            StatusCode::CREATED,
            [(header::CACHE_CONTROL, "no-store")],
            Json(serde_json::json!({ "id": id, "token": token })),
        )
            .into_response(),
        Err(auth::AuthError::Invalid(m)) => {
            let field = if m.contains("days") { "expiresInDays" } else { "name" };
            Problem::invalid(vec![app::domain::FieldError::new(field, m)]).into_response()
        }
        Err(auth::AuthError::Db(e)) => Problem::internal(&e).into_response(),
    }
}

async fn list_events(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer) -> Response {
    match manage::list(&state.db, &org).await {
        Ok(list) => {
            Json(serde_json::json!({ "value": list.iter().map(|e| organizer_event_json(&state, e)).collect::<Vec<_>>() })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn create_event(State(state): State<AppState>, ApiWriter(org): ApiWriter, headers: HeaderMap, body: Bytes) -> Response {
    let input: EventInput = match parse_json(&headers, &body) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    match manage::create(&state.db, &org, &input).await {
        Ok(e) => (
            StatusCode::CREATED,
            [(header::LOCATION, format!("/api/v1/events/{}", e.slug))],
            Json(organizer_event_json(&state, &e)),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn update_event(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut input: EventInput = match parse_json(&headers, &body) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    if let Some(Some(link)) = &input.teams_webinar_id {
        match check_webinar_link(&state, &org, &slug, link.trim()).await {
            Ok(account) => input.teams_webinar_checked_with = account,
            Err(r) => return r,
        }
    }
    match manage::update(&state.db, &org, &slug, &input).await {
        Ok(e) => {
            state.after_write();
            Json(organizer_event_json(&state, &e)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// Before an event is linked to the Teams webinar `id`: its form, that no other event holds it,
/// and, in Teams, that the organization's connected Microsoft 365 account organizes or
/// co-organizes it. Returns that account (None when the event already holds this webinar).
async fn check_webinar_link(
    state: &AppState,
    org: &auth::Organizer,
    slug: &str,
    id: &str,
) -> Result<Option<crate::microsoft::delegated::Account>, Response> {
    use crate::microsoft::sync::LinkRefusal;
    let event = manage::event(&state.db, org, slug).await.map_err(IntoResponse::into_response)?;
    if id.is_empty() || event.teams_webinar_id.as_deref() == Some(id) {
        return Ok(None);
    }
    manage::check_webinar_link(&state.db, &event, id)
        .await
        .map_err(IntoResponse::into_response)?;
    let refused =
        |status: StatusCode, kind: &str, title: &str, detail: String| Problem::new(status, kind, title).detail(detail).into_response();
    let Some(teams) = &state.teams else {
        return Err(refused(
            StatusCode::CONFLICT,
            "microsoft-not-connected",
            "Connect Microsoft 365 first",
            "Linking a Teams webinar needs Microsoft mode and a connected Microsoft 365 account, to check that your organization organizes the webinar. Configure Microsoft mode, then connect an account on the dashboard's Microsoft 365 page.".into(),
        ));
    };
    match teams.webinar_account(org, id).await {
        Ok(account) => Ok(Some(account)),
        Err(LinkRefusal::Invalid(m)) => Err(Problem::invalid(vec![app::domain::FieldError::new("teamsWebinarId", m)]).into_response()),
        Err(LinkRefusal::NotConnected) => Err(refused(
            StatusCode::CONFLICT,
            "microsoft-not-connected",
            "Connect Microsoft 365 first",
            "No Microsoft 365 account is connected to check that your organization organizes this webinar: connect your organization's service account (or your own) on the dashboard's Microsoft 365 page, then link the webinar again.".into(),
        )),
        Err(LinkRefusal::NotOrganizer(m)) => Err(Problem::invalid(vec![app::domain::FieldError::new("teamsWebinarId", m)]).into_response()),
        Err(LinkRefusal::Unavailable(m)) => Err(refused(
            StatusCode::BAD_GATEWAY,
            "microsoft",
            "Teams did not answer as expected",
            format!("Could not check the webinar in Teams: {m}"),
        )),
    }
}

async fn publish(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    match manage::publish(&state.db, &org, &slug, state.microsoft.is_some()).await {
        Ok(e) => Json(organizer_event_json(&state, &e)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default)]
struct CancelRequest {
    #[serde(default)]
    message: Option<String>,
}

async fn cancel(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: CancelRequest = if body.is_empty() {
        CancelRequest::default()
    } else {
        match parse_json(&headers, &body) {
            Ok(r) => r,
            Err(p) => return p.into_response(),
        }
    };
    match manage::cancel(&state.db, &org, &slug, request.message.as_deref()).await {
        Ok(e) => {
            state.after_write();
            Json(organizer_event_json(&state, &e)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn get_questions(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match manage::event(&state.db, &org, &slug).await {
        Ok(e) => Json(serde_json::json!({ "value": questions_of(&state, &e) })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Applies a partial update and answers with one part of the updated event.
async fn update_part(
    state: &AppState,
    org: &auth::Organizer,
    slug: &str,
    input: EventInput,
    part: fn(&AppState, &crate::events::Event) -> serde_json::Value,
) -> Response {
    match manage::update(&state.db, org, slug, &input).await {
        Ok(e) => Json(serde_json::json!({ "value": part(state, &e) })).into_response(),
        Err(e) => e.into_response(),
    }
}

fn questions_of(_: &AppState, e: &crate::events::Event) -> serde_json::Value {
    serde_json::to_value(&e.questions).unwrap_or_default()
}

fn presenters_of(state: &AppState, e: &crate::events::Event) -> serde_json::Value {
    serde_json::to_value(event_json(state, e).presenters).unwrap_or_default()
}

async fn put_questions(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match parse_json::<Vec<QuestionInput>>(&headers, &body) {
        Ok(q) => {
            update_part(
                &state,
                &org,
                &slug,
                EventInput {
                    questions: Some(q),
                    ..Default::default()
                },
                questions_of,
            )
            .await
        }
        Err(p) => p.into_response(),
    }
}

async fn get_presenters(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match manage::event(&state.db, &org, &slug).await {
        Ok(e) => Json(serde_json::json!({ "value": presenters_of(&state, &e) })).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn put_presenters(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match parse_json::<Vec<PresenterInput>>(&headers, &body) {
        Ok(p) => {
            update_part(
                &state,
                &org,
                &slug,
                EventInput {
                    presenters: Some(p),
                    ..Default::default()
                },
                presenters_of,
            )
            .await
        }
        Err(p) => p.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

/// A whole number in `range` from a query parameter, or a problem naming it.
fn number_param(value: Option<&str>, name: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, Problem> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            Problem::invalid(vec![app::domain::FieldError::new(
                name,
                format!("Give a whole number from {} to {}.", range.start(), range.end()),
            )])
        }),
    }
}

async fn list_registrations(
    State(state): State<AppState>,
    ApiOrganizer(org): ApiOrganizer,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match RegistrationStatus::parse(s) {
            Some(s) => Some(s),
            None => return Problem::invalid(vec![app::domain::FieldError::new("status", "Unknown registration status.")]).into_response(),
        },
    };
    let (page, size) = match (
        number_param(query.page.as_deref(), "page", 1, 1..=crate::registrations::organizer::MAX_PAGE),
        number_param(query.page_size.as_deref(), "pageSize", 50, 1..=500),
    ) {
        (Ok(p), Ok(s)) => (p, s),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    match crate::registrations::organizer::registrants(&state.db, &org, &slug, status, query.q.as_deref(), (size, (page - 1) * size)).await
    {
        Ok((rows, total)) => {
            Json(serde_json::json!({ "value": rows, "totalCount": total, "page": page, "pageSize": size })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn registrations_csv(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match crate::registrations::organizer::registrants_csv(&state.db, &org, &slug).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{slug}-registrations.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            csv,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn decide(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id, action)): Path<(String, String, String)>,
) -> Response {
    let Some(decision) = Decision::parse(&action) else {
        return Problem::not_found("Action").into_response();
    };
    match crate::registrations::organizer::decide(&state.db, &org, &slug, &id, decision).await {
        Ok(status) => {
            state.after_write();
            Json(serde_json::json!({ "id": id, "status": status })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct AnnounceRequest {
    message: String,
    #[serde(default)]
    statuses: Vec<String>,
}

async fn announce(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: AnnounceRequest = match parse_json(&headers, &body) {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
    let statuses: Vec<RegistrationStatus> = if request.statuses.is_empty() {
        vec![RegistrationStatus::Registered]
    } else {
        match request
            .statuses
            .iter()
            .map(|s| RegistrationStatus::parse(s))
            .collect::<Option<Vec<_>>>()
        {
            Some(s) => s,
            None => {
                return Problem::invalid(vec![app::domain::FieldError::new("statuses", "Unknown registration status.")]).into_response()
            }
        }
    };
    match manage::announce(&state.db, &org, &slug, &statuses, &request.message).await {
        Ok(n) => {
            state.after_write();
            (StatusCode::ACCEPTED, Json(serde_json::json!({ "recipients": n }))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReminderInput {
    offset_minutes: i64,
}

async fn get_reminders(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    match crate::events::reminders::list(&state.db, &event.id).await {
        Ok(list) => Json(serde_json::json!({ "value": list })).into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

async fn put_reminders(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: Vec<ReminderInput> = match parse_json(&headers, &body) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    let offsets: Vec<i64> = input.iter().map(|r| r.offset_minutes).collect();
    match crate::events::reminders::set(&state.db, &org, &slug, &offsets).await {
        Ok(list) => Json(serde_json::json!({ "value": list })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `PUT /events/{slug}/attendance` with the Teams attendance report as the body (CSV, UTF-8 or
/// UTF-16): replaces the event's attendance.
async fn import_attendance(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>, body: Bytes) -> Response {
    match crate::attendance::import(&state.db, &org, &slug, &body).await {
        Ok(summary) => Json(summary).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn get_attendance(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    match crate::attendance::by_email(&state.db, &event.id).await {
        Ok(map) => {
            let value: Vec<_> = map
                .into_iter()
                .map(|(email, seconds)| serde_json::json!({ "emailAddress": email, "totalAttendanceInSeconds": seconds }))
                .collect();
            Json(serde_json::json!({ "value": value })).into_response()
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// `POST /events/{slug}/attendance/refresh`: reads attendance from Teams now (Microsoft mode).
async fn refresh_attendance(State(state): State<AppState>, ApiWriter(org): ApiWriter, Path(slug): Path<String>) -> Response {
    let event = match manage::event(&state.db, &org, &slug).await {
        Ok(e) => e,
        Err(e) => return e.into_response(),
    };
    let Some(teams) = &state.teams else {
        return ManageError::Conflict("Microsoft mode is off: import the attendance report instead.".into()).into_response();
    };
    match teams.read_attendance(&event).await {
        Ok(summary) => Json(summary).into_response(),
        Err(message) => Problem::new(StatusCode::BAD_GATEWAY, "microsoft", "Teams did not answer as expected")
            .detail(message)
            .into_response(),
    }
}

/// An event as its organizers see it: the public fields, and where it stands in Teams.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizerEventJson {
    #[serde(flatten)]
    event: EventJson,
    /// Minutes registrants have to confirm their email address; 0 when not asked.
    email_confirmation_minutes: i64,
    teams: Option<TeamsJson>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TeamsJson {
    webinar_id: Option<String>,
    meeting_id: Option<String>,
    join_url: Option<String>,
    is_attendee_email_notification_enabled: bool,
    /// "service" (the organization's service account) or "organizer" (an organizer's own).
    owner: &'static str,
}

fn organizer_event_json(state: &AppState, e: &crate::events::Event) -> OrganizerEventJson {
    OrganizerEventJson {
        event: event_json(state, e),
        email_confirmation_minutes: e.confirm_hold_minutes,
        teams: e.in_teams().then(|| TeamsJson {
            webinar_id: e.teams_webinar_id.clone(),
            meeting_id: e.teams_meeting_id.clone(),
            join_url: e.teams_join_url.clone(),
            is_attendee_email_notification_enabled: e.teams_emails,
            owner: if e.teams_owner.is_some() { "organizer" } else { "service" },
        }),
    }
}
