//! Microsoft mode: confirmed registrations reach the event's Teams webinar. The job is queued in
//! the registration's own transaction and sent later by a worker (never on the attendee's
//! request), twenty at a time through `$batch`, with our registration id in
//! `externalRegistrationInformation` so attendance can be joined back. A job sent twice (a crash
//! after Graph accepted it) finds the person already registered, which counts as done.

use crate::db::{Db, WriteTx};
use crate::events::Event;
use crate::graph::client::{GraphClient, GraphError};
use crate::graph::models::{BatchRequestItem, ExternalRegistrationInformation, Registration};
use crate::outbox::{self, claim, settle};
use app::domain::RegistrationStatus;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const TOPIC_REGISTER: &str = "graph.register";
/// Graph's `$batch` limit.
const BATCH: i64 = 20;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterJob {
    registration_id: String,
}

/// Queues a registration for Teams when its event is linked to a webinar.
pub async fn queue(tx: &mut WriteTx, event: &Event, registration_id: &str) -> Result<(), sqlx::Error> {
    if event.teams_webinar_id.is_none() {
        return Ok(());
    }
    let payload = serde_json::to_value(RegisterJob {
        registration_id: registration_id.to_string(),
    })
    .expect("job serialises");
    outbox::enqueue_job(tx, TOPIC_REGISTER, &payload, registration_id).await
}

#[derive(Clone)]
pub struct TeamsSync {
    db: Db,
    client: GraphClient,
    wake: Arc<Notify>,
}

impl TeamsSync {
    pub fn new(db: Db, client: GraphClient) -> Self {
        Self {
            db,
            client,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// One pass: up to twenty due registrations in one `$batch`. Returns how many were claimed.
    pub async fn sync_due(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_REGISTER, BATCH).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let jobs: Vec<Option<RegisterJob>> = claimed.iter().map(|c| serde_json::from_str(&c.payload).ok()).collect();
        let ids: Vec<String> = jobs.iter().flatten().map(|j| j.registration_id.clone()).collect();
        let registrations = crate::registrations::by_ids(&self.db, &ids).await?;
        let mut events: HashMap<String, Option<Event>> = HashMap::new();
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let mut items = Vec::new();
        let mut item_registration = HashMap::new();
        for (c, job) in claimed.iter().zip(&jobs) {
            let Some(reg) = job.as_ref().and_then(|j| registrations.get(&j.registration_id)) else {
                sent.push(c.id.clone());
                continue;
            };
            if !events.contains_key(&reg.event_id) {
                events.insert(reg.event_id.clone(), crate::events::by_id(&self.db, &reg.event_id).await?);
            }
            let webinar = events[&reg.event_id].as_ref().and_then(|e| e.teams_webinar_id.clone());
            // Canceled meanwhile, or the event was unlinked: nothing to send.
            let (Some(webinar), RegistrationStatus::Registered) = (webinar, reg.status) else {
                sent.push(c.id.clone());
                continue;
            };
            let body = Registration {
                first_name: Some(reg.first_name.clone()),
                last_name: Some(reg.last_name.clone()),
                email: Some(reg.email.clone()),
                preferred_timezone: Some(reg.preferred_timezone.clone()),
                preferred_language: Some(reg.preferred_language.clone().unwrap_or_else(|| "en-US".into())),
                external_registration_information: Some(ExternalRegistrationInformation {
                    referrer: Some("Atrium".into()),
                    registration_id: Some(reg.id.clone()),
                }),
                ..Default::default()
            };
            items.push(BatchRequestItem {
                id: c.id.clone(),
                method: "POST".into(),
                url: format!("/solutions/virtualEvents/webinars/{webinar}/registrations"),
                headers: Some(serde_json::Map::from_iter([(
                    "Content-Type".to_string(),
                    serde_json::json!("application/json"),
                )])),
                body: Some(serde_json::to_value(body).expect("registration serialises")),
                depends_on: Vec::new(),
            });
            item_registration.insert(c.id.clone(), (reg.id.clone(), c.attempts));
        }
        let mut synced = Vec::new();
        if !items.is_empty() {
            match self.client.batch(items, "application").await {
                Ok(answers) => {
                    for a in answers {
                        let Some((reg_id, attempts)) = item_registration.get(&a.id) else {
                            continue;
                        };
                        // 409: already registered in Teams — an earlier attempt got through.
                        if (200..300).contains(&a.status) || a.status == 409 {
                            sent.push(a.id.clone());
                            synced.push(reg_id.clone());
                        } else {
                            let detail = a
                                .body
                                .as_ref()
                                .and_then(|b| b["error"]["message"].as_str())
                                .unwrap_or("")
                                .to_string();
                            failed.push((a.id.clone(), *attempts, format!("Teams answered {}: {detail}", a.status)));
                        }
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for (outbox_id, (_, attempts)) in &item_registration {
                        failed.push((outbox_id.clone(), *attempts, message.clone()));
                    }
                    if !matches!(e, GraphError::Throttled { .. } | GraphError::Transport(_)) {
                        tracing::warn!(error = %message, "Teams sync failed");
                    }
                }
            }
        }
        if !synced.is_empty() {
            let now = crate::registrations::now();
            let mut tx = self.db.begin_write().await?;
            for id in &synced {
                sqlx::query("UPDATE registrations SET teams_synced_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            tx.commit().await?;
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                match self.sync_due().await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "Teams sync pass failed"),
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
        });
    }
}
