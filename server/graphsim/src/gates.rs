//! What stands before every route: bearer tokens checked (application or delegated), and the faults a test asked for (throttling, outages, malformed or slow answers, dropped connections).

use super::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Checks the bearer token, logs the request, and applies the next injected fault.
pub(crate) fn gate(state: &Arc<Mutex<SimState>>, headers: &HeaderMap, method: &str, path: &str) -> Option<Response> {
    let mut s = state.lock().unwrap();
    s.log.push((Instant::now(), method.into(), path.into()));
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !token.is_some_and(|t| s.tokens.iter().any(|k| k == t)) {
        return Some(graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        ));
    }
    // Slow and dropped answers wait for the next request's middleware (see `slow_or_dropped`).
    let next = match s.faults.front() {
        Some(Fault::Slow(_) | Fault::Drop) => None,
        _ => s.faults.pop_front(),
    };
    match next {
        Some(Fault::Throttle(after)) => {
            let mut r = graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry after the time given.",
            );
            if let Some(a) = after {
                r.headers_mut().insert("retry-after", a.into());
            }
            Some(r)
        }
        Some(Fault::Unavailable) => Some(graph_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "Try again later.",
        )),
        Some(Fault::Pass | Fault::Slow(_) | Fault::Drop) | None => None,
        Some(Fault::Malformed) => Some((StatusCode::OK, "{\"value\": [ this is not json").into_response()),
    }
}

/// Webinar writes need a delegated token; application tokens are refused as Graph does.
pub(crate) fn delegated_only(state: &Arc<Mutex<SimState>>, headers: &HeaderMap) -> Option<Response> {
    let s = state.lock().unwrap();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    (!token.is_some_and(|t| s.user_tokens.iter().any(|k| k == t))).then(|| {
        graph_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Application permissions are not supported for this API.",
        )
    })
}

pub(crate) fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string()
}

/// Applies a `Slow` or `Drop` fault at the head of the queue around the real answer: a slow
/// answer comes late; a dropped one is worked on (as Graph would) and then breaks off mid-body.
pub(crate) async fn slow_or_dropped(State(state): Shared, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    // Keep what was sent, for the contract tests.
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024).await.unwrap_or_default();
    if let Ok(json) = serde_json::from_slice::<Value>(&bytes) {
        let path = parts.uri.path().trim_start_matches("/v1.0").to_string();
        state.lock().unwrap().bodies.push((parts.method.to_string(), path, json));
    }
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    let fault = {
        let mut s = state.lock().unwrap();
        match s.faults.front() {
            Some(Fault::Slow(_) | Fault::Drop) if request.uri().path().starts_with("/v1.0/") => s.faults.pop_front(),
            _ => None,
        }
    };
    match fault {
        Some(Fault::Slow(delay)) => {
            // Graph does the work, then the answer is late (or never read: a client that gave
            // up or died still left the change made).
            let answer = next.run(request).await;
            tokio::time::sleep(delay).await;
            answer
        }
        Some(Fault::Drop) => {
            let answer = next.run(request).await;
            let (mut parts, _) = answer.into_parts();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            let broken = futures::stream::iter([
                Ok(Bytes::from_static(b"{\"value\": [")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped")),
            ]);
            Response::from_parts(parts, axum::body::Body::from_stream(broken))
        }
        _ => next.run(request).await,
    }
}
