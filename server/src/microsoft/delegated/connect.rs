//! Connecting a Microsoft 365 account: the authorization code with PKCE in the browser, or the
//! device code from a server without one.

use super::*;
use crate::accounts::auth::{sha256_hex, Organizer};
use oauth2::RequestTokenError;

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
        let (url, state, verifier) = self.authorize(&self.redirect_uri, self.scopes(), &[("prompt", "select_account")]);
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
        Ok(url)
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
        let scopes: Vec<String> = self.scopes().iter().map(|s| s.to_string()).collect();
        let answer = self.redeem(code, verifier, &self.redirect_uri, &scopes.join(" ")).await?;
        let upn = self.store(&account, &organizer.id, &answer).await?;
        Ok((account, upn))
    }

    /// Starts a device-code sign-in for a server without a browser.
    pub async fn device_start(&self) -> Result<DeviceCode, DelegatedError> {
        Ok(self
            .oauth
            .exchange_device_code()
            .add_scopes(self.scopes())
            .request_async(&self.http)
            .await?)
    }

    /// Waits for the person to finish the device-code sign-in, polling at Microsoft's pace
    /// (slower when told to slow down), then stores the account as `organizer`'s
    /// organization's service account.
    pub async fn device_finish(&self, code: &DeviceCode, organizer: &Organizer) -> Result<String, DelegatedError> {
        let answer = self
            .oauth
            .exchange_device_access_token(code)
            .request_async(&self.http, tokio::time::sleep, None)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(answer) => {
                    let text = serde_json::to_value(&answer).unwrap_or_default();
                    match text["error"].as_str() {
                        Some("expired_token") => {
                            DelegatedError::Refused("The code expired before the sign-in finished; run the command again.".into())
                        }
                        Some("authorization_declined" | "access_denied") => DelegatedError::Refused(format!(
                            "The sign-in was declined: {}",
                            text["error_description"].as_str().unwrap_or("no details")
                        )),
                        _ => RequestTokenError::<oauth2::HttpClientError<reqwest::Error>, _>::ServerResponse(answer).into(),
                    }
                }
                other => other.into(),
            })?;
        self.store(&Account::Service(organizer.organization_id.clone()), &organizer.id, &answer)
            .await
    }
}
