//! The organization's team: its members, and invitations for new co-organizers.

use super::store;
use crate::accounts::auth::{self, Organizer};
use crate::accounts::passwords::Hasher;
use crate::store::Db;
use app::domain::{EmailAddress, FieldError};

pub use store::invitations::{members, pending};

/// Invitations last a week.
pub const INVITATION_LIFETIME: i64 = 7 * 86_400;

#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub display_name: String,
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
    if store::organizers::email_taken(db, &email.normalized()).await? {
        return Err(InviteError::Invalid(vec![FieldError::new(
            "email",
            "This person already has an Atrium account.",
        )]));
    }
    let secret = auth::generate_password() + &auth::generate_password();
    let now = db.now();
    let mut tx = db.begin_write().await?;
    store::invitations::insert(
        &mut tx,
        &crate::crypto::sha256_hex(&secret),
        org,
        email.as_str(),
        now,
        now + INVITATION_LIFETIME,
    )
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
    store::invitations::live(db, &crate::crypto::sha256_hex(secret), db.now()).await
}

/// Accepts an invitation: in one transaction, the invitation is used up and the organizer is
/// created in the organization that sent it (by its id: names are not unique), with their
/// password. Either both happen or neither.
pub async fn accept(db: &Db, hasher: &Hasher, secret: &str, password: &str) -> Result<Organizer, auth::AuthError> {
    auth::check_password(password).map_err(|e| auth::AuthError::Invalid(e.into()))?;
    let gone = || auth::AuthError::Invalid("This invitation has expired or was already used.".into());
    let invitation = invitation(db, secret).await?.ok_or_else(gone)?;
    let hash = hasher.hash(password).await.map_err(|e| auth::AuthError::Invalid(e.to_string()))?;
    let now = db.now();
    let mut tx = db.begin_write().await?;
    if !store::invitations::use_up(&mut tx, &crate::crypto::sha256_hex(secret), now).await? {
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
