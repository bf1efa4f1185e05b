//! A local stand-in for the identity platform and the slice of Graph Atrium calls, for tests:
//! in-memory state, bearer tokens checked, official response shapes, and faults on demand
//! (429 with and without Retry-After, 503, malformed bodies, batch items that fail alone).
//! This file holds the shared state and the routes; each part of the API lives in its own module.
#![allow(clippy::result_large_err, clippy::type_complexity)]

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

mod bookings;
mod control;
mod gates;
mod identity;
mod meetings;
mod registrations;
mod subscriptions;
mod webinars;

use bookings::*;
use control::*;
use gates::*;
use identity::*;
use meetings::*;
use registrations::*;
use subscriptions::*;
use webinars::*;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";

pub const CLIENT_ID: &str = "sim-client";

pub const CLIENT_SECRET: &str = "sim-secret-value";

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
    /// Bookings businesses by id, and the services, staff members, custom questions and
    /// customers of each.
    pub booking_businesses: HashMap<String, Value>,
    pub booking_services: HashMap<String, Vec<Value>>,
    pub booking_staff: HashMap<String, Vec<Value>>,
    pub booking_questions: HashMap<String, Vec<Value>>,
    pub booking_customers: HashMap<String, Vec<Value>>,
    /// Each Bookings business's appointments (canceled ones are removed).
    pub booking_appointments: HashMap<String, Vec<Value>>,
    /// getStaffAvailability items of each staff member.
    pub staff_availability: HashMap<String, Vec<Value>>,
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
            .route("/v1.0/solutions/bookingBusinesses/{id}", axum::routing::get(get_booking_business))
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/services",
                axum::routing::get(list_booking_services),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/staffMembers",
                axum::routing::get(list_booking_staff),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/customQuestions",
                axum::routing::get(list_booking_questions),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/customers",
                axum::routing::get(list_booking_customers),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/appointments",
                post(create_booking_appointment),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/appointments/{aid}",
                axum::routing::patch(update_booking_appointment),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/appointments/{aid}/cancel",
                post(cancel_booking_appointment),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/calendarView",
                axum::routing::get(booking_calendar_view),
            )
            .route(
                "/v1.0/solutions/bookingBusinesses/{id}/getStaffAvailability",
                post(staff_availability),
            )
            .route(
                "/v1.0/me/onlineMeetings/{id}",
                axum::routing::patch(update_meeting).delete(delete_meeting),
            )
            .route(
                "/v1.0/me/onlineMeetings/{id}/getVirtualAppointmentJoinWebUrl",
                axum::routing::get(virtual_appointment_join_url),
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

fn b64_json(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}
