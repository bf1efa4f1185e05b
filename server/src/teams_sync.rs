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
pub const TOPIC_WEBINAR: &str = "graph.webinar";
pub const TOPIC_UNREGISTER: &str = "graph.unregister";
pub const TOPIC_WEBINAR_CANCEL: &str = "graph.webinar.cancel";
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
    outbox::enqueue_job(tx, TOPIC_REGISTER, &payload, Some(registration_id)).await
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebinarJob {
    event_id: String,
}

/// Queues creating and publishing the event's webinar in Teams.
pub async fn queue_webinar(tx: &mut WriteTx, event_id: &str) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(WebinarJob {
        event_id: event_id.to_string(),
    })
    .expect("job serialises");
    outbox::enqueue_job(tx, TOPIC_WEBINAR, &payload, None).await
}

/// Queues canceling a registration in Teams, when its event is linked to a webinar.
pub async fn queue_unregister(tx: &mut WriteTx, event: &Event, registration_id: &str) -> Result<(), sqlx::Error> {
    if event.teams_webinar_id.is_none() {
        return Ok(());
    }
    let payload = serde_json::to_value(RegisterJob {
        registration_id: registration_id.to_string(),
    })
    .expect("job serialises");
    outbox::enqueue_job(tx, TOPIC_UNREGISTER, &payload, Some(registration_id)).await
}

/// Queues canceling the event's webinar in Teams.
pub async fn queue_webinar_cancel(tx: &mut WriteTx, event_id: &str) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(WebinarJob {
        event_id: event_id.to_string(),
    })
    .expect("job serialises");
    outbox::enqueue_job(tx, TOPIC_WEBINAR_CANCEL, &payload, None).await
}

/// A stored notification: id, subscription, kind, resource, lifecycle event.
type StoredNotification = (String, String, String, Option<String>, Option<String>);

#[derive(Clone)]
pub struct TeamsSync {
    db: Db,
    client: GraphClient,
    delegated: Option<crate::graph::delegated::Delegated>,
    /// Where Graph sends change notifications (the site's public address).
    public_url: Option<String>,
    wake: Arc<Notify>,
}

impl TeamsSync {
    pub fn new(db: Db, client: GraphClient) -> Self {
        Self {
            db,
            client,
            delegated: None,
            public_url: None,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Subscribes to changes of linked webinars, with notifications sent to `public_url`.
    pub fn with_public_url(mut self, public_url: &str) -> Self {
        self.public_url = Some(public_url.to_string());
        self
    }

    /// With the organization's delegated sign-in, webinars can be created in Teams too.
    pub fn with_delegated(mut self, delegated: crate::graph::delegated::Delegated) -> Self {
        self.delegated = Some(delegated);
        self
    }

    /// Creates, fills and publishes webinars in Teams for published webinar events, one step at
    /// a time, recording each step so a retry resumes. Returns how many jobs were claimed.
    pub async fn sync_webinars(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_WEBINAR, 5).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        for c in &claimed {
            let Ok(job) = serde_json::from_str::<WebinarJob>(&c.payload) else {
                sent.push(c.id.clone());
                continue;
            };
            match self.publish_webinar(&job.event_id).await {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => {
                    tracing::warn!(event = %job.event_id, error = %e, "creating the webinar in Teams failed; will retry");
                    failed.push((c.id.clone(), c.attempts, e));
                }
            }
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    /// Cancels in Teams the registrations canceled in Atrium. Teams gives anonymous registrants
    /// no id at registration, so each is found in the webinar's registration list by the id
    /// Atrium put in `externalRegistrationInformation` (or, failing that, by email).
    pub async fn sync_cancellations(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_UNREGISTER, BATCH).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let mut listings: HashMap<String, Vec<Registration>> = HashMap::new();
        for c in &claimed {
            let Some(reg) = serde_json::from_str::<RegisterJob>(&c.payload).ok().map(|j| j.registration_id) else {
                sent.push(c.id.clone());
                continue;
            };
            match self.unregister(&reg, &mut listings).await {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => failed.push((c.id.clone(), c.attempts, e)),
            }
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    async fn unregister(&self, registration_id: &str, listings: &mut HashMap<String, Vec<Registration>>) -> Result<(), String> {
        let Some(reg) = crate::registrations::by_id(&self.db, registration_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let event = crate::events::by_id(&self.db, &reg.event_id).await.map_err(|e| e.to_string())?;
        let Some(webinar) = event.and_then(|e| e.teams_webinar_id) else {
            return Ok(());
        };
        if !listings.contains_key(&webinar) {
            let all: Vec<Registration> = self
                .client
                .get_all(&format!("/solutions/virtualEvents/webinars/{webinar}/registrations"), "application")
                .await
                .map_err(|e| e.to_string())?;
            listings.insert(webinar.clone(), all);
        }
        let ours = |r: &&Registration| {
            r.external_registration_information
                .as_ref()
                .and_then(|x| x.registration_id.as_deref())
                == Some(registration_id)
                || r.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&reg.email))
        };
        let found = listings[&webinar]
            .iter()
            .find(ours)
            .filter(|r| r.status.as_deref() != Some("canceled"))
            .and_then(|r| r.id.clone());
        // Never reached Teams, or already canceled there: nothing to do.
        let Some(teams_id) = found else { return Ok(()) };
        let path = format!("/solutions/virtualEvents/webinars/{webinar}/registrations/{teams_id}/cancel");
        self.client
            .request(reqwest::Method::POST, &path, None, "application")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Cancels in Teams the webinars of events canceled in Atrium (delegated, as Teams requires).
    pub async fn sync_webinar_cancellations(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_WEBINAR_CANCEL, 5).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        for c in &claimed {
            let Ok(job) = serde_json::from_str::<WebinarJob>(&c.payload) else {
                sent.push(c.id.clone());
                continue;
            };
            match self.cancel_webinar(&job.event_id).await {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => failed.push((c.id.clone(), c.attempts, e)),
            }
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    async fn cancel_webinar(&self, event_id: &str) -> Result<(), String> {
        let Some(delegated) = &self.delegated else {
            return Err("Microsoft mode is not fully configured".into());
        };
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        let (Some(webinar), Some(org)) = (event.teams_webinar_id, event.organization_id) else {
            return Ok(());
        };
        let token = delegated.access_token(&org).await.map_err(|e| e.to_string())?;
        let path = format!("/solutions/virtualEvents/webinars/{webinar}/cancel");
        self.client
            .request_as(&token, reqwest::Method::POST, &path, None, &format!("org:{org}"))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Works through stored change notifications: registrations made in Teams appear in Atrium;
    /// a removed or expiring subscription is handed to the next subscription pass.
    pub async fn process_notifications(&self) -> Result<usize, sqlx::Error> {
        let rows: Vec<StoredNotification> = sqlx::query_as(
            "SELECT id, subscription_id, kind, resource, lifecycle_event FROM graph_notifications WHERE processed_at IS NULL ORDER BY received_at LIMIT 50",
        )
        .fetch_all(&self.db.pool)
        .await?;
        let mut done = Vec::new();
        for (id, subscription, kind, resource, lifecycle) in &rows {
            let outcome = if kind == "lifecycle" {
                // Removed, or needing reauthorization: let the subscription pass renew or recreate it.
                sqlx::query("UPDATE graph_subscriptions SET expires_at = 0 WHERE id = $1")
                    .bind(subscription)
                    .execute(&self.db.pool)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            } else {
                self.import_registration(resource.as_deref().unwrap_or("")).await
            };
            match outcome {
                Ok(()) => done.push(id.clone()),
                Err(e) => tracing::warn!(notification = %id, error = %e, lifecycle = ?lifecycle, "notification not processed yet"),
            }
        }
        if !done.is_empty() {
            let now = crate::registrations::now();
            let mut tx = self.db.begin_write().await?;
            for id in &done {
                sqlx::query("UPDATE graph_notifications SET processed_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(rows.len())
    }

    async fn import_registration(&self, resource: &str) -> Result<(), String> {
        // solutions/virtualEvents/webinars/{webinar}/registrations/{registration}
        let parts: Vec<&str> = resource.trim_start_matches('/').split('/').collect();
        let ["solutions", "virtualEvents", "webinars", webinar, "registrations", _] = parts.as_slice() else {
            return Ok(());
        };
        let event_id: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE teams_webinar_id = $1")
            .bind(*webinar)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
        let Some(event_id) = event_id else { return Ok(()) };
        let (_, body) = match self
            .client
            .request(
                reqwest::Method::GET,
                &format!("/{}", resource.trim_start_matches('/')),
                None,
                "application",
            )
            .await
        {
            Ok(r) => r,
            Err(GraphError::Http { status: 404, .. }) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let reg: Registration = crate::graph::models::parse_entity(body).map_err(|e| e.to_string())?;
        let ours = reg
            .external_registration_information
            .as_ref()
            .and_then(|x| x.registration_id.as_deref())
            .filter(|id| !id.is_empty());
        if ours.is_some() || reg.status.as_deref().is_some_and(|s| !s.eq_ignore_ascii_case("registered")) {
            return Ok(());
        }
        let Some(email) = reg.email.as_deref() else { return Ok(()) };
        crate::registrations::import_from_teams(
            &self.db,
            &event_id,
            email,
            reg.first_name.as_deref().unwrap_or(""),
            reg.last_name.as_deref().unwrap_or(""),
            reg.preferred_timezone.as_deref(),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// Reads the attendance of every session of the event's webinar from Graph into the
    /// attendance table.
    pub async fn fetch_attendance(&self, event: &Event) -> Result<crate::attendance::ImportSummary, String> {
        use crate::graph::models::{AttendanceRecord, AttendanceReport, Session};
        let webinar = event
            .teams_webinar_id
            .as_deref()
            .ok_or("this event is not linked to a Teams webinar")?;
        let base = format!("/solutions/virtualEvents/webinars/{webinar}/sessions");
        let sessions: Vec<Session> = self.client.get_all(&base, "application").await.map_err(|e| e.to_string())?;
        let mut records: Vec<AttendanceRecord> = Vec::new();
        for session in sessions.iter().filter_map(|s| s.id.as_deref()) {
            let reports: Vec<AttendanceReport> = self
                .client
                .get_all(&format!("{base}/{session}/attendanceReports"), "application")
                .await
                .map_err(|e| e.to_string())?;
            for report in reports.iter().filter_map(|r| r.id.as_deref()) {
                let path = format!("{base}/{session}/attendanceReports/{report}/attendanceRecords");
                records.extend(
                    self.client
                        .get_all::<AttendanceRecord>(&path, "application")
                        .await
                        .map_err(|e| e.to_string())?,
                );
            }
        }
        crate::attendance::store_graph_records(&self.db, &event.id, &records)
            .await
            .map_err(|e| e.to_string())
    }

    async fn stage(&self, event_id: &str) -> Result<Option<String>, String> {
        sqlx::query_scalar("SELECT teams_stage FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&self.db.pool)
            .await
            .map_err(|e| e.to_string())
    }

    async fn set_stage(&self, event_id: &str, webinar: Option<&str>, stage: &str) -> Result<(), String> {
        let write = async {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE events SET teams_webinar_id = COALESCE($2, teams_webinar_id), teams_stage = $3 WHERE id = $1")
                .bind(event_id)
                .bind(webinar)
                .bind(stage)
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
    }

    async fn publish_webinar(&self, event_id: &str) -> Result<(), String> {
        use crate::graph::models::{parse_entity, DateTimeTimeZone, Description, ItemBody, Webinar, WebinarSettings};
        let Some(delegated) = &self.delegated else {
            return Err("Microsoft mode is not fully configured".into());
        };
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        if event.status != app::domain::EventStatus::Published {
            return Ok(());
        }
        let org = event.organization_id.clone().ok_or("the event has no organization")?;
        let token = delegated.access_token(&org).await.map_err(|e| e.to_string())?;
        let utc = |t: i64| DateTimeTimeZone {
            date_time: jiff::Timestamp::from_second(t)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default(),
            time_zone: "UTC".into(),
        };
        let mailbox = format!("org:{org}");
        let mut webinar_id = event.teams_webinar_id.clone();
        if webinar_id.is_none() {
            let body = serde_json::to_value(Webinar {
                display_name: event.title.clone(),
                description: Some(Description::Body(ItemBody {
                    content_type: "text".into(),
                    content: event.description.clone(),
                })),
                start_date_time: Some(utc(event.start_at)),
                end_date_time: Some(utc(event.end_at)),
                audience: Some("everyone".into()),
                settings: Some(WebinarSettings {
                    is_attendee_email_notification_enabled: Some(false),
                }),
                ..Default::default()
            })
            .expect("webinar serialises");
            let (_, created) = self
                .client
                .request_as(
                    &token,
                    reqwest::Method::POST,
                    "/solutions/virtualEvents/webinars",
                    Some(&body),
                    &mailbox,
                )
                .await
                .map_err(|e| e.to_string())?;
            let created: Webinar = parse_entity(created).map_err(|e| e.to_string())?;
            let id = created.id.ok_or("Teams returned a webinar without an id")?;
            // Recorded at once: a retry continues with this webinar instead of making another.
            self.set_stage(event_id, Some(&id), "created").await?;
            webinar_id = Some(id);
        }
        let webinar_id = webinar_id.expect("set above");
        if self.stage(event_id).await?.as_deref() == Some("created") {
            for q in &event.questions {
                let body = match q.kind {
                    app::domain::QuestionKind::Predefined => {
                        let label = app::domain::PredefinedLabel::ALL
                            .iter()
                            .find(|l| l.display_name() == q.label)
                            .map(|l| l.as_str())
                            .unwrap_or("organization");
                        serde_json::json!({"@odata.type": "#microsoft.graph.virtualEventRegistrationPredefinedQuestion", "label": label})
                    }
                    app::domain::QuestionKind::Custom => serde_json::json!({
                        "@odata.type": "#microsoft.graph.virtualEventRegistrationCustomQuestion",
                        "displayName": q.label, "answerInputType": q.answer_input_type.as_str(),
                        "answerChoices": q.choices, "isRequired": q.is_required
                    }),
                };
                let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/registrationConfiguration/questions");
                self.client
                    .request_as(&token, reqwest::Method::POST, &path, Some(&body), &mailbox)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.set_stage(event_id, None, "questions").await?;
        }
        if self.stage(event_id).await?.as_deref() != Some("published") {
            let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/publish");
            self.client
                .request_as(&token, reqwest::Method::POST, &path, None, &mailbox)
                .await
                .map_err(|e| e.to_string())?;
            self.set_stage(event_id, None, "published").await?;
        }
        // People who registered before the webinar existed in Teams go there now.
        let write = async {
            let linked = crate::events::by_id(&self.db, event_id).await?.expect("the event exists");
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM registrations WHERE event_id = $1 AND status = 'registered' AND teams_synced_at IS NULL",
            )
            .bind(event_id)
            .fetch_all(&self.db.pool)
            .await?;
            let mut tx = self.db.begin_write().await?;
            for id in &ids {
                queue(&mut tx, &linked, id).await?;
            }
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
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
            let mut subscriptions_checked: Option<std::time::Instant> = None;
            loop {
                // At start-up and every ten minutes: subscriptions exist and are renewed in time.
                if let Some(url) = &self.public_url {
                    if subscriptions_checked.is_none_or(|t| t.elapsed() > Duration::from_secs(600)) {
                        match crate::graph::subscriptions::ensure(&self.db, &self.client, url).await {
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
