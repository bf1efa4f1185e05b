//! Attendance: reading the attendance report that Teams lets organizers download, matching its
//! people to registrations by email, and the minutes each attended.
//!
//! Teams writes the report as UTF-16 (sometimes UTF-8) text, tab- or comma-separated, in
//! sections ("1. Summary", "2. Participants", …). The participants section has a header row with
//! an email column and a duration column ("In-Meeting Duration", "Attendance Duration" or
//! "Duration"), with durations like `1h 5m 3s` or `01:05:03`. Older reports list join/leave
//! actions instead; those are not accepted, with a message saying so.

use crate::accounts::auth::Organizer;
use crate::events::{self as manage, ManageError};
use crate::store::Db;
use app::domain::{EmailAddress, FieldError};
use sqlx::Row;
use std::collections::BTreeMap;

/// One person in a report, with all their time summed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    pub email: String,
    pub name: String,
    pub seconds: i64,
}

/// Decodes the report's bytes: UTF-16 with a byte-order mark, or UTF-8 (with or without one).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
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
        String::from_utf16(&units).map_err(|_| "The file is not valid UTF-16 text.".to_string())
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|_| "The file is not valid UTF-8 text.".into()),
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| "The file is not text. Upload the CSV attendance report from Teams.".into()),
    }
}

/// Splits one line on `delimiter`, honouring double quotes.
fn split_line(line: &str, delimiter: char) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The longest time one person can plausibly spend in one event: longer is a broken report.
pub const MAX_DURATION: i64 = 7 * 86_400;

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

/// Reads a Teams attendance report into one entry per email address.
pub fn parse_report(text: &str) -> Result<Vec<Attendee>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let delimiter = if lines.iter().take(40).any(|l| l.contains('\t')) {
        '\t'
    } else {
        ','
    };
    let mut header_at = None;
    for (i, line) in lines.iter().enumerate() {
        let cells: Vec<String> = split_line(line, delimiter).into_iter().map(|c| c.to_lowercase()).collect();
        let email = cells
            .iter()
            .position(|c| c == "email" || c == "email address" || c.starts_with("participant id") || c == "upn");
        let duration = cells.iter().position(|c| c.contains("duration"));
        if let (Some(e), Some(d)) = (email, duration) {
            let name = cells.iter().position(|c| c == "name" || c == "full name" || c == "display name");
            header_at = Some((i, e, d, name));
            break;
        }
        if cells.iter().any(|c| c == "user action") {
            return Err("This is an older attendance list with join and leave times. Download the attendance report from the meeting's Attendance tab instead.".into());
        }
    }
    let Some((header, email_col, duration_col, name_col)) = header_at else {
        return Err("No participants table with Email and Duration columns was found. Upload the attendance report CSV from Teams.".into());
    };
    let mut by_email: BTreeMap<String, Attendee> = BTreeMap::new();
    for (offset, line) in lines[header + 1..].iter().enumerate() {
        let cells = split_line(line, delimiter);
        if cells.iter().all(|c| c.is_empty())
            || line.trim_start().starts_with(|c: char| c.is_ascii_digit()) && line.contains(". ") && cells.len() < 3
        {
            // A blank line or the next section's title ends the table.
            break;
        }
        let Some(email) = cells.get(email_col).map(|e| e.trim()).filter(|e| !e.is_empty()) else {
            continue;
        };
        let Ok(email) = EmailAddress::parse(email) else { continue };
        let duration = cells.get(duration_col).map(|d| d.trim()).unwrap_or("");
        if duration.is_empty() {
            continue;
        }
        let Some(seconds) = parse_duration(duration) else {
            return Err(format!(
                "Line {}: {duration:?} is not a time spent in the event (like 1h 5m 3s, at most a week). Check that this is the report Teams made.",
                header + offset + 2
            ));
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

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub attendees: usize,
    pub matched: usize,
    pub unmatched: Vec<String>,
}

/// Replaces the event's attendance with the report's, matched to registrations by email.
pub async fn import(db: &Db, org: &Organizer, slug: &str, bytes: &[u8]) -> Result<ImportSummary, ManageError> {
    let event = manage::event(db, org, slug).await?;
    let invalid = |m: String| ManageError::Invalid(vec![FieldError::new("report", m)]);
    let text = decode(bytes).map_err(invalid)?;
    let attendees = parse_report(&text).map_err(invalid)?;
    let now = crate::clock::now();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM attendance WHERE event_id = $1")
        .bind(&event.id)
        .execute(&mut *tx.tx)
        .await?;
    let registered: std::collections::HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT id, email_normalized FROM registrations WHERE event_id = $1")
            .bind(&event.id)
            .fetch_all(&mut *tx.tx)
            .await?
            .into_iter()
            .map(|(id, email)| (email, id))
            .collect();
    let mut matched = 0;
    let mut unmatched = Vec::new();
    for a in &attendees {
        let registration = registered.get(&a.email).cloned();
        if registration.is_some() {
            matched += 1;
        } else {
            unmatched.push(a.email.clone());
        }
        sqlx::query(
            "INSERT INTO attendance (event_id, email_normalized, display_name, registration_id, seconds, source, imported_at) \
             VALUES ($1, $2, $3, $4, $5, 'teamsReport', $6)",
        )
        .bind(&event.id)
        .bind(&a.email)
        .bind(&a.name)
        .bind(registration)
        .bind(a.seconds)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "attendance.imported", &event.slug, now).await?;
    tx.commit().await?;
    Ok(ImportSummary {
        attendees: attendees.len(),
        matched,
        unmatched,
    })
}

/// Replaces the event's attendance with records from Graph: each person's seconds summed over
/// the sessions' reports, matched to registrations by Atrium's id (echoed in
/// `externalRegistrationInformation`), else by email.
pub async fn store_graph_records(
    db: &Db,
    event_id: &str,
    records: &[crate::microsoft::models::AttendanceRecord],
) -> Result<ImportSummary, sqlx::Error> {
    let registered: Vec<(String, String)> = sqlx::query_as("SELECT id, email_normalized FROM registrations WHERE event_id = $1")
        .bind(event_id)
        .fetch_all(&db.pool)
        .await?;
    let mut people: BTreeMap<String, (String, Option<String>, i64)> = BTreeMap::new();
    for r in records {
        let ours = r.external_registration_information.as_ref().and_then(|x| x.registration_id.clone());
        let by_id = ours.as_ref().and_then(|id| registered.iter().find(|(rid, _)| rid == id));
        let email = match (by_id, r.email_address.as_deref()) {
            (Some((_, e)), _) => e.clone(),
            (None, Some(e)) => e.trim().to_lowercase(),
            (None, None) => continue,
        };
        let registration = by_id
            .map(|(id, _)| id.clone())
            .or_else(|| registered.iter().find(|(_, e)| *e == email).map(|(id, _)| id.clone()));
        let name = r.identity.as_ref().and_then(|i| i.display_name.clone()).unwrap_or_default();
        let entry = people.entry(email).or_insert((name, registration, 0));
        entry.2 += r.total_attendance_in_seconds.unwrap_or(0);
    }
    let now = crate::clock::now();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM attendance WHERE event_id = $1")
        .bind(event_id)
        .execute(&mut *tx.tx)
        .await?;
    let mut matched = 0;
    let mut unmatched = Vec::new();
    for (email, (name, registration, seconds)) in &people {
        if registration.is_some() {
            matched += 1;
        } else {
            unmatched.push(email.clone());
        }
        sqlx::query(
            "INSERT INTO attendance (event_id, email_normalized, display_name, registration_id, seconds, source, imported_at) \
             VALUES ($1, $2, $3, $4, $5, 'graph', $6)",
        )
        .bind(event_id)
        .bind(email)
        .bind(name)
        .bind(registration)
        .bind(seconds)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.commit().await?;
    Ok(ImportSummary {
        attendees: people.len(),
        matched,
        unmatched,
    })
}

/// Seconds attended by email, for the event.
pub async fn by_email(db: &Db, event_id: &str) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT email_normalized, seconds FROM attendance WHERE event_id = $1")
        .bind(event_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("email_normalized")?, r.try_get("seconds")?)))
        .collect()
}

/// How many attendees stayed for each span of minutes, for the histogram.
pub fn histogram(seconds: impl Iterator<Item = i64>) -> Vec<(String, i64)> {
    let labels = ["under 15 min", "15–30 min", "30–45 min", "45–60 min", "60–90 min", "90 min or more"];
    let mut counts = [0i64; 6];
    for s in seconds {
        let m = s / 60;
        let i = match m {
            0..=14 => 0,
            15..=29 => 1,
            30..=44 => 2,
            45..=59 => 3,
            60..=89 => 4,
            _ => 5,
        };
        counts[i] += 1;
    }
    labels.iter().zip(counts).map(|(l, c)| (l.to_string(), c)).collect()
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
        assert!(parse_report("a,b,c\n1,2,3").unwrap_err().contains("Email and Duration"));
        assert!(parse_report("Full Name\tUser Action\tTimestamp\nAda\tJoined\t4:00")
            .unwrap_err()
            .contains("older attendance list"));
        let csv = "Name,Email,Duration\nAda,ada@example.com,10m\n";
        assert_eq!(parse_report(csv).unwrap()[0].seconds, 600);
    }

    #[test]
    fn histogram_buckets() {
        let h = histogram([60, 14 * 60, 15 * 60, 50 * 60, 200 * 60].into_iter());
        assert_eq!(h.iter().map(|(_, c)| *c).collect::<Vec<_>>(), vec![2, 1, 0, 1, 0, 1]);
    }
}
