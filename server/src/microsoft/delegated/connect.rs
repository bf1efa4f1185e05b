//! Connecting a Microsoft 365 account: the authorization code with PKCE in the browser, or the
//! device code from a server without one.

use super::*;
use crate::accounts::auth::{sha256_hex, Organizer};
pub use crate::accounts::MicrosoftAccount as Account;
use serde_json::Value;

/// Waiting states of the device-code flow: keep polling.
pub(super) const DEVICE_WAIT: [&str; 2] = ["authorization_pending", "slow_down"];

impl Delegated {
    /// Where to send the organizer to connect `account` (the organization's service account or
    /// their own), remembering the PKCE verifier for the return.
    pub async fn authorize_url(&self, organizer: &Organizer, account: &Account) -> Result<String, DelegatedError> {
        let allowed = match account {
            Account::Service(org) => *org == organizer.organization_id,
            Account::Personal(id) => *id == organizer.id,
        };
        if !allowed {
            return Err(DelegatedError::Refused(
                "You can only connect your own account or your organization's.".into(),
            ));
        }
        let state = b64url(&rand::random::<[u8; 24]>());
        let verifier = b64url(&rand::random::<[u8; 48]>());
        let now = self.db.now();
        let mut tx = self.db.begin_write().await?;
        store::delete_old_oauth_states(&mut tx, now - STATE_LIFETIME).await?;
        store::insert_oauth_state(
            &mut tx,
            &sha256_hex(&state),
            &organizer.id,
            &self.sealer.seal(&verifier),
            now,
            account.purpose(),
        )
        .await?;
        tx.commit().await?;
        Ok(self.authorize(
            &self.redirect_uri,
            &self.scopes(),
            &state,
            &verifier,
            &[("prompt", "select_account")],
        ))
    }

    /// Completes a connect when Microsoft sends the organizer back; stores the account.
    /// Returns the account and its user principal name.
    pub async fn complete(&self, organizer: &Organizer, state: &str, code: &str) -> Result<(Account, String), DelegatedError> {
        let row = store::take_oauth_state(&self.db, &sha256_hex(state))
            .await?
            .ok_or_else(Self::unknown_state)?;
        if row.organizer_id != organizer.id || self.db.now() - row.created_at > STATE_LIFETIME {
            return Err(DelegatedError::Refused(
                "This sign-in has expired or was started by someone else; start again.".into(),
            ));
        }
        let account = match row.purpose.as_str() {
            "personal" => Account::Personal(organizer.id.clone()),
            _ => Account::Service(organizer.organization_id.clone()),
        };
        let verifier = self.sealer.open(&row.code_verifier_sealed)?;
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
        let upn = self.store(&account, &organizer.id, &body).await?;
        Ok((account, upn))
    }

    /// Starts a device-code sign-in for a server without a browser.
    pub async fn device_start(&self) -> Result<DeviceCode, DelegatedError> {
        let url = format!("{}/{}/oauth2/v2.0/devicecode", self.config.login_base, self.config.tenant_id);
        let scopes = self.scopes();
        let response = self
            .http
            .post(url)
            .form(&[("client_id", self.config.client_id.as_str()), ("scope", scopes.as_str())])
            .send()
            .await
            .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?;
        let body: Value = response
            .json()
            .await
            .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?;
        let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
        // expires_in and interval are numbers, though some answers carry them as strings.
        let number = |k: &str, default: u64| {
            body[k]
                .as_u64()
                .or_else(|| body[k].as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(default)
        };
        if text("device_code").is_empty() {
            let message = body["error_description"]
                .as_str()
                .or(body["error"].as_str())
                .unwrap_or("no details");
            return Err(DelegatedError::Refused(message.lines().next().unwrap_or("").to_string()));
        }
        Ok(DeviceCode {
            device_code: text("device_code"),
            user_code: text("user_code"),
            verification_uri: text("verification_uri"),
            message: text("message"),
            interval: number("interval", 5).max(1),
            expires_in: number("expires_in", 900),
        })
    }

    /// Waits for the person to finish the device-code sign-in, polling at Microsoft's pace, then
    /// stores the account as `organizer`'s organization's service account.
    pub async fn device_finish(&self, code: &DeviceCode, organizer: &Organizer) -> Result<String, DelegatedError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(code.expires_in);
        let mut interval = code.interval;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
            let result = self
                .token_request(&[
                    ("client_id", &self.config.client_id),
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", &code.device_code),
                    ("client_secret", self.config.client_secret.expose()),
                ])
                .await;
            match result {
                Ok(body) => {
                    return self
                        .store(&Account::Service(organizer.organization_id.clone()), &organizer.id, &body)
                        .await
                }
                Err(DelegatedError::Pending(reason)) => {
                    if reason == "slow_down" {
                        interval += 5;
                    }
                    if std::time::Instant::now() > deadline {
                        return Err(DelegatedError::Refused(
                            "The code expired before the sign-in finished; run the command again.".into(),
                        ));
                    }
                }
                Err(DelegatedError::Refused(m)) if m.contains("authorization_declined") || m.starts_with("AADSTS70000") => {
                    return Err(DelegatedError::Refused(format!("The sign-in was declined: {m}")))
                }
                Err(e) => return Err(e),
            }
        }
    }
}
