//! The booking model's plain values: days and hours of work, the scheduling policy, a service's
//! and a staff member's rules, and what already occupies a calendar.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// A day of the week, as Graph's `dayOfWeek`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Day::Monday,
        Day::Tuesday,
        Day::Wednesday,
        Day::Thursday,
        Day::Friday,
        Day::Saturday,
        Day::Sunday,
    ];

    /// The name Graph writes (`monday` … `sunday`).
    pub fn name(self) -> &'static str {
        match self {
            Day::Monday => "monday",
            Day::Tuesday => "tuesday",
            Day::Wednesday => "wednesday",
            Day::Thursday => "thursday",
            Day::Friday => "friday",
            Day::Saturday => "saturday",
            Day::Sunday => "sunday",
        }
    }

    pub fn of(weekday: jiff::civil::Weekday) -> Day {
        use jiff::civil::Weekday as W;
        match weekday {
            W::Monday => Day::Monday,
            W::Tuesday => Day::Tuesday,
            W::Wednesday => Day::Wednesday,
            W::Thursday => Day::Thursday,
            W::Friday => Day::Friday,
            W::Saturday => Day::Saturday,
            W::Sunday => Day::Sunday,
        }
    }
}

/// One stretch of a working day (Graph's `bookingWorkTimeSlot`). An end at midnight (or at or
/// before the start) means the end of that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeSlot {
    pub start: Time,
    pub end: Time,
}

/// The hours of one day of the week (Graph's `bookingWorkHours`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkHours {
    pub day: Day,
    pub time_slots: Vec<TimeSlot>,
}

/// A week of working hours read in a time zone.
#[derive(Clone, Debug)]
pub struct Week {
    pub hours: Vec<WorkHours>,
    pub zone: TimeZone,
}

/// How far apart offered start times are, and how soon and how far ahead one may book
/// (Graph's `bookingSchedulingPolicy`), in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub interval: i64,
    pub minimum_lead_time: i64,
    pub maximum_advance: i64,
}

/// A service's rules for its appointments, in seconds.
#[derive(Clone, Debug)]
pub struct ServiceRules {
    pub id: String,
    pub duration: i64,
    pub pre_buffer: i64,
    pub post_buffer: i64,
    /// More than 1: a group service, whose appointment at one time takes this many customers.
    pub maximum_attendees: i64,
    /// Hours of its own, in the business's zone; otherwise the staff's hours alone decide.
    pub hours: Option<Week>,
}

/// A span of time `[start, end)` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Span {
        Span { start, end }
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// An appointment already on a staff member's calendar.
#[derive(Clone, Debug)]
pub struct Booked {
    pub service_id: String,
    pub start: i64,
    pub end: i64,
    pub pre_buffer: i64,
    pub post_buffer: i64,
    /// Customers it holds (1 for a one-to-one service).
    pub attendees: i64,
}

impl Booked {
    /// The time it keeps the staff member from anything else: itself and its buffers.
    pub fn blocked(&self) -> Span {
        Span::new(self.start - self.pre_buffer, self.end + self.post_buffer)
    }
}

/// A staff member as the slot engine sees them.
#[derive(Clone, Debug)]
pub struct StaffRules {
    pub id: String,
    pub display_name: String,
    /// The staff member's own hours in their own zone, or the business's when they use the
    /// business hours (Graph's `useBusinessHours`).
    pub week: Week,
    pub appointments: Vec<Booked>,
    /// Time off and busy times from other calendars.
    pub busy: Vec<Span>,
}

/// Why a duration in ISO 8601 form was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a duration such as PT15M, PT2H or P180D")]
pub struct NotADuration(pub String);

/// Seconds in an ISO 8601 duration as Graph writes them (`PT15M`, `PT2H`, `P180D`), days being
/// 24 hours; negative durations are refused.
pub fn parse_duration(text: &str) -> Result<i64, NotADuration> {
    let iso = text.trim();
    // jiff also reads "15 minutes"; Graph's fields are ISO 8601 only.
    if !iso.starts_with('P') {
        return Err(NotADuration(text.to_string()));
    }
    let span: jiff::Span = iso.parse().map_err(|_| NotADuration(text.to_string()))?;
    let seconds = span
        .total((jiff::Unit::Second, jiff::SpanRelativeTo::days_are_24_hours()))
        .map_err(|_| NotADuration(text.to_string()))?;
    if !(0.0..=400.0 * 86_400.0).contains(&seconds) || seconds.fract() != 0.0 {
        return Err(NotADuration(text.to_string()));
    }
    Ok(seconds as i64)
}

/// `seconds` as an ISO 8601 duration (`PT15M`, `PT2H30M`, `P180D`).
pub fn format_duration(seconds: i64) -> String {
    if seconds == 0 {
        return "PT0S".into();
    }
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 {
        out.push('T');
        for (n, unit) in [(h, 'H'), (m, 'M'), (s, 'S')] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
    }
    out
}

/// A time of day as Graph writes it (`09:00:00.0000000`, or `09:00`).
pub fn parse_time_of_day(text: &str) -> Option<Time> {
    text.trim().parse().ok()
}
