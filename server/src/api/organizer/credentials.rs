//! `POST /api/v1/tokens`: an organizer trades their email and password for an API token.

use crate::accounts::auth;
use crate::accounts::tokens::{self};
use crate::http::client_addr::ClientAddr;
use crate::http::json_body::JsonBodyOrEmpty;
use crate::http::problem::Problem;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new API token. Its secret is shown only here.
#[derive(Serialize, ToSchema)]
pub(super) struct TokenCreated {
    id: String,
    /// Send as `Authorization: Bearer …`.
    token: String,
}

pub(super) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(value.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (email, password) = text.split_once(':')?;
    Some((email.to_string(), password.to_string()))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenRequest {
    #[serde(default)]
    name: Option<String>,
    /// Days until the token stops working; none: until revoked.
    #[serde(default)]
    expires_in_days: Option<i64>,
    /// `write` (the default) or `read`.
    #[serde(default)]
    scope: Option<String>,
}

/// Exchange an email and password (HTTP Basic) for an API token, shown once.
#[utoipa::path(
    post,
    path = "/tokens",
    operation_id = "createToken",
    tag = "organizer tokens",
    request_body(content = Option<TokenRequest>, description = "Optional"),
    security(("basic" = [])),
    responses(
        (status = 201, description = "The token, shown once", body = TokenCreated),
        crate::api::doc::JsonBodyErrors,
        (status = 401, description = "No or wrong credentials", body = Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::api::doc::Invalid),
        (status = 429, response = crate::api::doc::TooManyRequests),
        (status = 500, response = crate::api::doc::Internal),
        (status = 503, response = crate::api::doc::Busy),
    )
)]
pub(super) async fn create_token(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    // A body that could not be read or parsed is reported only after the credentials are
    // checked, so a stranger is told 401 whatever they sent.
    request: Result<JsonBodyOrEmpty<TokenRequest>, Response>,
) -> Response {
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
    let request = match request {
        Ok(JsonBodyOrEmpty(request)) => request,
        Err(refused) => return refused,
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
            Json(TokenCreated { id, token }),
        )
            .into_response(),
        Err(auth::AuthError::Invalid(m)) => {
            let field = if m.contains("days") { "expiresInDays" } else { "name" };
            Problem::invalid(vec![app::domain::FieldError::new(field, m)]).into_response()
        }
        Err(auth::AuthError::Db(e)) => Problem::internal(&e).into_response(),
    }
}
