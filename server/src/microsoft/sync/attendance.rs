//! Attendance read from Teams: when Graph announces a report, and after each event ends.

use super::*;
use crate::events::Event;

impl TeamsSync {
    pub(super) async fn record_attendance(&self, event_id: &str, records: Option<i64>) -> Result<(), SyncError> {
        store::events::record_attendance(&self.db, event_id, records)
            .await
            .map_err(SyncError::from)
    }

    /// After an event held in Teams ends, its attendance is read from Teams: ten minutes after
    /// the end, then every hour until a report with records is there, for up to two days.
    /// Returns how many events were read.
    pub async fn attendance_pass(&self) -> Result<usize, sqlx::Error> {
        let now = self.db.now();
        let due = store::events::attendance_due(&self.db, now).await?;
        for id in &due {
            let Some(event) = crate::events::by_id(&self.db, id).await? else {
                continue;
            };
            let records = match self.read_attendance(&event).await {
                Ok(summary) => Some(summary.attendees as i64),
                Err(e) => {
                    tracing::warn!(event = %id, error = %e, "reading attendance from Teams failed; will retry");
                    None
                }
            };
            if let Err(e) = self.record_attendance(id, records).await {
                tracing::warn!(event = %id, error = %e, "recording the attendance pass failed");
            }
        }
        Ok(due.len())
    }

    /// Reads the event's attendance from Teams into the attendance table: every report of a
    /// meeting (with its owner's token), or of every session of a webinar (with the
    /// application's, which needs the access policy).
    pub async fn read_attendance(&self, event: &Event) -> Result<crate::attendance::ImportSummary, SyncError> {
        use crate::microsoft::models::Session;
        let records = match (&event.teams_meeting_id, &event.teams_webinar_id) {
            (Some(meeting), _) => {
                let (token, mailbox) = self.owner_token(event).await?;
                let reports = format!("/me/onlineMeetings/{meeting}/attendanceReports");
                self.report_records(&reports, Some(&token), &mailbox).await?
            }
            (None, Some(webinar)) => {
                let base = format!("{}/sessions", crate::microsoft::webinar_path(webinar)?);
                let sessions: Vec<Session> = self.client.get_all(&base, "application").await.map_err(SyncError::from)?;
                let mut records = Vec::new();
                for session in sessions.iter().filter_map(|s| s.id.as_deref()) {
                    let reports = format!("{base}/{session}/attendanceReports");
                    records.extend(self.report_records(&reports, None, "application").await?);
                }
                records
            }
            (None, None) => return Err("this event is not in Teams".into()),
        };
        let records: Vec<crate::attendance::Record> = records
            .iter()
            .map(|r| crate::attendance::Record {
                registration_id: r.external_registration_information.as_ref().and_then(|x| x.registration_id.clone()),
                email: r.email_address.clone(),
                name: r.identity.as_ref().and_then(|i| i.display_name.clone()).unwrap_or_default(),
                seconds: r.total_attendance_in_seconds.unwrap_or(0),
            })
            .collect();
        crate::attendance::store_records(&self.db, &event.id, &records)
            .await
            .map_err(SyncError::from)
    }

    /// The attendance records of every report in the collection at `reports`.
    pub(super) async fn report_records(
        &self,
        reports: &str,
        token: Option<&str>,
        mailbox: &str,
    ) -> Result<Vec<crate::microsoft::models::AttendanceRecord>, SyncError> {
        let list: Vec<crate::microsoft::models::AttendanceReport> =
            self.client.collect(reports, mailbox, token).await.map_err(SyncError::from)?;
        let mut records = Vec::new();
        for report in list.iter().filter_map(|r| r.id.as_deref()) {
            let path = format!("{reports}/{report}/attendanceRecords");
            records.extend(self.client.collect(&path, mailbox, token).await.map_err(SyncError::from)?);
        }
        Ok(records)
    }
}
