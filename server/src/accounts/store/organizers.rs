//! Organizers in the database: adding them, finding them by email or by a linked Microsoft account, and linking one.

use super::super::auth::{AuthError, Organizer};
use crate::store::{Db, WriteTx};
use app::domain::EmailAddress;
use sqlx::any::AnyRow;
use sqlx::Row;

pub const ORGANIZER_COLUMNS: &str = "SELECT o.id, o.organization_id, g.name AS organization_name, o.email, o.display_name";

pub const ORGANIZER_FROM: &str = "FROM organizers o JOIN organizations g ON g.id = o.organization_id";

pub fn organizer_from_row(row: &AnyRow) -> Result<Organizer, sqlx::Error> {
    Ok(Organizer {
        id: row.try_get("id")?,
        organization_id: row.try_get("organization_id")?,
        organization_name: row.try_get("organization_name")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
    })
}

/// Adds an organizer to an organization inside the caller's transaction.
pub async fn insert_organizer(
    tx: &mut WriteTx,
    organization_id: &str,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<Organizer, AuthError> {
    let email = EmailAddress::parse(email).map_err(|e| AuthError::Invalid(e.into()))?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE email_normalized = $1")
        .bind(email.normalized())
        .fetch_optional(&mut *tx.tx)
        .await?;
    if taken.is_some() {
        return Err(AuthError::Invalid(format!("{} already has an account.", email.as_str())));
    }
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
        .bind(organization_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let name = name.ok_or_else(|| AuthError::Invalid("That organization no longer exists.".into()))?;
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO organizers (id, organization_id, email, email_normalized, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6)",
    )
    .bind(&id)
    .bind(organization_id)
    .bind(email.as_str())
    .bind(email.normalized())
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(Organizer {
        id,
        organization_id: organization_id.to_string(),
        organization_name: name,
        email: email.as_str().to_string(),
        display_name: String::new(),
    })
}

/// The active organizer with this email address.
pub async fn organizer_by_email(db: &Db, email: &str) -> Result<Option<Organizer>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "{ORGANIZER_COLUMNS} {ORGANIZER_FROM} WHERE o.email_normalized = $1 AND o.disabled_at IS NULL"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(organizer_from_row).transpose()
}

/// The organizer who signs in as this Microsoft account: the one who linked it (its object id
/// in its tenant) while signed in. Never found by email: the email claim can be changed by the
/// account's admins and is not verified. None when nobody linked it.
pub async fn organizer_for_microsoft(db: &Db, oid: &str, tid: &str) -> Result<Option<Organizer>, sqlx::Error> {
    if oid.is_empty() || tid.is_empty() {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "{ORGANIZER_COLUMNS} {ORGANIZER_FROM} WHERE o.microsoft_oid = $1 AND o.microsoft_tid = $2 AND o.disabled_at IS NULL"
    ))
    .bind(oid)
    .bind(tid)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(organizer_from_row).transpose()
}

/// Links the Microsoft account `oid` in tenant `tid` (shown as `name`) to `organizer`, who can
/// then sign in with it. Refused when another organizer already linked it.
pub async fn link_microsoft(db: &Db, organizer: &Organizer, oid: &str, tid: &str, name: &str) -> Result<(), AuthError> {
    if oid.is_empty() || tid.is_empty() {
        return Err(AuthError::Invalid(
            "Microsoft did not say which account signed in; try again.".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let holder: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE microsoft_oid = $1 AND id <> $2")
        .bind(oid)
        .bind(&organizer.id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if holder.is_some() {
        return Err(AuthError::Invalid(
            "This Microsoft account is already linked to another organizer account here. Unlink it there first.".into(),
        ));
    }
    sqlx::query("UPDATE organizers SET microsoft_oid = $2, microsoft_tid = $3, microsoft_name = $4 WHERE id = $1")
        .bind(&organizer.id)
        .bind(oid)
        .bind(tid)
        .bind(name)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        target: "atrium::security",
        event = "microsoft_account_linked",
        organizer = %organizer.id,
        organization = %organizer.organization_id,
        microsoft_oid = %oid,
        microsoft_tid = %tid,
        "Microsoft account linked for sign-in"
    );
    Ok(())
}

/// Unlinks `organizer`'s Microsoft account: signing in with it no longer works. False when none
/// was linked.
pub async fn unlink_microsoft(db: &Db, organizer: &Organizer) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let linked: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT microsoft_oid, microsoft_tid FROM organizers WHERE id = $1")
            .bind(&organizer.id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let Some((Some(oid), tid)) = linked else { return Ok(false) };
    sqlx::query("UPDATE organizers SET microsoft_oid = NULL, microsoft_tid = NULL, microsoft_name = NULL WHERE id = $1")
        .bind(&organizer.id)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        target: "atrium::security",
        event = "microsoft_account_unlinked",
        organizer = %organizer.id,
        organization = %organizer.organization_id,
        microsoft_oid = %oid,
        microsoft_tid = %tid.unwrap_or_default(),
        "Microsoft account unlinked from sign-in"
    );
    Ok(true)
}

/// The Microsoft account `organizer` signs in with, as it was shown when linked.
pub async fn microsoft_link(db: &Db, organizer: &Organizer) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT microsoft_oid, microsoft_tid, microsoft_name FROM organizers WHERE id = $1")
            .bind(&organizer.id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(match row {
        Some((Some(oid), Some(_), name)) => Some(name.filter(|n| !n.is_empty()).unwrap_or(oid)),
        _ => None,
    })
}

/// The active organizer with this email address and their password hash (none for accounts
/// that only sign in with Microsoft).
pub async fn with_password_hash(db: &Db, email: &str) -> Result<Option<(Organizer, Option<String>)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "{ORGANIZER_COLUMNS}, o.password_hash {ORGANIZER_FROM} WHERE o.email_normalized = $1 AND o.disabled_at IS NULL"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| Ok((organizer_from_row(&r)?, r.try_get("password_hash")?))).transpose()
}

/// The oldest organization with this name, or a new one.
pub async fn organization_named(tx: &mut WriteTx, name: &str, now: i64) -> Result<String, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1 ORDER BY created_at LIMIT 1")
        .bind(name)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if let Some(id) = id {
        return Ok(id);
    }
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    Ok(id)
}

/// Whether any organizer (active or not) has this normalized email address.
pub async fn email_taken(db: &Db, normalized: &str) -> Result<bool, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE email_normalized = $1")
        .bind(normalized)
        .fetch_optional(&db.pool)
        .await?;
    Ok(id.is_some())
}

/// How many organizer accounts there are, active or not.
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM organizers").fetch_one(&db.pool).await
}
