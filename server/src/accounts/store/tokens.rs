//! API tokens in SQL: stored by their hash, listed, revoked, looked up and touched.

use super::super::auth::Organizer;
use super::super::tokens::{Scope, TokenInfo};
use crate::crypto::sha256_hex;
use crate::store::{Db, WriteTx};
use sqlx::Row;

/// `last_used_at` is refreshed at most this often, to keep reads from becoming writes.
const TOUCH_EVERY: i64 = 300;

/// Stores a new token by its hash.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut WriteTx,
    id: &str,
    hash: &str,
    organizer_id: &str,
    name: &str,
    now: i64,
    expires_at: Option<i64>,
    scope: Scope,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, organizer_id, name, created_at, expires_at, scope) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(hash)
    .bind(organizer_id)
    .bind(name)
    .bind(now)
    .bind(expires_at)
    .bind(scope.as_str())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Revokes a token of the organization; its name, or None when there is no such live token.
pub async fn revoke(tx: &mut WriteTx, organization_id: &str, token_id: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND revoked_at IS NULL \
         AND organizer_id IN (SELECT id FROM organizers WHERE organization_id = $2) RETURNING name",
    )
    .bind(token_id)
    .bind(organization_id)
    .bind(now)
    .fetch_optional(&mut *tx.tx)
    .await
}

/// The organization's API tokens, newest first.
pub async fn list(db: &Db, organizer: &Organizer) -> Result<Vec<TokenInfo>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, o.email, t.created_at, t.last_used_at, t.revoked_at, t.expires_at, t.scope \
         FROM api_tokens t JOIN organizers o ON o.id = t.organizer_id WHERE o.organization_id = $1 ORDER BY t.created_at DESC",
    )
    .bind(&organizer.organization_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let scope: String = r.try_get("scope")?;
            Ok(TokenInfo {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_by: r.try_get("email")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
                expires_at: r.try_get("expires_at")?,
                scope: Scope::parse(&scope).unwrap_or(Scope::Read),
            })
        })
        .collect()
}

/// The organizer behind a bearer token that is neither revoked nor expired, with its scope.
pub async fn organizer_for(db: &Db, token: &str) -> Result<Option<(Organizer, Scope)>, sqlx::Error> {
    if !token.starts_with("atr_") || token.len() > 100 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT o.id, o.organization_id, g.name AS organization_name, o.email, o.display_name, t.scope \
         FROM organizers o JOIN organizations g ON g.id = o.organization_id JOIN api_tokens t ON t.organizer_id = o.id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND o.disabled_at IS NULL",
    )
    .bind(sha256_hex(token))
    .bind(db.now())
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let scope: String = row.try_get("scope")?;
    let organizer = Organizer {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        organization_name: row.try_get("organization_name")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
    };
    Ok(Some((organizer, Scope::parse(&scope).unwrap_or(Scope::Read))))
}

pub async fn touch(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    let now = db.now();
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(sha256_hex(token))
        .bind(now)
        .bind(now - TOUCH_EVERY)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}
