//! Security applied to every response: a strict Content-Security-Policy and companion headers,
//! and refusal of cross-site state-changing requests (CSRF) by `Sec-Fetch-Site` and `Origin`.

use crate::http::problem::Problem;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use crate::security_log::event;

/// Where forms may lead besides Atrium itself: in Microsoft mode, the identity platform (a
/// connect form answers with a redirect to its sign-in page, and browsers apply `form-action`
/// to that redirect too). Set once at start-up.
static FORM_TARGETS: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Allows forms to lead to `origin` (scheme, host and port) too.
pub fn allow_form_target(origin: &str) {
    let clean: String = origin.chars().filter(|c| !c.is_whitespace() && *c != ';' && *c != ',').collect();
    let _ = FORM_TARGETS.set(clean);
}

/// The policy for a page whose inline script carries `nonce`.
pub fn csp(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".into(),
    };
    let forms = match FORM_TARGETS.get() {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".into(),
    };
    format!(
        "default-src 'self'; {script}; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action {forms}"
    )
}

/// Whether a state-changing request comes from another site. Browsers send `Sec-Fetch-Site`
/// (and `Origin`) on such requests; clients that send neither are not browsers and carry no
/// ambient credentials to abuse.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    origin == "null" || !origin_host.eq_ignore_ascii_case(host)
}

/// Paths whose next segment is a secret (a manage link or an invitation).
const SECRET_PATHS: [&str; 5] = [
    "/r/",
    "/invite/",
    "/api/v1/registrations/",
    "/appointments/",
    "/api/v1/appointments/",
];

/// The path with secret segments replaced by `…`, for logs.
pub fn redact_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}…{tail}").into();
        }
    }
    path.into()
}

/// What the guard needs to know about the site.
#[derive(Clone, Copy, Debug)]
pub struct Site {
    /// People reach the site over https: tell browsers to keep to it.
    pub https: bool,
}

pub async fn guard(State(site): State<Site>, request: Request, next: Next) -> Response {
    let state_changing = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if state_changing && is_cross_site(request.headers()) {
        event("cross_site_request_refused", None, None, &redact_path(request.uri().path()));
        return Problem::new(StatusCode::FORBIDDEN, "cross-site-request", "Cross-site request refused")
            .detail("This request came from another site and was refused to protect your account.")
            .into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if site.https {
        // Browsers that once reached the site over https keep to it for a year.
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp(None)).expect("valid header"),
        );
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Manage links carry a secret in the path: never leak it to other sites.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=()"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_detection() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "localhost:3000")
        ])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "http://localhost:3000"),
            ("host", "localhost:3000")
        ])));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "localhost:3000")])));
        assert!(!is_cross_site(&headers(&[])));
    }

    #[test]
    fn secrets_in_paths_are_redacted() {
        assert_eq!(redact_path("/r/AbCdEf123/cancel"), "/r/…/cancel");
        assert_eq!(redact_path("/r/AbCdEf123"), "/r/…");
        assert_eq!(redact_path("/invite/s3cr3t"), "/invite/…");
        assert_eq!(redact_path("/api/v1/registrations/tok/cancel"), "/api/v1/registrations/…/cancel");
        assert_eq!(redact_path("/appointments/tok/cancel"), "/appointments/…/cancel");
        assert_eq!(redact_path("/api/v1/appointments/tok"), "/api/v1/appointments/…");
        assert_eq!(redact_path("/events/launch"), "/events/launch");
    }

    #[test]
    fn policy_locks_down_objects_base_and_framing() {
        let p = csp(Some("abc"));
        for part in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "'nonce-abc'"] {
            assert!(p.contains(part), "{p}");
        }
        assert!(!p.contains("unsafe-inline"));
    }
}
