//! The organization's team: organizers, invitations for new co-organizers, and who organizes
//! each event.

use crate::accounts::auth::{self, Organizer};
use crate::accounts::passwords::Hasher;
use crate::clock::now;
use crate::store::Db;
use app::domain::{EmailAddress, FieldError};
use sqlx::Row;

/// Invitations last a week.
pub const INVITATION_LIFETIME: i64 = 7 * 86_400;

#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub display_name: String,
}

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
        .bind(now())
        .fetch_all(&db.pool)
        .await
}

/// Invites `email` to the organization. Returns the secret for the one-time link.
/// Why an invitation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("invalid invitation")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn invite(db: &Db, org: &Organizer, email: &str) -> Result<String, InviteError> {
    let email = EmailAddress::parse(email).map_err(|m| InviteError::Invalid(vec![FieldError::new("email", m)]))?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM organizers WHERE email_normalized = $1")
        .bind(email.normalized())
        .fetch_optional(&db.pool)
        .await?;
    if taken.is_some() {
        return Err(InviteError::Invalid(vec![FieldError::new(
            "email",
            "This person already has an Atrium account.",
        )]));
    }
    let secret = auth::generate_password() + &auth::generate_password();
    let now = now();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO invitations (token_hash, organization_id, email, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::crypto::sha256_hex(&secret))
    .bind(&org.organization_id)
    .bind(email.as_str())
    .bind(&org.id)
    .bind(now)
    .bind(now + INVITATION_LIFETIME)
    .execute(&mut *tx.tx)
    .await?;
    crate::accounts::audit::record(&mut tx, &org.organization_id, &org.email, "invitation.created", email.as_str(), now).await?;
    tx.commit().await?;
    crate::security_log::event("invitation_created", Some(&org.email), None, email.as_str());
    Ok(secret)
}

/// A live invitation: the organization it is for, by id and name, and the invited address.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub organization_id: String,
    pub organization_name: String,
    pub email: String,
}

/// The live invitation behind a one-time link.
pub async fn invitation(db: &Db, secret: &str) -> Result<Option<Invitation>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.organization_id, g.name, i.email FROM invitations i JOIN organizations g ON g.id = i.organization_id \
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > $2",
    )
    .bind(crate::crypto::sha256_hex(secret))
    .bind(now())
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

/// Accepts an invitation: in one transaction, the invitation is used up and the organizer is
/// created in the organization that sent it (by its id: names are not unique), with their
/// password. Either both happen or neither.
pub async fn accept(db: &Db, hasher: &Hasher, secret: &str, password: &str) -> Result<Organizer, auth::AuthError> {
    auth::check_password(password).map_err(auth::AuthError::Invalid)?;
    let gone = || auth::AuthError::Invalid("This invitation has expired or was already used.".into());
    let invitation = invitation(db, secret).await?.ok_or_else(gone)?;
    let hash = hasher.hash(password).await.map_err(|e| auth::AuthError::Invalid(e.to_string()))?;
    let now = now();
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query("UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2")
        .bind(crate::crypto::sha256_hex(secret))
        .bind(now)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if claimed != 1 {
        return Err(gone());
    }
    let organizer = auth::insert_organizer(&mut tx, &invitation.organization_id, &invitation.email, &hash, now).await?;
    crate::accounts::audit::record(
        &mut tx,
        &invitation.organization_id,
        &invitation.email,
        "invitation.accepted",
        &invitation.email,
        now,
    )
    .await?;
    tx.commit().await?;
    crate::security_log::event("invitation_used", Some(&invitation.email), None, &invitation.organization_id);
    Ok(Organizer {
        organization_name: invitation.organization_name,
        ..organizer
    })
}
