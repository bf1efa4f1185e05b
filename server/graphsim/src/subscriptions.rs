//! Change-notification subscriptions, with the validation handshake against Atrium's webhook.

use super::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Like Graph, validates both notification URLs (the endpoint must echo the token) before
/// creating the subscription.
pub(crate) async fn create_subscription(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/subscriptions") {
        return r;
    }
    let token = "Validation: Testing client application reachability for subscription Request-Id: 7f3a+x&y";
    for key in ["notificationUrl", "lifecycleNotificationUrl"] {
        let Some(url) = body[key].as_str() else { continue };
        let target = format!(
            "{url}?validationToken={}",
            serde_urlencoded::to_string([("v", token)]).unwrap().trim_start_matches("v=")
        );
        let answer = reqwest::Client::new()
            .post(&target)
            .header("content-type", "text/plain")
            .send()
            .await;
        let ok = match answer {
            Ok(r) => {
                r.status() == 200
                    && r.headers()
                        .get("content-type")
                        .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/plain"))
                    && r.text().await.unwrap_or_default() == token
            }
            Err(_) => false,
        };
        if !ok {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "ValidationError",
                &format!("Subscription validation request failed for {key}."),
            );
        }
        state.lock().unwrap().validated.push(url.to_string());
    }
    let mut sub = body;
    let id = uuid::Uuid::new_v4().to_string();
    sub["id"] = json!(id);
    state.lock().unwrap().subscriptions.insert(id, sub.clone());
    (StatusCode::CREATED, Json(sub)).into_response()
}

pub(crate) async fn renew_subscription(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "PATCH", &format!("/subscriptions/{id}")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(sub) = s.subscriptions.get_mut(&id) else {
        return graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "The object was not found.");
    };
    sub["expirationDateTime"] = body["expirationDateTime"].clone();
    let sub = sub.clone();
    s.renewals += 1;
    Json(sub).into_response()
}

pub(crate) async fn delete_subscription(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "DELETE", &format!("/subscriptions/{id}")) {
        return r;
    }
    match state.lock().unwrap().subscriptions.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "The object was not found."),
    }
}

pub(crate) async fn reauthorize_subscription(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/subscriptions/{id}/reauthorize")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    if !s.subscriptions.contains_key(&id) {
        return graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "The object was not found.");
    }
    s.reauthorizations += 1;
    StatusCode::NO_CONTENT.into_response()
}
