//! Delegated Microsoft 365 accounts. Webinar and meeting writes need a delegated token, so an
//! admin connects the organization's **service account** once (authorization code with PKCE
//! and `offline_access` in the dashboard, or the device-code flow from `server
//! connect-microsoft` on a headless server); organizers may connect their **own** account and
//! then own the events they publish. Refresh tokens are sealed at rest, rotated on every
//! refresh, and removed on disconnect. Also "Sign in with Microsoft" (OpenID Connect) for the
//! dashboard, for organizers who linked their Microsoft account while signed in.

mod connect;
mod signin;

pub use signin::*;

pub use crate::accounts::MicrosoftAccount as Account;
use crate::crypto::Sealer;
use crate::microsoft::client::GraphConfig;
use crate::microsoft::store::accounts as store;
use crate::store::Db;
use oauth2::basic::{BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, CsrfToken, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet, ErrorResponse,
    ExtraDeviceAuthorizationFields, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// How long a sign-in may take between leaving Atrium and coming back.
const STATE_LIFETIME: i64 = 600;

/// What Microsoft adds to a token answer that Atrium reads: the ID token of an OpenID Connect
/// sign-in.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct MicrosoftTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for MicrosoftTokenFields {}

/// A token answer from the identity platform.
pub type TokenAnswer = StandardTokenResponse<MicrosoftTokenFields, BasicTokenType>;

/// Microsoft's own instruction in a device-code answer, naming the address and code.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct DeviceMessage {
    #[serde(default)]
    pub message: String,
}

impl ExtraDeviceAuthorizationFields for DeviceMessage {}

/// A device-code sign-in in progress (RFC 8628).
pub type DeviceCode = oauth2::DeviceAuthorizationResponse<DeviceMessage>;

/// The identity platform's OAuth 2.0 endpoints for the configured tenant, with Atrium's client
/// credentials sent in the request body as Microsoft documents for confidential clients.
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum DelegatedError {
    #[error("{0}")]
    Refused(String),
    #[error("not connected: connect a Microsoft 365 account in the dashboard first")]
    NotConnected,
    #[error("could not reach Microsoft: {0}")]
    Transport(String),
    /// A secret Atrium sealed (a refresh token, a PKCE verifier) can no longer be opened.
    #[error("a stored Microsoft secret could not be opened: {0}")]
    Sealed(#[from] crate::crypto::SealError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl<RE: std::error::Error + 'static, TE: ErrorResponse + 'static> From<RequestTokenError<RE, TE>> for DelegatedError {
    /// Microsoft's refusal in its own words (the first line of `error_description`, which
    /// starts with the AADSTS code), or why it could not be asked.
    fn from(error: RequestTokenError<RE, TE>) -> Self {
        match error {
            RequestTokenError::ServerResponse(answer) => {
                let text = serde_json::to_value(&answer).unwrap_or_default();
                let message = text["error_description"]
                    .as_str()
                    .or(text["error"].as_str())
                    .unwrap_or("no details")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                DelegatedError::Refused(message)
            }
            RequestTokenError::Request(e) => DelegatedError::Transport(e.to_string()),
            RequestTokenError::Parse(e, _) => DelegatedError::Transport(format!("an answer Atrium could not read ({e})")),
            RequestTokenError::Other(e) => DelegatedError::Transport(e),
        }
    }
}

#[derive(Clone)]
pub struct Delegated {
    db: Db,
    config: Arc<GraphConfig>,
    sealer: Sealer,
    /// For the identity platform and Graph; follows no redirects, as OAuth clients must not.
    http: reqwest::Client,
    oauth: Arc<OAuthClient>,
    redirect_uri: RedirectUrl,
    sign_in_redirect_uri: RedirectUrl,
    /// The identity platform's signing keys (kid → modulus, exponent), and when they were read.
    signing_keys: Arc<tokio::sync::Mutex<Option<(std::time::Instant, SigningKeys)>>>,
}

/// A random URL-safe secret of `bytes` random bytes.
fn random_secret(bytes: u32) -> String {
    CsrfToken::new_random_len(bytes).into_secret()
}

impl Delegated {
    pub fn new(db: Db, config: GraphConfig, sealer: Sealer, public_url: &str) -> Self {
        let base = format!("{}/{}/oauth2/v2.0", config.login_base, config.tenant_id);
        let url = |path: &str| format!("{base}/{path}");
        let oauth = oauth2::Client::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(config.client_secret.expose().to_string()))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(url("authorize")).expect("the sign-in address is a URL"))
            .set_device_authorization_url(DeviceAuthorizationUrl::new(url("devicecode")).expect("the sign-in address is a URL"))
            .set_token_uri(TokenUrl::new(url("token")).expect("the sign-in address is a URL"));
        let redirect = |path: &str| RedirectUrl::new(format!("{public_url}{path}")).expect("the public address is a URL");
        Self {
            db,
            config: Arc::new(config),
            sealer,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client builds"),
            oauth: Arc::new(oauth),
            redirect_uri: redirect("/dashboard/microsoft/callback"),
            sign_in_redirect_uri: redirect("/login/microsoft/callback"),
            signing_keys: Default::default(),
        }
    }

    fn scopes(&self) -> Vec<Scope> {
        let g = &self.config.graph_base;
        [
            "offline_access".to_string(),
            "openid".into(),
            "profile".into(),
            format!("{g}/User.Read"),
            format!("{g}/VirtualEvent.ReadWrite"),
            format!("{g}/OnlineMeetings.ReadWrite"),
            format!("{g}/OnlineMeetingArtifact.Read.All"),
        ]
        .into_iter()
        .map(Scope::new)
        .collect()
    }

    /// The authorization address (code flow with an S256 PKCE challenge), and the state and
    /// PKCE verifier to remember for the return.
    fn authorize(&self, redirect: &RedirectUrl, scopes: Vec<Scope>, extra: &[(&str, &str)]) -> (String, String, String) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(48);
        let mut request = self
            .oauth
            .authorize_url(|| CsrfToken::new_random_len(24))
            .set_redirect_uri(Cow::Borrowed(redirect))
            .add_scopes(scopes)
            .set_pkce_challenge(challenge)
            .add_extra_param("response_mode", "query");
        for (name, value) in extra {
            request = request.add_extra_param(*name, *value);
        }
        let (url, state) = request.url();
        (url.to_string(), state.into_secret(), verifier.into_secret())
    }

    /// Redeems an authorization code with its PKCE verifier.
    async fn redeem(&self, code: &str, verifier: String, redirect: &RedirectUrl, scopes: &str) -> Result<TokenAnswer, DelegatedError> {
        Ok(self
            .oauth
            .exchange_code(oauth2::AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .set_redirect_uri(Cow::Borrowed(redirect))
            .add_extra_param("scope", scopes)
            .request_async(&self.http)
            .await?)
    }

    /// Why a sign-in's state names nothing: not ours, or already used.
    fn unknown_state() -> DelegatedError {
        DelegatedError::Refused("This sign-in link is not ours or was already used; start again.".into())
    }

    /// Stores a freshly signed-in account with its refresh token; returns its user principal name.
    async fn store(&self, account: &Account, connected_by: &str, answer: &TokenAnswer) -> Result<String, DelegatedError> {
        let refresh = answer
            .refresh_token()
            .ok_or_else(|| DelegatedError::Refused("Microsoft gave no refresh token: the offline_access permission is missing.".into()))?
            .secret();
        let access = answer.access_token().secret();
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
        let answer: TokenAnswer = self
            .oauth
            .exchange_refresh_token(&oauth2::RefreshToken::new(refresh))
            .add_scopes(self.scopes())
            .request_async(&self.http)
            .await?;
        if let Some(rotated) = answer.refresh_token() {
            store::rotate_refresh_token(&self.db, account, &self.sealer.seal(rotated.secret())).await?;
        }
        Ok(answer.access_token().secret().clone())
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
