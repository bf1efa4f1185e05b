//! Cookies, read and written with `axum-extra`'s cookie support: the dashboard's `__Host-`
//! cookies (Secure, Path=/, no Domain, HttpOnly, SameSite=Lax) and the page's time-zone choice.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The value of the cookie `name` the browser sent, if any.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|c| c.value().to_string())
}

/// A `__Host-` cookie for a secret: only over HTTPS, for this host and every path, out of
/// reach of scripts, sent on top-level navigations from other sites but on no cross-site
/// subrequest. `max_age` 0 deletes it.
pub fn host_secret(name: &'static str, value: &str, max_age: i64) -> String {
    Cookie::build((name, value.to_string()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .to_string()
}

/// A preference the page itself reads back (no secret): a year, every path.
pub fn preference(name: &'static str, value: &str) -> String {
    Cookie::build((name, value.to_string()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn secrets_go_in_strict_host_cookies() {
        let c = host_secret("__Host-atrium_session", "abc", 60);
        for part in [
            "__Host-atrium_session=abc",
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Lax",
            "Max-Age=60",
        ] {
            assert!(c.split("; ").any(|p| p == part), "{part} in {c}");
        }
        assert!(!c.contains("Domain"));
        assert!(host_secret("__Host-x", "", 0).contains("Max-Age=0"));
    }

    #[test]
    fn reads_only_the_named_cookie() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; __Host-atrium_session=xyz; b=2".parse().unwrap());
        h.append(header::COOKIE, "atrium_tz=Europe/Berlin".parse().unwrap());
        assert_eq!(read(&h, "__Host-atrium_session").as_deref(), Some("xyz"));
        assert_eq!(read(&h, "__Host-atrium"), None);
        assert_eq!(read(&h, "atrium_tz").as_deref(), Some("Europe/Berlin"));
    }
}
