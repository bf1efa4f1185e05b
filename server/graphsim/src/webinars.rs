//! Teams webinars: create, read, update, publish and cancel, their questions and presenters, and their sessions' attendance.

use super::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub(crate) async fn create_webinar(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/solutions/virtualEvents/webinars") {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let id = format!("{}@{TENANT}", uuid::Uuid::new_v4());
    let mut webinar = body;
    webinar["id"] = json!(id);
    webinar["status"] = json!("draft");
    let mut s = state.lock().unwrap();
    let organizer = s.token_users.get(&bearer(&headers)).cloned().unwrap_or_default();
    s.organizers.insert(id.clone(), organizer);
    s.webinars.insert(id, webinar.clone());
    (StatusCode::CREATED, Json(webinar)).into_response()
}

pub(crate) async fn list_webinars(State(state): Shared, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", "/solutions/virtualEvents/webinars") {
        return r;
    }
    let s = state.lock().unwrap();
    if s.no_access_policy {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "No application access policy found for this app.",
        );
    }
    Json(json!({"value": s.webinars.values().cloned().collect::<Vec<_>>()})).into_response()
}

pub(crate) async fn publish_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/solutions/virtualEvents/webinars/{id}/publish")) {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    match s.webinars.get_mut(&id) {
        Some(w) => {
            w["status"] = json!("published");
            StatusCode::NO_CONTENT.into_response()
        }
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

/// Adds an item (with a new id) under the webinar's `key`, as a delegated caller; 201 with it.
pub(crate) fn add_webinar_item(
    state: &Arc<Mutex<SimState>>,
    headers: &HeaderMap,
    id: &str,
    key: &str,
    path: &str,
    mut item: Value,
) -> Response {
    if let Some(r) = gate(state, headers, "POST", path) {
        return r;
    }
    if let Some(r) = delegated_only(state, headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(w) = s.webinars.get_mut(id) else {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found.");
    };
    item["id"] = json!(uuid::Uuid::new_v4().to_string());
    if w[key].is_null() {
        w[key] = json!([]);
    }
    w[key].as_array_mut().unwrap().push(item.clone());
    (StatusCode::CREATED, Json(item)).into_response()
}

pub(crate) async fn add_question(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let path = format!("/solutions/virtualEvents/webinars/{id}/registrationConfiguration/questions");
    add_webinar_item(&state, &headers, &id, "questions", &path, body)
}

/// The items a webinar keeps under `key` (questions, presenters), as a Graph collection.
pub(crate) fn webinar_items(state: &Arc<Mutex<SimState>>, headers: &HeaderMap, id: &str, key: &str, path: &str) -> Response {
    if let Some(r) = gate(state, headers, "GET", path) {
        return r;
    }
    let s = state.lock().unwrap();
    match s.webinars.get(id) {
        Some(w) => Json(json!({"value": w[key].as_array().cloned().unwrap_or_default()})).into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

pub(crate) async fn list_questions(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let path = format!("/solutions/virtualEvents/webinars/{id}/registrationConfiguration/questions");
    webinar_items(&state, &headers, &id, "questions", &path)
}

pub(crate) async fn list_presenters(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let path = format!("/solutions/virtualEvents/webinars/{id}/presenters");
    webinar_items(&state, &headers, &id, "presenters", &path)
}

/// Adds a guest presenter; Teams answers with `email` taken from the identity.
pub(crate) async fn add_presenter(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(mut body): Json<Value>,
) -> Response {
    body["email"] = body["identity"]["email"].clone();
    let path = format!("/solutions/virtualEvents/webinars/{id}/presenters");
    add_webinar_item(&state, &headers, &id, "presenters", &path, body)
}

pub(crate) async fn cancel_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/solutions/virtualEvents/webinars/{id}/cancel")) {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    match s.webinars.get_mut(&id) {
        Some(w) => {
            w["status"] = json!("canceled");
            StatusCode::NO_CONTENT.into_response()
        }
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

pub(crate) async fn list_sessions(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/virtualEvents/webinars/{id}/sessions")) {
        return r;
    }
    // Every webinar has one session.
    let join = format!("https://teams.microsoft.com/l/meetup-join/{}", id.split('@').next().unwrap_or(""));
    Json(json!({"value": [{"id": "s1", "subject": "Session one", "joinWebUrl": join}]})).into_response()
}

pub(crate) async fn list_reports(State(state): Shared, headers: HeaderMap, Path((id, sid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/sessions/{sid}/attendanceReports"),
    ) {
        return r;
    }
    let count = state.lock().unwrap().attendance.get(&id).map(|r| r.len()).unwrap_or(0);
    Json(json!({"value": [{"id": "r1", "totalParticipantCount": count, "attendanceRecords": []}]})).into_response()
}

pub(crate) async fn list_records(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, sid, rid)): Path<(String, String, String)>,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/sessions/{sid}/attendanceReports/{rid}/attendanceRecords"),
    ) {
        return r;
    }
    let records = state.lock().unwrap().attendance.get(&id).cloned().unwrap_or_default();
    Json(json!({"value": records})).into_response()
}

/// `GET /solutions/virtualEvents/webinars/{id}`, and `getByUserRole(role='organizer')` for the
/// signed-in user (the same path shape).
pub(crate) async fn get_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/virtualEvents/webinars/{id}")) {
        return r;
    }
    let s = state.lock().unwrap();
    if id.starts_with("getByUserRole(") {
        if !s.user_tokens.contains(&bearer(&headers)) {
            return graph_error(StatusCode::FORBIDDEN, "Forbidden", "This API needs a delegated token.");
        }
        let me = s.token_users.get(&bearer(&headers)).cloned().unwrap_or_default();
        let co = id.contains("coOrganizer");
        let mine: Vec<Value> = s
            .webinars
            .iter()
            .filter(|(wid, _)| match co {
                false => s.organizers.get(*wid) == Some(&me),
                true => s.co_organizers.get(*wid).is_some_and(|list| list.contains(&me)),
            })
            .map(|(wid, w)| s.webinar_with_roles(wid, w))
            .collect();
        return Json(json!({"value": mine})).into_response();
    }
    match s.webinars.get(&id) {
        Some(w) => Json(s.webinar_with_roles(&id, w)).into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

pub(crate) async fn update_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "PATCH", &format!("/solutions/virtualEvents/webinars/{id}")) {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(webinar) = s.webinars.get_mut(&id) else {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found.");
    };
    if webinar["status"] == "canceled" {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "A canceled webinar can't be changed.");
    }
    for (k, v) in body.as_object().cloned().unwrap_or_default() {
        webinar[k.as_str()] = v;
    }
    StatusCode::NO_CONTENT.into_response()
}
