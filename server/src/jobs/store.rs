//! The queue's SQL: adding, leasing and settling items.

use super::{backoff_ms, Claimed, LEASE_MS};
use crate::clock::now_ms;
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// Adds an item inside the caller's transaction.
pub(super) async fn insert(
    tx: &mut WriteTx,
    topic: &str,
    payload: &str,
    recipient: &str,
    registration_id: Option<&str>,
    label: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (id, topic, payload, recipient, created_at, available_at, registration_id, mail) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(topic)
    .bind(payload)
    .bind(recipient)
    .bind(now_ms())
    .bind(registration_id)
    .bind(label)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Leases up to `limit` due items of `topic`, oldest first. A lease that runs out (a worker
/// died) makes the item due again.
pub async fn claim(db: &Db, topic: &str, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
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
pub async fn settle(db: &Db, sent: &[String], failed: &[(String, i64, String)]) -> Result<(), sqlx::Error> {
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

/// One process per SQLite file: leases still held were this process's before it stopped (a
/// crash or a kill). Its unfinished work is due again now, not when the leases run out.
pub async fn release_leases_of_this_process(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE outbox SET locked_until = NULL WHERE sent_at IS NULL AND locked_until IS NOT NULL")
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}
