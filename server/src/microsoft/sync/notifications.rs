//! Change notifications from Graph, stored by the webhook and worked through here: changed
//! registrations, new attendance reports, and lifecycle notices about subscriptions.

use super::*;
use crate::microsoft::client::GraphError;
use crate::microsoft::models::Registration;

impl TeamsSync {
    /// Works through stored change notifications: registrations made in Teams appear in Atrium;
    /// a removed or expiring subscription is handed to the next subscription pass.
    pub async fn process_notifications(&self) -> Result<usize, sqlx::Error> {
        let rows = store::notifications::unprocessed(&self.db).await?;
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
                ("lifecycle", _) => store::subscriptions::expire_now(&self.db, subscription)
                    .await
                    .map_err(SyncError::from),
                _ => self.handle_change(resource.as_deref().unwrap_or("")).await,
            };
            match outcome {
                Ok(()) => done.push(id.clone()),
                Err(e) => tracing::warn!(notification = %id, error = %e, lifecycle = ?lifecycle, "notification not processed yet"),
            }
        }
        if !done.is_empty() {
            let now = self.db.now();
            let mut tx = self.db.begin_write().await?;
            for id in &done {
                store::notifications::mark_processed(&mut tx, id, now).await?;
            }
            tx.commit().await?;
        }
        Ok(rows.len())
    }

    /// A change in Teams: a registration (mirrored into Atrium), or a new attendance report
    /// (read into the attendance view).
    pub(super) async fn handle_change(&self, resource: &str) -> Result<(), SyncError> {
        // solutions/virtualEvents/webinars/{webinar}/registrations/{registration}
        // solutions/virtualEvents/webinars/{webinar}/sessions/{session}/attendanceReports/{report}
        let parts: Vec<&str> = resource.trim_start_matches('/').split('/').collect();
        let ["solutions", "virtualEvents", "webinars", webinar, rest @ ..] = parts.as_slice() else {
            return Ok(());
        };
        let event_id = store::events::by_webinar(&self.db, webinar).await.map_err(SyncError::from)?;
        let Some(event_id) = event_id else { return Ok(()) };
        match rest {
            ["registrations", _] => {}
            [.., "attendanceReports", _] | [.., "attendanceReports"] | ["getAttendanceReports", ..] => {
                let Some(event) = crate::events::by_id(&self.db, &event_id).await.map_err(SyncError::from)? else {
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
            Err(e) => return Err(e.into()),
        };
        let reg: Registration = crate::microsoft::models::parse_entity(body).map_err(SyncError::from)?;
        self.mirror(&event_id, &reg).await.map(|_| ())
    }

    /// Answers `reauthorizationRequired`: reauthorized at Graph; one Graph no longer has is
    /// recreated by the next subscription pass, which runs at once.
    pub(super) async fn reauthorize(&self, subscription: &str) -> Result<(), SyncError> {
        let path = format!("/subscriptions/{subscription}/reauthorize");
        match self.client.request(reqwest::Method::POST, &path, None, "application").await {
            Ok(_) => Ok(()),
            Err(GraphError::Http { status: 404, .. }) => self.forget_subscription(subscription).await.map(|_| ()),
            Err(e) => Err(e.into()),
        }
    }

    /// Drops a subscription Graph no longer holds and asks for a subscription pass now.
    /// Returns the subscription's event.
    pub(super) async fn forget_subscription(&self, subscription: &str) -> Result<Option<String>, SyncError> {
        let event_id = store::subscriptions::event_of(&self.db, subscription)
            .await
            .map_err(SyncError::from)?;
        store::subscriptions::delete(&self.db, subscription)
            .await
            .map_err(SyncError::from)?;
        self.subscriptions_due.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(event_id)
    }

    pub(super) async fn resync_subscription(&self, subscription: &str) -> Result<(), SyncError> {
        let event_id = store::subscriptions::event_of(&self.db, subscription)
            .await
            .map_err(SyncError::from)?;
        let Some(event_id) = event_id else { return Ok(()) };
        self.resync_event(&event_id).await
    }

    /// Reads the event's registrations from Teams again, and its attendance on the next pass.
    pub(super) async fn resync_event(&self, event_id: &str) -> Result<(), SyncError> {
        let event_id = event_id.to_string();
        let added = self.resync_registrations(&event_id).await?;
        tracing::info!(event = %event_id, added, "resynchronized registrations after missed notifications");
        // Attendance may have been missed too: read it again on the next attendance pass.
        store::events::forget_empty_attendance(&self.db, &event_id)
            .await
            .map_err(SyncError::from)
    }
}
