//! Microsoft Bookings: businesses with their services and staff members, read as Graph answers
//! them (`/solutions/bookingBusinesses/{id}`, `…/services`, `…/staffMembers`).

use super::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

fn collection(context: &str, items: Vec<Value>) -> Response {
    Json(json!({"@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#{context}"), "value": items})).into_response()
}

pub(crate) async fn get_booking_business(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/bookingBusinesses/{id}")) {
        return r;
    }
    match state.lock().unwrap().booking_businesses.get(&id) {
        Some(b) => Json(b.clone()).into_response(),
        None => graph_error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        ),
    }
}

pub(crate) async fn list_booking_services(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/bookingBusinesses/{id}/services")) {
        return r;
    }
    let s = state.lock().unwrap();
    if !s.booking_businesses.contains_key(&id) {
        return graph_error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    collection(
        "solutions/bookingBusinesses/services",
        s.booking_services.get(&id).cloned().unwrap_or_default(),
    )
}

pub(crate) async fn list_booking_staff(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/bookingBusinesses/{id}/staffMembers")) {
        return r;
    }
    let s = state.lock().unwrap();
    if !s.booking_businesses.contains_key(&id) {
        return graph_error(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    collection(
        "solutions/bookingBusinesses/staffMembers",
        s.booking_staff.get(&id).cloned().unwrap_or_default(),
    )
}
