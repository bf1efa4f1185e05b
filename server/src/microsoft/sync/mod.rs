//! Microsoft mode: confirmed registrations reach the event's Teams webinar. The job is queued in
//! the registration's own transaction and sent later by a worker (never on the attendee's
//! request), twenty at a time through `$batch`, with our registration id in
//! `externalRegistrationInformation` so attendance can be joined back. A job sent twice (a crash
//! after Graph accepted it) finds the person already registered (409) with our id, which counts
//! as done; a 409 for a registration without our id is someone else's, recorded as a problem
//! for the organizers and not retried.

mod appointments;
mod attendance;
mod backlog;
mod bodies;
mod bookings;
mod bookings_body;
mod bookings_calendar;
mod error;
mod events;
mod import;
mod notifications;
mod registrations;

pub use backlog::{backlog, refused, Backlog};
use bodies::*;
pub use bodies::{graph_time, GraphTimeError};
pub use bookings::ImportRefusal;
pub use error::SyncError;
pub use import::LinkRefusal;

use crate::events::Event;
pub use crate::jobs::teams::{
    EventJob as WebinarJob, RegisterJob, TOPIC_REGISTER, TOPIC_UNREGISTER, TOPIC_UPDATE, TOPIC_WEBINAR, TOPIC_WEBINAR_CANCEL,
};
use crate::jobs::{JobQueue, OutboxQueue};
use crate::microsoft::client::GraphClient;
use crate::microsoft::store;
use crate::store::Db;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Graph's `$batch` limit.
pub(super) const BATCH: i64 = 20;

/// What a job about a whole event does in Teams.
#[derive(Clone, Copy, Debug)]
pub(super) enum EventStep {
    Create,
    Update,
    Cancel,
}

#[derive(Clone)]
pub struct TeamsSync {
    db: Db,
    client: GraphClient,
    delegated: Option<crate::microsoft::delegated::Delegated>,
    /// Seals the manage links of registrations made in Teams.
    sealer: crate::crypto::Sealer,
    /// Where Graph sends change notifications (the site's public address).
    public_url: Option<String>,
    queue: Arc<dyn JobQueue>,
    wake: Arc<Notify>,
    /// Set when a subscription must be made again without waiting for the regular pass.
    subscriptions_due: Arc<std::sync::atomic::AtomicBool>,
}

/// Why Teams does not have a registration: it already holds one for the same address that
/// Atrium did not make.
pub const TEAMS_HOLDS_ANOTHER: &str = "Teams already holds a registration for this address that Atrium did not make, so this one was not added to the Teams webinar. Check who registered it in Teams.";

impl TeamsSync {
    /// A worker with a queue of its own over `db`'s outbox; [`TeamsSync::with_queue`] shares
    /// the application's.
    pub fn new(db: Db, client: GraphClient, sealer: crate::crypto::Sealer) -> Self {
        let queue: Arc<dyn JobQueue> = OutboxQueue::new(db.clone());
        Self {
            db,
            client,
            sealer,
            delegated: None,
            public_url: None,
            wake: queue.subscribe(),
            queue,
            subscriptions_due: Default::default(),
        }
    }

    /// Takes its jobs from `queue`, and wakes when it rings.
    pub fn with_queue(mut self, queue: Arc<dyn JobQueue>) -> Self {
        self.wake = queue.subscribe();
        self.queue = queue;
        self
    }

    /// Subscribes to changes of linked webinars, with notifications sent to `public_url`.
    pub fn with_public_url(mut self, public_url: &str) -> Self {
        self.public_url = Some(public_url.to_string());
        self
    }

    /// With the organization's delegated sign-in, webinars can be created in Teams too.
    pub fn with_delegated(mut self, delegated: crate::microsoft::delegated::Delegated) -> Self {
        self.delegated = Some(delegated);
        self
    }

    pub fn notify(&self) {
        self.wake.notify_one();
    }

    pub fn spawn(self, life: &crate::lifecycle::Lifecycle) {
        let life = life.clone();
        life.clone().spawn(async move {
            let mut subscriptions_checked: Option<std::time::Instant> = None;
            let mut attendance_checked: Option<std::time::Instant> = None;
            let mut bookings_read: Option<(std::time::Instant, Duration)> = None;
            loop {
                // At start-up and every ten minutes: subscriptions exist and are renewed in time.
                if let Some(url) = &self.public_url {
                    let due = self.subscriptions_due.swap(false, std::sync::atomic::Ordering::Relaxed);
                    if due || subscriptions_checked.is_none_or(|t| t.elapsed() > Duration::from_secs(600)) {
                        match crate::microsoft::subscriptions::ensure(&self.db, &self.client, url).await {
                            Ok(pass) => {
                                if pass != Default::default() {
                                    tracing::info!(created = pass.created, renewed = pass.renewed, "Graph subscriptions updated");
                                }
                                subscriptions_checked = Some(std::time::Instant::now());
                            }
                            Err(e) => tracing::warn!(error = %e, "Graph subscription pass failed"),
                        }
                    }
                }
                if let Err(e) = self.sync_webinars().await {
                    tracing::warn!(error = %e, "Teams webinar pass failed");
                }
                if let Err(e) = self.process_notifications().await {
                    tracing::warn!(error = %e, "notification pass failed");
                }
                if let Err(e) = self.sync_cancellations().await {
                    tracing::warn!(error = %e, "Teams cancellation pass failed");
                }
                if let Err(e) = self.sync_webinar_cancellations().await {
                    tracing::warn!(error = %e, "Teams webinar cancellation pass failed");
                }
                if let Err(e) = self.sync_updates().await {
                    tracing::warn!(error = %e, "Teams update pass failed");
                }
                if let Err(e) = self.sync_appointments().await {
                    tracing::warn!(error = %e, "Teams appointment pass failed");
                }
                if let Err(e) = self.sync_bookings_appointments().await {
                    tracing::warn!(error = %e, "Bookings appointment pass failed");
                }
                // Bookings sends no notifications of appointments: its calendars are read every
                // minute, less often (up to every 16 minutes) while reading fails.
                if bookings_read.is_none_or(|(t, wait)| t.elapsed() > wait) {
                    let wait = match self.read_bookings_calendars().await {
                        Ok(_) => Duration::from_secs(60),
                        Err(e) => {
                            tracing::warn!(error = %e, "reading Bookings calendars failed");
                            bookings_read.map_or(Duration::from_secs(120), |(_, w)| (w * 2).min(Duration::from_secs(960)))
                        }
                    };
                    bookings_read = Some((std::time::Instant::now(), wait));
                }
                if attendance_checked.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    attendance_checked = Some(std::time::Instant::now());
                    if let Err(e) = self.attendance_pass().await {
                        tracing::warn!(error = %e, "Teams attendance pass failed");
                    }
                }
                match self.sync_due().await {
                    Ok(n) if n as i64 == BATCH && !life.is_stopping() => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "Teams sync pass failed"),
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                    _ = life.stopping() => break,
                }
            }
        });
    }

    /// Claims up to five jobs of `topic` about whole events and runs `step` for each;
    /// failures are retried later with back-off. Returns how many jobs were claimed.
    pub(super) async fn event_jobs(&self, topic: &str, step: EventStep) -> Result<usize, sqlx::Error> {
        let claimed = self.queue.claim(topic, 5).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        for c in &claimed {
            let Ok(job) = serde_json::from_str::<WebinarJob>(&c.payload) else {
                sent.push(c.id.clone());
                continue;
            };
            let outcome = match step {
                // Attempts are counted at claim time: more than one means an earlier try.
                EventStep::Create => self.publish_webinar(&job.event_id, c.attempts > 1).await,
                EventStep::Update => self.update_in_teams(&job.event_id).await,
                EventStep::Cancel => self.cancel_webinar(&job.event_id).await,
            };
            match outcome {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => {
                    tracing::warn!(event = %job.event_id, ?step, error = %e, "a Teams step failed; will retry");
                    failed.push((c.id.clone(), c.attempts, e.to_string()));
                }
            }
        }
        self.queue.settle(&sent, &failed).await?;
        Ok(claimed.len())
    }

    /// A delegated token for the account that owns `event` in Teams, and that account's
    /// throttling key.
    pub(super) async fn owner_token(&self, event: &Event) -> Result<(String, String), SyncError> {
        let Some(delegated) = &self.delegated else {
            return Err(SyncError::NotConfigured);
        };
        let account = event.teams_account().ok_or("the event has no organization")?;
        let token = delegated.access_token(&account).await.map_err(SyncError::from)?;
        Ok((token, account.mailbox()))
    }

    pub(super) async fn stage(&self, event_id: &str) -> Result<Option<String>, SyncError> {
        store::events::teams_stage(&self.db, event_id).await.map_err(SyncError::from)
    }

    pub(super) async fn set_stage(&self, event_id: &str, webinar: Option<&str>, stage: &str) -> Result<(), SyncError> {
        store::events::set_stage(&self.db, event_id, webinar, stage)
            .await
            .map_err(SyncError::from)
    }

    pub(super) async fn teams_version(&self, event_id: &str) -> Result<i64, SyncError> {
        store::events::teams_version(&self.db, event_id).await.map_err(SyncError::from)
    }

    pub(super) async fn mark_synced(&self, event_id: &str, version: i64) -> Result<(), SyncError> {
        store::events::mark_synced(&self.db, event_id, version)
            .await
            .map_err(SyncError::from)
    }
}
