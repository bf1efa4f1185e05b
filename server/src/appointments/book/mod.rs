//! Booking, finding and cancelling an appointment. A booking is one write transaction: lock the
//! staff members it could go to, read their calendars again, check the time with the slot
//! engine, pick the staff member, write (in [`reserve`]).

mod reserve;
#[cfg(test)]
mod tests;

use super::model::{Business, Service};
use super::{store, AppointmentError, Catalog};
use crate::crypto::Sealer;
use crate::store::Db;
use app::booking::SlotRefusal;
use app::domain::{EmailAddress, FieldError};
use reserve::Reserved;
use serde::{Deserialize, Serialize};

/// The customer of an appointment, as Graph's `bookingCustomerInformation` names them.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// IANA zone the customer sees times in; the business's when left out.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// A booking request.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewBooking {
    #[serde(default)]
    pub service_id: String,
    /// A staff member of the customer's choice; anyone available when left out.
    #[serde(default)]
    pub staff_id: Option<String>,
    /// RFC 3339 with an offset, one of the slots offered.
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub customer: Customer,
    /// Answers to the service's custom questions; a radioButton question's answer is one of its
    /// `answerOptions`.
    #[serde(default)]
    pub answers: Vec<super::answers::AnswerInput>,
}

/// A booked appointment.
#[derive(Clone, Debug)]
pub struct Booking {
    pub id: String,
    pub service_id: String,
    pub status: String,
    pub start: i64,
    pub end: i64,
    pub staff_ids: Vec<String>,
    pub manage_token: String,
    pub business_slug: String,
    pub customer_time_zone: String,
    /// Where the customer joins in the browser (Microsoft mode), once Teams has made the meeting.
    pub join_url: Option<String>,
}

/// Why a booking was not made.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The time cannot be booked (any more); `fresh` are that day's slots now.
    #[error("{refusal}")]
    Refused { refusal: SlotRefusal, fresh: Vec<super::FreeSlot> },
    #[error("this key was used for a different request")]
    KeyReused,
    /// Too many bookings from this address; try again after this many seconds.
    #[error("too many bookings from this address")]
    Limited(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<AppointmentError> for BookError {
    fn from(e: AppointmentError) -> Self {
        match e {
            AppointmentError::NotFound => BookError::NotFound,
            AppointmentError::Invalid(errors) => BookError::Invalid(errors),
            AppointmentError::Db(e) => BookError::Db(e),
        }
    }
}

/// The staff members among `staff` with one of `ids` who have an address to write to.
pub(super) fn staff_addresses<'a>(staff: &[&'a super::model::Staff], ids: &[String]) -> Vec<(Option<&'a str>, &'a str)> {
    staff
        .iter()
        .filter(|s| ids.contains(&s.id) && !s.email_address.trim().is_empty())
        .map(|s| (Some(s.id.as_str()), s.email_address.as_str()))
        .collect()
}

/// What a request is, for telling a retry from a different request under the same key.
fn request_hash(input: &NewBooking) -> String {
    crate::crypto::sha256_hex(&serde_json::to_string(input).unwrap_or_default())
}

struct Checked<'a> {
    service: &'a Service,
    start: i64,
    name: String,
    email: String,
    phone: Option<String>,
    time_zone: String,
    answers: Vec<super::model::Answer>,
}

/// Whether `p` reads as a phone number: digits (at least five) and `+-().` and spaces.
pub(super) fn is_phone(p: &str) -> bool {
    p.len() <= 30 && p.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) && p.chars().filter(|c| c.is_ascii_digit()).count() >= 5
}

fn check<'a>(catalog: &'a Catalog, input: &NewBooking) -> Result<Checked<'a>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let service = catalog.service(input.service_id.trim());
    if service.is_none() {
        errors.push(FieldError::new("serviceId", "This business has no such service."));
    }
    let start = match input.start.trim().parse::<jiff::Timestamp>() {
        Ok(t) => Some(t.as_second()),
        Err(_) => {
            errors.push(FieldError::new(
                "start",
                "Give the start as a date and time with its offset, such as 2026-12-01T09:00:00-05:00.",
            ));
            None
        }
    };
    let name = app::domain::parse_name(&input.customer.name, "name")
        .map_err(|e| errors.push(FieldError::new("customer.name", e.0)))
        .ok();
    let email = EmailAddress::parse(&input.customer.email)
        .map_err(|e| errors.push(FieldError::new("customer.email", e.0)))
        .ok();
    let phone = input.customer.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if let Some(p) = phone {
        if !is_phone(p) {
            errors.push(FieldError::new(
                "customer.phone",
                "Give a phone number of digits, such as +1 212 555 0100.",
            ));
        }
    }
    let time_zone = input
        .customer
        .time_zone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .unwrap_or(&catalog.business.time_zone);
    if let Err(e) = app::tz::parse_zone(time_zone) {
        errors.push(FieldError::new("customer.timeZone", e.0));
    }
    let answers = match service {
        Some(service) if input.answers.len() <= 50 => super::answers::check_answers(catalog, service, &input.answers, &mut errors),
        Some(_) => {
            errors.push(FieldError::new("answers", "Too many answers."));
            Vec::new()
        }
        None => Vec::new(),
    };
    match (service, start, name, email) {
        (Some(service), Some(start), Some(name), Some(email)) if errors.is_empty() => Ok(Checked {
            service,
            start,
            name,
            email: email.as_str().to_string(),
            phone: phone.map(str::to_string),
            time_zone: time_zone.to_string(),
            answers,
        }),
        _ => Err(errors),
    }
}

/// Books an appointment at `slug` for `input`. The same `key` with the same request returns
/// the first booking again; with another request it is refused.
/// Bookings from `address` are counted (and limited) before anything is checked. With `teams`
/// (Microsoft mode), an online appointment's Teams meeting is queued in the same transaction.
pub async fn book(
    db: &Db,
    sealer: &Sealer,
    slug: &str,
    input: &NewBooking,
    key: Option<&str>,
    address: Option<&str>,
    teams: bool,
) -> Result<Booking, BookError> {
    book_in(db, sealer, &Catalog::load(db, slug).await?, input, key, address, teams).await
}

/// [`book`] at a business whose catalog was already read.
pub async fn book_in(
    db: &Db,
    sealer: &Sealer,
    catalog: &Catalog,
    input: &NewBooking,
    key: Option<&str>,
    address: Option<&str>,
    teams: bool,
) -> Result<Booking, BookError> {
    let checked = check(catalog, input).map_err(BookError::Invalid)?;
    let hash = request_hash(input);
    if let Some(key) = key {
        if let Some(found) = replay(db, sealer, &catalog.business, key, &hash).await? {
            return Ok(found);
        }
    }
    let staff = catalog
        .staff_for(checked.service, input.staff_id.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .map_err(|e| BookError::Invalid(vec![e]))?;
    let mut tx = db.begin_write().await?;
    let request = reserve::Request {
        catalog,
        checked: &checked,
        staff: &staff,
        key,
        hash: &hash,
        address,
        teams,
    };
    match reserve::reserve(&mut tx, sealer, &request).await? {
        Reserved::Booked(booking) => {
            tx.commit().await?;
            Ok(booking)
        }
        Reserved::Limited(wait) => {
            // The hit counts even though nothing was booked.
            tx.commit().await?;
            Err(BookError::Limited(wait))
        }
        Reserved::Refused(refusal) => {
            drop(tx);
            Err(BookError::Refused {
                refusal,
                fresh: fresh_slots(db, catalog, input, checked.start, &checked.time_zone).await?,
            })
        }
        // The same key raced in from another request and won: answer as it was answered.
        Reserved::KeyTaken(e) => {
            drop(tx);
            match replay(db, sealer, &catalog.business, key.unwrap_or_default(), &hash).await? {
                Some(found) => Ok(found),
                None => Err(BookError::Db(e)),
            }
        }
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

async fn replay(db: &Db, sealer: &Sealer, business: &Business, key: &str, hash: &str) -> Result<Option<Booking>, BookError> {
    let Some(found) = store::by_idempotency_key(db, &business.id, key).await? else {
        return Ok(None);
    };
    if found.request_hash.as_deref() != Some(hash) {
        return Err(BookError::KeyReused);
    }
    Ok(Some(booking_of(sealer, business, found)?))
}

pub(super) fn booking_of(sealer: &Sealer, business: &Business, row: store::AppointmentRow) -> Result<Booking, BookError> {
    let token = sealer
        .open(&row.token_sealed)
        .map_err(|e| BookError::Db(sqlx::Error::Protocol(e.to_string())))?;
    Ok(Booking {
        id: row.id,
        service_id: row.service_id,
        status: row.status,
        start: row.start,
        end: row.end,
        staff_ids: row.staff_ids,
        manage_token: token,
        business_slug: business.slug.clone(),
        customer_time_zone: row.customer_time_zone,
        join_url: row.join_url,
    })
}

/// The slots of the refused time's day, in the customer's zone, to choose from instead.
pub(super) async fn fresh_slots(
    db: &Db,
    catalog: &Catalog,
    input: &NewBooking,
    start: i64,
    time_zone: &str,
) -> Result<Vec<super::FreeSlot>, BookError> {
    let zone = app::tz::parse_zone(time_zone).map_err(AppointmentError::from)?;
    let day = jiff::Timestamp::from_second(start)
        .map(|t| t.to_zoned(zone.clone()).date())
        .unwrap_or_default();
    let instant = |d: jiff::civil::Date| d.to_zoned(zone.clone()).map(|z| z.timestamp().as_second()).unwrap_or(start);
    let request = super::SlotRequest {
        service_id: input.service_id.trim().to_string(),
        staff_id: input.staff_id.clone().filter(|s| !s.trim().is_empty()),
        from: instant(day),
        to: instant(day.tomorrow().unwrap_or(day)),
        zone: zone.clone(),
    };
    // Just after a refusal the calendars changed anyway: read them afresh.
    Ok(super::slots_in(db, &super::CalendarCache::none(), catalog, &request).await?)
}
