//! The queue's SQL adapter: adding, leasing and settling items, and reading what was queued.

use super::{backoff_ms, Claimed, JobWriter, NewJob, LEASE_MS};
use crate::store::{Db, WriteTx};
use sqlx::Row;

impl JobWriter for WriteTx {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    async fn add_job(&mut self, job: NewJob<'_>, due_ms: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO outbox (id, topic, payload, recipient, created_at, available_at, registration_id, mail, event_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(job.topic)
        .bind(job.payload)
        .bind(job.recipient)
        .bind(self.clock.now_ms())
        .bind(due_ms)
        .bind(job.registration_id)
        .bind(job.label)
        .bind(job.event_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

/// How many Teams (Graph) jobs for the event as a whole (creating, updating or canceling it
/// there, not a single registration's) are not done yet.
pub async fn pending_graph_jobs_of_event(db: &Db, event_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE event_id = $1 AND registration_id IS NULL AND sent_at IS NULL AND topic LIKE 'graph.%'",
    )
    .bind(event_id)
    .fetch_one(&db.pool)
    .await
}

/// Leases up to `limit` due items of `topic`, oldest first. A lease that runs out (a worker
/// died) makes the item due again.
pub async fn claim(db: &Db, topic: &str, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = db.now_ms();
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
pub async fn settle(db: &Db, sent: &[String], failed: &[(String, i64, String)]) -> Result<(), sqlx::Error> {
    if sent.is_empty() && failed.is_empty() {
        return Ok(());
    }
    let now = db.now_ms();
    let mut tx = db.begin_write().await?;
    for chunk in sent.chunks(100) {
        let sql = format!(
            "UPDATE outbox SET sent_at = $1, locked_until = NULL, last_error = NULL WHERE id IN ({})",
            crate::store::placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(now);
        for id in chunk {
            q = q.bind(id);
        }
        q.execute(&mut *tx.tx).await?;
    }
    for (id, attempts, error) in failed {
        sqlx::query("UPDATE outbox SET available_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1")
            .bind(id)
            .bind(now + backoff_ms(*attempts))
            .bind(error.chars().take(500).collect::<String>())
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await
}

/// Marks items that will never succeed as failed, with the reason; they are not tried again.
pub async fn give_up(db: &Db, items: &[(String, String)]) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    let now = db.now_ms();
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

/// One process per SQLite file: leases still held were this process's before it stopped (a
/// crash or a kill). Its unfinished work is due again now, not when the leases run out.
pub async fn release_leases_of_this_process(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE outbox SET locked_until = NULL WHERE sent_at IS NULL AND locked_until IS NOT NULL")
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// One message in an event's log: to whom, which one, and how its delivery went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedMessage {
    pub recipient: String,
    /// The message's label (`confirmation`, `graph.register` …), when it has one.
    pub mail: Option<String>,
    /// Milliseconds since the epoch, as are the other times.
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub failed_at: Option<i64>,
}

/// The newest 1000 items queued about registrations of the event, newest first.
pub async fn message_log(db: &Db, event_id: &str) -> Result<Vec<LoggedMessage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT o.recipient, o.mail, o.created_at, o.sent_at, o.attempts, o.last_error, o.failed_at FROM outbox o \
         JOIN registrations r ON r.id = o.registration_id WHERE r.event_id = $1 ORDER BY o.created_at DESC LIMIT 1000",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LoggedMessage {
                recipient: r.try_get("recipient")?,
                mail: r.try_get("mail")?,
                created_at: r.try_get("created_at")?,
                sent_at: r.try_get("sent_at")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                failed_at: r.try_get("failed_at")?,
            })
        })
        .collect()
}
