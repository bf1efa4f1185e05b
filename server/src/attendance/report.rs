//! Reading the attendance report Teams lets organizers download: UTF-16 or UTF-8, tabs or
//! commas, in sections ("1. Summary", "2. Participants", …). The participants section has a
//! header row with the email and duration columns (English column names, as Teams writes
//! them); durations like `1h 5m 3s` or `01:05:03`. Cells are read with the `csv` crate, so quoted
//! cells may hold the delimiter, quotes and line breaks. Older reports list join and leave
//! actions instead; those are refused with a message saying so.

use app::domain::{EmailAddress, Invalid};
use std::collections::BTreeMap;

/// One person in a report, with all their time summed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    pub email: String,
    pub name: String,
    pub seconds: i64,
}

/// Decodes the report's bytes: UTF-16 with a byte-order mark, or UTF-8 (with or without one).
pub fn decode(bytes: &[u8]) -> Result<String, Invalid> {
    let utf16 = |le: bool, data: &[u8]| {
        let units: Vec<u16> = data
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| Invalid::from("The file is not valid UTF-16 text."))
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|_| "The file is not valid UTF-8 text.".into()),
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| "The file is not text. Upload the CSV attendance report from Teams.".into()),
    }
}

/// Reads `1h 5m 3s`, `45m 10s`, `32s`, `1 hr 5 min`, `01:05:03` or `05:03` into seconds.
/// Anything longer than [`MAX_DURATION`] (or too large to count) is not a duration.
pub fn parse_duration(text: &str) -> Option<i64> {
    read_duration(text).filter(|s| (0..=MAX_DURATION).contains(s))
}
fn read_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.contains(':') {
        let parts: Vec<i64> = text.split(':').map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
        return match parts.as_slice() {
            [h, m, s] => h.checked_mul(3600)?.checked_add(m.checked_mul(60)?)?.checked_add(*s),
            [m, s] => m.checked_mul(60)?.checked_add(*s),
            _ => None,
        };
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut seen = false;
    let lower = text.to_lowercase();
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
        } else if c.is_alphabetic() {
            let mut unit = c.to_string();
            while let Some(&n) = chars.peek() {
                if n.is_alphabetic() {
                    unit.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            let n: i64 = number.parse().ok()?;
            number.clear();
            let unit: i64 = match unit.as_str() {
                "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
                "m" | "min" | "mins" | "minute" | "minutes" => 60,
                "s" | "sec" | "secs" | "second" | "seconds" => 1,
                _ => return None,
            };
            total = n.checked_mul(unit).and_then(|part| total.checked_add(part))?;
            seen = true;
        } else if !c.is_whitespace() {
            return None;
        }
    }
    (seen && number.is_empty()).then_some(total)
}

/// The longest time one person can plausibly spend in one event: longer is a broken report.
pub const MAX_DURATION: i64 = 7 * 86_400;

/// The report's records (rows of cells), each with the line it starts on.
fn records(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| (r.position().map(|p| p.line()).unwrap_or(0), r.iter().map(str::to_string).collect()))
        .collect()
}

/// Whether a record is a section title like "3. In-Meeting Activities".
fn is_section_title(cells: &[String]) -> bool {
    let first = cells.first().map(String::as_str).unwrap_or("");
    cells.iter().skip(1).all(|c| c.is_empty())
        && first
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Reads a Teams attendance report into one entry per email address.
pub fn parse_report(text: &str) -> Result<Vec<Attendee>, Invalid> {
    let delimiter = if text.lines().take(40).any(|l| l.contains('\t')) {
        b'\t'
    } else {
        b','
    };
    let rows = records(text, delimiter);
    let mut header_at = None;
    for (i, (_, cells)) in rows.iter().enumerate() {
        let lower: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
        let email = lower
            .iter()
            .position(|c| c == "email" || c == "email address" || c.starts_with("participant id") || c == "upn");
        let duration = lower.iter().position(|c| c.contains("duration"));
        if let (Some(e), Some(d)) = (email, duration) {
            let name = lower.iter().position(|c| c == "name" || c == "full name" || c == "display name");
            header_at = Some((i, e, d, name));
            break;
        }
        if lower.iter().any(|c| c == "user action") {
            return Err("This is an older attendance list with join and leave times. Download the attendance report from the meeting's Attendance tab instead.".into());
        }
    }
    let Some((header, email_col, duration_col, name_col)) = header_at else {
        return Err("No participants table with Email and Duration columns was found. Upload the attendance report CSV from Teams.".into());
    };
    let mut by_email: BTreeMap<String, Attendee> = BTreeMap::new();
    for (line, cells) in &rows[header + 1..] {
        // A blank row or the next section's title ends the table.
        if cells.iter().all(|c| c.is_empty()) || is_section_title(cells) {
            break;
        }
        let Some(email) = cells.get(email_col).filter(|e| !e.is_empty()) else {
            continue;
        };
        let Ok(email) = EmailAddress::parse(email) else { continue };
        let duration = cells.get(duration_col).map(String::as_str).unwrap_or("");
        if duration.is_empty() {
            continue;
        }
        let Some(seconds) = parse_duration(duration) else {
            return Err(format!(
                "Line {line}: {duration:?} is not a time spent in the event (like 1h 5m 3s, at most a week). Check that this is the report Teams made."
            )
            .into());
        };
        let name = name_col.and_then(|n| cells.get(n)).cloned().unwrap_or_default();
        let entry = by_email.entry(email.normalized()).or_insert(Attendee {
            email: email.normalized(),
            name,
            seconds: 0,
        });
        entry.seconds = entry.seconds.saturating_add(seconds);
    }
    if by_email.is_empty() {
        return Err("The report lists no participants with an email address.".into());
    }
    Ok(by_email.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "1. Summary\n\
        Meeting title\tQuarterly review\n\
        Attended participants\t3\n\
        \n\
        2. Participants\n\
        Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n\
        Ada Lovelace\t3/10/31, 4:00:12 PM\t3/10/31, 4:55:40 PM\t55m 28s\tada@example.com\tada@example.com\tAttendee\n\
        \"Hopper, Grace\"\t3/10/31, 4:01:00 PM\t3/10/31, 4:20:00 PM\t19m\tGRACE@example.com\tgrace@example.com\tAttendee\n\
        Hopper again\t3/10/31, 4:30:00 PM\t3/10/31, 4:40:00 PM\t10m\tgrace@example.com\tgrace@example.com\tAttendee\n\
        Guest\t3/10/31, 4:02:00 PM\t3/10/31, 5:32:00 PM\t1h 30m\t\t\tAttendee\n\
        \n\
        3. In-Meeting Activities\n\
        Name\tJoin Time\tLeave Time\tDuration\tEmail\n\
        Ada Lovelace\t4:00\t4:55\t55m 28s\tada@example.com\n";

    #[test]
    fn reads_the_participants_section() {
        let people = parse_report(REPORT).unwrap();
        assert_eq!(
            people,
            vec![
                Attendee {
                    email: "ada@example.com".into(),
                    name: "Ada Lovelace".into(),
                    seconds: 55 * 60 + 28
                },
                Attendee {
                    email: "grace@example.com".into(),
                    name: "Hopper, Grace".into(),
                    seconds: 29 * 60
                },
            ]
        );
    }

    #[test]
    fn decodes_utf16_reports() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in REPORT.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(parse_report(&decode(&bytes).unwrap()).unwrap().len(), 2);
        assert!(decode(&[0xC3, 0x28]).is_err());
    }

    #[test]
    fn durations_in_every_spelling() {
        assert_eq!(parse_duration("1h 5m 3s"), Some(3903));
        assert_eq!(parse_duration("45m 10s"), Some(2710));
        assert_eq!(parse_duration("32s"), Some(32));
        assert_eq!(parse_duration("1 hr 5 min"), Some(3900));
        assert_eq!(parse_duration("01:05:03"), Some(3903));
        assert_eq!(parse_duration("05:03"), Some(303));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("12"), None);
        assert_eq!(parse_duration("9223372036854775h"), None, "too large to count");
        assert_eq!(parse_duration("99999999999:00:00"), None);
        assert_eq!(parse_duration("200h"), None, "longer than any event");
    }

    #[test]
    fn refuses_other_files_clearly() {
        assert!(parse_report("a,b,c\n1,2,3").unwrap_err().0.contains("Email and Duration"));
        assert!(parse_report("Full Name\tUser Action\tTimestamp\nAda\tJoined\t4:00")
            .unwrap_err()
            .0
            .contains("older attendance list"));
        let csv = "Name,Email,Duration\nAda,ada@example.com,10m\n";
        assert_eq!(parse_report(csv).unwrap()[0].seconds, 600);
    }

    #[test]
    fn quoted_cells_may_hold_line_breaks_and_delimiters() {
        let csv = "Name,Email,Duration\n\"Lovelace,\nAda\",ada@example.com,10m\nGrace,grace@example.com,5m\n";
        let people = parse_report(csv).unwrap();
        assert_eq!(people.len(), 2, "the quoted line break does not end the row");
        assert_eq!(people[0].name, "Lovelace,\nAda");
        assert_eq!(people[1].seconds, 300);
        let broken = "Name,Email,Duration\nAda,ada@example.com,10m\nBob,bob@example.com,9223372036854775h\n";
        assert!(parse_report(broken).unwrap_err().0.starts_with("Line 3:"));
    }
}
