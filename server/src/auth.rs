//! Organizers and how they prove who they are: passwords (argon2id), sign-in sessions behind a
//! `__Host-` cookie with a CSRF token, and bearer API tokens. Only hashes of session secrets and
//! tokens are stored. Sign-in methods are variants of [`Credential`], so an identity provider
//! (Entra ID) can be added beside the password.

use crate::db::Db;
use crate::problem::Problem;
use crate::AppState;
use app::domain::EmailAddress;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SESSION_COOKIE: &str = "__Host-atrium_session";
/// A session ends after this long without use.
pub const IDLE_TIMEOUT: i64 = 2 * 3600;
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: i64 = 12 * 3600;
/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
const TOUCH_EVERY: i64 = 300;
pub const MIN_PASSWORD: usize = 12;

/// A signed-in organizer, always with the organization every query is scoped to.
#[derive(Clone, Debug)]
pub struct Organizer {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub email: String,
    pub display_name: String,
}

/// How someone proves they are an organizer.
pub enum Credential<'a> {
    Password { email: &'a str, password: &'a str },
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn now() -> i64 {
    crate::registrations::now()
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A password strong enough to protect an organization's attendee data.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!("Use at least {MIN_PASSWORD} characters."));
    }
    if password.chars().count() > 256 {
        return Err("Use at most 256 characters.".into());
    }
    Ok(())
}

/// A random password for a new account, shown once.
pub fn generate_password() -> String {
    random_secret(15)
}

const ORGANIZER_COLUMNS: &str = "SELECT o.id, o.organization_id, g.name AS organization_name, o.email, o.display_name";
const ORGANIZER_FROM: &str = "FROM organizers o JOIN organizations g ON g.id = o.organization_id";

fn organizer_from_row(row: &AnyRow) -> Result<Organizer, sqlx::Error> {
    Ok(Organizer {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        organization_name: row.try_get("organization_name")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
    })
}

/// Creates an organizer, and the organization named `organization` if there is none yet.
/// Returns the organizer and the password (generated when none is given).
pub async fn create_organizer(db: &Db, email: &str, organization: &str, password: Option<&str>) -> Result<(Organizer, String), AuthError> {
    let email = EmailAddress::parse(email).map_err(AuthError::Invalid)?;
    let organization = organization.trim();
    if organization.is_empty() || organization.chars().count() > 200 {
        return Err(AuthError::Invalid(
            "The organization needs a name of at most 200 characters.".into(),
        ));
    }
    let password = match password {
        Some(p) => {
            check_password(p).map_err(AuthError::Invalid)?;
            p.to_string()
        }
        None => generate_password(),
    };
    let hash = hash_password(&password);
    let now = now();
    let mut tx = db.begin_write().await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE email_normalized = $1")
        .bind(email.normalized())
        .fetch_optional(&mut *tx.tx)
        .await?;
    if taken.is_some() {
        return Err(AuthError::Invalid(format!("{} already has an account.", email.as_str())));
    }
    let org_id: Option<String> = sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1")
        .bind(organization)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let org_id = match org_id {
        Some(id) => id,
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(organization)
                .bind(now)
                .execute(&mut *tx.tx)
                .await?;
            id
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO organizers (id, organization_id, email, email_normalized, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6)",
    )
    .bind(&id)
    .bind(&org_id)
    .bind(email.as_str())
    .bind(email.normalized())
    .bind(&hash)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await?;
    let organizer = Organizer {
        id,
        organization_id: org_id,
        organization_name: organization.to_string(),
        email: email.as_str().to_string(),
        display_name: String::new(),
    };
    Ok((organizer, password))
}

/// Checks a credential. Unknown accounts cost the same time as wrong passwords.
pub async fn authenticate(db: &Db, credential: Credential<'_>) -> Result<Option<Organizer>, sqlx::Error> {
    match credential {
        Credential::Password { email, password } => {
            let normalized = email.trim().to_lowercase();
            let row = sqlx::query(&format!(
                "{}, o.password_hash {} WHERE o.email_normalized = $1 AND o.disabled_at IS NULL",
                ORGANIZER_COLUMNS, ORGANIZER_FROM
            ))
            .bind(&normalized)
            .fetch_optional(&db.pool)
            .await?;
            let hash: Option<String> = match &row {
                Some(r) => r.try_get("password_hash")?,
                None => None,
            };
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_password("not a real password at all"));
            let (hash, known) = match &hash {
                Some(h) => (h.as_str(), true),
                None => (dummy.as_str(), false),
            };
            let password = password.to_string();
            let hash = hash.to_string();
            let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
                .await
                .unwrap_or(false);
            match row {
                Some(row) if ok && known => Ok(Some(organizer_from_row(&row)?)),
                _ => Ok(None),
            }
        }
    }
}

/// The active organizer with this email address.
pub async fn organizer_by_email(db: &Db, email: &str) -> Result<Option<Organizer>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "{ORGANIZER_COLUMNS} {ORGANIZER_FROM} WHERE o.email_normalized = $1 AND o.disabled_at IS NULL"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(organizer_from_row).transpose()
}

/// The organizer who signs in as this Microsoft account: the one who linked it (its object id
/// in its tenant) while signed in. Never found by email: the email claim can be changed by the
/// account's admins and is not verified. None when nobody linked it.
pub async fn organizer_for_microsoft(db: &Db, oid: &str, tid: &str) -> Result<Option<Organizer>, sqlx::Error> {
    if oid.is_empty() || tid.is_empty() {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "{ORGANIZER_COLUMNS} {ORGANIZER_FROM} WHERE o.microsoft_oid = $1 AND o.microsoft_tid = $2 AND o.disabled_at IS NULL"
    ))
    .bind(oid)
    .bind(tid)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(organizer_from_row).transpose()
}

/// Links the Microsoft account `oid` in tenant `tid` (shown as `name`) to `organizer`, who can
/// then sign in with it. Refused when another organizer already linked it.
pub async fn link_microsoft(db: &Db, organizer: &Organizer, oid: &str, tid: &str, name: &str) -> Result<(), AuthError> {
    if oid.is_empty() || tid.is_empty() {
        return Err(AuthError::Invalid(
            "Microsoft did not say which account signed in; try again.".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let holder: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE microsoft_oid = $1 AND id <> $2")
        .bind(oid)
        .bind(&organizer.id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if holder.is_some() {
        return Err(AuthError::Invalid(
            "This Microsoft account is already linked to another organizer account here. Unlink it there first.".into(),
        ));
    }
    sqlx::query("UPDATE organizers SET microsoft_oid = $2, microsoft_tid = $3, microsoft_name = $4 WHERE id = $1")
        .bind(&organizer.id)
        .bind(oid)
        .bind(tid)
        .bind(name)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        target: "atrium::security",
        event = "microsoft_account_linked",
        organizer = %organizer.id,
        organization = %organizer.organization_id,
        microsoft_oid = %oid,
        microsoft_tid = %tid,
        "Microsoft account linked for sign-in"
    );
    Ok(())
}

/// Unlinks `organizer`'s Microsoft account: signing in with it no longer works. False when none
/// was linked.
pub async fn unlink_microsoft(db: &Db, organizer: &Organizer) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let linked: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT microsoft_oid, microsoft_tid FROM organizers WHERE id = $1")
            .bind(&organizer.id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let Some((Some(oid), tid)) = linked else { return Ok(false) };
    sqlx::query("UPDATE organizers SET microsoft_oid = NULL, microsoft_tid = NULL, microsoft_name = NULL WHERE id = $1")
        .bind(&organizer.id)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        target: "atrium::security",
        event = "microsoft_account_unlinked",
        organizer = %organizer.id,
        organization = %organizer.organization_id,
        microsoft_oid = %oid,
        microsoft_tid = %tid.unwrap_or_default(),
        "Microsoft account unlinked from sign-in"
    );
    Ok(true)
}

/// The Microsoft account `organizer` signs in with, as it was shown when linked.
pub async fn microsoft_link(db: &Db, organizer: &Organizer) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT microsoft_oid, microsoft_tid, microsoft_name FROM organizers WHERE id = $1")
            .bind(&organizer.id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(match row {
        Some((Some(oid), Some(_), name)) => Some(name.filter(|n| !n.is_empty()).unwrap_or(oid)),
        _ => None,
    })
}

/// A new session for `organizer`. Returns the cookie secret; a fresh one at every sign-in.
pub async fn start_session(db: &Db, organizer: &Organizer) -> Result<String, sqlx::Error> {
    let secret = random_secret(32);
    let now = now();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO sessions (id_hash, organizer_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(sha256_hex(&secret))
        .bind(&organizer.id)
        .bind(random_secret(24))
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    // Sessions past their lifetime are of no use to anyone.
    sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
        .bind(now - ABSOLUTE_TIMEOUT)
        .bind(now - IDLE_TIMEOUT)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(secret)
}

pub async fn end_session(db: &Db, secret: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(sha256_hex(secret))
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// The organizer and CSRF token of a live session.
pub async fn session(db: &Db, secret: &str) -> Result<Option<(Organizer, String)>, sqlx::Error> {
    let now = now();
    let id_hash = sha256_hex(secret);
    let row = sqlx::query(
        "SELECT s.csrf_token, s.created_at AS session_created, s.last_seen_at, o.id, o.organization_id, g.name AS organization_name, o.email, o.display_name \
         FROM sessions s JOIN organizers o ON o.id = s.organizer_id JOIN organizations g ON g.id = o.organization_id \
         WHERE s.id_hash = $1 AND o.disabled_at IS NULL"
    )
    .bind(&id_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let created: i64 = row.try_get("session_created")?;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if now - created > ABSOLUTE_TIMEOUT || now - last_seen > IDLE_TIMEOUT {
        end_session(db, secret).await?;
        return Ok(None);
    }
    if now - last_seen > TOUCH_EVERY {
        let mut tx = db.begin_write().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(&id_hash)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some((organizer_from_row(&row)?, row.try_get("csrf_token")?)))
}

/// A new API token for `organizer`; the token itself is only ever shown here.
pub async fn create_token(db: &Db, organizer: &Organizer, name: &str) -> Result<(String, String), AuthError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AuthError::Invalid("Give the token a name of at most 100 characters.".into()));
    }
    let token = format!("atr_{}", random_secret(30));
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO api_tokens (id, token_hash, organizer_id, name, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(sha256_hex(&token))
        .bind(&organizer.id)
        .bind(name)
        .bind(now())
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
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
}

/// The organization's API tokens, newest first.
pub async fn list_tokens(db: &Db, organizer: &Organizer) -> Result<Vec<TokenInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, o.email, t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN organizers o ON o.id = t.organizer_id \
         WHERE o.organization_id = $1 ORDER BY t.created_at DESC",
    )
    .bind(&organizer.organization_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenInfo {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_by: r.try_get("email")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

/// Revokes a token of the organizer's organization. False when there is no such token.
pub async fn revoke_token(db: &Db, organizer: &Organizer, token_id: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND revoked_at IS NULL \
         AND organizer_id IN (SELECT id FROM organizers WHERE organization_id = $2)",
    )
    .bind(token_id)
    .bind(&organizer.organization_id)
    .bind(now())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// The organizer behind a bearer token that has not been revoked.
pub async fn token_organizer(db: &Db, token: &str) -> Result<Option<Organizer>, sqlx::Error> {
    if !token.starts_with("atr_") || token.len() > 100 {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "{ORGANIZER_COLUMNS} {ORGANIZER_FROM} JOIN api_tokens t ON t.organizer_id = o.id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND o.disabled_at IS NULL"
    ))
    .bind(sha256_hex(token))
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(organizer_from_row).transpose()
}

/// Failed sign-ins per account and per client address, in a sliding window.
#[derive(Clone, Default)]
pub struct LoginLimiter {
    failures: Arc<Mutex<HashMap<String, Vec<i64>>>>,
}

impl LoginLimiter {
    pub const WINDOW: i64 = 15 * 60;
    pub const PER_ACCOUNT: usize = 5;
    pub const PER_ADDRESS: usize = 30;

    fn keys(email: &str, address: &str) -> [(String, usize); 2] {
        [
            (format!("account:{}", email.trim().to_lowercase()), Self::PER_ACCOUNT),
            (format!("address:{address}"), Self::PER_ADDRESS),
        ]
    }

    /// Seconds to wait before trying again, if this account or address has failed too often.
    pub fn retry_after(&self, email: &str, address: &str) -> Option<i64> {
        let now = now();
        let mut map = self.failures.lock().expect("limiter lock");
        let mut wait = None;
        for (key, limit) in Self::keys(email, address) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now - t < Self::WINDOW);
                if times.len() >= limit {
                    let w = Self::WINDOW - (now - times[0]);
                    wait = Some(wait.map_or(w, |x: i64| x.max(w)));
                }
            }
        }
        wait
    }

    pub fn failed(&self, email: &str, address: &str) {
        let now = now();
        let mut map = self.failures.lock().expect("limiter lock");
        for (key, _) in Self::keys(email, address) {
            map.entry(key).or_default().push(now);
        }
        if map.len() > 100_000 {
            map.retain(|_, times| times.last().is_some_and(|t| now - t < Self::WINDOW));
        }
    }

    pub fn succeeded(&self, email: &str) {
        self.failures
            .lock()
            .expect("limiter lock")
            .remove(&format!("account:{}", email.trim().to_lowercase()));
    }
}

/// Why a password sign-in did not succeed.
pub enum SignInFailure {
    /// Too many failures for this account or address: wait this many seconds.
    Limited(i64),
    Wrong,
    Db(sqlx::Error),
}

/// A password sign-in through the failure limiter, shared by the dashboard and the API.
pub async fn sign_in_with_password(
    db: &Db,
    limiter: &LoginLimiter,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Organizer, SignInFailure> {
    if let Some(wait) = limiter.retry_after(email, address) {
        return Err(SignInFailure::Limited(wait));
    }
    match authenticate(db, Credential::Password { email, password }).await {
        Ok(Some(organizer)) => {
            limiter.succeeded(email);
            Ok(organizer)
        }
        Ok(None) => {
            limiter.failed(email, address);
            Err(SignInFailure::Wrong)
        }
        Err(e) => Err(SignInFailure::Db(e)),
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string)
        })
}

pub fn session_cookie(secret: &str) -> String {
    format!("{SESSION_COOKIE}={secret}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_TIMEOUT}")
}

/// Ties a "Sign in with Microsoft" in progress to the browser that started it.
pub const OIDC_COOKIE: &str = "__Host-atrium_oidc";

pub fn oidc_cookie(value: &str, max_age: i64) -> String {
    format!("{OIDC_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age}")
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// An organizer signed in to the dashboard, with the session's CSRF token. Pages that need one
/// send visitors without a session to the sign-in page.
pub struct SignedIn {
    pub organizer: Organizer,
    pub csrf: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/dashboard");
            let encoded: String = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            Redirect::to(&format!("/login?{encoded}")).into_response()
        };
        let Some(secret) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match session(&state.db, &secret).await {
            Ok(Some((organizer, csrf))) => Ok(SignedIn { organizer, csrf }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(Problem::internal(&e).into_response()),
        }
    }
}

/// An organizer calling the API with `Authorization: Bearer atr_…`.
pub struct ApiOrganizer(pub Organizer);

fn unauthorized() -> Response {
    let mut r = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required")
        .detail("Send an API token as Authorization: Bearer <token>.")
        .into_response();
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, "Bearer realm=\"atrium\"".parse().expect("valid header"));
    r
}

impl FromRequestParts<AppState> for ApiOrganizer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let Some(token) = header.strip_prefix("Bearer ").map(str::trim) else {
            return Err(unauthorized());
        };
        match token_organizer(&state.db, token).await {
            Ok(Some(organizer)) => {
                let _ = touch_token(&state.db, token).await;
                Ok(ApiOrganizer(organizer))
            }
            Ok(None) => Err(unauthorized()),
            Err(e) => Err(Problem::internal(&e).into_response()),
        }
    }
}

async fn touch_token(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    let now = now();
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(sha256_hex(token))
        .bind(now)
        .bind(now - TOUCH_EVERY)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery staple");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse battery staple"));
        assert!(!verify_password(&h, "correct horse battery stapler"));
        assert!(!verify_password("not a hash", "x"));
        assert!(check_password("short").is_err());
        assert!(check_password(&generate_password()).is_ok());
    }

    #[test]
    fn limiter_blocks_after_repeated_failures() {
        let l = LoginLimiter::default();
        for _ in 0..LoginLimiter::PER_ACCOUNT {
            assert!(l.retry_after("a@example.com", "1.2.3.4").is_none());
            l.failed("A@example.com", "1.2.3.4");
        }
        let wait = l.retry_after("a@example.com", "5.6.7.8").expect("account is locked");
        assert!(wait > 0 && wait <= LoginLimiter::WINDOW);
        assert!(
            l.retry_after("b@example.com", "1.2.3.4").is_none(),
            "other accounts from the address still may try"
        );
        l.succeeded("a@example.com");
        assert!(l.retry_after("a@example.com", "5.6.7.8").is_none());
    }

    #[test]
    fn cookies_are_host_prefixed_and_strict() {
        let c = session_cookie("abc");
        assert!(c.starts_with("__Host-atrium_session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"));
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; __Host-atrium_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie_value(&h, "__Host-atrium"), None);
    }
}
