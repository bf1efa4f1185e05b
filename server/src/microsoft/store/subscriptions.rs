//! Graph change-notification subscriptions Atrium holds: one per resource, with its secret
//! `clientState` and when it expires.

use crate::store::Db;

/// The subscription to `resource`: its id and when it expires.
pub async fn for_resource(db: &Db, resource: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT id, expires_at FROM graph_subscriptions WHERE resource = $1")
        .bind(resource)
        .fetch_optional(&db.pool)
        .await
}

/// Stores a subscription Graph created, in a transaction of its own. Another instance that
/// stored one for the same resource first makes this a unique violation.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: &Db,
    id: &str,
    resource: &str,
    change_type: &str,
    client_state: &str,
    expires_at: i64,
    event_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO graph_subscriptions (id, resource, change_type, client_state, expires_at, event_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(resource)
    .bind(change_type)
    .bind(client_state)
    .bind(expires_at)
    .bind(event_id)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

/// Records a renewed subscription's new expiry, in a transaction of its own.
pub async fn set_expiry(db: &Db, id: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE graph_subscriptions SET expires_at = $2 WHERE id = $1")
        .bind(id)
        .bind(expires_at)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// Marks the subscription expired, so the next subscription pass renews or recreates it.
/// Written straight to the pool, outside a write transaction.
pub async fn expire_now(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE graph_subscriptions SET expires_at = 0 WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await
        .map(|_| ())
}

/// Forgets a subscription Graph no longer holds, in a transaction of its own.
pub async fn delete(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM graph_subscriptions WHERE id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// The event a subscription is about; None when there is no such subscription or it has no event.
pub async fn event_of(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    let event_id: Option<Option<String>> = sqlx::query_scalar("SELECT event_id FROM graph_subscriptions WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(event_id.flatten())
}

/// The secret `clientState` of a subscription Atrium created.
pub async fn client_state(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>("SELECT client_state FROM graph_subscriptions WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}
