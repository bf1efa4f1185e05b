//! Webinar registrations, one at a time and in `$batch` requests.

use super::*;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Adds an anonymous registration; a second one with the same email is a 409, as Teams refuses
/// registering one address twice.
pub(crate) fn add_registration(state: &Arc<Mutex<SimState>>, webinar: &str, body: Value) -> Result<(), (StatusCode, &'static str, String)> {
    let mut s = state.lock().unwrap();
    if !s.webinars.contains_key(webinar) {
        return Err((StatusCode::NOT_FOUND, "NotFound", "The webinar was not found.".into()));
    }
    for field in ["firstName", "lastName", "email"] {
        if body[field].as_str().unwrap_or("").is_empty() {
            return Err((
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("{field} is required for anonymous registration."),
            ));
        }
    }
    let email = body["email"].as_str().unwrap_or("").to_lowercase();
    let list = s.registrations.entry(webinar.to_string()).or_default();
    if list.iter().any(|r| r["email"].as_str().unwrap_or("").to_lowercase() == email) {
        return Err((StatusCode::CONFLICT, "Conflict", "This email address is already registered.".into()));
    }
    let mut reg = body;
    reg["id"] = json!(uuid::Uuid::new_v4().to_string());
    reg["status"] = json!("registered");
    list.push(reg);
    Ok(())
}

pub(crate) async fn register(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "POST",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
    ) {
        return r;
    }
    match add_registration(&state, &id, body) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, code, message)) => graph_error(status, code, &message),
    }
}

pub(crate) async fn list_registrations(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
    ) {
        return r;
    }
    let s = state.lock().unwrap();
    let all = s.registrations.get(&id).cloned().unwrap_or_default();
    let skip: usize = q.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = all.iter().skip(skip).take(2).cloned().collect();
    let mut body = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#registrations", "value": page});
    if let Some(link) = &s.next_link_override {
        body["@odata.nextLink"] = json!(link);
    } else if skip + 2 < all.len() {
        body["@odata.nextLink"] = json!(format!(
            "{}/v1.0/solutions/virtualEvents/webinars/{id}/registrations?$skiptoken={}",
            host(&headers),
            skip + 2
        ));
    }
    Json(body).into_response()
}

pub(crate) fn host(headers: &HeaderMap) -> String {
    format!(
        "http://{}",
        headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1")
    )
}

pub(crate) async fn batch(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/$batch") {
        return r;
    }
    let requests = body["requests"].as_array().cloned().unwrap_or_default();
    if requests.len() > 20 {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "A batch holds at most 20 requests.");
    }
    let mut responses = Vec::new();
    for req in requests.iter().rev() {
        let id = req["id"].as_str().unwrap_or("").to_string();
        let first_time_fault = {
            let mut s = state.lock().unwrap();
            match s.batch_item_faults.iter().position(|f| *f == id) {
                Some(i) => {
                    s.batch_item_faults.remove(i);
                    true
                }
                None => false,
            }
        };
        if first_time_fault {
            responses.push(json!({"id": id, "status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {"code": "TooManyRequests", "message": "Slow down"}}}));
            continue;
        }
        let url = req["url"].as_str().unwrap_or("");
        let webinar = url
            .strip_prefix("/solutions/virtualEvents/webinars/")
            .and_then(|r| r.strip_suffix("/registrations"));
        match (req["method"].as_str(), webinar) {
            (Some("POST"), Some(w)) => match add_registration(&state, w, req["body"].clone()) {
                Ok(()) => responses.push(json!({"id": id, "status": 204})),
                Err((status, code, message)) => {
                    responses.push(json!({"id": id, "status": status.as_u16(), "body": {"error": {"code": code, "message": message}}}))
                }
            },
            _ => responses.push(
                json!({"id": id, "status": 400, "body": {"error": {"code": "BadRequest", "message": "Unsupported in the simulator"}}}),
            ),
        }
    }
    Json(json!({"responses": responses})).into_response()
}

pub(crate) async fn cancel_registration(State(state): Shared, headers: HeaderMap, Path((id, rid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "POST",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations/{rid}/cancel"),
    ) {
        return r;
    }
    let mut s = state.lock().unwrap();
    match s
        .registrations
        .get_mut(&id)
        .and_then(|list| list.iter_mut().find(|r| r["id"] == rid.as_str()))
    {
        Some(r) => {
            r["status"] = json!("canceled");
            StatusCode::NO_CONTENT.into_response()
        }
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The registration was not found."),
    }
}

pub(crate) async fn get_registration(State(state): Shared, headers: HeaderMap, Path((id, rid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations/{rid}"),
    ) {
        return r;
    }
    let s = state.lock().unwrap();
    match s
        .registrations
        .get(&id)
        .and_then(|list| list.iter().find(|r| r["id"] == rid.as_str()))
    {
        Some(r) => Json(r.clone()).into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The registration was not found."),
    }
}
