//! iCalendar (RFC 5545) invites for events: the `.ics` download and the email attachment,
//! written with the `icalendar` crate (escaping, folding at 75 octets).

use icalendar::{Calendar, Component, EventLike, EventStatus, Property};
use jiff::Timestamp;

/// Where the person stands, which is what their calendar entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// They have a seat.
    Confirmed,
    /// Waitlisted, awaiting approval or an address confirmation: the time is pencilled in.
    Tentative,
    /// Their registration or the event was canceled: the entry is withdrawn.
    Canceled,
}

pub struct Invite<'a> {
    /// Stable per event, so an update or cancellation replaces the entry in the calendar.
    pub uid: &'a str,
    /// Raised on every change of the event or of the person's registration, so calendars take
    /// the newest entry over the one they have.
    pub sequence: u32,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub url: &'a str,
    pub start: i64,
    pub end: i64,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub standing: Standing,
}

fn utc(unix: i64) -> String {
    Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

impl Invite<'_> {
    /// The iTIP method (RFC 5546) of this invite; an email's calendar part carries the same
    /// value as its `method` parameter (RFC 6047).
    pub fn method(&self) -> &'static str {
        match self.standing {
            Standing::Canceled => "CANCEL",
            Standing::Confirmed | Standing::Tentative => "PUBLISH",
        }
    }

    /// The media type of the calendar part of an email carrying this invite.
    pub fn content_type(&self) -> String {
        format!("text/calendar; charset=utf-8; method={}", self.method())
    }

    pub fn render(&self) -> String {
        let status = match self.standing {
            Standing::Confirmed => EventStatus::Confirmed,
            Standing::Tentative => EventStatus::Tentative,
            Standing::Canceled => EventStatus::Cancelled,
        };
        let organizer = Property::new("ORGANIZER", format!("mailto:{}", self.organizer_email))
            .add_parameter("CN", &self.organizer_name.replace('"', ""))
            .done();
        let event = icalendar::Event::new()
            .uid(self.uid)
            .sequence(self.sequence)
            .add_property("DTSTAMP", utc(Timestamp::now().as_second()))
            .add_property("DTSTART", utc(self.start))
            .add_property("DTEND", utc(self.end))
            .summary(self.title)
            .description(self.description)
            .location(self.location)
            .url(self.url)
            .append_property(organizer)
            .status(status)
            .done();
        let mut calendar = Calendar::empty();
        calendar
            .append_property(("VERSION", "2.0"))
            .append_property(("PRODID", "-//Atrium//Events//EN"))
            .append_property(("CALSCALE", "GREGORIAN"))
            .append_property(("METHOD", self.method()))
            .push(event);
        calendar.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(title: &str, standing: Standing, sequence: u32) -> String {
        Invite {
            uid: "ev-1@atrium",
            sequence,
            title,
            description: "Line one\nLine two; with, punctuation \\ done",
            location: "https://teams.microsoft.com/l/meetup-join/abc",
            url: "http://localhost:3000/r/tok",
            start: 1_796_133_600,
            end: 1_796_137_200,
            organizer_name: "Atrium Events",
            organizer_email: "events@atrium.localhost",
            standing,
        }
        .render()
    }

    #[test]
    fn renders_a_valid_calendar() {
        let ics = invite("Rust in production", Standing::Confirmed, 3);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{ics}");
        assert!(ics.contains("\r\nMETHOD:PUBLISH\r\n"), "{ics}");
        assert!(ics.contains("\r\nUID:ev-1@atrium\r\n"), "{ics}");
        assert!(ics.contains("\r\nSEQUENCE:3\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTSTART:20261201T140000Z\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTEND:20261201T150000Z\r\n"), "{ics}");
        assert!(
            ics.contains("DESCRIPTION:Line one\\nLine two\\; with\\, punctuation \\\\ done"),
            "{ics}"
        );
        assert!(
            ics.contains("\r\nORGANIZER;CN=Atrium Events:mailto:events@atrium.localhost\r\n"),
            "{ics}"
        );
        assert!(ics.contains("\r\nSTATUS:CONFIRMED\r\n"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
        assert!(ics.ends_with("END:VCALENDAR\r\n"), "{ics}");
    }

    #[test]
    fn standing_sets_status_and_method() {
        let tentative = invite("x", Standing::Tentative, 1);
        assert!(tentative.contains("\r\nSTATUS:TENTATIVE\r\n") && tentative.contains("\r\nMETHOD:PUBLISH\r\n"));
        let canceled = invite("x", Standing::Canceled, 2);
        assert!(canceled.contains("\r\nSTATUS:CANCELLED\r\n") && canceled.contains("\r\nMETHOD:CANCEL\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_on_character_boundaries() {
        let ics = invite(&"Zürich Ü ".repeat(30), Standing::Confirmed, 0);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", "Zürich Ü ".repeat(30))));
    }
}
