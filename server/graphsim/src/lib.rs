//! A local stand-in for the identity platform and the slice of Graph Atrium calls, for tests:
//! in-memory state, bearer tokens checked, official response shapes, and faults on demand
//! (429 with and without Retry-After, 503, malformed bodies, batch items that fail alone).
#![allow(clippy::result_large_err, clippy::type_complexity)]

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const CLIENT_ID: &str = "sim-client";
pub const CLIENT_SECRET: &str = "sim-secret-value";
/// The simulator's own ID-token signing key (RSA 2048, PKCS#1 DER in base64), made for these
/// tests only; its public half is served as the identity platform's key set.
const SIGNING_KEY: &str = "MIIEpQIBAAKCAQEAuO4HT60prL94X0cSeqCAy7cQal67z2RQzX4ySaP4ts+sd27BqQPjRdHqeO1RakQcrweTd+sPX4up2f1hrvpMpj+YnkfjC1yQh0uH/i6hiyAXPAXIei9TanvvD4lPikhZOZ/kvHGaRiN5JRud9AD5w5Wi4M61aD6udLi4OdG3JdETsqU0OQLDLKMj6iKiUWbXTAv9sG3+IysnsstiW9Jz1YZgpAY1g2quV8fT/UhMXXg5cTiIeQ4UKKhtNNQ9X+Z1EWaQQWl5D26Y4otpmL6rUG/UKbWquacD4NaudEzShaZz1TrwL9Vu0SIXw3pkqL+ceBxXDgPvaoIE58Z8QojOMwIDAQABAoIBABb9hIwrv3AZ96mEqO/0zz5EOna240tjscXyR+cuyudTRyIr80iDUrhl4ev5uPLol9ZMr1EruGQM9WdD4GaD+I58folC75+EePVQ9w2rF2s36JuOLn++LXUiBjTcwbYzy1/mGGYzC1Zn55Is7kSc8HAXxMGFATl9/WtGYaTShR3eu17U+qPT95EPRNA2jH8w2cbkoxl8YyqEGZ53MQakE1B6JJs3LzaAWIgs2pkMjG44dwOUGKPSIeEprpG7ZPl2rNCjfsCuNsv1iax6NhrgUFzIZfkhgYvTw9WKXn6NW07HBVveD2lvFYYmaPzUxC0A49VMwc4BUjgIQqLy9ZpCjm0CgYEA8MvCUQWpImjvI+ETH3gIw9d8ArvsabxY2CbzToRmvEfPu1dSExWqK6nv5UP35tbB/yzpo34E81kTSchY1Yvs84IuFOBlypGyWYsAEjiZL4DLbhIucrtNdoPyecXHozOMCtgsT88OjGBrx868ocglXQrHPG6QTJeGDvSBRuBwnU0CgYEAxJs+52K2ovKGba2tiOvlD20CKcyqR8kMx8aDLdjs/7Gc6NfDL+8L1ysrIDrveupNjtWQAce/oP97QZMZZeJoYYQmm2QgRm+l+1DS6j+w/+qTxOspsINH641uFCHizqKTsI14GNBOAq+uZ9wNZZCulQLURqKO8wOr1SwDWWJnWX8CgYEA1BfVL0JaKHne8W5lRpmWttFNZKcb5EJGyxT7x9PtHbfu7CdMnoy9l7oWGI2WhFfzBg0MObpdJ+70g0+Zl3apHg8zAaZpYlSUkDRTurjpjKLYDDqteNcrstEjuUiQwFo95qtj1GQff1vKc3LQSXueFWbR+JO2PBBWv0Nzvvcfmh0CgYEAghR5RRyR3DP8b1rHA12YO2GTWdaZH0/NTexw5IevHuoD+CaxdOiDfASKzxNPWZLmZ8ezNQpVJo+CnHtYBYoMJ+EIri1MEW5TcnkiY2xqjphE1rgE6E2j6xyzJUzaRH9amiivujMwOiTEjuEQWA+nAt5RVr69N9pI+YzaVmx+Fr8CgYEApvB2bjtYlmApbBEFmE/GO03f8Ryb7oFGqHW1gUhbBhFMwkgVeYNrHlvvVFu0/uSeGBQeV+VvelaNoZXMQ9QJMdBnUvrvP+JCT61F71+afd8HPxS4V5SYNJ2eXQZ4o1gg8DQhuEJWJTwpKFFlibEeEXLIShyFo5Hu3sU6CXpHvZc=";

fn signing_key() -> ring::rsa::KeyPair {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(SIGNING_KEY)
        .expect("the key is base64");
    ring::rsa::KeyPair::from_der(&der).expect("the key is PKCS#1 RSA")
}

/// The application registration of the simulated tenant; the simulator serves both the
/// identity platform and Graph from `base`.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub base: String,
}

/// The application permissions the simulated tenant's administrator consented to unless a test
/// says otherwise: every permission whose endpoints the simulator serves.
pub const CONSENTED: &[&str] = &[
    "VirtualEventRegistration-Anon.ReadWrite.All",
    "VirtualEvent.Read.All",
    "OnlineMeetingArtifact.Read.All",
];

/// The S256 PKCE challenge of a verifier (RFC 7636), computed here on its own so the simulator
/// checks Atrium's client rather than trusting it.
fn s256(verifier: &str) -> String {
    use base64::Engine;
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[derive(Clone, Debug)]
pub enum Fault {
    /// Lets one request through untouched (to aim later faults at later requests).
    Pass,
    Throttle(Option<u64>),
    Unavailable,
    Malformed,
    /// Does the work, then answers only after this long (longer than the client's timeout
    /// reads as a lost answer).
    Slow(std::time::Duration),
    /// Starts a successful answer and breaks the connection mid-body.
    Drop,
}

#[derive(Default)]
pub struct SimState {
    pub tokens: Vec<String>,
    pub token_requests: usize,
    pub webinars: HashMap<String, Value>,
    pub registrations: HashMap<String, Vec<Value>>,
    pub faults: VecDeque<Fault>,
    /// Authorization codes issued: code → (code_challenge, redirect_uri).
    pub codes: HashMap<String, (String, String)>,
    /// Refresh tokens currently valid (each refresh replaces the one used).
    pub refresh_tokens: Vec<String>,
    /// Delegated access tokens issued.
    pub user_tokens: Vec<String>,
    /// Attendance records of each webinar's one session ("s1") and report ("r1").
    pub attendance: HashMap<String, Vec<Value>>,
    /// Subscriptions by id.
    pub subscriptions: HashMap<String, Value>,
    /// Notification URLs that passed the validation handshake.
    pub validated: Vec<String>,
    pub renewals: usize,
    pub reauthorizations: usize,
    /// When set, reading webinars is forbidden, as without an application access policy.
    pub no_access_policy: bool,
    /// Batch item ids that answer 429 (Retry-After 1) the first time they are seen.
    pub batch_item_faults: Vec<String>,
    /// (when, method, path) of every Graph request that reached the simulator.
    pub log: Vec<(Instant, String, String)>,
    /// Scope and nonce each authorization code was issued for.
    pub code_details: HashMap<String, (String, Option<String>)>,
    /// Who signs in at the authorize page and the device-code page: (object id, user principal
    /// name, display name). The service account unless a test changes it.
    pub user: Option<(String, String, String)>,
    /// The user each delegated access token and refresh token belongs to.
    pub token_users: HashMap<String, String>,
    pub refresh_users: HashMap<String, String>,
    /// Device codes issued, with how many more polls answer `authorization_pending`.
    pub device_codes: HashMap<String, usize>,
    /// Online meetings by id, and meeting ids by the caller's externalId.
    pub meetings: HashMap<String, Value>,
    pub meetings_by_external_id: HashMap<String, String>,
    /// Attendance records of each online meeting's one report.
    pub meeting_attendance: HashMap<String, Vec<Value>>,
    /// Webinars each user organizes (by user principal name), and their co-organizers.
    pub organizers: HashMap<String, String>,
    pub co_organizers: HashMap<String, Vec<String>>,
    /// Application permissions in app tokens (`roles`); all Atrium needs unless a test says.
    pub app_roles: Option<Vec<String>>,
    /// Delegated permissions in user tokens (`scp`); all Atrium needs unless a test says.
    pub user_scopes: Option<String>,
    /// ID tokens are altered after signing, as an attacker in the middle would.
    pub forge_id_tokens: bool,
    /// The simulator's own address, the identity platform's issuer base.
    pub login_base: String,
    /// (method, path, JSON body) of every Graph request that carried one.
    pub bodies: Vec<(String, String, Value)>,
    /// When set, registration lists answer with this as their `@odata.nextLink` (a link off
    /// Graph, as a compromised or spoofed answer would carry).
    pub next_link_override: Option<String>,
}

/// The service account's user principal name and object id.
pub const SERVICE_UPN: &str = "events-service@contoso.example";
pub const SERVICE_OID: &str = "0c8f0e1e-5d1a-4b7e-9a43-7f0e2b1d9a11";

impl SimState {
    /// The object id of the user with this user principal name: the signed-in user's own, the
    /// service account's, or one made up from the name (the same every time).
    pub fn oid_of(&self, upn: &str) -> String {
        let (oid, me, _) = self.who();
        if upn == me {
            return oid;
        }
        if upn == SERVICE_UPN {
            return SERVICE_OID.into();
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, upn.as_bytes());
        let hex: String = digest.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
    }

    /// A webinar as Graph returns it: with its organizer (`createdBy.user`) and co-organizers
    /// as user identities (object id, tenant), from `organizers` and `co_organizers`.
    fn webinar_with_roles(&self, id: &str, webinar: &Value) -> Value {
        let mut w = webinar.clone();
        let identity = |upn: &String| json!({"id": self.oid_of(upn), "displayName": upn, "tenantId": TENANT});
        if let Some(upn) = self.organizers.get(id) {
            w["createdBy"] = json!({"application": null, "device": null, "user": identity(upn)});
        }
        if let Some(list) = self.co_organizers.get(id) {
            w["coOrganizers"] = json!(list.iter().map(identity).collect::<Vec<_>>());
        }
        w
    }

    /// The signed-in user: (object id, user principal name, display name).
    pub fn who(&self) -> (String, String, String) {
        self.user
            .clone()
            .unwrap_or_else(|| (SERVICE_OID.into(), SERVICE_UPN.into(), "Events Service".into()))
    }
}

#[derive(Clone)]
pub struct Sim {
    pub base: String,
    pub state: Arc<Mutex<SimState>>,
}

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message, "innerError": {"request-id": "sim", "date": "2026-11-23T00:00:00"}}})),
    )
        .into_response()
}

impl Sim {
    pub async fn start() -> Sim {
        Self::start_on("127.0.0.1:0").await
    }

    /// Starts on `addr` (a fixed port for a simulator run as its own process).
    pub async fn start_on(addr: &str) -> Sim {
        let state = Arc::new(Mutex::new(SimState::default()));
        let app = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route("/{tenant}/oauth2/v2.0/authorize", axum::routing::get(authorize))
            .route("/{tenant}/oauth2/v2.0/devicecode", post(device_code))
            .route("/{tenant}/discovery/v2.0/keys", axum::routing::get(signing_keys))
            .route("/v1.0/me/onlineMeetings/createOrGet", post(create_or_get_meeting))
            .route(
                "/v1.0/me/onlineMeetings/{id}",
                axum::routing::patch(update_meeting).delete(delete_meeting),
            )
            .route(
                "/v1.0/me/onlineMeetings/{id}/attendanceReports",
                axum::routing::get(list_meeting_reports),
            )
            .route(
                "/v1.0/me/onlineMeetings/{id}/attendanceReports/{rid}/attendanceRecords",
                axum::routing::get(list_meeting_records),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}",
                axum::routing::get(get_webinar).patch(update_webinar),
            )
            .route("/v1.0/me", axum::routing::get(me))
            .route("/v1.0/solutions/virtualEvents/webinars", post(create_webinar).get(list_webinars))
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/registrations",
                post(register).get(list_registrations),
            )
            .route("/v1.0/solutions/virtualEvents/webinars/{id}/publish", post(publish_webinar))
            .route("/v1.0/solutions/virtualEvents/webinars/{id}/cancel", post(cancel_webinar))
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/registrations/{rid}",
                axum::routing::get(get_registration),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/registrations/{rid}/cancel",
                post(cancel_registration),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/registrationConfiguration/questions",
                post(add_question).get(list_questions),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/presenters",
                post(add_presenter).get(list_presenters),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/sessions",
                axum::routing::get(list_sessions),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/sessions/{sid}/attendanceReports",
                axum::routing::get(list_reports),
            )
            .route(
                "/v1.0/solutions/virtualEvents/webinars/{id}/sessions/{sid}/attendanceReports/{rid}/attendanceRecords",
                axum::routing::get(list_records),
            )
            .route("/v1.0/subscriptions", post(create_subscription))
            .route(
                "/v1.0/subscriptions/{id}",
                axum::routing::patch(renew_subscription).delete(delete_subscription),
            )
            .route("/v1.0/subscriptions/{id}/reauthorize", post(reauthorize_subscription))
            .route("/v1.0/$batch", post(batch))
            // For browser tests: what Teams holds now, and who signs in next.
            .route("/_sim/state", axum::routing::get(sim_state))
            .route("/_sim/user", post(sim_user))
            .route("/_sim/webinars", post(sim_webinar))
            .route("/_sim/counts", axum::routing::get(sim_counts))
            .layer(axum::middleware::from_fn_with_state(state.clone(), slow_or_dropped))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        state.lock().unwrap().login_base = base.clone();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Sim { base, state }
    }

    /// What an application registered in the simulated tenant is configured with.
    pub fn credentials(&self) -> Credentials {
        Credentials {
            tenant_id: TENANT.into(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            base: self.base.clone(),
        }
    }

    /// A webinar that already exists in Teams.
    pub fn webinar(&self) -> String {
        let id = format!("{}@{TENANT}", uuid::Uuid::new_v4());
        self.state
            .lock()
            .unwrap()
            .webinars
            .insert(id.clone(), json!({"id": id, "status": "published", "displayName": "Existing"}));
        id
    }

    /// A webinar that already exists in Teams, organized by the user `upn` (and co-organized by
    /// `co`).
    pub fn webinar_organized_by(&self, upn: &str, co: &[&str]) -> String {
        let id = self.webinar();
        let mut s = self.state.lock().unwrap();
        s.organizers.insert(id.clone(), upn.to_string());
        s.co_organizers.insert(id.clone(), co.iter().map(|c| c.to_string()).collect());
        id
    }

    /// Someone registers directly in Teams; returns the Teams registration id.
    pub fn register_in_teams(&self, webinar: &str, email: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let reg = json!({"id": id, "firstName": "Tia", "lastName": "Teams", "email": email, "status": "registered", "preferredTimezone": "Asia/Tokyo"});
        self.state
            .lock()
            .unwrap()
            .registrations
            .entry(webinar.to_string())
            .or_default()
            .push(reg);
        id
    }

    /// Graph requests (not token requests) received so far.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().log.len()
    }

    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().faults.extend(faults);
    }
}

type Shared = State<Arc<Mutex<SimState>>>;

async fn token(State(state): Shared, Path(tenant): Path<String>, body: Bytes) -> Response {
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

/// Checks the bearer token, logs the request, and applies the next injected fault.
fn gate(state: &Arc<Mutex<SimState>>, headers: &HeaderMap, method: &str, path: &str) -> Option<Response> {
    let mut s = state.lock().unwrap();
    s.log.push((Instant::now(), method.into(), path.into()));
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !token.is_some_and(|t| s.tokens.iter().any(|k| k == t)) {
        return Some(graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        ));
    }
    // Slow and dropped answers wait for the next request's middleware (see `slow_or_dropped`).
    let next = match s.faults.front() {
        Some(Fault::Slow(_) | Fault::Drop) => None,
        _ => s.faults.pop_front(),
    };
    match next {
        Some(Fault::Throttle(after)) => {
            let mut r = graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry after the time given.",
            );
            if let Some(a) = after {
                r.headers_mut().insert("retry-after", a.into());
            }
            Some(r)
        }
        Some(Fault::Unavailable) => Some(graph_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "serviceNotAvailable",
            "Try again later.",
        )),
        Some(Fault::Pass | Fault::Slow(_) | Fault::Drop) | None => None,
        Some(Fault::Malformed) => Some((StatusCode::OK, "{\"value\": [ this is not json").into_response()),
    }
}

/// Webinar writes need a delegated token; application tokens are refused as Graph does.
fn delegated_only(state: &Arc<Mutex<SimState>>, headers: &HeaderMap) -> Option<Response> {
    let s = state.lock().unwrap();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    (!token.is_some_and(|t| s.user_tokens.iter().any(|k| k == t))).then(|| {
        graph_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Application permissions are not supported for this API.",
        )
    })
}

async fn create_webinar(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/solutions/virtualEvents/webinars") {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let id = format!("{}@{TENANT}", uuid::Uuid::new_v4());
    let mut webinar = body;
    webinar["id"] = json!(id);
    webinar["status"] = json!("draft");
    let mut s = state.lock().unwrap();
    let organizer = s.token_users.get(&bearer(&headers)).cloned().unwrap_or_default();
    s.organizers.insert(id.clone(), organizer);
    s.webinars.insert(id, webinar.clone());
    (StatusCode::CREATED, Json(webinar)).into_response()
}

/// Adds an anonymous registration; a second one with the same email is a 409, as Teams refuses
/// registering one address twice.
fn add_registration(state: &Arc<Mutex<SimState>>, webinar: &str, body: Value) -> Result<(), (StatusCode, &'static str, String)> {
    let mut s = state.lock().unwrap();
    if !s.webinars.contains_key(webinar) {
        return Err((StatusCode::NOT_FOUND, "NotFound", "The webinar was not found.".into()));
    }
    for field in ["firstName", "lastName", "email"] {
        if body[field].as_str().unwrap_or("").is_empty() {
            return Err((
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("{field} is required for anonymous registration."),
            ));
        }
    }
    let email = body["email"].as_str().unwrap_or("").to_lowercase();
    let list = s.registrations.entry(webinar.to_string()).or_default();
    if list.iter().any(|r| r["email"].as_str().unwrap_or("").to_lowercase() == email) {
        return Err((StatusCode::CONFLICT, "Conflict", "This email address is already registered.".into()));
    }
    let mut reg = body;
    reg["id"] = json!(uuid::Uuid::new_v4().to_string());
    reg["status"] = json!("registered");
    list.push(reg);
    Ok(())
}

async fn register(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "POST",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
    ) {
        return r;
    }
    match add_registration(&state, &id, body) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, code, message)) => graph_error(status, code, &message),
    }
}

async fn list_registrations(
    State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations"),
    ) {
        return r;
    }
    let s = state.lock().unwrap();
    let all = s.registrations.get(&id).cloned().unwrap_or_default();
    let skip: usize = q.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = all.iter().skip(skip).take(2).cloned().collect();
    let mut body = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#registrations", "value": page});
    if let Some(link) = &s.next_link_override {
        body["@odata.nextLink"] = json!(link);
    } else if skip + 2 < all.len() {
        body["@odata.nextLink"] = json!(format!(
            "{}/v1.0/solutions/virtualEvents/webinars/{id}/registrations?$skiptoken={}",
            host(&headers),
            skip + 2
        ));
    }
    Json(body).into_response()
}

fn host(headers: &HeaderMap) -> String {
    format!(
        "http://{}",
        headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1")
    )
}

async fn batch(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/$batch") {
        return r;
    }
    let requests = body["requests"].as_array().cloned().unwrap_or_default();
    if requests.len() > 20 {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "A batch holds at most 20 requests.");
    }
    let mut responses = Vec::new();
    for req in requests.iter().rev() {
        let id = req["id"].as_str().unwrap_or("").to_string();
        let first_time_fault = {
            let mut s = state.lock().unwrap();
            match s.batch_item_faults.iter().position(|f| *f == id) {
                Some(i) => {
                    s.batch_item_faults.remove(i);
                    true
                }
                None => false,
            }
        };
        if first_time_fault {
            responses.push(json!({"id": id, "status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {"code": "TooManyRequests", "message": "Slow down"}}}));
            continue;
        }
        let url = req["url"].as_str().unwrap_or("");
        let webinar = url
            .strip_prefix("/solutions/virtualEvents/webinars/")
            .and_then(|r| r.strip_suffix("/registrations"));
        match (req["method"].as_str(), webinar) {
            (Some("POST"), Some(w)) => match add_registration(&state, w, req["body"].clone()) {
                Ok(()) => responses.push(json!({"id": id, "status": 204})),
                Err((status, code, message)) => {
                    responses.push(json!({"id": id, "status": status.as_u16(), "body": {"error": {"code": code, "message": message}}}))
                }
            },
            _ => responses.push(
                json!({"id": id, "status": 400, "body": {"error": {"code": "BadRequest", "message": "Unsupported in the simulator"}}}),
            ),
        }
    }
    Json(json!({"responses": responses})).into_response()
}

async fn list_webinars(State(state): Shared, headers: HeaderMap) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", "/solutions/virtualEvents/webinars") {
        return r;
    }
    let s = state.lock().unwrap();
    if s.no_access_policy {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "No application access policy found for this app.",
        );
    }
    Json(json!({"value": s.webinars.values().cloned().collect::<Vec<_>>()})).into_response()
}

fn b64_json(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// An ID token as the identity platform issues it: claims about the signed-in user, signed
/// RS256 with the simulator's key (or, when a test asks, altered after signing).
fn id_token(s: &SimState, nonce: Option<&str>) -> String {
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
async fn signing_keys() -> Response {
    use base64::Engine;
    let key = signing_key();
    let public: ring::rsa::PublicKeyComponents<Vec<u8>> = key.public().into();
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    Json(json!({"keys": [{"kty": "RSA", "use": "sig", "kid": "sim-key", "n": b64(&public.n), "e": b64(&public.e)}]})).into_response()
}

fn user_tokens(s: &mut SimState) -> Response {
    let upn = s.who().1;
    tokens_for(s, upn)
}

fn tokens_for(s: &mut SimState, upn: String) -> Response {
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
async fn authorize(State(state): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
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

async fn me(State(state): Shared, headers: HeaderMap) -> Response {
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

async fn publish_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/solutions/virtualEvents/webinars/{id}/publish")) {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    match s.webinars.get_mut(&id) {
        Some(w) => {
            w["status"] = json!("published");
            StatusCode::NO_CONTENT.into_response()
        }
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

/// Adds an item (with a new id) under the webinar's `key`, as a delegated caller; 201 with it.
fn add_webinar_item(state: &Arc<Mutex<SimState>>, headers: &HeaderMap, id: &str, key: &str, path: &str, mut item: Value) -> Response {
    if let Some(r) = gate(state, headers, "POST", path) {
        return r;
    }
    if let Some(r) = delegated_only(state, headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(w) = s.webinars.get_mut(id) else {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found.");
    };
    item["id"] = json!(uuid::Uuid::new_v4().to_string());
    if w[key].is_null() {
        w[key] = json!([]);
    }
    w[key].as_array_mut().unwrap().push(item.clone());
    (StatusCode::CREATED, Json(item)).into_response()
}

async fn add_question(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let path = format!("/solutions/virtualEvents/webinars/{id}/registrationConfiguration/questions");
    add_webinar_item(&state, &headers, &id, "questions", &path, body)
}

/// The items a webinar keeps under `key` (questions, presenters), as a Graph collection.
fn webinar_items(state: &Arc<Mutex<SimState>>, headers: &HeaderMap, id: &str, key: &str, path: &str) -> Response {
    if let Some(r) = gate(state, headers, "GET", path) {
        return r;
    }
    let s = state.lock().unwrap();
    match s.webinars.get(id) {
        Some(w) => Json(json!({"value": w[key].as_array().cloned().unwrap_or_default()})).into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

async fn list_questions(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let path = format!("/solutions/virtualEvents/webinars/{id}/registrationConfiguration/questions");
    webinar_items(&state, &headers, &id, "questions", &path)
}

async fn list_presenters(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let path = format!("/solutions/virtualEvents/webinars/{id}/presenters");
    webinar_items(&state, &headers, &id, "presenters", &path)
}

/// Adds a guest presenter; Teams answers with `email` taken from the identity.
async fn add_presenter(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(mut body): Json<Value>) -> Response {
    body["email"] = body["identity"]["email"].clone();
    let path = format!("/solutions/virtualEvents/webinars/{id}/presenters");
    add_webinar_item(&state, &headers, &id, "presenters", &path, body)
}

async fn cancel_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/solutions/virtualEvents/webinars/{id}/cancel")) {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    match s.webinars.get_mut(&id) {
        Some(w) => {
            w["status"] = json!("canceled");
            StatusCode::NO_CONTENT.into_response()
        }
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

async fn cancel_registration(State(state): Shared, headers: HeaderMap, Path((id, rid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "POST",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations/{rid}/cancel"),
    ) {
        return r;
    }
    let mut s = state.lock().unwrap();
    match s
        .registrations
        .get_mut(&id)
        .and_then(|list| list.iter_mut().find(|r| r["id"] == rid.as_str()))
    {
        Some(r) => {
            r["status"] = json!("canceled");
            StatusCode::NO_CONTENT.into_response()
        }
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The registration was not found."),
    }
}

/// Like Graph, validates both notification URLs (the endpoint must echo the token) before
/// creating the subscription.
async fn create_subscription(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/subscriptions") {
        return r;
    }
    let token = "Validation: Testing client application reachability for subscription Request-Id: 7f3a+x&y";
    for key in ["notificationUrl", "lifecycleNotificationUrl"] {
        let Some(url) = body[key].as_str() else { continue };
        let target = format!(
            "{url}?validationToken={}",
            serde_urlencoded::to_string([("v", token)]).unwrap().trim_start_matches("v=")
        );
        let answer = reqwest::Client::new()
            .post(&target)
            .header("content-type", "text/plain")
            .send()
            .await;
        let ok = match answer {
            Ok(r) => {
                r.status() == 200
                    && r.headers()
                        .get("content-type")
                        .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/plain"))
                    && r.text().await.unwrap_or_default() == token
            }
            Err(_) => false,
        };
        if !ok {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "ValidationError",
                &format!("Subscription validation request failed for {key}."),
            );
        }
        state.lock().unwrap().validated.push(url.to_string());
    }
    let mut sub = body;
    let id = uuid::Uuid::new_v4().to_string();
    sub["id"] = json!(id);
    state.lock().unwrap().subscriptions.insert(id, sub.clone());
    (StatusCode::CREATED, Json(sub)).into_response()
}

async fn renew_subscription(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "PATCH", &format!("/subscriptions/{id}")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(sub) = s.subscriptions.get_mut(&id) else {
        return graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "The object was not found.");
    };
    sub["expirationDateTime"] = body["expirationDateTime"].clone();
    let sub = sub.clone();
    s.renewals += 1;
    Json(sub).into_response()
}

async fn delete_subscription(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "DELETE", &format!("/subscriptions/{id}")) {
        return r;
    }
    match state.lock().unwrap().subscriptions.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "The object was not found."),
    }
}

async fn reauthorize_subscription(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", &format!("/subscriptions/{id}/reauthorize")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    if !s.subscriptions.contains_key(&id) {
        return graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", "The object was not found.");
    }
    s.reauthorizations += 1;
    StatusCode::NO_CONTENT.into_response()
}

async fn get_registration(State(state): Shared, headers: HeaderMap, Path((id, rid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/registrations/{rid}"),
    ) {
        return r;
    }
    let s = state.lock().unwrap();
    match s
        .registrations
        .get(&id)
        .and_then(|list| list.iter().find(|r| r["id"] == rid.as_str()))
    {
        Some(r) => Json(r.clone()).into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The registration was not found."),
    }
}

async fn list_sessions(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/virtualEvents/webinars/{id}/sessions")) {
        return r;
    }
    // Every webinar has one session.
    let join = format!("https://teams.microsoft.com/l/meetup-join/{}", id.split('@').next().unwrap_or(""));
    Json(json!({"value": [{"id": "s1", "subject": "Session one", "joinWebUrl": join}]})).into_response()
}

async fn list_reports(State(state): Shared, headers: HeaderMap, Path((id, sid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/sessions/{sid}/attendanceReports"),
    ) {
        return r;
    }
    let count = state.lock().unwrap().attendance.get(&id).map(|r| r.len()).unwrap_or(0);
    Json(json!({"value": [{"id": "r1", "totalParticipantCount": count, "attendanceRecords": []}]})).into_response()
}

async fn list_records(State(state): Shared, headers: HeaderMap, Path((id, sid, rid)): Path<(String, String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/solutions/virtualEvents/webinars/{id}/sessions/{sid}/attendanceReports/{rid}/attendanceRecords"),
    ) {
        return r;
    }
    let records = state.lock().unwrap().attendance.get(&id).cloned().unwrap_or_default();
    Json(json!({"value": records})).into_response()
}

/// Starts a device-code sign-in; the person "signs in" after one pending poll.
async fn device_code(State(state): Shared, Path(tenant): Path<String>, body: Bytes) -> Response {
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

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string()
}

/// `POST /me/onlineMeetings/createOrGet`: one meeting per externalId (201 when created, 200
/// when it already existed).
async fn create_or_get_meeting(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "POST", "/me/onlineMeetings/createOrGet") {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let Some(external) = body["externalId"].as_str().filter(|e| !e.is_empty()).map(str::to_string) else {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "externalId is required.");
    };
    let mut s = state.lock().unwrap();
    if let Some(id) = s.meetings_by_external_id.get(&external).cloned() {
        return (StatusCode::OK, Json(s.meetings[&id].clone())).into_response();
    }
    let id = format!("MSo{}", uuid::Uuid::new_v4().simple());
    let organizer = s.token_users.get(&bearer(&headers)).cloned().unwrap_or_default();
    let mut meeting = body;
    meeting["id"] = json!(id);
    meeting["joinWebUrl"] = json!(format!("https://teams.microsoft.com/l/meetup-join/19%3ameeting_{id}%40thread.v2/0"));
    meeting["participants"] = json!({"organizer": {"upn": organizer}});
    s.meetings.insert(id.clone(), meeting.clone());
    s.meetings_by_external_id.insert(external, id);
    (StatusCode::CREATED, Json(meeting)).into_response()
}

async fn update_meeting(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "PATCH", &format!("/me/onlineMeetings/{id}")) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(meeting) = s.meetings.get_mut(&id) else {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The meeting was not found.");
    };
    for (k, v) in body.as_object().cloned().unwrap_or_default() {
        meeting[k.as_str()] = v;
    }
    (StatusCode::OK, Json(meeting.clone())).into_response()
}

async fn delete_meeting(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "DELETE", &format!("/me/onlineMeetings/{id}")) {
        return r;
    }
    match state.lock().unwrap().meetings.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The meeting was not found."),
    }
}

async fn list_meeting_reports(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/me/onlineMeetings/{id}/attendanceReports")) {
        return r;
    }
    let s = state.lock().unwrap();
    let value = match s.meeting_attendance.get(&id) {
        Some(records) => json!([{"id": "mr1", "totalParticipantCount": records.len(), "attendanceRecords": []}]),
        None => json!([]),
    };
    Json(json!({"value": value})).into_response()
}

async fn list_meeting_records(State(state): Shared, headers: HeaderMap, Path((id, rid)): Path<(String, String)>) -> Response {
    if let Some(r) = gate(
        &state,
        &headers,
        "GET",
        &format!("/me/onlineMeetings/{id}/attendanceReports/{rid}/attendanceRecords"),
    ) {
        return r;
    }
    let records = state.lock().unwrap().meeting_attendance.get(&id).cloned().unwrap_or_default();
    Json(json!({"value": records})).into_response()
}

/// `GET /solutions/virtualEvents/webinars/{id}`, and `getByUserRole(role='organizer')` for the
/// signed-in user (the same path shape).
async fn get_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&state, &headers, "GET", &format!("/solutions/virtualEvents/webinars/{id}")) {
        return r;
    }
    let s = state.lock().unwrap();
    if id.starts_with("getByUserRole(") {
        if !s.user_tokens.contains(&bearer(&headers)) {
            return graph_error(StatusCode::FORBIDDEN, "Forbidden", "This API needs a delegated token.");
        }
        let me = s.token_users.get(&bearer(&headers)).cloned().unwrap_or_default();
        let co = id.contains("coOrganizer");
        let mine: Vec<Value> = s
            .webinars
            .iter()
            .filter(|(wid, _)| match co {
                false => s.organizers.get(*wid) == Some(&me),
                true => s.co_organizers.get(*wid).is_some_and(|list| list.contains(&me)),
            })
            .map(|(wid, w)| s.webinar_with_roles(wid, w))
            .collect();
        return Json(json!({"value": mine})).into_response();
    }
    match s.webinars.get(&id) {
        Some(w) => Json(s.webinar_with_roles(&id, w)).into_response(),
        None => graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found."),
    }
}

async fn update_webinar(State(state): Shared, headers: HeaderMap, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if let Some(r) = gate(&state, &headers, "PATCH", &format!("/solutions/virtualEvents/webinars/{id}")) {
        return r;
    }
    if let Some(r) = delegated_only(&state, &headers) {
        return r;
    }
    let mut s = state.lock().unwrap();
    let Some(webinar) = s.webinars.get_mut(&id) else {
        return graph_error(StatusCode::NOT_FOUND, "NotFound", "The webinar was not found.");
    };
    if webinar["status"] == "canceled" {
        return graph_error(StatusCode::BAD_REQUEST, "BadRequest", "A canceled webinar can't be changed.");
    }
    for (k, v) in body.as_object().cloned().unwrap_or_default() {
        webinar[k.as_str()] = v;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn sim_state(State(state): Shared) -> Response {
    let s = state.lock().unwrap();
    Json(json!({
        "webinars": s.webinars,
        "registrations": s.registrations,
        "meetings": s.meetings,
        "organizers": s.organizers,
        "graphRequests": s.log.len(),
        "batchRequests": s.log.iter().filter(|(_, _, p)| p == "/$batch").count(),
        "tokenRequests": s.token_requests,
    }))
    .into_response()
}

/// Sets who signs in next: `{"oid", "upn", "name"}`.
async fn sim_user(State(state): Shared, Json(body): Json<Value>) -> Response {
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    state.lock().unwrap().user = Some((text("oid"), text("upn"), text("name")));
    StatusCode::NO_CONTENT.into_response()
}

/// Applies a `Slow` or `Drop` fault at the head of the queue around the real answer: a slow
/// answer comes late; a dropped one is worked on (as Graph would) and then breaks off mid-body.
async fn slow_or_dropped(State(state): Shared, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    // Keep what was sent, for the contract tests.
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024).await.unwrap_or_default();
    if let Ok(json) = serde_json::from_slice::<Value>(&bytes) {
        let path = parts.uri.path().trim_start_matches("/v1.0").to_string();
        state.lock().unwrap().bodies.push((parts.method.to_string(), path, json));
    }
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    let fault = {
        let mut s = state.lock().unwrap();
        match s.faults.front() {
            Some(Fault::Slow(_) | Fault::Drop) if request.uri().path().starts_with("/v1.0/") => s.faults.pop_front(),
            _ => None,
        }
    };
    match fault {
        Some(Fault::Slow(delay)) => {
            // Graph does the work, then the answer is late (or never read: a client that gave
            // up or died still left the change made).
            let answer = next.run(request).await;
            tokio::time::sleep(delay).await;
            answer
        }
        Some(Fault::Drop) => {
            let answer = next.run(request).await;
            let (mut parts, _) = answer.into_parts();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            let broken = futures::stream::iter([
                Ok(Bytes::from_static(b"{\"value\": [")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped")),
            ]);
            Response::from_parts(parts, axum::body::Body::from_stream(broken))
        }
        _ => next.run(request).await,
    }
}

/// Makes a published webinar (as if organized in Teams) and returns `{"id"}`.
async fn sim_webinar(State(state): Shared) -> Response {
    let id = format!("{}@{TENANT}", uuid::Uuid::new_v4());
    state
        .lock()
        .unwrap()
        .webinars
        .insert(id.clone(), json!({"id": id, "status": "published", "displayName": "Benchmark"}));
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

/// Request counters and registrations per webinar, small enough to poll.
async fn sim_counts(State(state): Shared) -> Response {
    let s = state.lock().unwrap();
    let registrations: HashMap<&String, usize> = s.registrations.iter().map(|(w, r)| (w, r.len())).collect();
    Json(json!({
        "registrations": registrations,
        "graphRequests": s.log.len(),
        "batchRequests": s.log.iter().filter(|(_, _, p)| p == "/$batch").count(),
        "tokenRequests": s.token_requests,
    }))
    .into_response()
}
