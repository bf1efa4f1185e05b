//! Events in Teams: the webinar created step by step (or the meeting with `createOrGet`),
//! kept up to date, and canceled.

use super::*;
use crate::events::Event;
pub use crate::jobs::teams::{TOPIC_UPDATE, TOPIC_WEBINAR, TOPIC_WEBINAR_CANCEL};
use crate::microsoft::client::GraphError;

impl TeamsSync {
    /// Creates, fills and publishes webinars in Teams for published webinar events, one step at
    /// a time, recording each step so a retry resumes. Returns how many jobs were claimed.
    pub async fn sync_webinars(&self) -> Result<usize, sqlx::Error> {
        self.event_jobs(TOPIC_WEBINAR, EventStep::Create).await
    }

    /// Creates the event in Teams: a meeting-kind event becomes an online meeting (createOrGet
    /// keyed by our event id, so a retry finds the same meeting); a webinar is created, given
    /// its questions and published, step by step.
    pub(super) async fn publish_webinar(&self, event_id: &str, retry: bool) -> Result<(), SyncError> {
        use crate::microsoft::models::{parse_entity, OnlineMeeting, Session, Webinar};
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(SyncError::from)? else {
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
                .map_err(SyncError::from)?;
            let meeting: OnlineMeeting = parse_entity(created).map_err(SyncError::from)?;
            let id = meeting.id.ok_or("Teams returned a meeting without an id")?;
            store::events::set_meeting(&self.db, event_id, &id, meeting.join_web_url.as_deref())
                .await
                .map_err(SyncError::from)?;
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
                .map_err(SyncError::from)?;
            let created: Webinar = parse_entity(created).map_err(SyncError::from)?;
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
            let there: Vec<serde_json::Value> = self.client.get_all_as(&token, &path, &mailbox).await.map_err(SyncError::from)?;
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
                    .map_err(SyncError::from)?;
            }
            self.set_stage(event_id, None, "questions").await?;
        }
        if self.stage(event_id).await?.as_deref() == Some("questions") {
            // Presenters with an email address, as guests with their details.
            let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/presenters");
            let there: Vec<serde_json::Value> = self.client.get_all_as(&token, &path, &mailbox).await.map_err(SyncError::from)?;
            let records = crate::events::presenter_records(&self.db, event_id)
                .await
                .map_err(SyncError::from)?;
            for body in records.iter().filter_map(presenter_body) {
                let email = body["identity"]["email"].as_str().unwrap_or("").to_lowercase();
                if there.iter().any(|p| p["email"].as_str().unwrap_or("").to_lowercase() == email) {
                    continue;
                }
                self.client
                    .request_as(&token, reqwest::Method::POST, &path, Some(&body), &mailbox)
                    .await
                    .map_err(SyncError::from)?;
            }
            self.set_stage(event_id, None, "presenters").await?;
        }
        if self.stage(event_id).await?.as_deref() != Some("published") {
            let path = format!("/solutions/virtualEvents/webinars/{webinar_id}/publish");
            self.client
                .request_as(&token, reqwest::Method::POST, &path, None, &mailbox)
                .await
                .map_err(SyncError::from)?;
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
            .map_err(SyncError::from)?;
        if let Some(url) = sessions.iter().find_map(|s| s.join_web_url.clone()) {
            store::events::set_join_url(&self.db, event_id, &url)
                .await
                .map_err(SyncError::from)?;
        }
        // People who registered before the webinar existed in Teams go there now.
        let write = async {
            let linked = crate::events::by_id(&self.db, event_id).await?.expect("the event exists");
            let ids = store::registrations::not_in_teams(&self.db, event_id).await?;
            let mut tx = self.db.begin_write().await?;
            for id in &ids {
                crate::jobs::teams::register(&mut tx, linked.teams_webinar_id.is_some(), event_id, id).await?;
            }
            tx.commit().await
        };
        write.await.map_err(SyncError::from)
    }

    /// A draft webinar the owner organizes that matches the event (title and start) and is not
    /// linked to any event: what an interrupted create left behind.
    pub(super) async fn orphan(&self, event: &Event, token: &str, mailbox: &str) -> Result<Option<String>, SyncError> {
        let mine: Vec<crate::microsoft::models::Webinar> = self
            .client
            .get_all_as(token, "/solutions/virtualEvents/webinars/getByUserRole(role='organizer')", mailbox)
            .await
            .map_err(SyncError::from)?;
        for w in mine {
            let (Some(id), Some(start)) = (w.id.clone(), w.start_date_time.as_ref().and_then(|t| graph_time(t).ok())) else {
                continue;
            };
            let draft = w.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("draft"));
            if !draft || w.display_name != event.title || start.0 != event.start_at {
                continue;
            }
            let linked = store::events::by_webinar(&self.db, &id).await.map_err(SyncError::from)?;
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

    pub(super) async fn update_in_teams(&self, event_id: &str) -> Result<(), SyncError> {
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(SyncError::from)? else {
            return Ok(());
        };
        let (version, synced) = store::events::teams_versions(&self.db, event_id).await.map_err(SyncError::from)?;
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
            .map_err(SyncError::from)?;
        self.mark_synced(event_id, version).await
    }

    /// Cancels in Teams the webinars of events canceled in Atrium (delegated, as Teams requires).
    pub async fn sync_webinar_cancellations(&self) -> Result<usize, sqlx::Error> {
        self.event_jobs(TOPIC_WEBINAR_CANCEL, EventStep::Cancel).await
    }

    pub(super) async fn cancel_webinar(&self, event_id: &str) -> Result<(), SyncError> {
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(SyncError::from)? else {
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
            Err(e) => Err(e.into()),
        }
    }
}
