//! Microsoft Bookings: businesses with their services, staff members, custom questions and
//! customers, read as Graph answers them (`/solutions/bookingBusinesses/{id}`, `…/services`,
//! `…/staffMembers`, `…/customQuestions`, `…/customers` two to a page); appointments are kept
//! as they were sent, with the ids and join links Bookings adds.

use super::*;
use axum::extract::{Path, Query, State};
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
        None => not_found(),
    }
}

/// A page of a business's collection.
struct Page<'a> {
    /// Items per page; all at once when `None`.
    size: Option<usize>,
    /// The query string's `$skiptoken`.
    skip: Option<&'a String>,
}

/// A business's collection `what` (services, staffMembers, customQuestions or customers), as
/// `pick` finds it, a page at a time.
fn business_list(
    state: &Arc<Mutex<SimState>>,
    headers: &HeaderMap,
    id: &str,
    what: &str,
    pick: fn(&SimState) -> &HashMap<String, Vec<Value>>,
    page: Page<'_>,
) -> Response {
    if let Some(r) = gate(state, headers, "GET", &format!("/solutions/bookingBusinesses/{id}/{what}")) {
        return r;
    }
    let s = state.lock().unwrap();
    if !s.booking_businesses.contains_key(id) {
        return not_found();
    }
    let all = pick(&s).get(id).cloned().unwrap_or_default();
    let skip: usize = page.skip.and_then(|t| t.parse().ok()).unwrap_or(0);
    let size = page.size.unwrap_or(all.len().max(1));
    let items: Vec<Value> = all.iter().skip(skip).take(size).cloned().collect();
    let mut body = json!({
        "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#solutions/bookingBusinesses('{}')/{what}", id.replace('@', "%40")),
        "value": items,
    });
    if skip + size < all.len() {
        let encoded = id.replace('@', "%40");
        body["@odata.nextLink"] = json!(format!(
            "{}/v1.0/solutions/bookingBusinesses/{encoded}/{what}?$skiptoken={}",
            host(headers),
            skip + size
        ));
    }
    Json(body).into_response()
}

pub(crate) async fn list_booking_services(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let all = Page { size: None, skip: None };
    business_list(&state, &headers, &id, "services", |s| &s.booking_services, all)
}

pub(crate) async fn list_booking_staff(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let all = Page { size: None, skip: None };
    business_list(&state, &headers, &id, "staffMembers", |s| &s.booking_staff, all)
}

/// `GET …/customQuestions`: `bookingCustomQuestion` items.
pub(crate) async fn list_booking_questions(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = Page {
        size: Some(2),
        skip: q.get("$skiptoken"),
    };
    business_list(&state, &headers, &id, "customQuestions", |s| &s.booking_questions, page)
}

/// `GET …/customers`: `bookingCustomer` items, two to a page.
pub(crate) async fn list_booking_customers(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = Page {
        size: Some(2),
        skip: q.get("$skiptoken"),
    };
    business_list(&state, &headers, &id, "customers", |s| &s.booking_customers, page)
}

fn not_found() -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// The instant of a `dateTimeTimeZone` the simulator wrote (always UTC, with a `Z`) or was sent
/// (an offset, or UTC).
fn instant(v: &Value) -> Option<jiff::Timestamp> {
    let text = v["dateTime"].as_str()?;
    text.parse::<jiff::Timestamp>()
        .ok()
        .or_else(|| format!("{}Z", text.trim_end_matches('Z')).parse().ok())
}

fn utc(t: jiff::Timestamp) -> Value {
    json!({"dateTime": t.strftime("%Y-%m-%dT%H:%M:%S.0000000Z").to_string(), "timeZone": "UTC"})
}

/// `POST …/appointments`: kept with an id, Teams join link when online, times written in UTC.
pub(crate) async fn create_booking_appointment(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/solutions/bookingBusinesses/{id}/appointments")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    if !s.booking_businesses.contains_key(&id) {
        return not_found();
    }
    let (Some(start), Some(end)) = (instant(&body["startDateTime"]), instant(&body["endDateTime"])) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "startDateTime and endDateTime are required.",
        );
    };
    if body["serviceId"].as_str().is_none() {
        return graph_error(StatusCode::BAD_REQUEST, "ErrorInvalidRequest", "serviceId is required.");
    }
    let mut made = body;
    let aid = format!("AAMkAD{}=", uuid::Uuid::new_v4().simple());
    made["id"] = json!(aid);
    made["startDateTime"] = utc(start);
    made["endDateTime"] = utc(end);
    if made["isLocationOnline"] == json!(true) {
        made["joinWebUrl"] = json!(format!(
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{aid}%40thread.v2/0"
        ));
    }
    // The anonymous link only for a service that allows joining without Teams.
    let anonymous = s
        .booking_services
        .get(&id)
        .into_iter()
        .flatten()
        .any(|svc| svc["id"] == made["serviceId"] && svc["isAnonymousJoinEnabled"] == json!(true));
    made["anonymousJoinWebUrl"] = match (anonymous, made["isLocationOnline"] == json!(true)) {
        (true, true) => json!(format!(
            "https://visit.teams.microsoft.com/webrtc-svc/api/route?tid=contoso&convId={aid}"
        )),
        _ => Value::Null,
    };
    s.booking_appointments.entry(id).or_default().push(made.clone());
    (StatusCode::CREATED, Json(made)).into_response()
}

/// `PATCH …/appointments/{aid}`: the fields sent replace the appointment's.
pub(crate) async fn update_booking_appointment(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, aid)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "PATCH",
        &format!("/solutions/bookingBusinesses/{id}/appointments/{aid}"),
    ) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(a) = s
        .booking_appointments
        .get_mut(&id)
        .and_then(|l| l.iter_mut().find(|a| a["id"] == aid.as_str()))
    else {
        return not_found();
    };
    for (k, v) in body.as_object().cloned().unwrap_or_default() {
        a[k.as_str()] = match (k.as_str(), instant(&v)) {
            ("startDateTime" | "endDateTime", Some(t)) => utc(t),
            _ => v,
        };
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `POST …/appointments/{aid}/cancel`: gone from the calendar.
pub(crate) async fn cancel_booking_appointment(
    State(state): Shared,
    headers: HeaderMap,
    Path((id, aid)): Path<(String, String)>,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "POST",
        &format!("/solutions/bookingBusinesses/{id}/appointments/{aid}/cancel"),
    ) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(list) = s.booking_appointments.get_mut(&id) else {
        return not_found();
    };
    let before = list.len();
    list.retain(|a| a["id"] != aid.as_str());
    if list.len() == before {
        return not_found();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET …/calendarView?start=&end=` (both required): the appointments touching that range.
pub(crate) async fn booking_calendar_view(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/bookingBusinesses/{id}/calendarView")) {
        return r;
    }
    let range = (
        q.get("start").and_then(|t| t.parse::<jiff::Timestamp>().ok()),
        q.get("end").and_then(|t| t.parse::<jiff::Timestamp>().ok()),
    );
    let (Some(from), Some(to)) = range else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "start and end are required, as ISO 8601 date and time.",
        );
    };
    let s = state.lock().unwrap();
    if !s.booking_businesses.contains_key(&id) {
        return not_found();
    }
    let items = s
        .booking_appointments
        .get(&id)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| match (instant(&a["startDateTime"]), instant(&a["endDateTime"])) {
            (Some(start), Some(end)) => start < to && end > from,
            _ => false,
        })
        .collect();
    collection("solutions/bookingBusinesses/calendarView", items)
}

/// `POST …/getStaffAvailability`: each staff member's items touching the range, in the shape of
/// the documentation's example (the list under `staffAvailabilityItem`).
pub(crate) async fn staff_availability(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "POST",
        &format!("/solutions/bookingBusinesses/{id}/getStaffAvailability"),
    ) {
        return r;
    }
    let s = state.lock().unwrap();
    if !s.booking_businesses.contains_key(&id) {
        return not_found();
    }
    let (Some(from), Some(to)) = (instant(&body["startDateTime"]), instant(&body["endDateTime"])) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "startDateTime and endDateTime are required.",
        );
    };
    let ids: Vec<String> = body["staffIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let items: Vec<Value> = ids
        .iter()
        .map(|staff| {
            let within: Vec<Value> = s
                .staff_availability
                .get(staff)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|i| match (local_instant(&i["startDateTime"]), local_instant(&i["endDateTime"])) {
                    (Some(a), Some(b)) => a < to && b > from,
                    _ => true,
                })
                .collect();
            json!({"staffId": staff, "availabilityItems": within})
        })
        .collect();
    Json(json!({"staffAvailabilityItem": items})).into_response()
}

/// An item's instant where its zone is a Windows display name the simulator knows (Pacific
/// time, the documentation's), else read as UTC.
fn local_instant(v: &Value) -> Option<jiff::Timestamp> {
    let text = v["dateTime"].as_str()?;
    let zone = match v["timeZone"].as_str() {
        Some("(UTC-08:00) Pacific Time (US & Canada)") => "America/Los_Angeles",
        _ => "UTC",
    };
    let civil: jiff::civil::DateTime = text.trim_end_matches('Z').parse().ok()?;
    civil.to_zoned(jiff::tz::TimeZone::get(zone).ok()?).ok().map(|z| z.timestamp())
}
