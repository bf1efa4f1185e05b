//! The identity platform's side: client-credential, code (PKCE) and device-code tokens, signed ID tokens, the published keys, and `/me`.

use super::*;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::HashMap;

/// The simulator's own ID-token signing key (RSA 2048, PKCS#1 DER in base64), made for these
/// tests only; its public half is served as the identity platform's key set.
pub(crate) const SIGNING_KEY: &str = "MIIEpQIBAAKCAQEAuO4HT60prL94X0cSeqCAy7cQal67z2RQzX4ySaP4ts+sd27BqQPjRdHqeO1RakQcrweTd+sPX4up2f1hrvpMpj+YnkfjC1yQh0uH/i6hiyAXPAXIei9TanvvD4lPikhZOZ/kvHGaRiN5JRud9AD5w5Wi4M61aD6udLi4OdG3JdETsqU0OQLDLKMj6iKiUWbXTAv9sG3+IysnsstiW9Jz1YZgpAY1g2quV8fT/UhMXXg5cTiIeQ4UKKhtNNQ9X+Z1EWaQQWl5D26Y4otpmL6rUG/UKbWquacD4NaudEzShaZz1TrwL9Vu0SIXw3pkqL+ceBxXDgPvaoIE58Z8QojOMwIDAQABAoIBABb9hIwrv3AZ96mEqO/0zz5EOna240tjscXyR+cuyudTRyIr80iDUrhl4ev5uPLol9ZMr1EruGQM9WdD4GaD+I58folC75+EePVQ9w2rF2s36JuOLn++LXUiBjTcwbYzy1/mGGYzC1Zn55Is7kSc8HAXxMGFATl9/WtGYaTShR3eu17U+qPT95EPRNA2jH8w2cbkoxl8YyqEGZ53MQakE1B6JJs3LzaAWIgs2pkMjG44dwOUGKPSIeEprpG7ZPl2rNCjfsCuNsv1iax6NhrgUFzIZfkhgYvTw9WKXn6NW07HBVveD2lvFYYmaPzUxC0A49VMwc4BUjgIQqLy9ZpCjm0CgYEA8MvCUQWpImjvI+ETH3gIw9d8ArvsabxY2CbzToRmvEfPu1dSExWqK6nv5UP35tbB/yzpo34E81kTSchY1Yvs84IuFOBlypGyWYsAEjiZL4DLbhIucrtNdoPyecXHozOMCtgsT88OjGBrx868ocglXQrHPG6QTJeGDvSBRuBwnU0CgYEAxJs+52K2ovKGba2tiOvlD20CKcyqR8kMx8aDLdjs/7Gc6NfDL+8L1ysrIDrveupNjtWQAce/oP97QZMZZeJoYYQmm2QgRm+l+1DS6j+w/+qTxOspsINH641uFCHizqKTsI14GNBOAq+uZ9wNZZCulQLURqKO8wOr1SwDWWJnWX8CgYEA1BfVL0JaKHne8W5lRpmWttFNZKcb5EJGyxT7x9PtHbfu7CdMnoy9l7oWGI2WhFfzBg0MObpdJ+70g0+Zl3apHg8zAaZpYlSUkDRTurjpjKLYDDqteNcrstEjuUiQwFo95qtj1GQff1vKc3LQSXueFWbR+JO2PBBWv0Nzvvcfmh0CgYEAghR5RRyR3DP8b1rHA12YO2GTWdaZH0/NTexw5IevHuoD+CaxdOiDfASKzxNPWZLmZ8ezNQpVJo+CnHtYBYoMJ+EIri1MEW5TcnkiY2xqjphE1rgE6E2j6xyzJUzaRH9amiivujMwOiTEjuEQWA+nAt5RVr69N9pI+YzaVmx+Fr8CgYEApvB2bjtYlmApbBEFmE/GO03f8Ryb7oFGqHW1gUhbBhFMwkgVeYNrHlvvVFu0/uSeGBQeV+VvelaNoZXMQ9QJMdBnUvrvP+JCT61F71+afd8HPxS4V5SYNJ2eXQZ4o1gg8DQhuEJWJTwpKFFlibEeEXLIShyFo5Hu3sU6CXpHvZc=";

pub(crate) fn signing_key() -> ring::rsa::KeyPair {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(SIGNING_KEY)
        .expect("the key is base64");
    ring::rsa::KeyPair::from_der(&der).expect("the key is PKCS#1 RSA")
}

/// The S256 PKCE challenge of a verifier (RFC 7636), computed here on its own so the simulator
/// checks Atrium's client rather than trusting it.
pub(crate) fn s256(verifier: &str) -> String {
    use base64::Engine;
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

pub(crate) async fn token(State(state): Shared, Path(tenant): Path<String>, body: Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut s = state.lock().unwrap();
    s.token_requests += 1;
    if tenant != TENANT {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."})),
        )
            .into_response();
    }
    let client_ok = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") if client_ok => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some((challenge, redirect)) = s.codes.remove(&code) else {
                return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant", "error_description": "AADSTS70008: The provided authorization code has expired or was already used."}))).into_response();
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            if s256(&verifier) != challenge || form.get("redirect_uri") != Some(&redirect) {
                return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant", "error_description": "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."}))).into_response();
            }
            let (scope, nonce) = s.code_details.remove(&code).unwrap_or_default();
            if !scope.contains("offline_access") {
                // Sign-in only: an ID token, no refresh token.
                return Json(json!({"token_type": "Bearer", "scope": scope, "expires_in": 3599, "access_token": "sim-id-only", "id_token": id_token(&s, nonce.as_deref())})).into_response();
            }
            return user_tokens(&mut s);
        }
        Some("urn:ietf:params:oauth:grant-type:device_code") if client_ok => {
            let code = form.get("device_code").cloned().unwrap_or_default();
            return match s.device_codes.get_mut(&code) {
                None => (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": "bad_verification_code", "error_description": "AADSTS70019: Verification code expired."})),
                )
                    .into_response(),
                Some(0) => {
                    s.device_codes.remove(&code);
                    user_tokens(&mut s)
                }
                Some(left) => {
                    *left -= 1;
                    (StatusCode::BAD_REQUEST, Json(json!({"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."}))).into_response()
                }
            };
        }
        Some("refresh_token") if client_ok => {
            let presented = form.get("refresh_token").cloned().unwrap_or_default();
            let Some(i) = s.refresh_tokens.iter().position(|t| *t == presented) else {
                return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant", "error_description": "AADSTS70000: The refresh token was revoked or already used."}))).into_response();
            };
            s.refresh_tokens.remove(i);
            // Refresh tokens seeded by tests belong to the service account.
            let upn = s
                .refresh_users
                .remove(&presented)
                .unwrap_or_else(|| "events-service@contoso.example".into());
            return tokens_for(&mut s, upn);
        }
        _ => {}
    }
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
        && form.get("scope").is_some_and(|s| s.ends_with("/.default"));
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})),
        )
            .into_response();
    }
    // Shaped like the identity platform's: a JWT whose `roles` are the consented permissions.
    let roles = s
        .app_roles
        .clone()
        .unwrap_or_else(|| CONSENTED.iter().map(|p| p.to_string()).collect());
    let claims = json!({"aud": "https://graph.microsoft.com", "tid": TENANT, "roles": roles});
    let token = format!("sim-token-{}.{}.sig", s.tokens.len() + 1, b64_json(&claims));
    s.tokens.push(token.clone());
    Json(json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})).into_response()
}

/// An ID token as the identity platform issues it: claims about the signed-in user, signed
/// RS256 with the simulator's key (or, when a test asks, altered after signing).
pub(crate) fn id_token(s: &SimState, nonce: Option<&str>) -> String {
    let (oid, upn, name) = s.who();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64;
    let claims = json!({
        "aud": CLIENT_ID, "iss": format!("{}/{TENANT}/v2.0", s.login_base), "iat": now, "nbf": now, "exp": now + 3600,
        "name": name, "oid": oid, "preferred_username": upn, "email": upn, "tid": TENANT, "nonce": nonce, "ver": "2.0"
    });
    let signed = format!(
        "{}.{}",
        b64_json(&json!({"typ": "JWT", "alg": "RS256", "kid": "sim-key"})),
        b64_json(&claims)
    );
    let key = signing_key();
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .expect("signing works");
    let signed = if s.forge_id_tokens {
        let mut forged = claims;
        forged["oid"] = json!("oid-someone-else");
        format!("{}.{}", signed.split('.').next().unwrap(), b64_json(&forged))
    } else {
        signed
    };
    use base64::Engine;
    format!("{signed}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature))
}

/// The identity platform's signing keys (JWKS).
pub(crate) async fn signing_keys() -> Response {
    use base64::Engine;
    let key = signing_key();
    let public: ring::rsa::PublicKeyComponents<Vec<u8>> = key.public().into();
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    Json(json!({"keys": [{"kty": "RSA", "use": "sig", "kid": "sim-key", "n": b64(&public.n), "e": b64(&public.e)}]})).into_response()
}

pub(crate) fn user_tokens(s: &mut SimState) -> Response {
    let upn = s.who().1;
    tokens_for(s, upn)
}

pub(crate) fn tokens_for(s: &mut SimState, upn: String) -> Response {
    let scp = s
        .user_scopes
        .clone()
        .unwrap_or_else(|| "User.Read VirtualEvent.ReadWrite OnlineMeetings.ReadWrite OnlineMeetingArtifact.Read.All".into());
    let access = format!(
        "sim-user-token-{}.{}.sig",
        s.user_tokens.len() + 1,
        b64_json(&json!({"upn": upn, "scp": scp}))
    );
    s.token_users.insert(access.clone(), upn.clone());
    let refresh = format!("sim-refresh-{}", uuid::Uuid::new_v4().simple());
    s.user_tokens.push(access.clone());
    s.tokens.push(access.clone());
    s.refresh_tokens.push(refresh.clone());
    s.refresh_users.insert(refresh.clone(), upn);
    Json(json!({"token_type": "Bearer", "scope": "VirtualEvent.ReadWrite User.Read", "expires_in": 3599, "access_token": access, "refresh_token": refresh})).into_response()
}

/// Signs the user in at once and sends them back with a code, as the real page would after consent.
pub(crate) async fn authorize(State(state): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
        || !q
            .get("scope")
            .is_some_and(|s| s.contains("offline_access") || s.split(' ').any(|p| p == "openid"))
    {
        return (StatusCode::BAD_REQUEST, "AADSTS900144: bad authorization request").into_response();
    }
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    let mut s = state.lock().unwrap();
    s.codes.insert(
        code.clone(),
        (q.get("code_challenge").cloned().unwrap_or_default(), redirect.clone()),
    );
    s.code_details
        .insert(code.clone(), (q.get("scope").cloned().unwrap_or_default(), q.get("nonce").cloned()));
    drop(s);
    let back = format!(
        "{redirect}?{}",
        serde_urlencoded::to_string([("code", code.as_str()), ("state", q.get("state").map(String::as_str).unwrap_or(""))]).unwrap()
    );
    axum::response::Redirect::to(&back).into_response()
}

pub(crate) async fn me(State(state): Shared, headers: HeaderMap) -> Response {
    let s = state.lock().unwrap();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !token.is_some_and(|t| s.user_tokens.iter().any(|k| k == t)) {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "A delegated token is required.",
        );
    }
    let upn = token.and_then(|t| s.token_users.get(t).cloned()).unwrap_or_else(|| s.who().1);
    Json(json!({"id": s.oid_of(&upn), "userPrincipalName": upn})).into_response()
}

/// Starts a device-code sign-in; the person "signs in" after one pending poll.
pub(crate) async fn device_code(State(state): Shared, Path(tenant): Path<String>, body: Bytes) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if tenant != TENANT || form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client", "error_description": "AADSTS700016: Application not found in the directory."})),
        )
            .into_response();
    }
    if !form.get("scope").is_some_and(|s| s.contains("offline_access")) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_scope", "error_description": "AADSTS70011: The provided value for scope is not valid."})),
        )
            .into_response();
    }
    let code = format!("device-{}", uuid::Uuid::new_v4().simple());
    state.lock().unwrap().device_codes.insert(code.clone(), 1);
    Json(json!({
        "device_code": code, "user_code": "SIMCODE1", "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": 900, "interval": 1,
        "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code SIMCODE1 to authenticate."
    }))
    .into_response()
}
