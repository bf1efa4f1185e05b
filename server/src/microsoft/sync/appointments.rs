//! Appointments in Teams (Microsoft mode with Atrium's own scheduling): each online appointment
//! gets a Teams meeting of the business's organization, made with `createOrGet` keyed by the
//! appointment's id (so a retry after a crash finds the same meeting), and the customer's
//! browser link from `getVirtualAppointmentJoinWebUrl`. A job reads the appointment as it is
//! when it runs and makes the meeting match: made, moved (the same meeting) or removed.

use super::*;
use crate::appointments::store as appointments;
pub use crate::jobs::teams::{AppointmentJob, TOPIC_APPOINTMENT};
use crate::microsoft::client::GraphError;
use reqwest::Method;
use serde_json::json;

impl TeamsSync {
    /// Claims up to five appointment jobs and brings each meeting in line; failures are retried
    /// later with back-off. Returns how many jobs were claimed.
    pub async fn sync_appointments(&self) -> Result<usize, sqlx::Error> {
        self.appointment_jobs(TOPIC_APPOINTMENT, |id, _| async move { self.appointment_in_teams(&id).await })
            .await
    }

    /// Claims up to five appointment jobs of `topic` and runs `step` for each (with whether an
    /// earlier attempt was made); failures are retried later with back-off. Returns how many
    /// jobs were claimed.
    pub(super) async fn appointment_jobs<F, Fut>(&self, topic: &str, step: F) -> Result<usize, sqlx::Error>
    where
        F: Fn(String, bool) -> Fut,
        Fut: std::future::Future<Output = Result<(), SyncError>>,
    {
        let claimed = self.queue.claim(topic, 5).await?;
        let (mut sent, mut failed) = (Vec::new(), Vec::new());
        for c in &claimed {
            let Ok(job) = serde_json::from_str::<AppointmentJob>(&c.payload) else {
                sent.push(c.id.clone());
                continue;
            };
            // Attempts are counted at claim time: more than one means an earlier try.
            match step(job.appointment_id.clone(), c.attempts > 1).await {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => {
                    tracing::warn!(appointment = %job.appointment_id, %topic, error = %e, "an appointment could not be brought up to date in Microsoft 365; will retry");
                    failed.push((c.id.clone(), c.attempts, e.to_string()));
                }
            }
        }
        self.queue.settle(&sent, &failed).await?;
        Ok(claimed.len())
    }

    /// A delegated token of the organization's connected account, and its throttling key.
    pub(super) async fn organization_token(&self, organization_id: &str) -> Result<(String, String), SyncError> {
        let delegated = self.delegated.as_ref().ok_or(SyncError::NotConfigured)?;
        let account = crate::accounts::MicrosoftAccount::Service(organization_id.to_string());
        Ok((delegated.access_token(&account).await?, account.mailbox()))
    }

    async fn appointment_in_teams(&self, id: &str) -> Result<(), SyncError> {
        let Some(a) = appointments::by_id(&self.db, id).await? else {
            return Ok(());
        };
        let business = appointments::business_by_id(&self.db, &a.business_id)
            .await?
            .ok_or("the appointment's business is gone")?;
        let (token, mailbox) = self.organization_token(&business.organization_id).await?;
        let call = |method: Method, path: String, body: Option<serde_json::Value>| {
            let (token, mailbox) = (token.clone(), mailbox.clone());
            async move { self.client.request_as(&token, method, &path, body.as_ref(), &mailbox).await }
        };
        let times = json!({"startDateTime": offset(a.start), "endDateTime": offset(a.end)});
        if a.status == "canceled" {
            if let Some(meeting) = &a.teams_meeting_id {
                match call(Method::DELETE, format!("/me/onlineMeetings/{meeting}"), None).await {
                    Ok(_) | Err(GraphError::Http { status: 404, .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            return Ok(());
        }
        if let Some(meeting) = &a.teams_meeting_id {
            call(Method::PATCH, format!("/me/onlineMeetings/{meeting}"), Some(times)).await?;
            if a.join_url.is_none() {
                let join = self.virtual_join_url(&call, meeting).await?;
                appointments::set_meeting(&self.db, id, meeting, a.teams_join_url.as_deref(), Some(&join)).await?;
            }
            return Ok(());
        }
        let service = appointments::all_services_of(&self.db, &business.id)
            .await?
            .into_iter()
            .find(|s| s.id == a.service_id)
            .map(|s| s.display_name)
            .unwrap_or_default();
        let mut body = times.clone();
        body["externalId"] = json!(a.id);
        body["subject"] = json!(format!("{service} with {}", a.customer_name));
        let (status, made) = call(Method::POST, "/me/onlineMeetings/createOrGet".into(), Some(body)).await?;
        let meeting: crate::microsoft::models::OnlineMeeting = crate::microsoft::models::parse_entity(made)?;
        let meeting_id = meeting.id.ok_or("Teams returned a meeting without an id")?;
        if status == reqwest::StatusCode::OK {
            // It existed already (an earlier attempt made it): it may carry an older time.
            call(Method::PATCH, format!("/me/onlineMeetings/{meeting_id}"), Some(times)).await?;
        }
        let join = self.virtual_join_url(&call, &meeting_id).await?;
        appointments::set_meeting(&self.db, id, &meeting_id, meeting.join_web_url.as_deref(), Some(&join)).await?;
        Ok(())
    }

    /// The browser link for customers without Teams.
    async fn virtual_join_url<F, Fut>(&self, call: &F, meeting: &str) -> Result<String, SyncError>
    where
        F: Fn(Method, String, Option<serde_json::Value>) -> Fut,
        Fut: std::future::Future<Output = Result<(reqwest::StatusCode, serde_json::Value), GraphError>>,
    {
        let (_, answer) = call(
            Method::GET,
            format!("/me/onlineMeetings/{meeting}/getVirtualAppointmentJoinWebUrl"),
            None,
        )
        .await?;
        let url = answer["value"].as_str().ok_or("Teams answered without a join link")?;
        if !url.starts_with("https://") {
            return Err(SyncError::Refused(format!("Teams gave a join link that is not https: {url:?}")));
        }
        Ok(url.to_string())
    }
}
