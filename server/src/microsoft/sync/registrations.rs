//! Registrations between Atrium and Teams: confirmed people registered in the webinar in
//! `$batch`es, cancellations both ways, registrations made in Teams mirrored into Atrium.

use super::*;
use crate::events::Event;
pub use crate::jobs::teams::{RegisterJob, TOPIC_REGISTER, TOPIC_UNREGISTER};
use crate::microsoft::client::GraphError;
use crate::microsoft::models::{BatchRequestItem, ExternalRegistrationInformation, Registration};
use app::domain::RegistrationStatus;
use std::collections::HashMap;

impl TeamsSync {
    /// One pass: up to twenty due registrations in one `$batch`. Returns how many were claimed.
    pub async fn sync_due(&self) -> Result<usize, sqlx::Error> {
        let claimed = self.queue.claim(TOPIC_REGISTER, BATCH).await?;
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
            let now = self.db.now();
            let mut tx = self.db.begin_write().await?;
            for id in &synced {
                store::registrations::mark_in_teams(&mut tx, id, now).await?;
            }
            for id in &refused {
                store::registrations::set_teams_problem(&mut tx, id, TEAMS_HOLDS_ANOTHER).await?;
            }
            tx.commit().await?;
        }
        self.queue.settle(&sent, &failed).await?;
        Ok(claimed.len())
    }

    /// Cancels in Teams the registrations canceled in Atrium. Teams gives anonymous registrants
    /// no id at registration, so each is found in the webinar's registration list by the id
    /// Atrium put in `externalRegistrationInformation` (or, for one made in Teams and imported,
    /// by its Teams id). Never by email: a Teams registration that only shares the address is
    /// someone else's and is left alone.
    pub async fn sync_cancellations(&self) -> Result<usize, sqlx::Error> {
        let claimed = self.queue.claim(TOPIC_UNREGISTER, BATCH).await?;
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
                Err(e) => failed.push((c.id.clone(), c.attempts, e.to_string())),
            }
        }
        self.queue.settle(&sent, &failed).await?;
        Ok(claimed.len())
    }

    /// The webinar's registrations in Teams, read once per pass.
    pub(super) async fn listing<'a>(
        &self,
        webinar: &str,
        listings: &'a mut HashMap<String, Vec<Registration>>,
    ) -> Result<&'a [Registration], SyncError> {
        if !listings.contains_key(webinar) {
            let path = format!("{}/registrations", crate::microsoft::webinar_path(webinar)?);
            let all: Vec<Registration> = self.client.get_all(&path, "application").await.map_err(SyncError::from)?;
            listings.insert(webinar.to_string(), all);
        }
        Ok(&listings[webinar])
    }

    pub(super) async fn unregister(
        &self,
        registration_id: &str,
        listings: &mut HashMap<String, Vec<Registration>>,
    ) -> Result<(), SyncError> {
        let Some(reg) = crate::registrations::by_id(&self.db, registration_id)
            .await
            .map_err(SyncError::from)?
        else {
            return Ok(());
        };
        let event = crate::events::by_id(&self.db, &reg.event_id).await.map_err(SyncError::from)?;
        let Some(webinar) = event.and_then(|e| e.teams_webinar_id) else {
            return Ok(());
        };
        let imported = store::registrations::teams_registration_id(&self.db, registration_id)
            .await
            .map_err(SyncError::from)?;
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
            .map_err(SyncError::from)
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
    pub(super) async fn mirror(&self, event_id: &str, reg: &Registration) -> Result<bool, SyncError> {
        let ours = reg
            .external_registration_information
            .as_ref()
            .and_then(|x| x.registration_id.as_deref())
            .filter(|id| !id.is_empty());
        let teams_id = reg.id.as_deref().filter(|id| !id.is_empty());
        let status = reg.status.as_deref().unwrap_or("registered");
        if status.eq_ignore_ascii_case("canceled") {
            let id = match (ours, teams_id) {
                (Some(ours), _) => store::registrations::registered_by_id(&self.db, event_id, ours).await,
                (None, Some(teams_id)) => store::registrations::registered_by_teams_id(&self.db, event_id, teams_id).await,
                (None, None) => return Ok(false),
            }
            .map_err(SyncError::from)?;
            let Some(id) = id else { return Ok(false) };
            crate::registrations::cancel_by_id(&self.db, &id).await.map_err(SyncError::from)?;
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
        .map_err(SyncError::from)
    }

    /// Reads every registration of the event's webinar from Teams and mirrors the ones made
    /// there. Returns how many were added.
    pub async fn resync_registrations(&self, event_id: &str) -> Result<usize, SyncError> {
        let Some(event) = crate::events::by_id(&self.db, event_id).await.map_err(SyncError::from)? else {
            return Ok(0);
        };
        let Some(webinar) = &event.teams_webinar_id else { return Ok(0) };
        let path = format!("{}/registrations", crate::microsoft::webinar_path(webinar)?);
        let all: Vec<Registration> = self.client.get_all(&path, "application").await.map_err(SyncError::from)?;
        let mut added = 0;
        for reg in &all {
            if self.mirror(event_id, reg).await? {
                added += 1;
            }
        }
        Ok(added)
    }
}
