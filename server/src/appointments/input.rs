//! A slot request read from its query: the service, an optional staff member, and a range of
//! dates in the booker's time zone.

use app::domain::FieldError;
use jiff::civil::Date;

/// The longest range of dates one request may ask for.
pub const MAX_RANGE_DAYS: i64 = 62;

/// Which slots are wanted: start times in `[from, to)`, the booker's dates as instants.
#[derive(Clone, Debug)]
pub struct SlotRequest {
    pub service_id: String,
    pub staff_id: Option<String>,
    pub from: i64,
    pub to: i64,
    pub zone: jiff::tz::TimeZone,
}

/// Reads a slot request; every field at fault is named.
pub fn parse_slot_request(
    service_id: Option<&str>,
    staff_id: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
    time_zone: Option<&str>,
) -> Result<SlotRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let service_id = service_id.map(str::trim).filter(|s| !s.is_empty());
    if service_id.is_none() {
        errors.push(FieldError::new("serviceId", "Choose a service."));
    }
    let zone_name = time_zone.map(str::trim).filter(|z| !z.is_empty()).unwrap_or("UTC");
    let zone = match app::tz::parse_zone(zone_name) {
        Ok(z) => Some(z),
        Err(e) => {
            errors.push(FieldError::new("timeZone", e.0));
            None
        }
    };
    // The dates are checked even when the zone is not, so that every field at fault is named.
    let range = date_range(start, end, zone.as_ref().unwrap_or(&jiff::tz::TimeZone::UTC), &mut errors);
    match (service_id, range, zone) {
        (Some(service_id), Some((from, to)), Some(zone)) if errors.is_empty() => Ok(SlotRequest {
            service_id: service_id.to_string(),
            staff_id: staff_id.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
            from,
            to,
            zone,
        }),
        _ => Err(errors),
    }
}

/// The instants from the start of date `start` to the start of date `end` in `zone`, at most
/// [`MAX_RANGE_DAYS`] apart; `None` with the fields at fault added to `errors`.
pub fn date_range(start: Option<&str>, end: Option<&str>, zone: &jiff::tz::TimeZone, errors: &mut Vec<FieldError>) -> Option<(i64, i64)> {
    let date = |field: &str, text: Option<&str>, errors: &mut Vec<FieldError>| -> Option<Date> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => {
                errors.push(FieldError::new(field, "Give a date such as 2026-12-01."));
                None
            }
            Some(t) => match t.parse::<Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(field, format!("{t:?} is not a date such as 2026-12-01.")));
                    None
                }
            },
        }
    };
    let (start, end) = (date("start", start, errors), date("end", end, errors));
    let (start, end) = (start?, end?);
    let days = (end - start).get_days() as i64;
    if end <= start {
        errors.push(FieldError::new(
            "end",
            "The end date must come after the start date (it is not included).",
        ));
        return None;
    }
    if days > MAX_RANGE_DAYS {
        errors.push(FieldError::new("end", format!("Ask for at most {MAX_RANGE_DAYS} days at a time.")));
        return None;
    }
    let instant = |d: Date| d.to_zoned(zone.clone()).map(|z| z.timestamp().as_second());
    match (instant(start), instant(end)) {
        (Ok(from), Ok(to)) => Some((from, to)),
        _ => {
            errors.push(FieldError::new("start", "These dates are out of range."));
            None
        }
    }
}
