//! The public appointments API: businesses and their services, bookable slots, booking, and an
//! appointment's manage link (read and cancel).

use super::doc::{Internal, Malformed, NotFound, TooLarge, TooManyRequests, UnsupportedMediaType};
use super::too_many;
use crate::appointments::model::{Business, WorkHoursJson};
use crate::appointments::FreeSlot;
use crate::appointments::{self, AppointmentError, BookError, Booking, Catalog, NewBooking};
use crate::http::client_addr::ClientAddr;
use crate::http::json_body::JsonBody;
use crate::http::problem::Problem;
use crate::AppState;
use app::booking::format_duration;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The appointment operations, each documented by its `#[utoipa::path]`.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_businesses))
        .routes(routes!(get_business))
        .routes(routes!(list_services))
        .routes(routes!(list_slots))
        .routes(routes!(create_appointment))
}

/// RFC 3339 in `zone`, with that zone's offset.
fn in_zone(t: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.to_zoned(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_default()
}

/// A business's scheduling rules, as Graph's `bookingSchedulingPolicy` (ISO 8601 durations).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchedulingPolicyJson {
    time_slot_interval: String,
    minimum_lead_time: String,
    maximum_advance: String,
    allow_staff_selection: bool,
}

/// A business customers book with (Graph's `bookingBusiness`, plus Atrium's `slug` and IANA
/// `timeZone`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BusinessJson {
    id: String,
    slug: String,
    display_name: String,
    time_zone: String,
    business_hours: Vec<WorkHoursJson>,
    scheduling_policy: SchedulingPolicyJson,
    /// Where customers book.
    url: String,
    logo_url: Option<String>,
    brand_color: Option<String>,
    default_currency_iso: String,
}

pub(crate) fn business_json(state: &AppState, b: &Business) -> BusinessJson {
    BusinessJson {
        id: b.id.clone(),
        slug: b.slug.clone(),
        display_name: b.display_name.clone(),
        time_zone: b.time_zone.clone(),
        business_hours: b.business_hours.clone(),
        scheduling_policy: SchedulingPolicyJson {
            time_slot_interval: format_duration(b.policy.interval),
            minimum_lead_time: format_duration(b.policy.minimum_lead_time),
            maximum_advance: format_duration(b.policy.maximum_advance),
            allow_staff_selection: b.allow_staff_selection,
        },
        url: format!("{}/book/{}", state.config.public_url, b.slug),
        logo_url: b.branding.logo_url.clone(),
        brand_color: b.branding.brand_color.clone(),
        default_currency_iso: b.branding.currency.clone(),
    }
}

/// Published businesses.
#[derive(Serialize, ToSchema)]
pub struct BusinessList {
    value: Vec<BusinessJson>,
}

fn failed(e: AppointmentError) -> Response {
    match e {
        AppointmentError::NotFound => Problem::not_found("Business").into_response(),
        AppointmentError::Invalid(errors) => Problem::invalid(errors).into_response(),
        AppointmentError::Db(e) => Problem::internal(&e).into_response(),
    }
}

/// Businesses that take bookings.
#[utoipa::path(get, path = "/businesses", operation_id = "listBusinesses", tag = "appointments",
    responses((status = 200, description = "The businesses", body = BusinessList), (status = 500, response = Internal)))]
async fn list_businesses(State(state): State<AppState>) -> Response {
    match appointments::store::published_businesses(&state.db).await {
        Ok(list) => Json(BusinessList {
            value: list.iter().map(|b| business_json(&state, b)).collect(),
        })
        .into_response(),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

/// One business.
#[utoipa::path(get, path = "/businesses/{slug}", operation_id = "getBusiness", tag = "appointments",
    params(("slug" = String, Path, description = "The business's address")),
    responses((status = 200, description = "The business", body = BusinessJson), (status = 404, response = NotFound), (status = 500, response = Internal)))]
async fn get_business(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match Catalog::load(&state.db, &slug).await {
        Ok(c) => Json(business_json(&state, &c.business)).into_response(),
        Err(e) => failed(e),
    }
}

/// A service customers book (Graph's `bookingService`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceJson {
    id: String,
    display_name: String,
    /// ISO 8601, such as PT30M.
    default_duration: String,
    pre_buffer: String,
    post_buffer: String,
    maximum_attendees_count: i64,
    is_location_online: bool,
    staff_member_ids: Vec<String>,
    /// Hours of its own within the business hours; null when it follows the business hours.
    service_hours: Option<Vec<WorkHoursJson>>,
    /// Emails sent before each appointment (Graph's `defaultReminders`).
    default_reminders: Vec<crate::appointments::model::ReminderJson>,
    default_price: Option<f64>,
    /// fixedPrice, startingAt, hourly, free, priceVaries, callUs or notSet.
    default_price_type: String,
    /// The business's custom questions it asks (`bookingQuestionAssignment`).
    custom_questions: Vec<crate::appointments::model::QuestionAssignment>,
}

pub(crate) fn service_json(s: &crate::appointments::model::Service) -> ServiceJson {
    ServiceJson {
        id: s.id.clone(),
        display_name: s.display_name.clone(),
        default_duration: format_duration(s.duration),
        pre_buffer: format_duration(s.pre_buffer),
        post_buffer: format_duration(s.post_buffer),
        maximum_attendees_count: s.maximum_attendees,
        is_location_online: s.is_location_online,
        staff_member_ids: s.staff_member_ids.clone(),
        service_hours: s.service_hours.clone(),
        default_reminders: s.reminders.clone(),
        default_price: s.price,
        default_price_type: s.price_type.clone(),
        custom_questions: s.questions.clone(),
    }
}

/// A business's services.
#[derive(Serialize, ToSchema)]
pub struct ServiceList {
    pub(crate) value: Vec<ServiceJson>,
}

/// The services of a business.
#[utoipa::path(get, path = "/businesses/{slug}/services", operation_id = "listServices", tag = "appointments",
    params(("slug" = String, Path, description = "The business's address")),
    responses((status = 200, description = "The services", body = ServiceList), (status = 404, response = NotFound), (status = 500, response = Internal)))]
async fn list_services(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match Catalog::load(&state.db, &slug).await {
        Ok(c) => Json(ServiceList {
            value: c.services.iter().map(service_json).collect(),
        })
        .into_response(),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct SlotQuery {
    /// The service to book.
    service_id: Option<String>,
    /// Only this staff member's slots (when the business lets customers choose).
    staff_id: Option<String>,
    /// First date, `YYYY-MM-DD` in `timeZone` (included).
    start: Option<String>,
    /// Last date, `YYYY-MM-DD` in `timeZone` (not included); at most 62 days after `start`.
    end: Option<String>,
    /// IANA zone the dates are read and the times written in; UTC when left out.
    time_zone: Option<String>,
}

/// A bookable time and who is free then.
#[derive(Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotJson {
    /// RFC 3339 with the offset of the requested zone.
    start: String,
    end: String,
    staff_ids: Vec<String>,
}

/// Bookable times, sorted.
#[derive(Serialize, ToSchema)]
pub struct SlotList {
    value: Vec<SlotJson>,
}

fn slot_json(slots: &[FreeSlot], zone: &jiff::tz::TimeZone) -> Vec<SlotJson> {
    slots
        .iter()
        .map(|s| SlotJson {
            start: in_zone(s.start, zone),
            end: in_zone(s.end, zone),
            staff_ids: s.staff_ids.clone(),
        })
        .collect()
}

/// Bookable times of a service between two dates, in the booker's zone.
#[utoipa::path(get, path = "/businesses/{slug}/slots", operation_id = "listSlots", tag = "appointments",
    params(("slug" = String, Path, description = "The business's address"), SlotQuery),
    responses(
        (status = 200, description = "The slots", body = SlotList),
        (status = 404, response = NotFound),
        (status = 422, description = "An unknown zone or service, dates out of order or more than 62 days apart, or a staff member who does not give the service", body = Problem, content_type = "application/problem+json"),
        (status = 500, response = Internal),
    ))]
async fn list_slots(State(state): State<AppState>, Path(slug): Path<String>, Query(q): Query<SlotQuery>) -> Response {
    let request = match appointments::parse_slot_request(
        q.service_id.as_deref(),
        q.staff_id.as_deref(),
        q.start.as_deref(),
        q.end.as_deref(),
        q.time_zone.as_deref(),
    ) {
        Ok(r) => r,
        Err(errors) => return Problem::invalid(errors).into_response(),
    };
    match appointments::slots(&state.db, &state.calendars, &slug, &request).await {
        Ok(slots) => Json(SlotList {
            value: slot_json(&slots, &request.zone),
        })
        .into_response(),
        Err(e) => failed(e),
    }
}

/// An appointment as the customer sees it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentJson {
    id: String,
    /// booked or canceled
    status: String,
    start: String,
    end: String,
    staff_ids: Vec<String>,
    /// The manage link's secret: shown only to the request that booked.
    #[serde(skip_serializing_if = "Option::is_none")]
    manage_token: Option<String>,
    manage_url: String,
    /// Where the customer joins in the browser (Microsoft mode), once Teams has made the
    /// meeting; absent until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    join_url: Option<String>,
}

pub(super) fn appointment_json(state: &AppState, b: &Booking, with_token: bool) -> AppointmentJson {
    let zone = app::tz::parse_zone(&b.customer_time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    AppointmentJson {
        id: b.id.clone(),
        status: b.status.clone(),
        start: in_zone(b.start, &zone),
        end: in_zone(b.end, &zone),
        staff_ids: b.staff_ids.clone(),
        manage_token: with_token.then(|| b.manage_token.clone()),
        manage_url: format!("{}/appointments/{}", state.config.public_url, b.manage_token),
        join_url: b.join_url.clone(),
    }
}

/// A refused time: the problem, and the slots of that day to choose from instead.
#[derive(Serialize, ToSchema)]
pub struct SlotTaken {
    #[serde(flatten)]
    problem: Problem,
    slots: Vec<SlotJson>,
}

/// Book an appointment. A time that is not offered (any more) is refused with that day's slots.
#[utoipa::path(post, path = "/businesses/{slug}/appointments", operation_id = "bookAppointment", tag = "appointments",
    params(
        ("slug" = String, Path, description = "The business's address"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 200,
         description = "A retry with the same key and request returns the first booking; the same key with another request is refused with 422."),
    ),
    request_body = NewBooking,
    responses(
        (status = 201, description = "Booked; the staff member is the one chosen or, for anyone available, the free one with the fewest appointments that day (ties by name)", body = AppointmentJson),
        (status = 400, response = Malformed),
        (status = 404, response = NotFound),
        (status = 409, description = "The time is not bookable (taken since it was shown, too soon, too far ahead, or not offered); `slots` holds that day's slots now", body = SlotTaken, content_type = "application/problem+json"),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "Fields to fix, or an Idempotency-Key reused for a different request", body = Problem, content_type = "application/problem+json"),
        (status = 429, response = TooManyRequests),
        (status = 500, response = Internal),
    ))]
async fn create_appointment(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(slug): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<NewBooking>,
) -> Response {
    let key = match super::registrations::idempotency_key(&headers) {
        Ok(k) => k,
        Err(p) => return p.into_response(),
    };
    let address = client.to_string();
    match appointments::book(
        &state.db,
        &state.sealer,
        &slug,
        &input,
        key.as_deref(),
        Some(&address),
        state.microsoft.is_some(),
    )
    .await
    {
        Ok(booking) => {
            state.after_write();
            (StatusCode::CREATED, Json(appointment_json(&state, &booking, true))).into_response()
        }
        Err(BookError::NotFound) => Problem::not_found("Business").into_response(),
        Err(BookError::Invalid(errors)) => Problem::invalid(errors).into_response(),
        Err(BookError::Refused { refusal, fresh }) => refused(refusal, &fresh, input.customer.time_zone.as_deref()),
        Err(BookError::KeyReused) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused", "Idempotency-Key reused")
            .detail("This key was used for a different request. Use a new Idempotency-Key for each new booking.")
            .into_response(),
        Err(BookError::Limited(wait)) => too_many(
            wait,
            format!(
                "Too many bookings from your address. Please try again in {} minutes.",
                (wait + 59) / 60
            ),
        ),
        Err(BookError::Db(e)) => Problem::internal(&e).into_response(),
    }
}

/// 409 for a time that cannot be booked, with that day's free times in the customer's zone.
pub(super) fn refused(refusal: app::booking::SlotRefusal, fresh: &[FreeSlot], time_zone: Option<&str>) -> Response {
    let zone = time_zone
        .and_then(|z| app::tz::parse_zone(z).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let body = SlotTaken {
        problem: Problem::new(StatusCode::CONFLICT, "slot-unavailable", "This time cannot be booked").detail(refusal.to_string()),
        slots: slot_json(fresh, &zone),
    };
    (
        StatusCode::CONFLICT,
        [(header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_string(&body).unwrap_or_default(),
    )
        .into_response()
}
