//! Sign-in sessions in the database: only a hash of each session's secret is stored.

use super::super::auth::{random_secret, Organizer};
use super::super::sessions::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, TOUCH_EVERY};
use super::organizers::organizer_from_row;
use crate::crypto::sha256_hex;
use crate::store::Db;
use sqlx::Row;

/// A new session for `organizer`. Returns the cookie secret; a fresh one at every sign-in.
pub async fn start_session(db: &Db, organizer: &Organizer) -> Result<String, sqlx::Error> {
    let secret = random_secret(32);
    let now = db.now();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO sessions (id_hash, organizer_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(sha256_hex(&secret))
        .bind(&organizer.id)
        .bind(random_secret(24))
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    // Sessions past their lifetime are of no use to anyone.
    sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
        .bind(now - ABSOLUTE_TIMEOUT)
        .bind(now - IDLE_TIMEOUT)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(secret)
}

pub async fn end_session(db: &Db, secret: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(sha256_hex(secret))
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

/// The organizer and CSRF token of a live session; the request counts as use (the idle timer
/// starts again).
pub async fn session(db: &Db, secret: &str) -> Result<Option<(Organizer, String)>, sqlx::Error> {
    lookup(db, secret, true).await
}

/// [`session`] without counting as use: for requests a page makes by itself, which must not keep
/// an idle session alive.
pub async fn session_untouched(db: &Db, secret: &str) -> Result<Option<(Organizer, String)>, sqlx::Error> {
    lookup(db, secret, false).await
}

async fn lookup(db: &Db, secret: &str, touch: bool) -> Result<Option<(Organizer, String)>, sqlx::Error> {
    let now = db.now();
    let id_hash = sha256_hex(secret);
    let row = sqlx::query(
        "SELECT s.csrf_token, s.created_at AS session_created, s.last_seen_at, o.id, o.organization_id, g.name AS organization_name, o.email, o.display_name \
         FROM sessions s JOIN organizers o ON o.id = s.organizer_id JOIN organizations g ON g.id = o.organization_id \
         WHERE s.id_hash = $1 AND o.disabled_at IS NULL"
    )
    .bind(&id_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let created: i64 = row.try_get("session_created")?;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if now - created > ABSOLUTE_TIMEOUT || now - last_seen > IDLE_TIMEOUT {
        end_session(db, secret).await?;
        return Ok(None);
    }
    if touch && now - last_seen > TOUCH_EVERY {
        let mut tx = db.begin_write().await?;
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(&id_hash)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
    }
    Ok(Some((organizer_from_row(&row)?, row.try_get("csrf_token")?)))
}
