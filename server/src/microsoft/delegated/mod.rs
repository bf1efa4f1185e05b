//! Delegated Microsoft 365 accounts. Webinar and meeting writes need a delegated token, so an
//! admin connects the organization's **service account** once (authorization code with PKCE
//! and `offline_access` in the dashboard, or the device-code flow from `server
//! connect-microsoft` on a headless server); organizers may connect their **own** account and
//! then own the events they publish. Refresh tokens are sealed at rest, rotated on every
//! refresh, and removed on disconnect. Also "Sign in with Microsoft" (OpenID Connect) for the
//! dashboard, for organizers who linked their Microsoft account while signed in.

mod connect;
mod signin;

pub use connect::*;
pub use signin::*;

pub use crate::accounts::MicrosoftAccount as Account;
use crate::crypto::Sealer;
use crate::microsoft::client::GraphConfig;
use crate::microsoft::store::accounts as store;
use crate::store::Db;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How long a sign-in may take between leaving Atrium and coming back.
const STATE_LIFETIME: i64 = 600;

/// A device-code sign-in in progress (RFC 8628).
#[derive(Clone, Debug)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    /// Microsoft's own instruction for the person, naming the address and code.
    pub message: String,
    pub interval: u64,
    pub expires_in: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DelegatedError {
    #[error("{0}")]
    Refused(String),
    #[error("not connected: connect a Microsoft 365 account in the dashboard first")]
    NotConnected,
    /// The device-code sign-in is not finished yet.
    #[error("waiting for the sign-in ({0})")]
    Pending(String),
    #[error("could not reach Microsoft: {0}")]
    Transport(String),
    /// A secret Atrium sealed (a refresh token, a PKCE verifier) can no longer be opened.
    #[error("a stored Microsoft secret could not be opened: {0}")]
    Sealed(#[from] crate::crypto::SealError),
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
    sign_in_redirect_uri: String,
    /// The identity platform's signing keys (kid → modulus, exponent), and when they were read.
    signing_keys: Arc<tokio::sync::Mutex<Option<(std::time::Instant, SigningKeys)>>>,
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
            sign_in_redirect_uri: format!("{public_url}/login/microsoft/callback"),
            signing_keys: Default::default(),
        }
    }

    fn scopes(&self) -> String {
        let g = &self.config.graph_base;
        format!(
            "offline_access openid profile {g}/User.Read {g}/VirtualEvent.ReadWrite {g}/OnlineMeetings.ReadWrite {g}/OnlineMeetingArtifact.Read.All"
        )
    }

    fn authorize(&self, redirect_uri: &str, scope: &str, state: &str, verifier: &str, extra: &[(&str, &str)]) -> String {
        let mut params = vec![
            ("client_id", self.config.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri),
            ("response_mode", "query"),
            ("scope", scope),
            ("state", state),
            ("code_challenge_method", "S256"),
        ];
        let code_challenge = challenge(verifier);
        params.push(("code_challenge", &code_challenge));
        params.extend_from_slice(extra);
        let query = serde_urlencoded::to_string(params).expect("query encodes");
        format!("{}/{}/oauth2/v2.0/authorize?{query}", self.config.login_base, self.config.tenant_id)
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
            if let Some(code) = body["error"].as_str().filter(|c| DEVICE_WAIT.contains(c)) {
                return Err(DelegatedError::Pending(code.to_string()));
            }
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

    /// Why a sign-in's state names nothing: not ours, or already used.
    fn unknown_state() -> DelegatedError {
        DelegatedError::Refused("This sign-in link is not ours or was already used; start again.".into())
    }

    /// Stores a freshly signed-in account with its refresh token; returns its user principal name.
    async fn store(&self, account: &Account, connected_by: &str, body: &Value) -> Result<String, DelegatedError> {
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
        let now = self.db.now();
        let mut tx = self.db.begin_write().await?;
        store::delete(&mut tx, account).await?;
        store::insert(&mut tx, account, connected_by, &upn, &self.sealer.seal(refresh), now).await?;
        tx.commit().await?;
        Ok(upn)
    }

    /// A fresh delegated access token for `account`; the refresh token is replaced by the new
    /// one Microsoft returns.
    pub async fn access_token(&self, account: &Account) -> Result<String, DelegatedError> {
        let sealed = store::refresh_token_sealed(&self.db, account).await?;
        let refresh = self.sealer.open(&sealed.ok_or(DelegatedError::NotConnected)?)?;
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
            store::rotate_refresh_token(&self.db, account, &self.sealer.seal(rotated)).await?;
        }
        Ok(body["access_token"].as_str().unwrap_or_default().to_string())
    }

    /// The connected account's name and when it was connected.
    pub async fn status(&self, account: &Account) -> Result<Option<(String, i64)>, sqlx::Error> {
        store::status(&self.db, account).await
    }

    /// Forgets the account and its refresh token.
    pub async fn disconnect(&self, account: &Account) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        store::delete(&mut tx, account).await?;
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
