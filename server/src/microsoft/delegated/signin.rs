//! "Sign in with Microsoft" and linking an organizer's Microsoft account: OpenID Connect with
//! PKCE and a nonce, and the ID token checked against the identity platform's published keys.

use super::*;
use crate::accounts::auth::{sha256_hex, Organizer};
use crate::microsoft::client::GraphConfig;
use serde_json::Value;

/// Who signed in with Microsoft, from a checked ID token. The account is its object id in its
/// tenant (`oid`, `tid`); the email claim can be changed by the account's admins and is not
/// verified, so it is for showing only, never for deciding who someone is.
#[derive(Clone, Debug)]
pub struct MicrosoftUser {
    pub oid: String,
    pub tid: String,
    pub email: String,
    pub name: String,
}

/// What an OpenID Connect round trip was started for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OidcPurpose {
    /// "Sign in with Microsoft", returning to the local page `next`.
    SignIn { next: String },
    /// "Link Microsoft account", started by `organizer_id` in the session whose secret hashes
    /// to `session_hash`.
    Link { organizer_id: String, session_hash: String },
}

/// The identity platform's signing keys by key id.
pub(super) type SigningKeys = std::collections::HashMap<String, jsonwebtoken::DecodingKey>;

/// How long the identity platform's signing keys are kept before they are read again.
pub(super) const KEYS_LIFETIME: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Why an ID token was not accepted.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    /// The named check failed: the answer did not come from this sign-in.
    #[error("Microsoft's answer could not be trusted ({0}); start again.")]
    Untrusted(&'static str),
    #[error("This Microsoft account belongs to another organization.")]
    OtherTenant,
}

/// Reads and checks the claims of an ID token received from the token endpoint.
pub fn check_id_token(token: &str, config: &GraphConfig, nonce: &str, now: i64) -> Result<MicrosoftUser, IdTokenError> {
    let bad = IdTokenError::Untrusted;
    let claims = crate::microsoft::token_claims(token).ok_or(bad("not a token"))?;
    let text = |k: &str| claims[k].as_str().unwrap_or_default();
    if text("iss") != format!("{}/{}/v2.0", config.login_base, config.tenant_id) {
        return Err(bad("issuer"));
    }
    let audience_ok = match &claims["aud"] {
        Value::String(a) => *a == config.client_id,
        Value::Array(list) => list.iter().any(|a| a.as_str() == Some(config.client_id.as_str())),
        _ => false,
    };
    if !audience_ok {
        return Err(bad("audience"));
    }
    if text("tid") != config.tenant_id {
        return Err(IdTokenError::OtherTenant);
    }
    if text("nonce") != nonce {
        return Err(bad("nonce"));
    }
    let exp = claims["exp"].as_i64().unwrap_or(0);
    let nbf = claims["nbf"].as_i64().or(claims["iat"].as_i64()).unwrap_or(0);
    // Five minutes of clock difference are tolerated.
    if exp + 300 < now || nbf - 300 > now {
        return Err(bad("expired"));
    }
    let oid = text("oid");
    if oid.is_empty() {
        return Err(bad("no account id"));
    }
    let email = [text("email"), text("preferred_username"), text("upn")]
        .into_iter()
        .find(|e| e.contains('@'))
        .unwrap_or_default();
    Ok(MicrosoftUser {
        oid: oid.to_string(),
        tid: text("tid").to_string(),
        email: email.to_string(),
        name: text("name").to_string(),
    })
}

impl Delegated {
    /// The identity platform's current signing keys, read again after a day or when a token
    /// names a key not seen yet (keys roll over).
    pub(super) async fn signing_key(&self, kid: &str) -> Result<Option<jsonwebtoken::DecodingKey>, DelegatedError> {
        let mut cached = self.signing_keys.lock().await;
        let fresh = cached
            .as_ref()
            .is_some_and(|(at, keys)| at.elapsed() < KEYS_LIFETIME && keys.contains_key(kid));
        if !fresh {
            let url = format!("{}/{}/discovery/v2.0/keys", self.config.login_base, self.config.tenant_id);
            let set: jsonwebtoken::jwk::JwkSet = self
                .http
                .get(url)
                .send()
                .await
                .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?
                .json()
                .await
                .map_err(|e| DelegatedError::Transport(e.without_url().to_string()))?;
            // RSA keys with an id; any other kind of key in the set is not one Atrium accepts.
            let keys: SigningKeys = set
                .keys
                .iter()
                .filter(|k| matches!(k.algorithm, jsonwebtoken::jwk::AlgorithmParameters::RSA(_)))
                .filter_map(|k| Some((k.common.key_id.clone()?, jsonwebtoken::DecodingKey::from_jwk(k).ok()?)))
                .collect();
            *cached = Some((std::time::Instant::now(), keys));
        }
        Ok(cached.as_ref().and_then(|(_, keys)| keys.get(kid).cloned()))
    }

    /// Checks that an ID token is signed (RS256 only) by one of the identity platform's keys,
    /// with `jsonwebtoken`. Its claims are checked by [`check_id_token`] against Atrium's clock
    /// (`jsonwebtoken`'s own claim checks read the system clock, which tests cannot move).
    pub(super) async fn check_signature(&self, token: &str) -> Result<(), DelegatedError> {
        let bad = |what: &str| DelegatedError::Refused(format!("Microsoft's answer could not be trusted ({what}); start again."));
        let header = jsonwebtoken::decode_header(token).map_err(|_| bad("not a token"))?;
        if header.alg != jsonwebtoken::Algorithm::RS256 {
            return Err(bad("signature algorithm"));
        }
        let kid = header.kid.ok_or_else(|| bad("no signing key named"))?;
        let key = self.signing_key(&kid).await?.ok_or_else(|| bad("unknown signing key"))?;
        let (signed, signature) = token.rsplit_once('.').ok_or_else(|| bad("not a token"))?;
        match jsonwebtoken::crypto::verify(signature, signed.as_bytes(), &key, jsonwebtoken::Algorithm::RS256) {
            Ok(true) => Ok(()),
            _ => Err(bad("signature")),
        }
    }

    /// Where to send someone signing in to the dashboard with Microsoft (OpenID Connect, code
    /// flow with PKCE and a nonce). `next` is the local page to return to.
    /// Returns the address and the state it carries.
    pub async fn sign_in_url(&self, next: &str) -> Result<(String, String), DelegatedError> {
        self.oidc_url(next, None).await
    }

    /// Where to send a signed-in organizer to link their Microsoft account (the same OpenID
    /// Connect flow). The round trip is bound to `organizer` and to the session whose secret is
    /// `session_secret`: it can only complete in that session.
    /// Returns the address and the state it carries.
    pub async fn link_url(&self, organizer: &Organizer, session_secret: &str) -> Result<(String, String), DelegatedError> {
        self.oidc_url("/dashboard/microsoft", Some((&organizer.id, &sha256_hex(session_secret))))
            .await
    }

    pub(super) async fn oidc_url(&self, next: &str, link: Option<(&str, &str)>) -> Result<(String, String), DelegatedError> {
        let nonce = random_secret(24);
        let scopes = ["openid", "profile", "email"].map(|s| oauth2::Scope::new(s.into())).to_vec();
        let (url, state, verifier) = self.authorize(&self.sign_in_redirect_uri, scopes, &[("nonce", &nonce)]);
        let now = self.db.now();
        let mut tx = self.db.begin_write().await?;
        store::delete_old_oidc_states(&mut tx, now - STATE_LIFETIME).await?;
        store::insert_oidc_state(
            &mut tx,
            &sha256_hex(&state),
            &nonce,
            &self.sealer.seal(&verifier),
            next,
            now,
            link.map(|(organizer, _)| organizer),
            link.map(|(_, session)| session),
        )
        .await?;
        tx.commit().await?;
        Ok((url, state))
    }

    /// Finishes "Sign in with Microsoft" or "Link Microsoft account": redeems the code and
    /// checks the ID token: its RS256 signature against the identity platform's published keys,
    /// then issuer, audience, tenant, nonce and lifetime.
    /// Returns who signed in and what the round trip was for.
    pub async fn finish_sign_in(&self, state: &str, code: &str) -> Result<(MicrosoftUser, OidcPurpose), DelegatedError> {
        let row = store::take_oidc_state(&self.db, &sha256_hex(state))
            .await?
            .ok_or_else(Self::unknown_state)?;
        if self.db.now() - row.created_at > STATE_LIFETIME {
            return Err(DelegatedError::Refused("This sign-in took too long; start again.".into()));
        }
        let verifier = self.sealer.open(&row.code_verifier_sealed)?;
        let answer = self
            .redeem(code, verifier, &self.sign_in_redirect_uri, "openid profile email")
            .await?;
        let id_token = answer
            .extra_fields()
            .id_token
            .as_deref()
            .ok_or_else(|| DelegatedError::Refused("Microsoft gave no ID token: the openid permission is missing.".into()))?;
        self.check_signature(id_token).await?;
        let user = check_id_token(id_token, &self.config, &row.nonce, self.db.now()).map_err(|e| DelegatedError::Refused(e.to_string()))?;
        let purpose = match (row.organizer_id, row.session_hash) {
            (Some(organizer_id), Some(session_hash)) => OidcPurpose::Link {
                organizer_id,
                session_hash,
            },
            _ => OidcPurpose::SignIn { next: row.next_path },
        };
        Ok((user, purpose))
    }
}
