//! Attendance: who attended an event and for how long, from the report organizers upload or
//! from Teams' attendance records, matched to registrations; and the summary the dashboard
//! charts.

pub mod report;
pub mod store;

pub use store::by_email;

use crate::accounts::audit;
use crate::accounts::auth::Organizer;
use crate::events::{self, ManageError};
use crate::store::Db;
use app::domain::FieldError;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;

/// What attendance needs from storage, inside the write transaction that replaces an event's
/// attendance: the SQL adapter ([`store`]) implements it on `WriteTx`; the tests below use maps.
pub trait AttendanceWriter: Send {
    /// The event's registrations by normalized email: email → registration id.
    fn registrations_by_email(&mut self, event_id: &str) -> impl Future<Output = Result<HashMap<String, String>, sqlx::Error>> + Send;

    /// Makes `rows` the event's attendance, from `source` (`teamsReport` or `graph`).
    fn replace(
        &mut self,
        event_id: &str,
        rows: &[Attended],
        source: &str,
        now: i64,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

/// One person's attendance as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attended {
    pub email: String,
    pub name: String,
    pub registration_id: Option<String>,
    pub seconds: i64,
}

/// What an import did.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// People in the report.
    pub attendees: usize,
    /// Of those, registrants of the event.
    pub matched: usize,
    /// Email addresses in the report that match no registration.
    pub unmatched: Vec<String>,
}

fn summary(rows: &[Attended]) -> ImportSummary {
    ImportSummary {
        attendees: rows.len(),
        matched: rows.iter().filter(|r| r.registration_id.is_some()).count(),
        unmatched: rows
            .iter()
            .filter(|r| r.registration_id.is_none())
            .map(|r| r.email.clone())
            .collect(),
    }
}

/// Replaces the event's attendance with the uploaded report's, matched to registrations by
/// email, in one transaction.
pub async fn import(db: &Db, org: &Organizer, slug: &str, bytes: &[u8]) -> Result<ImportSummary, ManageError> {
    let event = events::event(db, org, slug).await?;
    let invalid = |m: app::domain::Invalid| ManageError::Invalid(vec![FieldError::new("report", m)]);
    let text = report::decode(bytes).map_err(invalid)?;
    let attendees = report::parse_report(&text).map_err(invalid)?;
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let summary = replace_with_report(&mut tx, &event.id, attendees, now).await?;
    audit::record(&mut tx, &org.organization_id, &org.email, "attendance.imported", &event.slug, now).await?;
    tx.commit().await?;
    Ok(summary)
}

/// Makes the report's attendees the event's attendance, each matched to a registration by
/// (normalized) email.
async fn replace_with_report(
    tx: &mut impl AttendanceWriter,
    event_id: &str,
    attendees: Vec<report::Attendee>,
    now: i64,
) -> Result<ImportSummary, sqlx::Error> {
    let registered = tx.registrations_by_email(event_id).await?;
    let rows: Vec<Attended> = attendees
        .into_iter()
        .map(|a| Attended {
            registration_id: registered.get(&a.email).cloned(),
            email: a.email,
            name: a.name,
            seconds: a.seconds,
        })
        .collect();
    tx.replace(event_id, &rows, "teamsReport", now).await?;
    Ok(summary(&rows))
}

/// One attendance record from Teams: Atrium's registration id if Teams echoed it, the email
/// address if it has one, and the seconds in one session.
pub struct Record {
    pub registration_id: Option<String>,
    pub email: Option<String>,
    pub name: String,
    pub seconds: i64,
}

/// Replaces the event's attendance with records from Teams: each person's seconds summed over
/// the sessions, matched to registrations by Atrium's id, else by email.
pub async fn store_records(db: &Db, event_id: &str, records: &[Record]) -> Result<ImportSummary, sqlx::Error> {
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let summary = replace_with_records(&mut tx, event_id, records, now).await?;
    tx.commit().await?;
    Ok(summary)
}

async fn replace_with_records(
    tx: &mut impl AttendanceWriter,
    event_id: &str,
    records: &[Record],
    now: i64,
) -> Result<ImportSummary, sqlx::Error> {
    let registered = tx.registrations_by_email(event_id).await?;
    let email_of_id: HashMap<&str, &str> = registered.iter().map(|(e, id)| (id.as_str(), e.as_str())).collect();
    let mut people: BTreeMap<String, Attended> = BTreeMap::new();
    for r in records {
        let by_id = r.registration_id.as_deref().and_then(|id| email_of_id.get(id).map(|e| (id, *e)));
        let email = match (by_id, r.email.as_deref()) {
            (Some((_, e)), _) => e.to_string(),
            (None, Some(e)) => e.trim().to_lowercase(),
            (None, None) => continue,
        };
        let registration = by_id.map(|(id, _)| id.to_string()).or_else(|| registered.get(&email).cloned());
        let entry = people.entry(email.clone()).or_insert(Attended {
            email,
            name: r.name.clone(),
            registration_id: registration,
            seconds: 0,
        });
        entry.seconds = entry.seconds.saturating_add(r.seconds);
    }
    let rows: Vec<Attended> = people.into_values().collect();
    tx.replace(event_id, &rows, "graph", now).await?;
    Ok(summary(&rows))
}

/// Attendees counted by minutes attended, in buckets for the dashboard chart.
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

    /// An event's registrations and its attendance, as maps.
    #[derive(Default)]
    struct Maps {
        registered: HashMap<String, String>,
        stored: Vec<(String, Vec<Attended>, String, i64)>,
    }

    impl AttendanceWriter for Maps {
        async fn registrations_by_email(&mut self, _event_id: &str) -> Result<HashMap<String, String>, sqlx::Error> {
            Ok(self.registered.clone())
        }

        async fn replace(&mut self, event_id: &str, rows: &[Attended], source: &str, now: i64) -> Result<(), sqlx::Error> {
            self.stored.push((event_id.into(), rows.to_vec(), source.into(), now));
            Ok(())
        }
    }

    fn record(id: Option<&str>, email: Option<&str>, seconds: i64) -> Record {
        Record {
            registration_id: id.map(str::to_string),
            email: email.map(str::to_string),
            name: "Someone".into(),
            seconds,
        }
    }

    #[tokio::test]
    async fn teams_records_are_summed_per_person_and_matched_by_id_then_by_email() {
        let mut maps = Maps::default();
        maps.registered.insert("ada@example.com".into(), "r1".into());
        maps.registered.insert("bo@example.com".into(), "r2".into());
        let records = [
            // Teams echoed Atrium's id: matched even though the address differs.
            record(Some("r1"), Some("ada.work@example.com"), 600),
            record(None, Some(" ADA@example.com "), 300),
            record(None, Some("Bo@Example.com"), 60),
            record(Some("unknown"), Some("cy@example.com"), 120),
            // Neither an id Atrium knows nor an address: nobody to count.
            record(None, None, 999),
        ];
        let summary = replace_with_records(&mut maps, "e1", &records, 42).await.unwrap();
        let (event, rows, source, now) = &maps.stored[0];
        assert_eq!((event.as_str(), source.as_str(), *now), ("e1", "graph", 42));
        let people: Vec<_> = rows
            .iter()
            .map(|r| (r.email.as_str(), r.registration_id.as_deref(), r.seconds))
            .collect();
        assert_eq!(
            people,
            [
                ("ada@example.com", Some("r1"), 900),
                ("bo@example.com", Some("r2"), 60),
                ("cy@example.com", None, 120)
            ]
        );
        assert_eq!(
            (summary.attendees, summary.matched, summary.unmatched),
            (3, 2, vec!["cy@example.com".to_string()])
        );
    }

    #[tokio::test]
    async fn a_report_replaces_the_attendance_as_given_and_names_who_matched_nobody() {
        let mut maps = Maps::default();
        maps.registered.insert("ada@example.com".into(), "r1".into());
        let attendees = report::parse_report("Name,Email,Duration\nAda,ada@example.com,10m\nDee,dee@example.com,1h 5m\n").unwrap();
        let summary = replace_with_report(&mut maps, "e1", attendees, 7).await.unwrap();
        let (_, rows, source, _) = &maps.stored[0];
        assert_eq!(source, "teamsReport");
        let people: Vec<_> = rows
            .iter()
            .map(|r| (r.email.as_str(), r.registration_id.as_deref(), r.seconds))
            .collect();
        assert_eq!(people, [("ada@example.com", Some("r1"), 600), ("dee@example.com", None, 3_900)]);
        assert_eq!(summary.unmatched, ["dee@example.com"]);
    }

    #[test]
    fn histogram_buckets() {
        let h = histogram([60, 14 * 60, 15 * 60, 50 * 60, 200 * 60].into_iter());
        assert_eq!(h.iter().map(|(_, c)| *c).collect::<Vec<_>>(), vec![2, 1, 0, 1, 0, 1]);
    }
}
