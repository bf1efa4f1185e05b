//! Invitations in the database (only a hash of each link's secret), and the members they join.

use super::super::auth::Organizer;
use super::super::team::{Invitation, Member};
use crate::store::{Db, WriteTx};
use sqlx::Row;

pub async fn members(db: &Db, org: &Organizer) -> Result<Vec<Member>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, email, display_name FROM organizers WHERE organization_id = $1 AND disabled_at IS NULL ORDER BY email")
            .bind(&org.organization_id)
            .fetch_all(&db.pool)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(Member {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                display_name: r.try_get("display_name")?,
            })
        })
        .collect()
}

/// Pending invitations: email and expiry.
pub async fn pending(db: &Db, org: &Organizer) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT email, expires_at FROM invitations WHERE organization_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at DESC")
        .bind(&org.organization_id)
        .bind(db.now())
        .fetch_all(&db.pool)
        .await
}

/// Stores an invitation by the hash of its secret.
pub async fn insert(tx: &mut WriteTx, hash: &str, by: &Organizer, email: &str, now: i64, expires_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invitations (token_hash, organization_id, email, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash)
    .bind(&by.organization_id)
    .bind(email)
    .bind(&by.id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The unused, unexpired invitation with this hash.
pub async fn live(db: &Db, hash: &str, now: i64) -> Result<Option<Invitation>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.organization_id, g.name, i.email FROM invitations i JOIN organizations g ON g.id = i.organization_id \
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Invitation {
            organization_id: r.try_get("organization_id")?,
            organization_name: r.try_get("name")?,
            email: r.try_get("email")?,
        })
    })
    .transpose()
}

/// Uses the invitation up; false when it was already used or has expired.
pub async fn use_up(tx: &mut WriteTx, hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query("UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2")
        .bind(hash)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    Ok(claimed == 1)
}
