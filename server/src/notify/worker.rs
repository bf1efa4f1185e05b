//! The email worker: takes due emails from the job queue, composes each from the registration
//! and its event as they are now, hands it to the [`Mailer`], and records the outcome. A message
//! that can never be delivered, or still fails after its last attempt, is marked failed.

use super::mailer::{Failure, Mailer};
use crate::appointments::Details;
use crate::config::Config;
use crate::crypto::Sealer;
use crate::events::{self, Event};
use crate::jobs::email::{AppointmentEmailJob, AppointmentMail, EmailJob, APPOINTMENT_TOPIC, TOPIC};
use crate::jobs::{Claimed, JobQueue};
use crate::registrations::{self, Registration};
use crate::store::Db;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How many messages one pass claims.
const BATCH: i64 = 50;
/// An email is tried this many times (over about fifteen hours) and then given up as failed.
pub const MAX_EMAIL_ATTEMPTS: i64 = 24;

/// Delivers queued email, woken through the [`JobQueue`] after each commit.
#[derive(Clone)]
pub struct Outbox {
    db: Db,
    config: Arc<Config>,
    sealer: Sealer,
    mailer: Arc<dyn Mailer>,
    queue: Arc<dyn JobQueue>,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(db: Db, config: Arc<Config>, sealer: Sealer, mailer: Arc<dyn Mailer>, queue: Arc<dyn JobQueue>) -> Self {
        Self {
            db,
            config,
            sealer,
            mailer,
            wake: queue.subscribe(),
            queue,
        }
    }

    /// Tells the worker there is something new to deliver.
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// Runs until the process ends: delivers what is due, then waits for a wake-up or a tick.
    pub fn spawn(self, life: &crate::lifecycle::Lifecycle) {
        let life = life.clone();
        life.clone().spawn(async move {
            loop {
                match self.deliver_due().await {
                    Ok(n) if n as i64 >= BATCH && !life.is_stopping() => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                    _ = life.stopping() => break,
                }
                // Let a burst of commits gather into one pass.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    }

    /// One pass: claims due messages (about registrations, then about appointments), delivers
    /// them, and records the results. Returns how many were claimed.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        Ok(self.registration_emails().await? + self.appointment_emails().await?)
    }

    async fn registration_emails(&self) -> Result<usize, sqlx::Error> {
        let claimed = self.queue.claim(TOPIC, BATCH).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        // Read the batch's registrations in one query, and each event once.
        let jobs: Vec<serde_json::Result<EmailJob>> = claimed.iter().map(|c| serde_json::from_str(&c.payload)).collect();
        let ids: Vec<String> = jobs.iter().flatten().map(|j| j.registration_id.clone()).collect();
        let registrations = registrations::by_ids(&self.db, &ids).await?;
        let mut events = HashMap::new();
        let mut outcomes = Vec::with_capacity(claimed.len());
        for (item, job) in claimed.iter().zip(jobs) {
            outcomes.push(self.deliver(item, job, &registrations, &mut events).await);
        }
        self.record(&claimed, outcomes).await?;
        Ok(claimed.len())
    }

    async fn appointment_emails(&self) -> Result<usize, sqlx::Error> {
        let claimed = self.queue.claim(APPOINTMENT_TOPIC, BATCH).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let mut outcomes = Vec::with_capacity(claimed.len());
        for item in &claimed {
            outcomes.push(self.deliver_appointment(item).await);
        }
        self.record(&claimed, outcomes).await?;
        Ok(claimed.len())
    }

    /// Settles each claimed item by its outcome: sent, tried again later, or given up.
    async fn record(&self, claimed: &[Claimed], outcomes: Vec<Result<(), Failure>>) -> Result<(), sqlx::Error> {
        let (mut sent, mut failed, mut given_up) = (Vec::new(), Vec::new(), Vec::new());
        for (item, outcome) in claimed.iter().zip(outcomes) {
            match outcome {
                Ok(()) => sent.push(item.id.clone()),
                Err(e) if matches!(e, Failure::Permanent(_)) || item.attempts >= MAX_EMAIL_ATTEMPTS => {
                    tracing::warn!(outbox_id = %item.id, attempts = item.attempts, error = %e.text(), "delivery failed; giving up");
                    given_up.push((item.id.clone(), e.text().to_string()));
                }
                Err(e) => {
                    tracing::warn!(outbox_id = %item.id, attempts = item.attempts, error = %e.text(), "delivery failed; will retry");
                    failed.push((item.id.clone(), item.attempts, e.text().to_string()));
                }
            }
        }
        self.queue.settle(&sent, &failed).await?;
        self.queue.give_up(&given_up).await
    }

    async fn deliver_appointment(&self, item: &Claimed) -> Result<(), Failure> {
        let job: AppointmentEmailJob =
            serde_json::from_str(&item.payload).map_err(|e| Failure::Permanent(format!("unreadable payload: {e}")))?;
        let details = Details::load(&self.db, &job.appointment_id)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?
            .ok_or_else(|| Failure::Permanent("appointment is gone".into()))?;
        if job.mail == AppointmentMail::Reminder {
            let a = &details.appointment;
            if a.status != "booked" || job.start != Some(a.start) {
                // Canceled or moved since it was queued (the move queued its own): not sent.
                tracing::debug!(outbox_id = %item.id, "a reminder no longer applies");
                return Ok(());
            }
        }
        let token = self
            .sealer
            .open(&details.appointment.token_sealed)
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        let message = super::appointment_mail::compose(&self.config, &job, &details, &token, &item.id)
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        self.mailer.send(&item.id, message).await
    }

    async fn deliver(
        &self,
        item: &Claimed,
        job: serde_json::Result<EmailJob>,
        registrations: &HashMap<String, Registration>,
        events: &mut HashMap<String, Event>,
    ) -> Result<(), Failure> {
        let job = job.map_err(|e| Failure::Permanent(format!("unreadable payload: {e}")))?;
        let reg = registrations
            .get(&job.registration_id)
            .ok_or_else(|| Failure::Permanent("registration is gone".into()))?;
        if !events.contains_key(&reg.event_id) {
            let event = events::by_id(&self.db, &reg.event_id)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?
                .ok_or_else(|| Failure::Permanent("event is gone".into()))?;
            events.insert(reg.event_id.clone(), event);
        }
        let event = &events[&reg.event_id];
        let token = reg.manage_token(&self.sealer).map_err(|e| Failure::Permanent(e.to_string()))?;
        let message = super::mail::compose(
            &self.config,
            job.mail,
            event,
            reg,
            &token,
            job.waitlist_position,
            job.message.as_deref(),
            &item.id,
        )
        .map_err(|e| Failure::Permanent(e.to_string()))?;
        self.mailer.send(&item.id, message).await
    }
}
