//! Times as Graph writes them (`dateTimeTimeZone`: a wall-clock time and the zone it is read
//! in), and staff time off given that way.

use app::booking::Span;
use app::domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Graph's `dateTimeTimeZone`: `2026-12-24T09:00:00.0000000` read in `timeZone` (IANA; UTC
/// when left out).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    pub date_time: String,
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl DateTimeTimeZone {
    /// `t` in UTC, as Graph answers.
    pub fn utc(t: i64) -> Self {
        let text = jiff::Timestamp::from_second(t)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.0000000").to_string())
            .unwrap_or_default();
        DateTimeTimeZone {
            date_time: text,
            time_zone: Some("UTC".into()),
        }
    }
}

/// The instant `value` names; a field error naming `field` when it does not name one (a time
/// skipped by a daylight-saving change is read as the time after the gap).
pub fn parse_date_time(field: &str, value: &DateTimeTimeZone) -> Result<i64, FieldError> {
    let zone_name = value.time_zone.as_deref().map(str::trim).filter(|z| !z.is_empty()).unwrap_or("UTC");
    let zone = app::tz::parse_zone(zone_name).map_err(|e| FieldError::new(format!("{field}.timeZone"), e.0))?;
    let text = value.date_time.trim();
    // Graph writes an offset-free wall-clock time; an RFC 3339 time with its own offset or Z is
    // also read, as the instant it names.
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t.as_second());
    }
    let civil: jiff::civil::DateTime = text.parse().map_err(|_| {
        FieldError::new(
            format!("{field}.dateTime"),
            format!("{text:?} is not a date and time such as 2026-12-24T09:00:00."),
        )
    })?;
    civil
        .to_zoned(zone)
        .map(|z| z.timestamp().as_second())
        .map_err(|_| FieldError::new(format!("{field}.dateTime"), "This time is out of range."))
}

/// Time off for a staff member: from `startDateTime` until `endDateTime`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimeOffInput {
    pub start_date_time: Option<DateTimeTimeZone>,
    pub end_date_time: Option<DateTimeTimeZone>,
}

/// The longest time off given at once.
const MAX_TIME_OFF: i64 = 366 * 86_400;

pub(super) fn parse_time_off(input: &TimeOffInput) -> Result<Span, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut read = |field: &str, value: &Option<DateTimeTimeZone>| match value {
        None => {
            errors.push(FieldError::new(
                field,
                "Give a date and time, such as {\"dateTime\": \"2026-12-24T09:00:00\", \"timeZone\": \"Europe/Berlin\"}.",
            ));
            None
        }
        Some(v) => parse_date_time(field, v).map_err(|e| errors.push(e)).ok(),
    };
    let (start, end) = (
        read("startDateTime", &input.start_date_time),
        read("endDateTime", &input.end_date_time),
    );
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            errors.push(FieldError::new("endDateTime", "The time off must end after it starts."));
        } else if end - start > MAX_TIME_OFF {
            errors.push(FieldError::new("endDateTime", "Give time off of at most 366 days at once."));
        } else {
            return Ok(Span::new(start, end));
        }
    }
    Err(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date_time: &str, zone: Option<&str>) -> DateTimeTimeZone {
        DateTimeTimeZone {
            date_time: date_time.into(),
            time_zone: zone.map(Into::into),
        }
    }

    #[test]
    fn graph_times_are_read_in_their_zone() {
        let berlin = parse_date_time("x", &at("2026-12-24T09:00:00.0000000", Some("Europe/Berlin"))).unwrap();
        let utc = parse_date_time("x", &at("2026-12-24T08:00:00", None)).unwrap();
        assert_eq!(berlin, utc);
        assert_eq!(parse_date_time("x", &at("2026-12-24T08:00:00Z", Some("Asia/Tokyo"))).unwrap(), utc);
        assert_eq!(DateTimeTimeZone::utc(utc).date_time, "2026-12-24T08:00:00.0000000");
        let e = parse_date_time("startDateTime", &at("tomorrow", None)).unwrap_err();
        assert_eq!(e.field, "startDateTime.dateTime");
        let e = parse_date_time("startDateTime", &at("2026-12-24T08:00:00", Some("Mars/Olympus"))).unwrap_err();
        assert_eq!(e.field, "startDateTime.timeZone");
    }

    #[test]
    fn time_off_ends_after_it_starts() {
        let input = TimeOffInput {
            start_date_time: Some(at("2026-12-24T09:00:00", None)),
            end_date_time: Some(at("2026-12-24T08:00:00", None)),
        };
        assert_eq!(parse_time_off(&input).unwrap_err()[0].field, "endDateTime");
        let input = TimeOffInput {
            start_date_time: None,
            end_date_time: Some(at("2026-12-24T08:00:00", None)),
        };
        assert_eq!(parse_time_off(&input).unwrap_err()[0].field, "startDateTime");
    }
}
