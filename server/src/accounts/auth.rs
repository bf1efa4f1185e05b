//! Organizers and how they prove who they are: passwords (argon2id), sign-in sessions behind a
//! `__Host-` cookie with a CSRF token, and bearer API tokens. Only hashes of session secrets and
//! tokens are stored. Sign-in methods are variants of [`Credential`], so an identity provider
//! (Entra ID) can be added beside the password.

pub use super::passwords::hash_password;
pub use super::sessions::*;
pub use super::signin::*;
pub use super::store::organizers::{
    insert_organizer, link_microsoft, microsoft_link, organizer_by_email, organizer_for_microsoft, unlink_microsoft,
};
pub use super::store::sessions::{end_session, session, start_session};
pub use crate::crypto::sha256_hex;

use crate::store::Db;
use app::domain::EmailAddress;

pub const MIN_PASSWORD: usize = 12;

/// A signed-in organizer, always with the organization every query is scoped to.
#[derive(Clone, Debug)]
pub struct Organizer {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub email: String,
    pub display_name: String,
}

/// Ada of Contoso (organization `org1`), for the unit tests of the organizer's commands.
#[cfg(test)]
pub(crate) fn sample_organizer() -> Organizer {
    Organizer {
        id: "o-ada".into(),
        organization_id: "org1".into(),
        organization_name: "Contoso".into(),
        email: "ada@contoso.example".into(),
        display_name: "Ada".into(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub(crate) fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// A password strong enough to protect an organization's attendee data.
pub fn check_password(password: &str) -> Result<(), app::domain::Invalid> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!("Use at least {MIN_PASSWORD} characters.").into());
    }
    if password.chars().count() > 256 {
        return Err("Use at most 256 characters.".into());
    }
    Ok(())
}

/// A random password for a new account, shown once.
pub fn generate_password() -> String {
    random_secret(15)
}

/// Creates an organizer, and the organization named `organization` if there is none yet (for
/// the `create-organizer` command and tests; invitations name their organization by id).
/// Returns the organizer and the password (generated when none is given).
pub async fn create_organizer(db: &Db, email: &str, organization: &str, password: Option<&str>) -> Result<(Organizer, String), AuthError> {
    EmailAddress::parse(email).map_err(|e| AuthError::Invalid(e.into()))?;
    let organization = organization.trim();
    if organization.is_empty() || organization.chars().count() > 200 {
        return Err(AuthError::Invalid(
            "The organization needs a name of at most 200 characters.".into(),
        ));
    }
    let password = match password {
        Some(p) => {
            check_password(p).map_err(|e| AuthError::Invalid(e.into()))?;
            p.to_string()
        }
        None => generate_password(),
    };
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AuthError::Invalid(e.to_string()))?
    };
    let now = db.now();
    let mut tx = db.begin_write().await?;
    let org_id = super::store::organizers::organization_named(&mut tx, organization, now).await?;
    let organizer = insert_organizer(&mut tx, &org_id, email, &hash, now).await?;
    tx.commit().await?;
    Ok((organizer, password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_checked_for_length() {
        assert!(check_password("short").is_err());
        assert!(check_password(&generate_password()).is_ok());
    }
}
