//! Organizers and how they prove who they are: passwords (argon2id), sign-in sessions behind a
//! `__Host-` cookie with a CSRF token, and bearer API tokens. Only hashes of session secrets and
//! tokens are stored. Sign-in methods are variants of [`Credential`], so an identity provider
//! (Entra ID) can be added beside the password.

use crate::accounts::passwords::Hasher;
use crate::http::problem::Problem;
use crate::limits;
use crate::store::{Db, WriteTx};
use app::domain::EmailAddress;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::any::AnyRow;
use sqlx::Row;

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

use crate::clock::now;

pub use crate::crypto::sha256_hex;

pub(crate) fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

pub use crate::accounts::passwords::hash_password;

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

/// Adds an organizer to an organization inside the caller's transaction.
pub async fn insert_organizer(
    tx: &mut WriteTx,
    organization_id: &str,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<Organizer, AuthError> {
    let email = EmailAddress::parse(email).map_err(AuthError::Invalid)?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE email_normalized = $1")
        .bind(email.normalized())
        .fetch_optional(&mut *tx.tx)
        .await?;
    if taken.is_some() {
        return Err(AuthError::Invalid(format!("{} already has an account.", email.as_str())));
    }
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
        .bind(organization_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let name = name.ok_or_else(|| AuthError::Invalid("That organization no longer exists.".into()))?;
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO organizers (id, organization_id, email, email_normalized, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6)",
    )
    .bind(&id)
    .bind(organization_id)
    .bind(email.as_str())
    .bind(email.normalized())
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(Organizer {
        id,
        organization_id: organization_id.to_string(),
        organization_name: name,
        email: email.as_str().to_string(),
        display_name: String::new(),
    })
}

/// Creates an organizer, and the organization named `organization` if there is none yet (for
/// the `create-organizer` command and tests; invitations name their organization by id).
/// Returns the organizer and the password (generated when none is given).
pub async fn create_organizer(db: &Db, email: &str, organization: &str, password: Option<&str>) -> Result<(Organizer, String), AuthError> {
    EmailAddress::parse(email).map_err(AuthError::Invalid)?;
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
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AuthError::Invalid(e.to_string()))?
    };
    let now = now();
    let mut tx = db.begin_write().await?;
    let org_id: Option<String> = sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1 ORDER BY created_at LIMIT 1")
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
    let organizer = insert_organizer(&mut tx, &org_id, email, &hash, now).await?;
    tx.commit().await?;
    Ok((organizer, password))
}

/// Checks a credential on the hashing pool. Unknown accounts cost the same time as wrong
/// passwords.
pub async fn authenticate(db: &Db, hasher: &Hasher, credential: Credential<'_>) -> Result<Option<Organizer>, SignInFailure> {
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
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| crate::accounts::passwords::dummy_hash().to_string());
            let ok = hasher.verify(&hash, password).await.map_err(|_| SignInFailure::Busy)?;
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

/// Why a password sign-in did not succeed.
#[derive(Debug)]
pub enum SignInFailure {
    /// Too many attempts from this address (for this account, or at all): wait this many
    /// seconds.
    Limited(i64),
    /// Every password-checking thread stayed busy: try again shortly.
    Busy,
    Wrong,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for SignInFailure {
    fn from(e: sqlx::Error) -> Self {
        SignInFailure::Db(e)
    }
}

/// How long to hold back a check of an account that failed `failures` times in the current
/// window from anywhere: nothing at first, then 250 ms doubling up to 8 s. The account is
/// slowed down, never locked, so its owner still gets in while someone else guesses.
pub fn account_delay(failures: i64) -> std::time::Duration {
    let over = failures - limits::SIGN_IN_ACCOUNT_FAILURES.hits;
    if over < 0 {
        return std::time::Duration::ZERO;
    }
    std::time::Duration::from_millis(250u64.saturating_mul(1 << over.min(5)).min(8_000))
}

/// A password sign-in, shared by the dashboard and the API. The attempt is counted before the
/// password is checked (so parallel guesses cannot slip past the limit), per account and
/// address and per address, in the database (so every instance sees the same counts).
pub async fn sign_in_with_password(
    db: &Db,
    hasher: &Hasher,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Organizer, SignInFailure> {
    let account = email.trim().to_lowercase();
    let pair = format!("{account}|{address}");
    let now = now();
    let mut tx = db.begin_write().await?;
    let by_pair = limits::hit(&mut tx, limits::SIGN_IN_PAIR, &pair, now).await?;
    let by_address = limits::hit(&mut tx, limits::SIGN_IN_ADDRESS, address, now).await?;
    tx.commit().await?;
    if let Some(wait) = by_pair
        .exceeded(limits::SIGN_IN_PAIR)
        .max(by_address.exceeded(limits::SIGN_IN_ADDRESS))
    {
        crate::security_log::event("sign_in_throttled", Some(&account), Some(address), "");
        return Err(SignInFailure::Limited(wait));
    }
    let failures = limits::peek(db, limits::SIGN_IN_ACCOUNT_FAILURES, &account, now).await?;
    let delay = account_delay(failures);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match authenticate(db, hasher, Credential::Password { email, password }).await? {
        // A sign-in that worked does not count against the address or the account and address.
        Some(organizer) => {
            let mut tx = db.begin_write().await?;
            limits::clear(&mut tx, limits::SIGN_IN_PAIR, &pair, now).await?;
            limits::refund(&mut tx, limits::SIGN_IN_ADDRESS, address, now).await?;
            tx.commit().await?;
            Ok(organizer)
        }
        None => {
            let mut tx = db.begin_write().await?;
            limits::hit(&mut tx, limits::SIGN_IN_ACCOUNT_FAILURES, &account, now).await?;
            tx.commit().await?;
            crate::security_log::event("sign_in_failed", Some(&account), Some(address), "");
            Err(SignInFailure::Wrong)
        }
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

impl<S: Send + Sync> FromRequestParts<S> for SignedIn
where
    Db: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let db = <Db as axum::extract::FromRef<S>>::from_ref(state);
        let to_login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/dashboard");
            let encoded: String = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            Redirect::to(&format!("/login?{encoded}")).into_response()
        };
        let Some(secret) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match session(&db, &secret).await {
            Ok(Some((organizer, csrf))) => Ok(SignedIn { organizer, csrf }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(Problem::internal(&e).into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_checked_for_length() {
        assert!(check_password("short").is_err());
        assert!(check_password(&generate_password()).is_ok());
    }

    #[test]
    fn accounts_slow_down_progressively_and_boundedly() {
        let at = |n| account_delay(limits::SIGN_IN_ACCOUNT_FAILURES.hits + n).as_millis();
        assert_eq!(account_delay(0).as_millis(), 0);
        assert_eq!(at(-1), 0);
        assert_eq!(at(0), 250);
        assert_eq!(at(1), 500);
        assert_eq!(at(5), 8_000);
        assert_eq!(at(1_000_000), 8_000);
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
