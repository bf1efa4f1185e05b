//! A business's staff (Graph's `bookingStaffMember`), their time off, and the business's
//! appointments (`bookingAppointment`) as its organizers see them.

use crate::accounts::tokens::{ApiOrganizer, ApiWriter};
use crate::api::doc::{Conflict, Invalid, JsonBodyErrors, NotFound, OrganizerErrors, ReadOnlyToken};
use crate::appointments::model::{Staff, WorkHoursJson};
use crate::appointments::setup::{self, DateTimeTimeZone, StaffInput, TimeOffInput};
use crate::appointments::store::TimeOff;
use crate::http::json_body::JsonBody;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A staff member (`bookingStaffMember`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffJson {
    id: String,
    display_name: String,
    email_address: String,
    time_zone: String,
    use_business_hours: bool,
    working_hours: Vec<WorkHoursJson>,
}

fn staff_json(s: &Staff) -> StaffJson {
    StaffJson {
        id: s.id.clone(),
        display_name: s.display_name.clone(),
        email_address: s.email_address.clone(),
        time_zone: s.time_zone.clone(),
        use_business_hours: s.use_business_hours,
        working_hours: s.working_hours.clone(),
    }
}

/// A business's staff.
#[derive(Serialize, ToSchema)]
pub struct StaffList {
    value: Vec<StaffJson>,
}

/// The business's staff members.
#[utoipa::path(get, path = "/businesses/{slug}/staffMembers", operation_id = "listStaffMembers", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    security(("bearer" = [])),
    responses((status = 200, description = "The staff", body = StaffList), OrganizerErrors, (status = 404, response = NotFound)))]
pub(super) async fn list_staff(State(state): State<AppState>, ApiOrganizer(org): ApiOrganizer, Path(slug): Path<String>) -> Response {
    match setup::staff(&state.db, &org, &slug).await {
        Ok(list) => Json(StaffList {
            value: list.iter().map(staff_json).collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Add a staff member: `displayName` is required; they work the business hours in the
/// business's zone unless told otherwise (`useBusinessHours: false` with `workingHours`, read
/// in their own `timeZone`).
#[utoipa::path(post, path = "/businesses/{slug}/staffMembers", operation_id = "createStaffMember", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address")),
    request_body = StaffInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The staff member", body = StaffJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn create_staff(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<StaffInput>,
) -> Response {
    match setup::create_staff(&state.db, &org, &slug, &input).await {
        Ok(s) => (StatusCode::CREATED, Json(staff_json(&s))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Change a staff member: absent fields keep their value.
#[utoipa::path(patch, path = "/businesses/{slug}/staffMembers/{id}", operation_id = "updateStaffMember", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The staff member")),
    request_body = StaffInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The staff member", body = StaffJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn update_staff(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id)): Path<(String, String)>,
    JsonBody(input): JsonBody<StaffInput>,
) -> Response {
    match setup::update_staff(&state.db, &org, &slug, &id, &input).await {
        Ok(s) => Json(staff_json(&s)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Remove a staff member without upcoming appointments (409 otherwise); they leave the
/// services they gave.
#[utoipa::path(delete, path = "/businesses/{slug}/staffMembers/{id}", operation_id = "deleteStaffMember", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The staff member")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    ))]
pub(super) async fn delete_staff(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    match setup::remove_staff(&state.db, &org, &slug, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Time off of a staff member, in UTC.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimeOffJson {
    id: String,
    staff_member_id: String,
    start_date_time: DateTimeTimeZone,
    end_date_time: DateTimeTimeZone,
}

fn time_off_json(t: &TimeOff) -> TimeOffJson {
    TimeOffJson {
        id: t.id.clone(),
        staff_member_id: t.staff_id.clone(),
        start_date_time: DateTimeTimeZone::utc(t.span.start),
        end_date_time: DateTimeTimeZone::utc(t.span.end),
    }
}

/// Time off that has not ended.
#[derive(Serialize, ToSchema)]
pub struct TimeOffList {
    value: Vec<TimeOffJson>,
}

/// The staff member's time off that has not ended yet.
#[utoipa::path(get, path = "/businesses/{slug}/staffMembers/{id}/timeOff", operation_id = "listTimeOff", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The staff member")),
    security(("bearer" = [])),
    responses((status = 200, description = "The time off", body = TimeOffList), OrganizerErrors, (status = 404, response = NotFound)))]
pub(super) async fn list_time_off(
    State(state): State<AppState>,
    ApiOrganizer(org): ApiOrganizer,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    match setup::time_off(&state.db, &org, &slug, &id).await {
        Ok((_, list)) => Json(TimeOffList {
            value: list.iter().map(time_off_json).collect(),
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Give a staff member time off (`startDateTime`, `endDateTime` as Graph's `dateTimeTimeZone`;
/// at most 366 days). Its times are no longer offered; appointments already in it stay.
#[utoipa::path(post, path = "/businesses/{slug}/staffMembers/{id}/timeOff", operation_id = "createTimeOff", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), ("id" = String, Path, description = "The staff member")),
    request_body = TimeOffInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The time off", body = TimeOffJson),
        JsonBodyErrors, OrganizerErrors, ReadOnlyToken,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn create_time_off(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id)): Path<(String, String)>,
    JsonBody(input): JsonBody<TimeOffInput>,
) -> Response {
    match setup::add_time_off(&state.db, &org, &slug, &id, &input).await {
        Ok((_, off)) => (StatusCode::CREATED, Json(time_off_json(&off))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Take time off back.
#[utoipa::path(delete, path = "/businesses/{slug}/staffMembers/{id}/timeOff/{timeOffId}", operation_id = "deleteTimeOff", tag = "organizer appointments",
    params(
        ("slug" = String, Path, description = "The business's address"),
        ("id" = String, Path, description = "The staff member"),
        ("timeOffId" = String, Path, description = "The time off"),
    ),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), OrganizerErrors, ReadOnlyToken, (status = 404, response = NotFound)))]
pub(super) async fn delete_time_off(
    State(state): State<AppState>,
    ApiWriter(org): ApiWriter,
    Path((slug, id, time_off)): Path<(String, String, String)>,
) -> Response {
    match setup::remove_time_off(&state.db, &org, &slug, &id, &time_off).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RangeQuery {
    /// First date, `YYYY-MM-DD` in the business's zone (included).
    start: Option<String>,
    /// Last date, `YYYY-MM-DD` in the business's zone (not included); at most 62 days after `start`.
    end: Option<String>,
}

/// The customer of an appointment (`bookingCustomerInformation`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerJson {
    name: String,
    email_address: String,
    time_zone: String,
    /// The customer's answers (`bookingQuestionAnswer`: questionId, question, answer).
    custom_question_answers: Vec<crate::appointments::model::Answer>,
}

/// An appointment (`bookingAppointment`), its times in UTC.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentJson {
    id: String,
    service_id: String,
    service_name: String,
    staff_member_ids: Vec<String>,
    start_date_time: DateTimeTimeZone,
    end_date_time: DateTimeTimeZone,
    is_location_online: bool,
    /// booked or canceled.
    status: String,
    customer_time_zone: String,
    customers: Vec<CustomerJson>,
}

/// Appointments, by start.
#[derive(Serialize, ToSchema)]
pub struct AppointmentList {
    value: Vec<AppointmentJson>,
}

/// The business's appointments starting on the dates asked (canceled ones included).
#[utoipa::path(get, path = "/businesses/{slug}/appointments", operation_id = "listAppointments", tag = "organizer appointments",
    params(("slug" = String, Path, description = "The business's address"), RangeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The appointments", body = AppointmentList),
        OrganizerErrors,
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    ))]
pub(super) async fn list_appointments(
    State(state): State<AppState>,
    ApiOrganizer(org): ApiOrganizer,
    Path(slug): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Response {
    let (_, services, rows) = match setup::appointments(&state.db, &org, &slug, q.start.as_deref(), q.end.as_deref()).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let value = rows
        .into_iter()
        .map(|a| {
            let service = services.iter().find(|s| s.id == a.service_id);
            AppointmentJson {
                service_name: service.map(|s| s.display_name.clone()).unwrap_or_default(),
                is_location_online: service.is_some_and(|s| s.is_location_online),
                start_date_time: DateTimeTimeZone::utc(a.start),
                end_date_time: DateTimeTimeZone::utc(a.end),
                staff_member_ids: a.staff_ids,
                status: a.status,
                customer_time_zone: a.customer_time_zone.clone(),
                customers: vec![CustomerJson {
                    name: a.customer_name,
                    email_address: a.customer_email,
                    time_zone: a.customer_time_zone,
                    custom_question_answers: a.answers,
                }],
                service_id: a.service_id,
                id: a.id,
            }
        })
        .collect();
    Json(AppointmentList { value }).into_response()
}
