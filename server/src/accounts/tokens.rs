//! API tokens: bearer secrets for the organizer API, stored as hashes, with an optional expiry
//! and a scope (read-only, or read and write), and the extractors that let a handler name the
//! kind of caller it needs.

use super::store::tokens as store;
use crate::accounts::auth::{random_secret, sha256_hex, AuthError, Organizer};
use crate::http::problem::Problem;
use crate::store::Db;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
pub use store::{list, organizer_for};

/// Longest expiry a token may be given.
pub const MAX_DAYS: i64 = 3650;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// Read events, registrants and reports; change nothing.
    Read,
    /// Everything the organizer may do.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }
}

/// A token about to be made: its name, how many days it lives (none: until revoked), and scope.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub name: String,
    pub expires_in_days: Option<i64>,
    pub scope: Scope,
}

/// A new API token for `organizer`; the token itself is only ever shown here.
pub async fn create(db: &Db, organizer: &Organizer, spec: &NewToken) -> Result<(String, String), AuthError> {
    let name = spec.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AuthError::Invalid("Give the token a name of at most 100 characters.".into()));
    }
    if spec.expires_in_days.is_some_and(|d| !(1..=MAX_DAYS).contains(&d)) {
        return Err(AuthError::Invalid(format!("A token lives from 1 to {MAX_DAYS} days.")));
    }
    let token = format!("atr_{}", random_secret(30));
    let id = uuid::Uuid::now_v7().to_string();
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let expires_at = spec.expires_in_days.map(|d| now + d * 86_400);
    store::insert(&mut tx, &id, &sha256_hex(&token), &organizer.id, name, now, expires_at, spec.scope).await?;
    crate::accounts::audit::record(&mut tx, &organizer.organization_id, &organizer.email, "token.created", name, now).await?;
    tx.commit().await?;
    crate::security_log::event("api_token_created", Some(&organizer.email), None, name);
    Ok((id, token))
}

#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub scope: Scope,
}

/// Revokes a token of the organizer's organization. False when there is no such token.
pub async fn revoke(db: &Db, organizer: &Organizer, token_id: &str) -> Result<bool, sqlx::Error> {
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let name = store::revoke(&mut tx, &organizer.organization_id, token_id, now).await?;
    let Some(name) = name else { return Ok(false) };
    crate::accounts::audit::record(&mut tx, &organizer.organization_id, &organizer.email, "token.revoked", &name, now).await?;
    tx.commit().await?;
    crate::security_log::event("api_token_revoked", Some(&organizer.email), None, &name);
    Ok(true)
}

fn unauthorized() -> Response {
    let mut r = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required")
        .detail("Send a live API token as Authorization: Bearer <token>.")
        .into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, "Bearer realm=\"atrium\"".parse().expect("valid header"));
    r
}

async fn caller(parts: &Parts, db: &Db) -> Result<(Organizer, Scope), Response> {
    let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
        return Err(unauthorized());
    };
    match organizer_for(db, token).await {
        Ok(Some(found)) => {
            let _ = store::touch(db, token).await;
            Ok(found)
        }
        Ok(None) => Err(unauthorized()),
        Err(e) => Err(Problem::internal(&e).into_response()),
    }
}

/// An organizer calling the API with any live token (`Authorization: Bearer atr_…`).
pub struct ApiOrganizer(pub Organizer);

impl<S: Send + Sync> FromRequestParts<S> for ApiOrganizer
where
    Db: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let db = <Db as axum::extract::FromRef<S>>::from_ref(state);
        caller(parts, &db).await.map(|(o, _)| ApiOrganizer(o))
    }
}

/// An organizer calling the API with a token that may change things.
pub struct ApiWriter(pub Organizer);

impl<S: Send + Sync> FromRequestParts<S> for ApiWriter
where
    Db: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let db = <Db as axum::extract::FromRef<S>>::from_ref(state);
        match caller(parts, &db).await? {
            (o, Scope::Write) => Ok(ApiWriter(o)),
            (_, Scope::Read) => Err(Problem::new(StatusCode::FORBIDDEN, "read-only-token", "This token is read-only")
                .detail("Create a token with the write scope to make changes.")
                .into_response()),
        }
    }
}
