//! Typed Microsoft Graph v1.0 shapes for the resources Atrium uses, built from the official
//! schema subset. Lenient where real payloads are: unknown fields are ignored, every field has a
//! default, enum values are kept as strings (compared case-insensitively) so a future value never
//! breaks parsing, and the error body accepts both `innerError` and `innererror`.
//! Longer than 400 lines because it is a catalogue of plain wire types, one after another, kept
//! together so the whole Graph surface Atrium relies on reads in one place.

use serde::{Deserialize, Serialize};

/// `{"value":[…], "@odata.nextLink": "…"}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Collection<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// A wall-clock time in a (Windows or IANA) time zone, without an offset.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    #[serde(default)]
    pub date_time: String,
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    #[serde(default)]
    pub content_type: String,
    #[serde(default)]
    pub content: String,
}

/// Graph sometimes documents `description` as a plain string; accept both.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Description {
    Body(ItemBody),
    Text(String),
}

impl Description {
    pub fn text(&self) -> &str {
        match self {
            Description::Body(b) => &b.content,
            Description::Text(t) => t,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebinarSettings {
    #[serde(default)]
    pub is_attendee_email_notification_enabled: Option<bool>,
}

/// `virtualEventWebinar`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Webinar {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    #[serde(default)]
    pub start_date_time: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub end_date_time: Option<DateTimeTimeZone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_organizers: Vec<IdentityRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<WebinarSettings>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationConfiguration {
    #[serde(default)]
    pub registration_web_url: Option<String>,
    #[serde(default)]
    pub capacity: Option<i64>,
    #[serde(default)]
    pub is_manual_approval_enabled: Option<bool>,
    #[serde(default)]
    pub is_waitlist_enabled: Option<bool>,
}

/// A registration question, custom or predefined, told apart by `@odata.type`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationQuestion {
    #[serde(rename = "@odata.type", default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_input_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answer_choices: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct QuestionAnswer {
    #[serde(default)]
    pub question_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean_value: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_empty")]
    pub multi_choice_values: Vec<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Our own registration id, echoed back on attendance records.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRegistrationInformation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_id: Option<String>,
}

/// `virtualEventRegistration`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelation_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_empty")]
    pub registration_question_answers: Vec<QuestionAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_registration_information: Option<ExternalRegistrationInformation>,
}

/// `virtualEventSession` (an `onlineMeetingBase`); times may be strings or dateTimeTimeZone.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub join_web_url: Option<String>,
    #[serde(default)]
    pub start_date_time: Option<serde_json::Value>,
    #[serde(default)]
    pub end_date_time: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceInterval {
    #[serde(default)]
    pub join_date_time: Option<String>,
    #[serde(default)]
    pub leave_date_time: Option<String>,
    #[serde(default)]
    pub duration_in_seconds: Option<i64>,
}

/// `attendanceRecord`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceRecord {
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub total_attendance_in_seconds: Option<i64>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub identity: Option<IdentityRef>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attendance_intervals: Vec<AttendanceInterval>,
    #[serde(default)]
    pub registration_id: Option<String>,
    #[serde(default)]
    pub external_registration_information: Option<ExternalRegistrationInformation>,
}

/// `meetingAttendanceReport`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceReport {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub total_participant_count: Option<i64>,
    #[serde(default)]
    pub meeting_start_date_time: Option<String>,
    #[serde(default)]
    pub meeting_end_date_time: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attendance_records: Vec<AttendanceRecord>,
}

/// `subscription`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub change_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_notification_url: Option<String>,
    #[serde(default)]
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_state: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ResourceData {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(rename = "@odata.id", default)]
    pub odata_id: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

/// One change or lifecycle notification.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default)]
    pub subscription_expiration_date_time: Option<String>,
    #[serde(default)]
    pub client_state: Option<String>,
    #[serde(default)]
    pub change_type: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub resource_data: Option<ResourceData>,
    #[serde(default)]
    pub lifecycle_event: Option<String>,
    #[serde(default)]
    pub encrypted_content: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationCollection {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub value: Vec<Notification>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub validation_tokens: Vec<String>,
}

/// `onlineMeeting` (the fields Atrium reads).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineMeeting {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub join_web_url: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineMeetingInfo {
    #[serde(default)]
    pub join_url: Option<String>,
    #[serde(default)]
    pub conference_id: Option<String>,
}

/// A calendar `event` created as a Teams meeting.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub is_online_meeting: Option<bool>,
    #[serde(default)]
    pub online_meeting_provider: Option<String>,
    #[serde(default)]
    pub online_meeting: Option<OnlineMeetingInfo>,
    #[serde(default)]
    pub start: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub end: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// The error body; `innerError` and `innererror` both accepted.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(rename = "innerError", alias = "innererror", default)]
    pub inner_error: Option<Box<ErrorDetail>>,
}

impl ErrorDetail {
    /// Every code from the outermost in, for branching on the most specific one.
    pub fn codes(&self) -> Vec<&str> {
        let mut out = vec![self.code.as_str()];
        let mut inner = &self.inner_error;
        while let Some(e) = inner {
            if !e.code.is_empty() {
                out.push(e.code.as_str());
            }
            inner = &e.inner_error;
        }
        out
    }
}

/// The identity platform's token response.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TokenResponse {
    #[serde(default)]
    pub token_type: String,
    #[serde(default)]
    pub access_token: String,
    #[serde(default)]
    pub expires_in: serde_json::Value,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl TokenResponse {
    /// `expires_in` arrives as a number or a string.
    pub fn expires_in_seconds(&self) -> i64 {
        match &self.expires_in {
            serde_json::Value::Number(n) => n.as_i64().unwrap_or(3599),
            serde_json::Value::String(s) => s.parse().unwrap_or(3599),
            _ => 3599,
        }
    }
}

/// One request of a `$batch`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchRequestItem {
    pub id: String,
    pub method: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    #[serde(rename = "dependsOn", default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchRequest {
    pub requests: Vec<BatchRequestItem>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct BatchResponseItem {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct BatchResponse {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub responses: Vec<BatchResponseItem>,
}

/// Parses a single entity, also when a response wraps it as `{"value": {...}}` (documented for
/// webinar and session GETs, though real responses return the entity itself).
pub fn parse_entity<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> serde_json::Result<T> {
    match body {
        serde_json::Value::Object(mut map) if map.len() <= 2 && map.get("value").is_some_and(|v| v.is_object()) => {
            serde_json::from_value(map.remove("value").expect("checked above"))
        }
        other => serde_json::from_value(other),
    }
}
