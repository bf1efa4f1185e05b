//! The durable outbox: messages are written in the same transaction as the change that causes
//! them and delivered afterwards by a worker that survives restarts. Delivery to the `.eml`
//! folder is keyed by the message's id, so a crash between delivering and recording it writes
//! the same file again rather than a second message.

use crate::config::Config;
use crate::crypto::Sealer;
use crate::events::{self, Event};
pub use crate::notify::mail::Mail;
use crate::registrations::{self, Registration};
use crate::store::{Db, WriteTx};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const TOPIC_EMAIL: &str = "email";
/// How many messages one pass claims.
const BATCH: i64 = 50;
/// How long a claim lasts before another worker may take the message over.
const LEASE_MS: i64 = 120_000;
/// An email is tried this many times (over about fifteen hours) and then given up as failed.
pub const MAX_EMAIL_ATTEMPTS: i64 = 24;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailPayload {
    mail: Mail,
    registration_id: String,
    /// The waitlist position when the message was written, as the email should state it.
    #[serde(default)]
    waitlist_position: Option<i64>,
    /// The organizer's own words, for cancellations and announcements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

async fn insert(tx: &mut WriteTx, payload: &EmailPayload, recipient: &str) -> Result<(), sqlx::Error> {
    let body = serde_json::to_string(payload).expect("payload serialises");
    let mail = serde_json::to_value(payload.mail).ok().and_then(|v| v.as_str().map(str::to_string));
    sqlx::query(
        "INSERT INTO outbox (id, topic, payload, recipient, created_at, available_at, registration_id, mail) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(TOPIC_EMAIL)
    .bind(body)
    .bind(recipient)
    .bind(now_ms())
    .bind(&payload.registration_id)
    .bind(mail)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Queues an email about a registration, inside the caller's transaction.
pub async fn enqueue(
    tx: &mut WriteTx,
    mail: Mail,
    registration_id: &str,
    recipient: &str,
    waitlist_position: Option<i64>,
) -> Result<(), sqlx::Error> {
    let payload = EmailPayload {
        mail,
        registration_id: registration_id.to_string(),
        waitlist_position,
        message: None,
    };
    insert(tx, &payload, recipient).await
}

/// Queues one email to every registration in `recipients` (id, email), with the organizer's
/// own words when there are some.
pub async fn enqueue_many(tx: &mut WriteTx, mail: Mail, recipients: &[(String, String)], message: Option<&str>) -> Result<(), sqlx::Error> {
    for (registration_id, email) in recipients {
        let payload = EmailPayload {
            mail,
            registration_id: registration_id.clone(),
            waitlist_position: None,
            message: message.map(str::to_string),
        };
        insert(tx, &payload, email).await?;
    }
    Ok(())
}

/// Where email goes: files in the outbox folder, or an SMTP server.
#[derive(Clone)]
pub enum Delivery {
    Files(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Delivery {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        match &config.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map(|b| Delivery::Smtp(b.build()))
                .map_err(|e| format!("ATRIUM_SMTP_URL could not be used: {e}")),
            None => Ok(Delivery::Files(config.data_dir.join("outbox"))),
        }
    }

    async fn send(&self, id: &str, message: lettre::Message) -> Result<(), Failure> {
        match self {
            Delivery::Files(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| Failure::Transient(e.to_string()))?;
                let final_path = dir.join(format!("{id}.eml"));
                let tmp = dir.join(format!(".{id}.eml.tmp"));
                tokio::fs::write(&tmp, message.formatted())
                    .await
                    .map_err(|e| Failure::Transient(e.to_string()))?;
                tokio::fs::rename(&tmp, &final_path)
                    .await
                    .map_err(|e| Failure::Transient(e.to_string()))
            }
            Delivery::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| {
                // A 5xx answer (no such mailbox, address refused) will not change on a retry.
                if e.is_permanent() {
                    Failure::Permanent(e.to_string())
                } else {
                    Failure::Transient(e.to_string())
                }
            }),
        }
    }
}

/// Why a message was not delivered this time.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth trying again later (a server down, a full disk).
    Transient(String),
    /// Never deliverable (a refused address, a message that cannot be built).
    Permanent(String),
}

impl Failure {
    fn text(&self) -> &str {
        match self {
            Failure::Transient(t) | Failure::Permanent(t) => t,
        }
    }
}

/// Delivers what the outbox holds, woken by [`Outbox::notify`] after each commit.
#[derive(Clone)]
pub struct Outbox {
    db: Db,
    config: Arc<Config>,
    sealer: Sealer,
    delivery: Delivery,
    wake: Arc<Notify>,
}

/// A queued item this worker now holds the lease on.
pub(crate) struct Claimed {
    pub id: String,
    pub payload: String,
    pub attempts: i64,
}

/// Leases up to `limit` due items of `topic`, oldest first. A lease that runs out (a worker
/// died) makes the item due again.
pub(crate) async fn claim(db: &Db, topic: &str, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let rows = sqlx::query(
        "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE topic = $4 AND sent_at IS NULL AND failed_at IS NULL AND available_at <= $2 \
                      AND (locked_until IS NULL OR locked_until < $2) ORDER BY created_at LIMIT $3) \
         AND sent_at IS NULL AND (locked_until IS NULL OR locked_until < $2) \
         RETURNING id, payload, attempts",
    )
    .bind(now + LEASE_MS)
    .bind(now)
    .bind(limit)
    .bind(topic)
    .fetch_all(&mut *tx.tx)
    .await?;
    tx.commit().await?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                payload: r.try_get("payload")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// Records what happened to claimed items: done, or due again after a growing delay.
pub(crate) async fn settle(db: &Db, sent: &[String], failed: &[(String, i64, String)]) -> Result<(), sqlx::Error> {
    if sent.is_empty() && failed.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    for chunk in sent.chunks(100) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "UPDATE outbox SET sent_at = $1, locked_until = NULL, last_error = NULL WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(now);
        for id in chunk {
            q = q.bind(id);
        }
        q.execute(&mut *tx.tx).await?;
    }
    for (id, attempts, error) in failed {
        // 5 s, 10 s, 20 s … capped at one hour.
        let delay = 5_000i64.saturating_mul(1 << (*attempts - 1).clamp(0, 10)).min(3_600_000);
        sqlx::query("UPDATE outbox SET available_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1")
            .bind(id)
            .bind(now + delay)
            .bind(error.chars().take(500).collect::<String>())
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await
}

/// Marks messages that will never be delivered as failed, with the reason.
async fn give_up(db: &Db, items: &[(String, String)]) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    for (id, error) in items {
        sqlx::query("UPDATE outbox SET failed_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(error.chars().take(500).collect::<String>())
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await
}

/// Queues a non-email job (such as a Graph call) about a registration, in the caller's
/// transaction.
pub async fn enqueue_job(
    tx: &mut WriteTx,
    topic: &str,
    payload: &serde_json::Value,
    registration_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (id, topic, payload, recipient, created_at, available_at, registration_id, mail) \
         VALUES ($1, $2, $3, '', $4, $4, $5, $2)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(topic)
    .bind(payload.to_string())
    .bind(now_ms())
    .bind(registration_id)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

impl Outbox {
    pub fn new(db: Db, config: Arc<Config>, sealer: Sealer, delivery: Delivery) -> Self {
        Self {
            db,
            config,
            sealer,
            delivery,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Tells the worker there is something new to deliver.
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// Runs until the process ends: delivers what is due, then waits for a wake-up or a tick.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.deliver_due().await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
                // Let a burst of commits gather into one pass.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    }

    /// One pass: claims due messages, delivers them, and records the results. Returns how many
    /// were claimed.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_EMAIL, BATCH).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let mut given_up = Vec::new();
        // Read the batch's registrations in one query, and each event once.
        let payloads: Vec<Result<EmailPayload, String>> = claimed
            .iter()
            .map(|c| serde_json::from_str(&c.payload).map_err(|e| format!("unreadable payload: {e}")))
            .collect();
        let ids: Vec<String> = payloads.iter().flatten().map(|p| p.registration_id.clone()).collect();
        let registrations = registrations::by_ids(&self.db, &ids).await?;
        let mut cache = HashMap::new();
        for (item, payload) in claimed.iter().zip(payloads) {
            match self.deliver(item, payload, &registrations, &mut cache).await {
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
        if claimed.is_empty() {
            return Ok(0);
        }
        settle(&self.db, &sent, &failed).await?;
        give_up(&self.db, &given_up).await?;
        Ok(claimed.len())
    }

    async fn deliver(
        &self,
        item: &Claimed,
        payload: Result<EmailPayload, String>,
        registrations: &HashMap<String, Registration>,
        cache: &mut HashMap<String, Event>,
    ) -> Result<(), Failure> {
        let payload = payload.map_err(Failure::Permanent)?;
        let reg = registrations
            .get(&payload.registration_id)
            .ok_or_else(|| Failure::Permanent("registration is gone".into()))?;
        if !cache.contains_key(&reg.event_id) {
            let event = events::by_id(&self.db, &reg.event_id)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?
                .ok_or_else(|| Failure::Permanent("event is gone".into()))?;
            cache.insert(reg.event_id.clone(), event);
        }
        let event = &cache[&reg.event_id];
        let token = reg.manage_token(&self.sealer).map_err(Failure::Permanent)?;
        let message = crate::notify::mail::compose(
            &self.config,
            payload.mail,
            event,
            reg,
            &token,
            payload.waitlist_position,
            payload.message.as_deref(),
            &item.id,
        )
        .map_err(Failure::Permanent)?;
        self.delivery.send(&item.id, message).await
    }
}
