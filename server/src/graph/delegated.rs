//! Delegated sign-in for the organization's Microsoft 365 service account, which owns the
//! webinars Atrium creates (webinar writes need a delegated token). Authorization code with
//! PKCE and `offline_access`; the refresh token is sealed at rest, rotated on every refresh, and
//! removed on disconnect.

use super::client::GraphConfig;
use crate::auth::{sha256_hex, Organizer};
use crate::crypto::Sealer;
use crate::db::Db;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;

/// How long a sign-in may take between leaving Atrium and coming back.
const STATE_LIFETIME: i64 = 600;

#[derive(Debug, thiserror::Error)]
pub enum DelegatedError {
    #[error("{0}")]
    Refused(String),
    #[error("not connected: connect a Microsoft 365 account in the dashboard first")]
    NotConnected,
    #[error("could not reach Microsoft: {0}")]
    Transport(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct Delegated {
    db: Db,
    config: Arc<GraphConfig>,
    sealer: Sealer,
    http: reqwest::Client,
    redirect_uri: String,
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 code challenge for a PKCE verifier.
pub fn challenge(verifier: &str) -> String {
    b64url(&Sha256::digest(verifier.as_bytes()))
}

impl Delegated {
    pub fn new(db: Db, config: GraphConfig, sealer: Sealer, public_url: &str) -> Self {
        Self {
            db,
            config: Arc::new(config),
            sealer,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("HTTP client builds"),
            redirect_uri: format!("{public_url}/dashboard/microsoft/callback"),
        }
    }

    fn scopes(&self) -> String {
        let g = &self.config.graph_base;
        format!(
            "offline_access openid profile {g}/User.Read {g}/VirtualEvent.ReadWrite {g}/OnlineMeetings.ReadWrite {g}/Calendars.ReadWrite"
        )
    }

    /// Where to send the organizer to sign in, remembering the PKCE verifier for the return.
    pub async fn authorize_url(&self, organizer: &Organizer) -> Result<String, DelegatedError> {
        let state: [u8; 24] = rand::random();
        let state = b64url(&state);
        let verifier: [u8; 48] = rand::random();
        let verifier = b64url(&verifier);
        let now = crate::registrations::now();
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM oauth_states WHERE created_at < $1")
            .bind(now - STATE_LIFETIME)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("INSERT INTO oauth_states (state_hash, organizer_id, code_verifier_sealed, created_at) VALUES ($1, $2, $3, $4)")
            .bind(sha256_hex(&state))
            .bind(&organizer.id)
            .bind(self.sealer.seal(&verifier))
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        let query = serde_urlencoded::to_string([
            ("client_id", self.config.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("response_mode", "query"),
            ("scope", self.scopes().as_str()),
            ("state", state.as_str()),
            ("code_challenge", challenge(&verifier).as_str()),
            ("code_challenge_method", "S256"),
            ("prompt", "select_account"),
        ])
        .expect("query encodes");
        Ok(format!(
            "{}/{}/oauth2/v2.0/authorize?{query}",
            self.config.login_base, self.config.tenant_id
        ))
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<Value, DelegatedError> {
        let url = format!("{}/{}/oauth2/v2.0/token", self.config.login_base, self.config.tenant_id);
        let response = self
            .http
            .post(url)
            .form(form)
            .send()
            .await
            .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?;
        if !status.is_success() || body["access_token"].as_str().is_none() {
            let message = body["error_description"]
                .as_str()
                .or(body["error"].as_str())
                .unwrap_or("no details")
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            return Err(DelegatedError::Refused(message));
        }
        Ok(body)
    }

    /// Completes the sign-in when Microsoft sends the organizer back; stores the account.
    /// Returns the account's user principal name.
    pub async fn complete(&self, organizer: &Organizer, state: &str, code: &str) -> Result<String, DelegatedError> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query("SELECT organizer_id, code_verifier_sealed, created_at FROM oauth_states WHERE state_hash = $1")
            .bind(sha256_hex(state))
            .fetch_optional(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM oauth_states WHERE state_hash = $1")
            .bind(sha256_hex(state))
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else {
            return Err(DelegatedError::Refused(
                "This sign-in link is not ours or was already used; start again.".into(),
            ));
        };
        let owner: String = row.try_get("organizer_id")?;
        let created: i64 = row.try_get("created_at")?;
        if owner != organizer.id || crate::registrations::now() - created > STATE_LIFETIME {
            return Err(DelegatedError::Refused(
                "This sign-in has expired or was started by someone else; start again.".into(),
            ));
        }
        let verifier = self
            .sealer
            .open(&row.try_get::<String, _>("code_verifier_sealed")?)
            .map_err(DelegatedError::Refused)?;
        let scopes = self.scopes();
        let body = self
            .token_request(&[
                ("client_id", &self.config.client_id),
                ("scope", &scopes),
                ("code", code),
                ("redirect_uri", &self.redirect_uri),
                ("grant_type", "authorization_code"),
                ("code_verifier", &verifier),
                ("client_secret", self.config.client_secret.expose()),
            ])
            .await?;
        let refresh = body["refresh_token"]
            .as_str()
            .ok_or_else(|| DelegatedError::Refused("Microsoft gave no refresh token: the offline_access permission is missing.".into()))?;
        let access = body["access_token"].as_str().unwrap_or("");
        let me: Value = self
            .http
            .get(format!("{}/v1.0/me?$select=userPrincipalName", self.config.graph_base))
            .bearer_auth(access)
            .send()
            .await
            .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?
            .json()
            .await
            .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?;
        let upn = me["userPrincipalName"].as_str().unwrap_or("unknown account").to_string();
        let now = crate::registrations::now();
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM microsoft_accounts WHERE organization_id = $1")
            .bind(&organizer.organization_id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO microsoft_accounts (organization_id, connected_by, user_principal_name, refresh_token_sealed, connected_at, refreshed_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&organizer.organization_id)
        .bind(&organizer.id)
        .bind(&upn)
        .bind(self.sealer.seal(refresh))
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(upn)
    }

    /// A fresh delegated access token for the organization's account; the refresh token is
    /// replaced by the new one Microsoft returns.
    pub async fn access_token(&self, organization_id: &str) -> Result<String, DelegatedError> {
        let sealed: Option<String> = sqlx::query_scalar("SELECT refresh_token_sealed FROM microsoft_accounts WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_optional(&self.db.pool)
            .await?;
        let refresh = self
            .sealer
            .open(&sealed.ok_or(DelegatedError::NotConnected)?)
            .map_err(DelegatedError::Refused)?;
        let scopes = self.scopes();
        let body = self
            .token_request(&[
                ("client_id", &self.config.client_id),
                ("scope", &scopes),
                ("refresh_token", &refresh),
                ("grant_type", "refresh_token"),
                ("client_secret", self.config.client_secret.expose()),
            ])
            .await?;
        if let Some(rotated) = body["refresh_token"].as_str() {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE microsoft_accounts SET refresh_token_sealed = $2, refreshed_at = $3 WHERE organization_id = $1")
                .bind(organization_id)
                .bind(self.sealer.seal(rotated))
                .bind(crate::registrations::now())
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await?;
        }
        Ok(body["access_token"].as_str().unwrap_or_default().to_string())
    }

    /// The connected account's name and when it was connected.
    pub async fn status(&self, organization_id: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
        sqlx::query_as("SELECT user_principal_name, connected_at FROM microsoft_accounts WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_optional(&self.db.pool)
            .await
    }

    /// Forgets the account and its refresh token.
    pub async fn disconnect(&self, organization_id: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM microsoft_accounts WHERE organization_id = $1")
            .bind(organization_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pkce_challenge_is_unpadded_base64url_of_sha256() {
        // Expected value computed independently with Python's hashlib and base64.
        assert_eq!(
            super::challenge("dBjftJeZ4CVP-mJ92K9N6mVI4SW_Z1c_NNGf6ck6Od_Ws"),
            "4h-1gBnR0U_kleyrOcJSpErk3XoYPIwnJ_UTi9-iMn8"
        );
    }
}
