//! Online meetings for meeting-kind events, and their attendance reports.

use super::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// `POST /me/onlineMeetings/createOrGet`: one meeting per externalId (201 when created, 200
/// when it already existed).
pub(crate) async fn create_or_get_meeting(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/me/onlineMeetings/createOrGet") {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let Some(external) = body["externalId"].as_str().filter(|e| !e.is_empty()).map(str::to_string) else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "externalId is required.");
    };
    let mut s = state.lock().unwrap();
    if let Some(id) = s.meetings_by_external_id.get(&external).cloned() {
        return (StatusCode::OK, Json(s.meetings[&id].clone())).into_response();
    }
    let id = format!("MSo{}", uuid::Uuid::new_v4().simple());
    let organizer = s.token_users.get(&bearer(&headers)).cloned().unwrap_or_default();
    let mut meeting = body;
    meeting["id"] = json!(id);
    meeting["joinWebUrl"] = json!(format!("https://teams.microsoft.com/l/meetup-join/19%3ameeting_{id}%40thread.v2/0"));
    meeting["participants"] = json!({"organizer": {"upn": organizer}});
    s.meetings.insert(id.clone(), meeting.clone());
    s.meetings_by_external_id.insert(external, id);
    (StatusCode::CREATED, Json(meeting)).into_response()
}

pub(crate) async fn update_meeting(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "PATCH", &format!("/me/onlineMeetings/{id}")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(meeting) = s.meetings.get_mut(&id) else {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The meeting was not found.");
    };
    for (k, v) in body.as_object().cloned().unwrap_or_default() {
        meeting[k.as_str()] = v;
    }
    (StatusCode::OK, Json(meeting.clone())).into_response()
}

pub(crate) async fn delete_meeting(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "DELETE", &format!("/me/onlineMeetings/{id}")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    s.meetings_by_external_id.retain(|_, meeting| *meeting != id);
    match s.meetings.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The meeting was not found."),
    }
}

pub(crate) async fn list_meeting_reports(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/me/onlineMeetings/{id}/attendanceReports")) {
        return r;
    }
    let s = state.lock().unwrap();
    let value = match s.meeting_attendance.get(&id) {
        Some(records) => json!([{"id": "mr1", "totalParticipantCount": records.len(), "attendanceRecords": []}]),
        None => json!([]),
    };
    Json(json!({"value": value})).into_response()
}

pub(crate) async fn list_meeting_records(State(state): Shared, headers: HeaderMap, Path((id, rid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/me/onlineMeetings/{id}/attendanceReports/{rid}/attendanceRecords"),
    ) {
        return r;
    }
    let records = state.lock().unwrap().meeting_attendance.get(&id).cloned().unwrap_or_default();
    Json(json!({"value": records})).into_response()
}

/// `GET /me/onlineMeetings/{id}/getVirtualAppointmentJoinWebUrl`: the browser link for guests
/// without a Teams client, as a string value.
pub(crate) async fn virtual_appointment_join_url(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/me/onlineMeetings/{id}/getVirtualAppointmentJoinWebUrl"),
    ) {
        return r;
    }
    if !state.lock().unwrap().meetings.contains_key(&id) {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The meeting was not found.");
    }
    Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.String",
        "value": format!("https://visit.teams.microsoft.com/webrtc-svc/api/route?tid={TENANT}&convId=19:meeting_{id}@thread.v2"),
    }))
    .into_response()
}
