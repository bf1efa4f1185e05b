//! Endpoints the browser tests use to steer and read the simulator (not part of Graph).

use super::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

pub(crate) async fn sim_state(State(state): Shared) -> Response {
    let s = state.lock().unwrap();
    Json(json!({
        "webinars": s.webinars,
        "registrations": s.registrations,
        "meetings": s.meetings,
        "organizers": s.organizers,
        "graphRequests": s.log.len(),
        "batchRequests": s.log.iter().filter(|(_, _, p)| p == "/$batch").count(),
        "tokenRequests": s.token_requests,
    }))
    .into_response()
}

/// Sets who signs in next: `{"oid", "upn", "name"}`.
pub(crate) async fn sim_user(State(state): Shared, Json(body): Json<Value>) -> Response {
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    state.lock().unwrap().user = Some((text("oid"), text("upn"), text("name")));
    StatusCode::NO_CONTENT.into_response()
}

/// Makes a published webinar (as if organized in Teams) and returns `{"id"}`.
pub(crate) async fn sim_webinar(State(state): Shared) -> Response {
    let id = format!("{}@{TENANT}", uuid::Uuid::new_v4());
    state
        .lock()
        .unwrap()
        .webinars
        .insert(id.clone(), json!({"id": id, "status": "published", "displayName": "Benchmark"}));
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

/// Request counters and registrations per webinar, small enough to poll.
pub(crate) async fn sim_counts(State(state): Shared) -> Response {
    let s = state.lock().unwrap();
    let registrations: HashMap<&String, usize> = s.registrations.iter().map(|(w, r)| (w, r.len())).collect();
    Json(json!({
        "registrations": registrations,
        "graphRequests": s.log.len(),
        "batchRequests": s.log.iter().filter(|(_, _, p)| p == "/$batch").count(),
        "tokenRequests": s.token_requests,
    }))
    .into_response()
}
