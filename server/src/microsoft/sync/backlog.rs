//! What is still on its way to Teams for an organization, and what Teams refused.

use super::*;
pub use crate::jobs::teams::{EventJob as WebinarJob, TOPIC_REGISTER, TOPIC_UNREGISTER};
use crate::store::Db;

/// Work for Teams not done yet, for one organization: how many registration jobs and event
/// steps wait, and the newest error among them (when, what).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    pub registrations: usize,
    pub event_steps: usize,
    pub last_error: Option<(i64, String)>,
}

/// What is still on its way to Teams for `organization_id`'s events.
pub async fn backlog(db: &Db, organization_id: &str) -> Result<Backlog, sqlx::Error> {
    let rows = store::backlog::pending_jobs(db).await?;
    let ours: std::collections::HashSet<String> = store::events::ids_of_organization(db, organization_id).await?.into_iter().collect();
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
    store::backlog::refused(db, organization_id, limit).await
}
