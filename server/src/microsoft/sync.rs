//! Microsoft mode: confirmed registrations reach the event's Teams webinar. The job is queued in
//! the registration's own transaction and sent later by a worker (never on the attendee's
//! request), twenty at a time through `$batch`, with our registration id in
//! `externalRegistrationInformation` so attendance can be joined back. A job sent twice (a crash
//! after Graph accepted it) finds the person already registered (409) with our id, which counts
//! as done; a 409 for a registration without our id is someone else's, recorded as a problem
//! for the organizers and not retried.

use crate::events::Event;
use crate::jobs::{claim, settle};
use crate::microsoft::client::{GraphClient, GraphError};
use crate::microsoft::models::{BatchRequestItem, ExternalRegistrationInformation, Registration};
use crate::store::Db;
use app::domain::RegistrationStatus;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub use crate::jobs::teams::{
    EventJob as WebinarJob, RegisterJob, TOPIC_REGISTER, TOPIC_UNREGISTER, TOPIC_UPDATE, TOPIC_WEBINAR, TOPIC_WEBINAR_CANCEL,
};
/// Graph's `$batch` limit.
const BATCH: i64 = 20;

/// Graph's `dateTimeTimeZone` in UTC for a Unix time.
fn utc(t: i64) -> crate::microsoft::models::DateTimeTimeZone {
    crate::microsoft::models::DateTimeTimeZone {
        date_time: jiff::Timestamp::from_second(t)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_default(),
        time_zone: "UTC".into(),
    }
}

/// An RFC 3339 UTC time (Graph's `DateTimeOffset`).
fn offset(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// What Atrium tells Teams about a webinar, on create and on every update.
fn webinar_body(event: &Event) -> crate::microsoft::models::Webinar {
    use crate::microsoft::models::{Description, ItemBody, Webinar, WebinarSettings};
    Webinar {
        display_name: event.title.clone(),
        description: Some(Description::Body(ItemBody {
            content_type: "text".into(),
            content: event.description.clone(),
        })),
        start_date_time: Some(utc(event.start_at)),
        end_date_time: Some(utc(event.end_at)),
        settings: Some(WebinarSettings {
            is_attendee_email_notification_enabled: Some(event.teams_emails),
        }),
        ..Default::default()
    }
}

/// What Atrium tells Teams about a meeting-kind event.
fn meeting_body(event: &Event) -> serde_json::Value {
    serde_json::json!({
        "subject": event.title,
        "startDateTime": offset(event.start_at),
        "endDateTime": offset(event.end_at),
    })
}

/// A Graph `dateTimeTimeZone` as a Unix time, with an IANA zone for showing it (UTC when the
/// zone is a Windows name Atrium does not know).
pub fn graph_time(t: &crate::microsoft::models::DateTimeTimeZone) -> Option<(i64, String)> {
    let civil: jiff::civil::DateTime = t.date_time.trim().trim_end_matches('Z').parse().ok()?;
    let zone = match t.time_zone.trim() {
        "" | "UTC" | "Etc/UTC" | "tzone://Microsoft/Utc" => "UTC".to_string(),
        name => match app::tz::parse_zone(name) {
            Ok(_) => name.to_string(),
            Err(_) => windows_zone(name).unwrap_or("UTC").to_string(),
        },
    };
    let tz = jiff::tz::TimeZone::get(&zone).ok()?;
    let ts = civil.to_zoned(tz).ok()?.timestamp().as_second();
    Some((ts, zone))
}

/// The IANA zone for the Windows time-zone names Outlook and Teams use most.
fn windows_zone(name: &str) -> Option<&'static str> {
    const ZONES: [(&str, &str); 24] = [
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Mountain Standard Time", "America/Denver"),
        ("Central Standard Time", "America/Chicago"),
        ("Eastern Standard Time", "America/New_York"),
        ("Atlantic Standard Time", "America/Halifax"),
        ("Alaskan Standard Time", "America/Anchorage"),
        ("Hawaiian Standard Time", "Pacific/Honolulu"),
        ("GMT Standard Time", "Europe/London"),
        ("Greenwich Standard Time", "Atlantic/Reykjavik"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Romance Standard Time", "Europe/Paris"),
        ("Central Europe Standard Time", "Europe/Budapest"),
        ("Central European Standard Time", "Europe/Warsaw"),
        ("E. Europe Standard Time", "Europe/Chisinau"),
        ("FLE Standard Time", "Europe/Kiev"),
        ("GTB Standard Time", "Europe/Bucharest"),
        ("Russian Standard Time", "Europe/Moscow"),
        ("India Standard Time", "Asia/Kolkata"),
        ("China Standard Time", "Asia/Shanghai"),
        ("Singapore Standard Time", "Asia/Singapore"),
        ("Tokyo Standard Time", "Asia/Tokyo"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
        ("E. South America Standard Time", "America/Sao_Paulo"),
    ];
    ZONES.iter().find(|(w, _)| w.eq_ignore_ascii_case(name)).map(|(_, i)| *i)
}

/// Text of an HTML description, for Atrium's plain-text description.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The registration questions Atrium asks, as Teams webinar questions.
fn question_bodies(event: &Event) -> Vec<serde_json::Value> {
    event
        .questions
        .iter()
        .map(|q| match q.kind {
            app::domain::QuestionKind::Predefined => {
                let label = app::domain::PredefinedLabel::ALL
                    .iter()
                    .find(|l| l.display_name() == q.label)
                    .map(|l| l.as_str())
                    .unwrap_or("organization");
                serde_json::json!({"@odata.type": "#microsoft.graph.virtualEventRegistrationPredefinedQuestion", "label": label})
            }
            app::domain::QuestionKind::Custom => serde_json::json!({
                "@odata.type": "#microsoft.graph.virtualEventRegistrationCustomQuestion",
                "displayName": q.label, "answerInputType": q.answer_input_type.as_str(),
                "answerChoices": q.choices, "isRequired": q.is_required
            }),
        })
        .collect()
}

/// A presenter as a Teams webinar guest presenter; None without an email address, which
/// Teams needs to invite them.
fn presenter_body(p: &crate::events::PresenterRecord) -> Option<serde_json::Value> {
    let email = p.email.as_deref().map(str::trim).filter(|e| !e.is_empty())?;
    let mut details = serde_json::Map::new();
    if !p.presenter.bio.is_empty() {
        details.insert("bio".into(), serde_json::json!({"contentType": "text", "content": p.presenter.bio}));
    }
    for (key, value) in [
        ("company", Some(&p.presenter.company).filter(|c| !c.is_empty())),
        ("jobTitle", Some(&p.presenter.job_title).filter(|c| !c.is_empty())),
        ("linkedInProfileWebUrl", p.linkedin_url.as_ref()),
        ("personalSiteWebUrl", p.website_url.as_ref()),
        ("twitterProfileWebUrl", p.x_url.as_ref()),
    ] {
        if let Some(v) = value {
            details.insert(key.into(), serde_json::json!(v));
        }
    }
    Some(serde_json::json!({
        "identity": {"@odata.type": "#microsoft.graph.communicationsGuestIdentity", "displayName": p.presenter.name, "email": email},
        "presenterDetails": details,
    }))
}

/// Whether a Teams registration carries Atrium's registration id `registration_id`.
fn carries_id(reg: &Registration, registration_id: &str) -> bool {
    reg.external_registration_information
        .as_ref()
        .and_then(|x| x.registration_id.as_deref())
        == Some(registration_id)
}

/// An id Graph gave, made safe as one segment of a path (percent-encoded beyond the characters
/// ids are made of).
fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Why Teams does not have a registration: it already holds one for the same address that
/// Atrium did not make.
pub const TEAMS_HOLDS_ANOTHER: &str = "Teams already holds a registration for this address that Atrium did not make, so this one was not added to the Teams webinar. Check who registered it in Teams.";

/// Work for Teams not done yet, for one organization: how many registration jobs and event
/// steps wait, and the newest error among them (when, what).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    pub registrations: usize,
    pub event_steps: usize,
    pub last_error: Option<(i64, String)>,
}

/// A job not done yet: topic, payload, its registration's event, last error, attempts, next try.
type PendingJob = (String, String, Option<String>, Option<String>, i64, i64);

/// What is still on its way to Teams for `organization_id`'s events.
pub async fn backlog(db: &Db, organization_id: &str) -> Result<Backlog, sqlx::Error> {
    let rows: Vec<PendingJob> = sqlx::query_as(
        "SELECT o.topic, o.payload, r.event_id, o.last_error, o.attempts, o.available_at FROM outbox o \
         LEFT JOIN registrations r ON r.id = o.registration_id \
         WHERE o.sent_at IS NULL AND o.topic LIKE 'graph.%' ORDER BY o.created_at LIMIT 5000",
    )
    .fetch_all(&db.pool)
    .await?;
    let ours: std::collections::HashSet<String> = sqlx::query_scalar("SELECT id FROM events WHERE organization_id = $1")
        .bind(organization_id)
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .collect();
    let mut backlog = Backlog::default();
    for (topic, payload, registration_event, error, attempts, available_at) in rows {
        let event = registration_event.or_else(|| serde_json::from_str::<WebinarJob>(&payload).ok().map(|j| j.event_id));
        if !event.is_some_and(|e| ours.contains(&e)) {
            continue;
        }
        if topic == TOPIC_REGISTER || topic == TOPIC_UNREGISTER {
            backlog.registrations += 1;
        } else {
            backlog.event_steps += 1;
        }
        if let Some(error) = error.filter(|_| attempts > 0) {
            // The retry time is set when the failure is recorded, so it orders the failures.
            if backlog.last_error.as_ref().is_none_or(|(at, _)| available_at > *at) {
                backlog.last_error = Some((available_at, error));
            }
        }
    }
    Ok(backlog)
}

/// Registrations of `organization_id`'s events that Teams did not take because it holds another
/// registration for the same address: (event title, email), newest first, at most `limit`.
pub async fn refused(db: &Db, organization_id: &str, limit: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.title, r.email FROM registrations r JOIN events e ON e.id = r.event_id \
         WHERE e.organization_id = $1 AND r.status = 'registered' AND r.teams_problem IS NOT NULL \
         ORDER BY r.created_at DESC LIMIT $2",
    )
    .bind(organization_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// Why an event may not be linked to a Teams webinar.
#[derive(Debug)]
pub enum LinkRefusal {
    /// The id does not have a webinar id's form.
    Invalid(String),
    /// Microsoft mode is off, or no Microsoft 365 account is connected to check with.
    NotConnected,
    /// No connected account organizes or co-organizes the webinar (or it does not exist).
    NotOrganizer(String),
    /// Microsoft could not be asked.
    Unavailable(String),
}

/// What a job about a whole event does in Teams.
#[derive(Clone, Copy, Debug)]
enum EventStep {
    Create,
    Update,
    Cancel,
}

/// A stored notification: id, subscription, kind, resource, lifecycle event.
type StoredNotification = (String, String, String, Option<String>, Option<String>);

#[derive(Clone)]
pub struct TeamsSync {
    db: Db,
    client: GraphClient,
    delegated: Option<crate::microsoft::delegated::Delegated>,
    /// Seals the manage links of registrations made in Teams.
    sealer: crate::crypto::Sealer,
    /// Where Graph sends change notifications (the site's public address).
    public_url: Option<String>,
    wake: Arc<Notify>,
    /// Set when a subscription must be made again without waiting for the regular pass.
    subscriptions_due: Arc<std::sync::atomic::AtomicBool>,
}

impl TeamsSync {
    pub fn new(db: Db, client: GraphClient, sealer: crate::crypto::Sealer) -> Self {
        Self {
            db,
            client,
            sealer,
            delegated: None,
            public_url: None,
            wake: Arc::new(Notify::new()),
            subscriptions_due: Default::default(),
        }
    }

    /// Subscribes to changes of linked webinars, with notifications sent to `public_url`.
    pub fn with_public_url(mut self, public_url: &str) -> Self {
        self.public_url = Some(public_url.to_string());
        self
    }

    /// With the organization's delegated sign-in, webinars can be created in Teams too.
    pub fn with_delegated(mut self, delegated: crate::microsoft::delegated::Delegated) -> Self {
        self.delegated = Some(delegated);
        self
    }

    /// Creates, fills and publishes webinars in Teams for published webinar events, one step at
    /// a time, recording each step so a retry resumes. Returns how many jobs were claimed.
    pub async fn sync_webinars(&self) -> Result<usize, sqlx::Error> {
        self.event_jobs(TOPIC_WEBINAR, EventStep::Create).await
    }

    /// Claims up to five jobs of `topic` about whole events and runs `step` for each;
    /// failures are retried later with back-off. Returns how many jobs were claimed.
    async fn event_jobs(&self, topic: &str, step: EventStep) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, topic, 5).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        for c in &claimed {
            let Ok(job) = serde_json::from_str::<WebinarJob>(&c.payload) else {
                sent.push(c.id.clone());
                continue;
            };
            let outcome = match step {
                // Attempts are counted at claim time: more than one means an earlier try.
                EventStep::Create => self.publish_webinar(&job.event_id, c.attempts > 1).await,
                EventStep::Update => self.update_in_teams(&job.event_id).await,
                EventStep::Cancel => self.cancel_webinar(&job.event_id).await,
            };
            match outcome {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => {
                    tracing::warn!(event = %job.event_id, ?step, error = %e, "a Teams step failed; will retry");
                    failed.push((c.id.clone(), c.attempts, e));
                }
            }
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    /// Cancels in Teams the registrations canceled in Atrium. Teams gives anonymous registrants
    /// no id at registration, so each is found in the webinar's registration list by the id
    /// Atrium put in `externalRegistrationInformation` (or, for one made in Teams and imported,
    /// by its Teams id). Never by email: a Teams registration that only shares the address is
    /// someone else's and is left alone.
    pub async fn sync_cancellations(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_UNREGISTER, BATCH).await?;
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let mut listings: HashMap<String, Vec<Registration>> = HashMap::new();
        for c in &claimed {
            let Some(reg) = serde_json::from_str::<RegisterJob>(&c.payload).ok().map(|j| j.registration_id) else {
                sent.push(c.id.clone());
                continue;
            };
            match self.unregister(&reg, &mut listings).await {
                Ok(()) => sent.push(c.id.clone()),
                Err(e) => failed.push((c.id.clone(), c.attempts, e)),
            }
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    /// The webinar's registrations in Teams, read once per pass.
    async fn listing<'a>(&self, webinar: &str, listings: &'a mut HashMap<String, Vec<Registration>>) -> Result<&'a [Registration], String> {
        if !listings.contains_key(webinar) {
            let path = format!("{}/registrations", crate::microsoft::webinar_path(webinar)?);
            let all: Vec<Registration> = self.client.get_all(&path, "application").await.map_err(|e| e.to_string())?;
            listings.insert(webinar.to_string(), all);
        }
        Ok(&listings[webinar])
    }

    async fn unregister(&self, registration_id: &str, listings: &mut HashMap<String, Vec<Registration>>) -> Result<(), String> {
        let Some(reg) = crate::registrations::by_id(&self.db, registration_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let event = crate::events::by_id(&self.db, &reg.event_id).await.map_err(|e| e.to_string())?;
        let Some(webinar) = event.and_then(|e| e.teams_webinar_id) else {
            return Ok(());
        };
        let imported: Option<String> = sqlx::query_scalar("SELECT teams_registration_id FROM registrations WHERE id = $1")
            .bind(registration_id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?
            .flatten();
        let ours = |r: &&Registration| {
            carries_id(r, registration_id) || imported.as_deref().is_some_and(|teams_id| r.id.as_deref() == Some(teams_id))
        };
        let found = self
            .listing(&webinar, listings)
            .await?
            .iter()
            .filter(ours)
            .find(|r| r.status.as_deref() != Some("canceled"))
            .and_then(|r| r.id.clone());
        // Never reached Teams, or already canceled there: nothing to do.
        let Some(teams_id) = found else { return Ok(()) };
        let path = format!(
            "{}/registrations/{}/cancel",
            crate::microsoft::webinar_path(&webinar)?,
            path_segment(&teams_id)
        );
        self.client
            .request(reqwest::Method::POST, &path, None, "application")
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Cancels in Teams the webinars of events canceled in Atrium (delegated, as Teams requires).
    pub async fn sync_webinar_cancellations(&self) -> Result<usize, sqlx::Error> {
        self.event_jobs(TOPIC_WEBINAR_CANCEL, EventStep::Cancel).await
    }

    async fn cancel_webinar(&self, event_id: &str) -> Result<(), String> {
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        if !event.in_teams() {
            return Ok(());
        }
        let (token, mailbox) = self.owner_token(&event).await?;
        let (method, path) = match (&event.teams_meeting_id, &event.teams_webinar_id) {
            (Some(meeting), _) => (reqwest::Method::DELETE, format!("/me/onlineMeetings/{meeting}")),
            (None, Some(webinar)) => (
                reqwest::Method::POST,
                format!("{}/cancel", crate::microsoft::webinar_path(webinar)?),
            ),
            (None, None) => return Ok(()),
        };
        match self.client.request_as(&token, method, &path, None, &mailbox).await {
            // Already gone from Teams.
            Ok(_) | Err(GraphError::Http { status: 404, .. }) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Works through stored change notifications: registrations made in Teams appear in Atrium;
    /// a removed or expiring subscription is handed to the next subscription pass.
    pub async fn process_notifications(&self) -> Result<usize, sqlx::Error> {
        let rows: Vec<StoredNotification> = sqlx::query_as(
            "SELECT id, subscription_id, kind, resource, lifecycle_event FROM graph_notifications WHERE processed_at IS NULL ORDER BY received_at LIMIT 50",
        )
        .fetch_all(&self.db.pool)
        .await?;
        let mut done = Vec::new();
        for (id, subscription, kind, resource, lifecycle) in &rows {
            let outcome = match (kind.as_str(), lifecycle.as_deref()) {
                // Graph could not deliver some notifications: read everything again.
                ("lifecycle", Some("missed")) => self.resync_subscription(subscription).await,
                ("lifecycle", Some("reauthorizationRequired")) => self.reauthorize(subscription).await,
                // Removed by Graph: forget it, make a new one now, and read what may have been missed.
                ("lifecycle", Some("subscriptionRemoved")) => match self.forget_subscription(subscription).await {
                    Ok(Some(event_id)) => self.resync_event(&event_id).await,
                    Ok(None) => Ok(()),
                    Err(e) => Err(e),
                },
                // Anything else: let the next subscription pass renew or recreate it.
                ("lifecycle", _) => sqlx::query("UPDATE graph_subscriptions SET expires_at = 0 WHERE id = $1")
                    .bind(subscription)
                    .execute(&self.db.pool)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                _ => self.handle_change(resource.as_deref().unwrap_or("")).await,
            };
            match outcome {
                Ok(()) => done.push(id.clone()),
                Err(e) => tracing::warn!(notification = %id, error = %e, lifecycle = ?lifecycle, "notification not processed yet"),
            }
        }
        if !done.is_empty() {
            let now = crate::clock::now();
            let mut tx = self.db.begin_write().await?;
            for id in &done {
                sqlx::query("UPDATE graph_notifications SET processed_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Ok(rows.len())
    }

    /// A change in Teams: a registration (mirrored into Atrium), or a new attendance report
    /// (read into the attendance view).
    async fn handle_change(&self, resource: &str) -> Result<(), String> {
        // solutions/virtualEvents/webinars/{webinar}/registrations/{registration}
        // solutions/virtualEvents/webinars/{webinar}/sessions/{session}/attendanceReports/{report}
        let parts: Vec<&str> = resource.trim_start_matches('/').split('/').collect();
        let ["solutions", "virtualEvents", "webinars", webinar, rest @ ..] = parts.as_slice() else {
            return Ok(());
        };
        let event_id: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE teams_webinar_id = $1")
            .bind(*webinar)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
        let Some(event_id) = event_id else { return Ok(()) };
        match rest {
            ["registrations", _] => {}
            [.., "attendanceReports", _] | [.., "attendanceReports"] | ["getAttendanceReports", ..] => {
                let Some(event) = crate::events::by_id(&self.db, &event_id).await.map_err(|e| e.to_string())? else {
                    return Ok(());
                };
                let summary = self.read_attendance(&event).await?;
                return self.record_attendance(&event_id, Some(summary.attendees as i64)).await;
            }
            _ => return Ok(()),
        }
        let (_, body) = match self
            .client
            .request(
                reqwest::Method::GET,
                &format!("/{}", resource.trim_start_matches('/')),
                None,
                "application",
            )
            .await
        {
            Ok(r) => r,
            Err(GraphError::Http { status: 404, .. }) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        };
        let reg: Registration = crate::microsoft::models::parse_entity(body).map_err(|e| e.to_string())?;
        self.mirror(&event_id, &reg).await.map(|_| ())
    }

    /// Mirrors one Teams registration into Atrium: a seat registered in Teams (ours carry our
    /// id and are already here) is added; a registration canceled in Teams is canceled in
    /// Atrium too, which frees the seat for the waitlist. Returns whether Atrium changed.
    ///
    /// A Teams registration is matched to an Atrium one only by Atrium's registration id (in
    /// `externalRegistrationInformation`), or, for one made in Teams and imported, by its Teams
    /// id stored on import. Never by email: anyone can register any address in Teams, so one
    /// that only shares an address with an Atrium registration is someone else's and changes
    /// nothing here.
    async fn mirror(&self, event_id: &str, reg: &Registration) -> Result<bool, String> {
        let ours = reg
            .external_registration_information
            .as_ref()
            .and_then(|x| x.registration_id.as_deref())
            .filter(|id| !id.is_empty());
        let teams_id = reg.id.as_deref().filter(|id| !id.is_empty());
        let status = reg.status.as_deref().unwrap_or("registered");
        if status.eq_ignore_ascii_case("canceled") {
            let (column, value) = match (ours, teams_id) {
                (Some(ours), _) => ("id", ours),
                (None, Some(teams_id)) => ("teams_registration_id", teams_id),
                (None, None) => return Ok(false),
            };
            let id: Option<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM registrations WHERE event_id = $1 AND status = 'registered' AND {column} = $2"
            ))
            .bind(event_id)
            .bind(value)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
            let Some(id) = id else { return Ok(false) };
            crate::registrations::cancel_by_id(&self.db, &id).await.map_err(|e| e.to_string())?;
            return Ok(true);
        }
        if ours.is_some() || !status.eq_ignore_ascii_case("registered") {
            return Ok(false);
        }
        let (Some(email), Some(teams_id)) = (reg.email.as_deref(), teams_id) else {
            return Ok(false);
        };
        crate::registrations::import_from_teams(
            &self.db,
            &self.sealer,
            event_id,
            teams_id,
            email,
            reg.first_name.as_deref().unwrap_or(""),
            reg.last_name.as_deref().unwrap_or(""),
            reg.preferred_timezone.as_deref(),
        )
        .await
        .map_err(|e| e.to_string())
    }

    /// Reads every registration of the event's webinar from Teams and mirrors the ones made
    /// there. Returns how many were added.
    pub async fn resync_registrations(&self, event_id: &str) -> Result<usize, String> {
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(|e| e.to_string())? else {
            return Ok(0);
        };
        let Some(webinar) = &event.teams_webinar_id else { return Ok(0) };
        let path = format!("{}/registrations", crate::microsoft::webinar_path(webinar)?);
        let all: Vec<Registration> = self.client.get_all(&path, "application").await.map_err(|e| e.to_string())?;
        let mut added = 0;
        for reg in &all {
            if self.mirror(event_id, reg).await? {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Answers `reauthorizationRequired`: reauthorized at Graph; one Graph no longer has is
    /// recreated by the next subscription pass, which runs at once.
    async fn reauthorize(&self, subscription: &str) -> Result<(), String> {
        let path = format!("/subscriptions/{subscription}/reauthorize");
        match self.client.request(reqwest::Method::POST, &path, None, "application").await {
            Ok(_) => Ok(()),
            Err(GraphError::Http { status: 404, .. }) => self.forget_subscription(subscription).await.map(|_| ()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Drops a subscription Graph no longer holds and asks for a subscription pass now.
    /// Returns the subscription's event.
    async fn forget_subscription(&self, subscription: &str) -> Result<Option<String>, String> {
        let event_id: Option<Option<String>> = sqlx::query_scalar("SELECT event_id FROM graph_subscriptions WHERE id = $1")
            .bind(subscription)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
        let write = async {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("DELETE FROM graph_subscriptions WHERE id = $1")
                .bind(subscription)
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())?;
        self.subscriptions_due.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(event_id.flatten())
    }

    async fn resync_subscription(&self, subscription: &str) -> Result<(), String> {
        let event_id: Option<Option<String>> = sqlx::query_scalar("SELECT event_id FROM graph_subscriptions WHERE id = $1")
            .bind(subscription)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
        let Some(event_id) = event_id.flatten() else { return Ok(()) };
        self.resync_event(&event_id).await
    }

    /// Reads the event's registrations from Teams again, and its attendance on the next pass.
    async fn resync_event(&self, event_id: &str) -> Result<(), String> {
        let event_id = event_id.to_string();
        let added = self.resync_registrations(&event_id).await?;
        tracing::info!(event = %event_id, added, "resynchronized registrations after missed notifications");
        // Attendance may have been missed too: read it again on the next attendance pass.
        self.write(
            "UPDATE events SET attendance_fetched_at = NULL, attendance_records = NULL WHERE id = $1 AND attendance_records = 0",
            &event_id,
            &[],
        )
        .await
    }

    async fn record_attendance(&self, event_id: &str, records: Option<i64>) -> Result<(), String> {
        let write = async {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE events SET attendance_fetched_at = $2, attendance_records = $3 WHERE id = $1")
                .bind(event_id)
                .bind(crate::clock::now())
                .bind(records)
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
    }

    /// After an event held in Teams ends, its attendance is read from Teams: ten minutes after
    /// the end, then every hour until a report with records is there, for up to two days.
    /// Returns how many events were read.
    pub async fn attendance_pass(&self) -> Result<usize, sqlx::Error> {
        let now = crate::clock::now();
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM events WHERE status = 'published' AND (teams_webinar_id IS NOT NULL OR teams_meeting_id IS NOT NULL) \
             AND end_at + 600 <= $1 AND end_at + 172800 > $1 \
             AND (attendance_fetched_at IS NULL OR (COALESCE(attendance_records, 0) = 0 AND attendance_fetched_at + 3600 <= $1)) \
             ORDER BY end_at LIMIT 5",
        )
        .bind(now)
        .fetch_all(&self.db.pool)
        .await?;
        for id in &due {
            let Some(event) = crate::events::by_id(&self.db, id).await? else {
                continue;
            };
            let records = match self.read_attendance(&event).await {
                Ok(summary) => Some(summary.attendees as i64),
                Err(e) => {
                    tracing::warn!(event = %id, error = %e, "reading attendance from Teams failed; will retry");
                    None
                }
            };
            if let Err(e) = self.record_attendance(id, records).await {
                tracing::warn!(event = %id, error = %e, "recording the attendance pass failed");
            }
        }
        Ok(due.len())
    }

    /// Reads the event's attendance from Teams into the attendance table: every report of a
    /// meeting (with its owner's token), or of every session of a webinar (with the
    /// application's, which needs the access policy).
    pub async fn read_attendance(&self, event: &Event) -> Result<crate::attendance::ImportSummary, String> {
        use crate::microsoft::models::Session;
        let records = match (&event.teams_meeting_id, &event.teams_webinar_id) {
            (Some(meeting), _) => {
                let (token, mailbox) = self.owner_token(event).await?;
                let reports = format!("/me/onlineMeetings/{meeting}/attendanceReports");
                self.report_records(&reports, Some(&token), &mailbox).await?
            }
            (None, Some(webinar)) => {
                let base = format!("{}/sessions", crate::microsoft::webinar_path(webinar)?);
                let sessions: Vec<Session> = self.client.get_all(&base, "application").await.map_err(|e| e.to_string())?;
                let mut records = Vec::new();
                for session in sessions.iter().filter_map(|s| s.id.as_deref()) {
                    let reports = format!("{base}/{session}/attendanceReports");
                    records.extend(self.report_records(&reports, None, "application").await?);
                }
                records
            }
            (None, None) => return Err("this event is not in Teams".into()),
        };
        let records: Vec<crate::attendance::Record> = records
            .iter()
            .map(|r| crate::attendance::Record {
                registration_id: r.external_registration_information.as_ref().and_then(|x| x.registration_id.clone()),
                email: r.email_address.clone(),
                name: r.identity.as_ref().and_then(|i| i.display_name.clone()).unwrap_or_default(),
                seconds: r.total_attendance_in_seconds.unwrap_or(0),
            })
            .collect();
        crate::attendance::store_records(&self.db, &event.id, &records)
            .await
            .map_err(|e| e.to_string())
    }

    /// The attendance records of every report in the collection at `reports`.
    async fn report_records(
        &self,
        reports: &str,
        token: Option<&str>,
        mailbox: &str,
    ) -> Result<Vec<crate::microsoft::models::AttendanceRecord>, String> {
        let list: Vec<crate::microsoft::models::AttendanceReport> =
            self.client.collect(reports, mailbox, token).await.map_err(|e| e.to_string())?;
        let mut records = Vec::new();
        for report in list.iter().filter_map(|r| r.id.as_deref()) {
            let path = format!("{reports}/{report}/attendanceRecords");
            records.extend(self.client.collect(&path, mailbox, token).await.map_err(|e| e.to_string())?);
        }
        Ok(records)
    }

    async fn stage(&self, event_id: &str) -> Result<Option<String>, String> {
        sqlx::query_scalar("SELECT teams_stage FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&self.db.pool)
            .await
            .map_err(|e| e.to_string())
    }

    async fn set_stage(&self, event_id: &str, webinar: Option<&str>, stage: &str) -> Result<(), String> {
        let write = async {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE events SET teams_webinar_id = COALESCE($2, teams_webinar_id), teams_stage = $3 WHERE id = $1")
                .bind(event_id)
                .bind(webinar)
                .bind(stage)
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
    }

    /// A delegated token for the account that owns `event` in Teams, and that account's
    /// throttling key.
    async fn owner_token(&self, event: &Event) -> Result<(String, String), String> {
        let Some(delegated) = &self.delegated else {
            return Err("Microsoft mode is not fully configured".into());
        };
        let account = event.teams_account().ok_or("the event has no organization")?;
        let token = delegated.access_token(&account).await.map_err(|e| e.to_string())?;
        Ok((token, account.mailbox()))
    }

    async fn teams_version(&self, event_id: &str) -> Result<i64, String> {
        sqlx::query_scalar("SELECT teams_version FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&self.db.pool)
            .await
            .map_err(|e| e.to_string())
    }

    async fn write(&self, sql: &str, event_id: &str, values: &[Option<&str>]) -> Result<(), String> {
        let write = async {
            let mut tx = self.db.begin_write().await?;
            let mut q = sqlx::query(sql).bind(event_id);
            for v in values {
                q = q.bind(*v);
            }
            q.execute(&mut *tx.tx).await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
    }

    async fn mark_synced(&self, event_id: &str, version: i64) -> Result<(), String> {
        let write = async {
            let mut tx = self.db.begin_write().await?;
            sqlx::query("UPDATE events SET teams_synced_version = $2 WHERE id = $1 AND teams_synced_version < $2")
                .bind(event_id)
                .bind(version)
                .execute(&mut *tx.tx)
                .await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
    }

    /// Creates the event in Teams: a meeting-kind event becomes an online meeting (createOrGet
    /// keyed by our event id, so a retry finds the same meeting); a webinar is created, given
    /// its questions and published, step by step.
    async fn publish_webinar(&self, event_id: &str, retry: bool) -> Result<(), String> {
        use crate::microsoft::models::{parse_entity, OnlineMeeting, Session, Webinar};
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        if event.status != app::domain::EventStatus::Published {
            return Ok(());
        }
        let version = self.teams_version(event_id).await?;
        let (token, mailbox) = self.owner_token(&event).await?;
        if event.kind == app::domain::EventKind::Meeting {
            let mut body = meeting_body(&event);
            body["externalId"] = serde_json::json!(event.id);
            let (_, created) = self
                .client
                .request_as(
                    &token,
                    reqwest::Method::POST,
                    "/me/onlineMeetings/createOrGet",
                    Some(&body),
                    &mailbox,
                )
                .await
                .map_err(|e| e.to_string())?;
            let meeting: OnlineMeeting = parse_entity(created).map_err(|e| e.to_string())?;
            let id = meeting.id.ok_or("Teams returned a meeting without an id")?;
            self.write(
                "UPDATE events SET teams_meeting_id = $2, teams_join_url = $3, teams_stage = 'published' WHERE id = $1",
                event_id,
                &[Some(&id), meeting.join_web_url.as_deref()],
            )
            .await?;
            return self.mark_synced(event_id, version).await;
        }
        let mut webinar_id = event.teams_webinar_id.clone();
        if webinar_id.is_none() && retry {
            // An earlier attempt may have created the webinar and died before recording it:
            // adopt that draft rather than leave it orphaned and make a second one.
            if let Some(found) = self.orphan(&event, &token, &mailbox).await? {
                self.set_stage(event_id, Some(&found), "created").await?;
                webinar_id = Some(found);
            }
        }
        if webinar_id.is_none() {
            let body = serde_json::to_value(Webinar {
                audience: Some("everyone".into()),
                ..webinar_body(&event)
            })
            .expect("webinar serialises");
            let (_, created) = self
                .client
                .request_as(
                    &token,
                    reqwest::Method::POST,
                    "/solutions/virtualEvents/webinars",
                    Some(&body),
                    &mailbox,
                )
                .await
                .map_err(|e| e.to_string())?;
            let created: Webinar = parse_entity(created).map_err(|e| e.to_string())?;
            let id = created.id.ok_or("Teams returned a webinar without an id")?;
            // Recorded at once: a retry continues with this webinar instead of making another.
            self.set_stage(event_id, Some(&id), "created").await?;
            webinar_id = Some(id);
        }
        let webinar_id = webinar_id.expect("set above");
        // Checked like any id that goes into a path (one Graph gave, or one stored earlier).
        crate::events::check_webinar_id(&webinar_id)?;
        if self.stage(event_id).await?.as_deref() == Some("created") {
            // Questions a failed attempt already added are not added again.
            let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/registrationConfiguration/questions");
            let there: Vec<serde_json::Value> = self.client.get_all_as(&token, &path, &mailbox).await.map_err(|e| e.to_string())?;
            for body in question_bodies(&event) {
                let same = |q: &serde_json::Value| match body["label"].as_str() {
                    Some(label) => q["label"].as_str() == Some(label),
                    None => q["displayName"] == body["displayName"],
                };
                if there.iter().any(same) {
                    continue;
                }
                self.client
                    .request_as(&token, reqwest::Method::POST, &path, Some(&body), &mailbox)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.set_stage(event_id, None, "questions").await?;
        }
        if self.stage(event_id).await?.as_deref() == Some("questions") {
            // Presenters with an email address, as guests with their details.
            let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/presenters");
            let there: Vec<serde_json::Value> = self.client.get_all_as(&token, &path, &mailbox).await.map_err(|e| e.to_string())?;
            let records = crate::events::presenter_records(&self.db, event_id)
                .await
                .map_err(|e| e.to_string())?;
            for body in records.iter().filter_map(presenter_body) {
                let email = body["identity"]["email"].as_str().unwrap_or("").to_lowercase();
                if there.iter().any(|p| p["email"].as_str().unwrap_or("").to_lowercase() == email) {
                    continue;
                }
                self.client
                    .request_as(&token, reqwest::Method::POST, &path, Some(&body), &mailbox)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.set_stage(event_id, None, "presenters").await?;
        }
        if self.stage(event_id).await?.as_deref() != Some("published") {
            let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/publish");
            self.client
                .request_as(&token, reqwest::Method::POST, &path, None, &mailbox)
                .await
                .map_err(|e| e.to_string())?;
            self.set_stage(event_id, None, "published").await?;
        }
        self.mark_synced(event_id, version).await?;
        // The session's join link, for Atrium's own emails when Teams does not send them.
        let sessions: Vec<Session> = self
            .client
            .get_all_as(
                &token,
                &format!("/solutions/virtualEvents/webinars/{webinar_id}/sessions"),
                &mailbox,
            )
            .await
            .map_err(|e| e.to_string())?;
        if let Some(url) = sessions.iter().find_map(|s| s.join_web_url.clone()) {
            self.write("UPDATE events SET teams_join_url = $2 WHERE id = $1", event_id, &[Some(&url)])
                .await?;
        }
        // People who registered before the webinar existed in Teams go there now.
        let write = async {
            let linked = crate::events::by_id(&self.db, event_id).await?.expect("the event exists");
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM registrations WHERE event_id = $1 AND status = 'registered' AND teams_synced_at IS NULL",
            )
            .bind(event_id)
            .fetch_all(&self.db.pool)
            .await?;
            let mut tx = self.db.begin_write().await?;
            for id in &ids {
                crate::jobs::teams::register(&mut tx, linked.teams_webinar_id.is_some(), id).await?;
            }
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())
    }

    /// A draft webinar the owner organizes that matches the event (title and start) and is not
    /// linked to any event: what an interrupted create left behind.
    async fn orphan(&self, event: &Event, token: &str, mailbox: &str) -> Result<Option<String>, String> {
        let mine: Vec<crate::microsoft::models::Webinar> = self
            .client
            .get_all_as(token, "/solutions/virtualEvents/webinars/getByUserRole(role='organizer')", mailbox)
            .await
            .map_err(|e| e.to_string())?;
        for w in mine {
            let (Some(id), Some(start)) = (w.id.clone(), w.start_date_time.as_ref().and_then(graph_time)) else {
                continue;
            };
            let draft = w.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("draft"));
            if !draft || w.display_name != event.title || start.0 != event.start_at {
                continue;
            }
            let linked: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE teams_webinar_id = $1")
                .bind(&id)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(|e| e.to_string())?;
            if linked.is_none() {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Sends changes made in Atrium (title, description, times, who emails attendees) to the
    /// event's webinar or meeting in Teams. Returns how many jobs were claimed.
    pub async fn sync_updates(&self) -> Result<usize, sqlx::Error> {
        self.event_jobs(TOPIC_UPDATE, EventStep::Update).await
    }

    async fn update_in_teams(&self, event_id: &str) -> Result<(), String> {
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        let (version, synced): (i64, i64) = sqlx::query_as("SELECT teams_version, teams_synced_version FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
        // Not in Teams yet (the create step sends the newest state), canceled, or already sent.
        if !event.in_teams() || event.status == app::domain::EventStatus::Canceled || synced >= version {
            return Ok(());
        }
        let (token, mailbox) = self.owner_token(&event).await?;
        let (path, body) = match (&event.teams_meeting_id, &event.teams_webinar_id) {
            (Some(meeting), _) => (format!("/me/onlineMeetings/{meeting}"), meeting_body(&event)),
            (None, Some(webinar)) => (
                crate::microsoft::webinar_path(webinar)?,
                serde_json::to_value(webinar_body(&event)).expect("webinar serialises"),
            ),
            (None, None) => return Ok(()),
        };
        self.client
            .request_as(&token, reqwest::Method::PATCH, &path, Some(&body), &mailbox)
            .await
            .map_err(|e| e.to_string())?;
        self.mark_synced(event_id, version).await
    }

    /// Teams webinars `account` organizes or co-organizes that no Atrium event is linked to yet,
    /// soonest first.
    pub async fn importable_webinars(
        &self,
        account: &crate::microsoft::delegated::Account,
    ) -> Result<Vec<crate::microsoft::models::Webinar>, String> {
        use crate::microsoft::models::Webinar;
        let Some(delegated) = &self.delegated else {
            return Err("Microsoft mode is not fully configured".into());
        };
        let token = delegated.access_token(account).await.map_err(|e| e.to_string())?;
        let mut webinars: Vec<Webinar> = Vec::new();
        for role in ["organizer", "coOrganizer"] {
            let path = format!("/solutions/virtualEvents/webinars/getByUserRole(role='{role}')");
            let found: Vec<Webinar> = self
                .client
                .get_all_as(&token, &path, &account.mailbox())
                .await
                .map_err(|e| e.to_string())?;
            for w in found {
                if !webinars.iter().any(|known| known.id == w.id) {
                    webinars.push(w);
                }
            }
        }
        let linked: Vec<String> = sqlx::query_scalar("SELECT teams_webinar_id FROM events WHERE teams_webinar_id IS NOT NULL")
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| e.to_string())?;
        webinars.retain(|w| {
            w.id.as_ref().is_some_and(|id| !linked.contains(id)) && !w.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("canceled"))
        });
        webinars.sort_by_key(|w| w.start_date_time.as_ref().and_then(graph_time).map(|(t, _)| t));
        Ok(webinars)
    }

    /// The organization's connected Microsoft 365 account that organizes or co-organizes the
    /// Teams webinar `webinar_id`, checked in Teams before an event is linked to it: the
    /// organizer's own account when they connected one, else the organization's service
    /// account. Another organization's webinar is refused, so nobody can read its registrants
    /// through Atrium's application permission.
    pub async fn webinar_account(
        &self,
        organizer: &crate::accounts::auth::Organizer,
        webinar_id: &str,
    ) -> Result<crate::microsoft::delegated::Account, LinkRefusal> {
        use crate::microsoft::delegated::{Account, DelegatedError};
        let path = crate::microsoft::webinar_path(webinar_id).map_err(LinkRefusal::Invalid)?;
        let Some(delegated) = &self.delegated else {
            return Err(LinkRefusal::NotConnected);
        };
        let mut checked = Vec::new();
        for account in [
            Account::Personal(organizer.id.clone()),
            Account::Service(organizer.organization_id.clone()),
        ] {
            let Some((upn, _)) = delegated
                .status(&account)
                .await
                .map_err(|e| LinkRefusal::Unavailable(e.to_string()))?
            else {
                continue;
            };
            let token = match delegated.access_token(&account).await {
                Ok(token) => token,
                Err(DelegatedError::NotConnected) => continue,
                Err(e) => return Err(LinkRefusal::Unavailable(format!("the sign-in of {upn} no longer works ({e})"))),
            };
            let mailbox = account.mailbox();
            let webinar = match self.client.request_as(&token, reqwest::Method::GET, &path, None, &mailbox).await {
                Ok((_, body)) => body,
                // Not there, or not visible to this account.
                Err(GraphError::Http {
                    status: 400 | 403 | 404, ..
                }) => serde_json::Value::Null,
                Err(e) => return Err(LinkRefusal::Unavailable(e.to_string())),
            };
            match self.organizes(&token, &mailbox, &webinar).await {
                Ok(true) => return Ok(account),
                Ok(false) => checked.push(upn),
                Err(e) => return Err(LinkRefusal::Unavailable(e.to_string())),
            }
        }
        if checked.is_empty() {
            return Err(LinkRefusal::NotConnected);
        }
        Err(LinkRefusal::NotOrganizer(format!(
            "{} neither organizes nor co-organizes a Teams webinar with this id. Link only webinars your organization's connected Microsoft 365 account organizes.",
            checked.join(" and ")
        )))
    }

    /// Whether the user behind the delegated `token` organizes or co-organizes `webinar` (as
    /// Graph returned it): its `createdBy.user` or one of its `coOrganizers` is that user.
    async fn organizes(&self, token: &str, mailbox: &str, webinar: &serde_json::Value) -> Result<bool, GraphError> {
        // Some answers wrap the entity in `value`.
        let webinar = if webinar["value"].is_object() { &webinar["value"] } else { webinar };
        if !webinar.is_object() {
            return Ok(false);
        }
        let (_, me) = self
            .client
            .request_as(token, reqwest::Method::GET, "/me?$select=id", None, mailbox)
            .await?;
        let Some(me) = me["id"].as_str().filter(|id| !id.is_empty()) else {
            return Ok(false);
        };
        Ok(webinar["createdBy"]["user"]["id"].as_str() == Some(me)
            || webinar["coOrganizers"]
                .as_array()
                .is_some_and(|list| list.iter().any(|c| c["id"].as_str() == Some(me))))
    }

    /// Brings an existing Teams webinar into Atrium: an event linked to it (published when the
    /// webinar is), owned in Teams by `account`, with the registrations made so far.
    pub async fn import_webinar(
        &self,
        organizer: &crate::accounts::auth::Organizer,
        account: &crate::microsoft::delegated::Account,
        webinar_id: &str,
    ) -> Result<(Event, usize), String> {
        use crate::microsoft::models::{parse_entity, Description, Webinar};
        let Some(delegated) = &self.delegated else {
            return Err("Microsoft mode is not fully configured".into());
        };
        let taken: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT slug, organization_id FROM events WHERE teams_webinar_id = $1")
                .bind(webinar_id)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(|e| e.to_string())?;
        match taken {
            Some((slug, Some(org))) if org == organizer.organization_id => {
                return Err(format!("This webinar is already in Atrium as /events/{slug}."))
            }
            Some(_) => return Err("This webinar is already linked to an event on this site.".into()),
            None => {}
        }
        let path = crate::microsoft::webinar_path(webinar_id)?;
        let token = delegated.access_token(account).await.map_err(|e| e.to_string())?;
        let (_, body) = self
            .client
            .request_as(&token, reqwest::Method::GET, &path, None, &account.mailbox())
            .await
            .map_err(|e| e.to_string())?;
        if !self.organizes(&token, &account.mailbox(), &body).await.map_err(|e| e.to_string())? {
            return Err("This account neither organizes nor co-organizes this webinar in Teams, so it can't be imported.".into());
        }
        let webinar: Webinar = parse_entity(body).map_err(|e| e.to_string())?;
        let status = webinar.status.clone().unwrap_or_default().to_lowercase();
        if status == "canceled" {
            return Err("This webinar was canceled in Teams.".into());
        }
        let (start, zone) = webinar
            .start_date_time
            .as_ref()
            .and_then(graph_time)
            .ok_or("Teams gave this webinar no start time.")?;
        let end = webinar
            .end_date_time
            .as_ref()
            .and_then(graph_time)
            .map(|(t, _)| t)
            .unwrap_or(start + 3600);
        let description = strip_tags(webinar.description.as_ref().map(Description::text).unwrap_or(""));
        let summary: String = description
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .chars()
            .take(280)
            .collect();
        let iso = |t: i64| jiff::Timestamp::from_second(t).map(|t| t.to_string()).unwrap_or_default();
        let mut input = crate::events::EventInput {
            title: Some(webinar.display_name.chars().take(200).collect()),
            summary: Some(summary),
            description: Some(description),
            kind: Some("webinar".into()),
            start_date_time: Some(iso(start)),
            end_date_time: Some(iso(end)),
            time_zone: Some(zone),
            ..Default::default()
        };
        let event = match crate::events::create(&self.db, organizer, &input).await {
            Err(crate::events::ManageError::Invalid(errors)) if errors.iter().any(|e| e.field == "slug") => {
                let suffix: String = webinar_id.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect();
                input.slug = Some(format!("teams-webinar-{}", suffix.to_lowercase()));
                crate::events::create(&self.db, organizer, &input).await
            }
            other => other,
        }
        .map_err(|e| e.to_string())?;
        let published = status == "published" && end > crate::clock::now();
        let owner = match account {
            crate::microsoft::delegated::Account::Personal(id) => id.clone(),
            crate::microsoft::delegated::Account::Service(_) => String::new(),
        };
        let emails = webinar
            .settings
            .as_ref()
            .and_then(|s| s.is_attendee_email_notification_enabled)
            .unwrap_or(true);
        let write = async {
            let mut tx = self.db.begin_write().await?;
            sqlx::query(
                "UPDATE events SET teams_webinar_id = $2, teams_stage = $3, teams_owner = $4, teams_emails = $5, status = $6 WHERE id = $1",
            )
            .bind(&event.id)
            .bind(webinar_id)
            .bind(if status == "published" { "published" } else { "questions" })
            .bind(&owner)
            .bind(emails as i64)
            .bind(if published { "published" } else { "draft" })
            .execute(&mut *tx.tx)
            .await?;
            tx.commit().await
        };
        write.await.map_err(|e: sqlx::Error| e.to_string())?;
        let added = self.resync_registrations(&event.id).await?;
        let event = crate::events::by_id(&self.db, &event.id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the imported event is gone")?;
        Ok((event, added))
    }

    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// One pass: up to twenty due registrations in one `$batch`. Returns how many were claimed.
    pub async fn sync_due(&self) -> Result<usize, sqlx::Error> {
        let claimed = claim(&self.db, TOPIC_REGISTER, BATCH).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let jobs: Vec<Option<RegisterJob>> = claimed.iter().map(|c| serde_json::from_str(&c.payload).ok()).collect();
        let ids: Vec<String> = jobs.iter().flatten().map(|j| j.registration_id.clone()).collect();
        let registrations = crate::registrations::by_ids(&self.db, &ids).await?;
        let mut events: HashMap<String, Option<Event>> = HashMap::new();
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let mut items = Vec::new();
        let mut item_registration = HashMap::new();
        for (c, job) in claimed.iter().zip(&jobs) {
            let Some(reg) = job.as_ref().and_then(|j| registrations.get(&j.registration_id)) else {
                sent.push(c.id.clone());
                continue;
            };
            if !events.contains_key(&reg.event_id) {
                events.insert(reg.event_id.clone(), crate::events::by_id(&self.db, &reg.event_id).await?);
            }
            let webinar = events[&reg.event_id].as_ref().and_then(|e| e.teams_webinar_id.clone());
            // Canceled meanwhile, or the event was unlinked: nothing to send.
            let (Some(webinar), RegistrationStatus::Registered) = (webinar, reg.status) else {
                sent.push(c.id.clone());
                continue;
            };
            let Ok(webinar_path) = crate::microsoft::webinar_path(&webinar) else {
                failed.push((
                    c.id.clone(),
                    c.attempts,
                    "the event is linked to a malformed Teams webinar id".into(),
                ));
                continue;
            };
            let body = Registration {
                first_name: Some(reg.first_name.clone()),
                last_name: Some(reg.last_name.clone()),
                email: Some(reg.email.clone()),
                preferred_timezone: Some(reg.preferred_timezone.clone()),
                preferred_language: Some(reg.preferred_language.clone().unwrap_or_else(|| "en-US".into())),
                external_registration_information: Some(ExternalRegistrationInformation {
                    referrer: Some("Atrium".into()),
                    registration_id: Some(reg.id.clone()),
                }),
                ..Default::default()
            };
            items.push(BatchRequestItem {
                id: c.id.clone(),
                method: "POST".into(),
                url: format!("{webinar_path}/registrations"),
                headers: Some(serde_json::Map::from_iter([(
                    "Content-Type".to_string(),
                    serde_json::json!("application/json"),
                )])),
                body: Some(serde_json::to_value(body).expect("registration serialises")),
                depends_on: Vec::new(),
            });
            item_registration.insert(c.id.clone(), (reg.id.clone(), c.attempts));
        }
        let mut synced = Vec::new();
        let mut refused = Vec::new();
        if !items.is_empty() {
            match self.client.batch(items, "application").await {
                Ok(answers) => {
                    let mut listings: HashMap<String, Vec<Registration>> = HashMap::new();
                    for a in answers {
                        let Some((reg_id, attempts)) = item_registration.get(&a.id) else {
                            continue;
                        };
                        if (200..300).contains(&a.status) {
                            sent.push(a.id.clone());
                            synced.push(reg_id.clone());
                        } else if a.status == 409 {
                            // Teams already has this address. Ours only if that registration
                            // carries our id (an earlier attempt got through); otherwise it is
                            // someone else's, and this one is not in Teams.
                            let reg = &registrations[reg_id];
                            let webinar = events[&reg.event_id]
                                .as_ref()
                                .and_then(|e| e.teams_webinar_id.clone())
                                .unwrap_or_default();
                            match self.listing(&webinar, &mut listings).await {
                                Ok(list) => {
                                    sent.push(a.id.clone());
                                    if list.iter().any(|r| carries_id(r, reg_id)) {
                                        synced.push(reg_id.clone());
                                    } else {
                                        tracing::warn!(registration = %reg_id, "Teams holds another registration for this address");
                                        refused.push(reg_id.clone());
                                    }
                                }
                                Err(e) => failed.push((
                                    a.id.clone(),
                                    *attempts,
                                    format!("Teams answered 409; checking whose registration it holds failed: {e}"),
                                )),
                            }
                        } else {
                            let detail = a
                                .body
                                .as_ref()
                                .and_then(|b| b["error"]["message"].as_str())
                                .unwrap_or("")
                                .to_string();
                            failed.push((a.id.clone(), *attempts, format!("Teams answered {}: {detail}", a.status)));
                        }
                    }
                }
                Err(e) => {
                    let message = e.to_string();
                    for (outbox_id, (_, attempts)) in &item_registration {
                        failed.push((outbox_id.clone(), *attempts, message.clone()));
                    }
                    if !matches!(e, GraphError::Throttled { .. } | GraphError::Transport(_)) {
                        tracing::warn!(error = %message, "Teams sync failed");
                    }
                }
            }
        }
        if !synced.is_empty() || !refused.is_empty() {
            let now = crate::clock::now();
            let mut tx = self.db.begin_write().await?;
            for id in &synced {
                sqlx::query("UPDATE registrations SET teams_synced_at = $2, teams_problem = NULL WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            for id in &refused {
                sqlx::query("UPDATE registrations SET teams_problem = $2 WHERE id = $1")
                    .bind(id)
                    .bind(TEAMS_HOLDS_ANOTHER)
                    .execute(&mut *tx.tx)
                    .await?;
            }
            tx.commit().await?;
        }
        settle(&self.db, &sent, &failed).await?;
        Ok(claimed.len())
    }

    pub fn spawn(self) {
        tokio::spawn(async move {
            let mut subscriptions_checked: Option<std::time::Instant> = None;
            let mut attendance_checked: Option<std::time::Instant> = None;
            loop {
                // At start-up and every ten minutes: subscriptions exist and are renewed in time.
                if let Some(url) = &self.public_url {
                    let due = self.subscriptions_due.swap(false, std::sync::atomic::Ordering::Relaxed);
                    if due || subscriptions_checked.is_none_or(|t| t.elapsed() > Duration::from_secs(600)) {
                        match crate::microsoft::subscriptions::ensure(&self.db, &self.client, url).await {
                            Ok(pass) => {
                                if pass != Default::default() {
                                    tracing::info!(created = pass.created, renewed = pass.renewed, "Graph subscriptions updated");
                                }
                                subscriptions_checked = Some(std::time::Instant::now());
                            }
                            Err(e) => tracing::warn!(error = %e, "Graph subscription pass failed"),
                        }
                    }
                }
                if let Err(e) = self.sync_webinars().await {
                    tracing::warn!(error = %e, "Teams webinar pass failed");
                }
                if let Err(e) = self.process_notifications().await {
                    tracing::warn!(error = %e, "notification pass failed");
                }
                if let Err(e) = self.sync_cancellations().await {
                    tracing::warn!(error = %e, "Teams cancellation pass failed");
                }
                if let Err(e) = self.sync_webinar_cancellations().await {
                    tracing::warn!(error = %e, "Teams webinar cancellation pass failed");
                }
                if let Err(e) = self.sync_updates().await {
                    tracing::warn!(error = %e, "Teams update pass failed");
                }
                if attendance_checked.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    attendance_checked = Some(std::time::Instant::now());
                    if let Err(e) = self.attendance_pass().await {
                        tracing::warn!(error = %e, "Teams attendance pass failed");
                    }
                }
                match self.sync_due().await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "Teams sync pass failed"),
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
        });
    }
}
