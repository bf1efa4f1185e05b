//! Working hours as spans of absolute time. A week of hours is read in its own zone, day by
//! day, so that a daylight-saving change shortens or lengthens that day's span instead of
//! inventing or repeating times.

use super::model::{Day, Span, Week};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// The instant a wall-clock time on `date` names in `zone`. A time skipped by a spring-forward
/// change moves to the first instant after the gap; a repeated one takes the earlier instant.
fn instant(date: Date, time: Time, zone: &TimeZone) -> i64 {
    zone.to_ambiguous_zoned(date.to_datetime(time))
        .compatible()
        .map(|z| z.timestamp().as_second())
        .unwrap_or(i64::MAX)
}

/// The working spans of `week` that touch `[from, to)`, sorted and merged.
pub fn working_windows(week: &Week, from: i64, to: i64) -> Vec<Span> {
    let date_of = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|ts| ts.to_zoned(week.zone.clone()).date())
            .unwrap_or(Date::constant(2000, 1, 1))
    };
    let (first, last) = (date_of(from).yesterday().unwrap_or(date_of(from)), date_of(to));
    let mut spans = Vec::new();
    let mut date = first;
    while date <= last {
        let day = Day::of(date.weekday());
        for hours in week.hours.iter().filter(|h| h.day == day) {
            for slot in &hours.time_slots {
                let start = instant(date, slot.start, &week.zone);
                let end = if slot.end <= slot.start {
                    instant(date.tomorrow().unwrap_or(date), Time::midnight(), &week.zone)
                } else {
                    instant(date, slot.end, &week.zone)
                };
                if start < end && end > from && start < to {
                    spans.push(Span::new(start, end));
                }
            }
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    merge(spans)
}

/// Sorted, with overlapping or touching spans joined.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// The parts of sorted, disjoint `a` that also lie in sorted, disjoint `b`.
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start < end {
            out.push(Span::new(start, end));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}
