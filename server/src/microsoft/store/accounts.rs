//! Delegated Microsoft 365 accounts with their sealed refresh tokens, and sign-ins in progress.

use crate::accounts::MicrosoftAccount as Account;
use crate::store::{Db, WriteTx};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A connect (authorization code with PKCE) in progress, from `oauth_states`.
#[derive(Clone, Debug)]
pub struct OAuthState {
    pub organizer_id: String,
    pub code_verifier_sealed: String,
    pub created_at: i64,
    pub purpose: String,
}

/// A "Sign in with Microsoft" or link in progress (OpenID Connect), from `oidc_states`.
#[derive(Clone, Debug)]
pub struct OidcState {
    pub nonce: String,
    pub code_verifier_sealed: String,
    pub next_path: String,
    pub created_at: i64,
    pub organizer_id: Option<String>,
    pub session_hash: Option<String>,
}

/// Forgets connects started before `before`.
pub async fn delete_old_oauth_states(tx: &mut WriteTx, before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM oauth_states WHERE created_at < $1")
        .bind(before)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Remembers a connect in progress by the hash of its state.
pub async fn insert_oauth_state(
    tx: &mut WriteTx,
    state_hash: &str,
    organizer_id: &str,
    code_verifier_sealed: &str,
    now: i64,
    purpose: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO oauth_states (state_hash, organizer_id, code_verifier_sealed, created_at, purpose) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(organizer_id)
    .bind(code_verifier_sealed)
    .bind(now)
    .bind(purpose)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// Forgets OpenID Connect sign-ins started before `before`.
pub async fn delete_old_oidc_states(tx: &mut WriteTx, before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM oidc_states WHERE created_at < $1")
        .bind(before)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Remembers an OpenID Connect sign-in in progress by the hash of its state; a link carries
/// the organizer and the hash of their session.
#[allow(clippy::too_many_arguments)]
pub async fn insert_oidc_state(
    tx: &mut WriteTx,
    state_hash: &str,
    nonce: &str,
    code_verifier_sealed: &str,
    next: &str,
    now: i64,
    organizer_id: Option<&str>,
    session_hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO oidc_states (state_hash, nonce, code_verifier_sealed, next_path, created_at, organizer_id, session_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state_hash)
    .bind(nonce)
    .bind(code_verifier_sealed)
    .bind(next)
    .bind(now)
    .bind(organizer_id)
    .bind(session_hash)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The row of `table` whose state hashes to `state_hash`, removed in the same transaction so
/// it can be used only once.
async fn take_state(db: &Db, table: &str, columns: &str, state_hash: &str) -> Result<Option<AnyRow>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(&format!("SELECT {columns} FROM {table} WHERE state_hash = $1"))
        .bind(state_hash)
        .fetch_optional(&mut *tx.tx)
        .await?;
    sqlx::query(&format!("DELETE FROM {table} WHERE state_hash = $1"))
        .bind(state_hash)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// The connect in progress whose state hashes to `state_hash`, removed so it can be used once.
pub async fn take_oauth_state(db: &Db, state_hash: &str) -> Result<Option<OAuthState>, sqlx::Error> {
    let Some(row) = take_state(
        db,
        "oauth_states",
        "organizer_id, code_verifier_sealed, created_at, purpose",
        state_hash,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(OAuthState {
        organizer_id: row.try_get("organizer_id")?,
        code_verifier_sealed: row.try_get("code_verifier_sealed")?,
        created_at: row.try_get("created_at")?,
        purpose: row.try_get("purpose")?,
    }))
}

/// The OpenID Connect sign-in whose state hashes to `state_hash`, removed so it can be used once.
pub async fn take_oidc_state(db: &Db, state_hash: &str) -> Result<Option<OidcState>, sqlx::Error> {
    let Some(row) = take_state(
        db,
        "oidc_states",
        "nonce, code_verifier_sealed, next_path, created_at, organizer_id, session_hash",
        state_hash,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(OidcState {
        nonce: row.try_get("nonce")?,
        code_verifier_sealed: row.try_get("code_verifier_sealed")?,
        next_path: row.try_get("next_path")?,
        created_at: row.try_get("created_at")?,
        organizer_id: row.try_get("organizer_id")?,
        session_hash: row.try_get("session_hash")?,
    }))
}

/// Forgets the connected account and its refresh token.
pub async fn delete(tx: &mut WriteTx, account: &Account) -> Result<(), sqlx::Error> {
    let (table, key, id) = account.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE {key} = $1"))
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Stores a freshly connected account with its sealed refresh token; a service account also
/// records who connected it.
pub async fn insert(
    tx: &mut WriteTx,
    account: &Account,
    connected_by: &str,
    user_principal_name: &str,
    refresh_token_sealed: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (_, _, id) = account.table();
    match account {
        Account::Service(_) => sqlx::query(
            "INSERT INTO microsoft_accounts (organization_id, connected_by, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(connected_by),
        Account::Personal(_) => sqlx::query(
            "INSERT INTO personal_microsoft_accounts (organizer_id, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(id),
    }
    .bind(user_principal_name)
    .bind(refresh_token_sealed)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The account's sealed refresh token; None when it is not connected.
pub async fn refresh_token_sealed(db: &Db, account: &Account) -> Result<Option<String>, sqlx::Error> {
    let (table, key, id) = account.table();
    sqlx::query_scalar(&format!("SELECT refresh_token_sealed FROM {table} WHERE {key} = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}

/// Replaces the account's refresh token with the one Microsoft rotated it to, in a
/// transaction of its own.
pub async fn rotate_refresh_token(db: &Db, account: &Account, refresh_token_sealed: &str) -> Result<(), sqlx::Error> {
    let (table, key, id) = account.table();
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!(
        "UPDATE {table} SET refresh_token_sealed = $2, refreshed_at = $3 WHERE {key} = $1"
    ))
    .bind(id)
    .bind(refresh_token_sealed)
    .bind(db.now())
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

/// The connected account's user principal name and when it was connected.
pub async fn status(db: &Db, account: &Account) -> Result<Option<(String, i64)>, sqlx::Error> {
    let (table, key, id) = account.table();
    sqlx::query_as(&format!("SELECT user_principal_name, connected_at FROM {table} WHERE {key} = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}
