//! Dashboard sessions: the `__Host-` cookie that carries the session secret (and the one that ties a Microsoft sign-in to its browser), their lifetimes, and the [`SignedIn`] extractor.

use super::auth::Organizer;
use crate::http::problem::Problem;
use crate::store::Db;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

pub const SESSION_COOKIE: &str = "__Host-atrium_session";

/// A session ends after this long without use.
pub const IDLE_TIMEOUT: i64 = 2 * 3600;

/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: i64 = 12 * 3600;

/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
pub const TOUCH_EVERY: i64 = 300;

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    crate::http::cookies::read(headers, name)
}

pub fn session_cookie(secret: &str) -> String {
    crate::http::cookies::host_secret(SESSION_COOKIE, secret, ABSOLUTE_TIMEOUT)
}

/// Ties a "Sign in with Microsoft" in progress to the browser that started it.
pub const OIDC_COOKIE: &str = "__Host-atrium_oidc";

pub fn oidc_cookie(value: &str, max_age: i64) -> String {
    crate::http::cookies::host_secret(OIDC_COOKIE, value, max_age)
}

pub fn clear_session_cookie() -> String {
    crate::http::cookies::host_secret(SESSION_COOKIE, "", 0)
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
        match super::store::sessions::session(&db, &secret).await {
            Ok(Some((organizer, csrf))) => Ok(SignedIn { organizer, csrf }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(Problem::internal(&e).into_response()),
        }
    }
}

impl SignedIn {
    /// The signed-in organizer of a request the page makes by itself (the agenda asking for
    /// changes): it does not count as use, so an open tab alone never keeps a session alive.
    pub async fn peek(db: &Db, headers: &HeaderMap) -> Result<Option<SignedIn>, sqlx::Error> {
        let Some(secret) = cookie_value(headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        Ok(super::store::sessions::session_untouched(db, &secret)
            .await?
            .map(|(organizer, csrf)| SignedIn { organizer, csrf }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_host_prefixed_and_strict() {
        let c = session_cookie("abc");
        for part in ["__Host-atrium_session=abc", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
            assert!(c.split("; ").any(|p| p == part), "{part} in {c}");
        }
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::COOKIE, "a=1; __Host-atrium_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie_value(&h, "__Host-atrium"), None);
    }
}
