//! Teams webinars brought into Atrium, and the check that the organization's account organizes
//! a webinar before an event is linked to it.

use super::*;
use crate::events::Event;
use crate::microsoft::client::GraphError;

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

impl TeamsSync {
    /// Teams webinars `account` organizes or co-organizes that no Atrium event is linked to yet,
    /// soonest first.
    pub async fn importable_webinars(
        &self,
        account: &crate::microsoft::delegated::Account,
    ) -> Result<Vec<crate::microsoft::models::Webinar>, SyncError> {
        use crate::microsoft::models::Webinar;
        let Some(delegated) = &self.delegated else {
            return Err(SyncError::NotConfigured);
        };
        let token = delegated.access_token(account).await.map_err(SyncError::from)?;
        let mut webinars: Vec<Webinar> = Vec::new();
        for role in ["organizer", "coOrganizer"] {
            let path = format!("/solutions/virtualEvents/webinars/getByUserRole(role='{role}')");
            let found: Vec<Webinar> = self
                .client
                .get_all_as(&token, &path, &account.mailbox())
                .await
                .map_err(SyncError::from)?;
            for w in found {
                if !webinars.iter().any(|known| known.id == w.id) {
                    webinars.push(w);
                }
            }
        }
        let linked = store::events::linked_webinars(&self.db).await.map_err(SyncError::from)?;
        webinars.retain(|w| {
            w.id.as_ref().is_some_and(|id| !linked.contains(id)) && !w.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("canceled"))
        });
        webinars.sort_by_key(|w| w.start_date_time.as_ref().and_then(|t| graph_time(t).ok()).map(|(t, _)| t));
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
        let path = crate::microsoft::webinar_path(webinar_id).map_err(|e| LinkRefusal::Invalid(e.to_string()))?;
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
    pub(super) async fn organizes(&self, token: &str, mailbox: &str, webinar: &serde_json::Value) -> Result<bool, GraphError> {
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
    ) -> Result<(Event, usize), SyncError> {
        use crate::microsoft::models::{parse_entity, Description, Webinar};
        let Some(delegated) = &self.delegated else {
            return Err(SyncError::NotConfigured);
        };
        let taken = store::events::holding_webinar(&self.db, webinar_id)
            .await
            .map_err(SyncError::from)?;
        match taken {
            Some((slug, Some(org))) if org == organizer.organization_id => {
                return Err(format!("This webinar is already in Atrium as /events/{slug}.").into())
            }
            Some(_) => return Err("This webinar is already linked to an event on this site.".into()),
            None => {}
        }
        let path = crate::microsoft::webinar_path(webinar_id)?;
        let token = delegated.access_token(account).await.map_err(SyncError::from)?;
        let (_, body) = self
            .client
            .request_as(&token, reqwest::Method::GET, &path, None, &account.mailbox())
            .await
            .map_err(SyncError::from)?;
        if !self.organizes(&token, &account.mailbox(), &body).await.map_err(SyncError::from)? {
            return Err("This account neither organizes nor co-organizes this webinar in Teams, so it can't be imported.".into());
        }
        let webinar: Webinar = parse_entity(body).map_err(SyncError::from)?;
        let status = webinar.status.clone().unwrap_or_default().to_lowercase();
        if status == "canceled" {
            return Err("This webinar was canceled in Teams.".into());
        }
        let (start, zone) =
            graph_time(webinar.start_date_time.as_ref().ok_or("Teams gave this webinar no start time.")?).map_err(SyncError::from)?;
        let end = match &webinar.end_date_time {
            Some(t) => graph_time(t).map_err(SyncError::from)?.0,
            None => start + 3600,
        };
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
        .map_err(SyncError::from)?;
        let published = status == "published" && end > self.db.now();
        let owner = match account {
            crate::microsoft::delegated::Account::Personal(id) => id.clone(),
            crate::microsoft::delegated::Account::Service(_) => String::new(),
        };
        let emails = webinar
            .settings
            .as_ref()
            .and_then(|s| s.is_attendee_email_notification_enabled)
            .unwrap_or(true);
        store::events::link_imported(
            &self.db,
            &event.id,
            webinar_id,
            if status == "published" { "published" } else { "questions" },
            &owner,
            emails,
            if published { "published" } else { "draft" },
        )
        .await
        .map_err(SyncError::from)?;
        let added = self.resync_registrations(&event.id).await?;
        let event = crate::events::by_id(&self.db, &event.id)
            .await
            .map_err(SyncError::from)?
            .ok_or("the imported event is gone")?;
        Ok((event, added))
    }
}
