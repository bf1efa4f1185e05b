//! iCalendar (RFC 5545) invites for events: the `.ics` download and the email attachment.

use jiff::Timestamp;

pub struct Invite<'a> {
    /// Stable per event, so an update or cancellation replaces the entry in the calendar.
    pub uid: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub url: &'a str,
    pub start: i64,
    pub end: i64,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub canceled: bool,
}

fn utc(unix: i64) -> String {
    Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character, ending it with CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

impl Invite<'_> {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let method = if self.canceled { "CANCEL" } else { "PUBLISH" };
        let lines = [
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".into(),
            "PRODID:-//Atrium//Events//EN".into(),
            "CALSCALE:GREGORIAN".into(),
            format!("METHOD:{method}"),
            "BEGIN:VEVENT".into(),
            format!("UID:{}", escape_text(self.uid)),
            format!("SEQUENCE:{}", if self.canceled { 1 } else { 0 }),
            format!("DTSTAMP:{}", utc(Timestamp::now().as_second())),
            format!("DTSTART:{}", utc(self.start)),
            format!("DTEND:{}", utc(self.end)),
            format!("SUMMARY:{}", escape_text(self.title)),
            format!("DESCRIPTION:{}", escape_text(self.description)),
            format!("LOCATION:{}", escape_text(self.location)),
            format!("URL:{}", self.url),
            format!(
                "ORGANIZER;CN=\"{}\":mailto:{}",
                self.organizer_name.replace('"', ""),
                self.organizer_email
            ),
            format!("STATUS:{}", if self.canceled { "CANCELLED" } else { "CONFIRMED" }),
            "END:VEVENT".into(),
            "END:VCALENDAR".into(),
        ];
        for line in lines {
            fold(&line, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(title: &str, canceled: bool) -> String {
        Invite {
            uid: "ev-1@atrium",
            title,
            description: "Line one\nLine two; with, punctuation \\ done",
            location: "https://teams.microsoft.com/l/meetup-join/abc",
            url: "http://localhost:3000/r/tok",
            start: 1_796_133_600,
            end: 1_796_137_200,
            organizer_name: "Atrium Events",
            organizer_email: "events@atrium.localhost",
            canceled,
        }
        .render()
    }

    #[test]
    fn renders_a_valid_calendar() {
        let ics = invite("Rust in production", false);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART:20261201T140000Z\r\n"));
        assert!(ics.contains("DTEND:20261201T150000Z\r\n"));
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two\\; with\\, punctuation \\\\ done"));
        assert!(ics.contains("STATUS:CONFIRMED"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(invite("x", true).contains("METHOD:CANCEL\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_on_character_boundaries() {
        let ics = invite(&"Zürich Ü ".repeat(30), false);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", "Zürich Ü ".repeat(30))));
    }
}
