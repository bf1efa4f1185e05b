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
use std::collections::BTreeMap;
use store::Attended;

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
    let registered = store::registrations_by_email(&mut tx, &event.id).await?;
    let rows: Vec<Attended> = attendees
        .into_iter()
        .map(|a| Attended {
            registration_id: registered.get(&a.email).cloned(),
            email: a.email,
            name: a.name,
            seconds: a.seconds,
        })
        .collect();
    store::replace(&mut tx, &event.id, &rows, "teamsReport", now).await?;
    audit::record(&mut tx, &org.organization_id, &org.email, "attendance.imported", &event.slug, now).await?;
    tx.commit().await?;
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
    let registered = store::registrations_by_email(&mut tx, event_id).await?;
    let email_of_id: std::collections::HashMap<&str, &str> = registered.iter().map(|(e, id)| (id.as_str(), e.as_str())).collect();
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
    store::replace(&mut tx, event_id, &rows, "graph", now).await?;
    tx.commit().await?;
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
    use super::histogram;

    #[test]
    fn histogram_buckets() {
        let h = histogram([60, 14 * 60, 15 * 60, 50 * 60, 200 * 60].into_iter());
        assert_eq!(h.iter().map(|(_, c)| *c).collect::<Vec<_>>(), vec![2, 1, 0, 1, 0, 1]);
    }
}
