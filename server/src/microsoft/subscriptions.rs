//! Change-notification subscriptions for linked webinars: one per resource, created with a
//! random `clientState` (checked on every notification), renewed well before Graph's one-day
//! limit, recreated if Graph removed it, and reconciled at start-up by the first pass.

use super::client::{GraphClient, GraphError};
use super::models::Subscription;
use super::store;
use crate::microsoft::sync::SyncError;
use crate::store::Db;
use reqwest::Method;

/// Virtual-event subscriptions last at most a day; ask for a little less.
const LIFETIME: i64 = 23 * 3600;
/// Renew when less than this is left.
const RENEW_BEFORE: i64 = 6 * 3600;

fn expiry(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub created: usize,
    pub renewed: usize,
}

/// What Atrium follows of each webinar: its registrations (made in Teams, or changed there),
/// its sessions, and new attendance reports (read as soon as Teams has them).
fn resources(webinar: &str) -> [(String, &'static str); 3] {
    [
        (
            format!("solutions/virtualEvents/webinars/{webinar}/registrations"),
            "created,updated",
        ),
        (format!("solutions/virtualEvents/webinars/{webinar}/sessions"), "created,updated"),
        (
            format!("solutions/virtualEvents/webinars/{webinar}/getAttendanceReports"),
            "created",
        ),
    ]
}

/// Makes sure every published event linked to a webinar has live subscriptions for its
/// registrations, sessions and attendance reports.
pub async fn ensure(db: &Db, client: &GraphClient, public_url: &str) -> Result<Pass, SyncError> {
    let now = db.now();
    let linked = store::events::published_with_webinar(db).await.map_err(SyncError::from)?;
    let mut pass = Pass::default();
    for (event_id, webinar) in linked {
        if let Err(e) = crate::events::check_webinar_id(&webinar) {
            tracing::warn!(event = %event_id, error = %e, "not subscribing to a malformed Teams webinar id");
            continue;
        }
        for (resource, change_type) in resources(&webinar) {
            let existing = store::subscriptions::for_resource(db, &resource).await.map_err(SyncError::from)?;
            if let Some((id, expires_at)) = &existing {
                if expires_at - now > RENEW_BEFORE {
                    continue;
                }
                let body = serde_json::json!({ "expirationDateTime": expiry(now + LIFETIME) });
                match client
                    .request(Method::PATCH, &format!("/subscriptions/{id}"), Some(&body), "application")
                    .await
                {
                    Ok(_) => {
                        store::subscriptions::set_expiry(db, id, now + LIFETIME)
                            .await
                            .map_err(SyncError::from)?;
                        pass.renewed += 1;
                        continue;
                    }
                    // Graph dropped it (expired or removed): make a new one below.
                    Err(GraphError::Http { status: 404, .. }) => store::subscriptions::delete(db, id).await.map_err(SyncError::from)?,
                    Err(e) => return Err(e.into()),
                }
            }
            let client_state = {
                use base64::Engine;
                let bytes: [u8; 24] = rand::random();
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
            };
            let request = Subscription {
                change_type: change_type.into(),
                notification_url: Some(format!("{public_url}/webhooks/graph")),
                lifecycle_notification_url: Some(format!("{public_url}/webhooks/graph/lifecycle")),
                resource: resource.clone(),
                expiration_date_time: Some(expiry(now + LIFETIME)),
                client_state: Some(client_state.clone()),
                id: None,
            };
            let body = serde_json::to_value(&request).expect("subscription serialises");
            let (_, created) = client
                .request(Method::POST, "/subscriptions", Some(&body), "application")
                .await
                .map_err(SyncError::from)?;
            let created: Subscription = serde_json::from_value(created).map_err(SyncError::from)?;
            let id = created.id.ok_or("Graph returned a subscription without an id")?;
            let stored = store::subscriptions::insert(db, &id, &resource, change_type, &client_state, now + LIFETIME, &event_id, now);
            if let Err(e) = stored.await {
                // Another instance subscribed to this resource at the same moment and stored
                // its subscription first: withdraw ours rather than keep two.
                let _ = client
                    .request(Method::DELETE, &format!("/subscriptions/{id}"), None, "application")
                    .await;
                if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
                    continue;
                }
                return Err(e.into());
            }
            pass.created += 1;
        }
    }
    Ok(pass)
}
