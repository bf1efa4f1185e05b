//! Graph change notifications as the webhook stored them, until the sync has processed them.

use crate::microsoft::models::Notification;
use crate::store::{Db, WriteTx};

/// A stored notification: id, subscription, kind, resource, lifecycle event.
pub type StoredNotification = (String, String, String, Option<String>, Option<String>);

/// Stores an accepted notification under `id`; the same notification delivered twice is
/// stored once.
pub async fn insert(tx: &mut WriteTx, id: &str, n: &Notification, kind: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO graph_notifications (id, subscription_id, kind, change_type, resource, lifecycle_event, received_at) \
                           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING";
    sqlx::query(sql)
        .bind(id)
        .bind(n.subscription_id.as_deref().unwrap_or(""))
        .bind(kind)
        .bind(&n.change_type)
        .bind(&n.resource)
        .bind(&n.lifecycle_event)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Up to fifty notifications not processed yet, oldest first.
pub async fn unprocessed(db: &Db) -> Result<Vec<StoredNotification>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, subscription_id, kind, resource, lifecycle_event FROM graph_notifications WHERE processed_at IS NULL ORDER BY received_at LIMIT 50",
    )
    .fetch_all(&db.pool)
    .await
}

/// Marks a notification processed.
pub async fn mark_processed(tx: &mut WriteTx, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE graph_notifications SET processed_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}
