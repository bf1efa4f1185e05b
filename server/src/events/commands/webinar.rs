//! Linking an event to an existing Teams webinar: what an update does to the link, and the
//! checks before a new link (the id's form, no other event holding it).

use super::super::store;
use super::super::{check_webinar_id, Event};
use super::ManageError;
use crate::accounts::MicrosoftAccount;
use crate::store::Db;
use app::domain::FieldError;

/// What an update does to the event's link with a Teams webinar.
pub(super) enum WebinarLink {
    /// Link to this webinar, owned in Teams by this organizer ("" for the service account).
    To(String, String),
    Unlink,
    /// Already linked to it.
    Same,
}

pub(super) async fn webinar_link(
    db: &Db,
    current: &Event,
    link: Option<&str>,
    checked_with: Option<&MicrosoftAccount>,
) -> Result<WebinarLink, ManageError> {
    match link.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(WebinarLink::Unlink),
        Some(id) if current.teams_webinar_id.as_deref() == Some(id) => Ok(WebinarLink::Same),
        Some(id) => {
            check_webinar_link(db, current, id).await?;
            let Some(account) = checked_with else {
                return Err(ManageError::Conflict(
                    "A Teams webinar can only be linked after checking, with your organization's connected Microsoft 365 account, that this account organizes it.".into(),
                ));
            };
            let owner = match account {
                MicrosoftAccount::Personal(organizer) => organizer.clone(),
                MicrosoftAccount::Service(_) => String::new(),
            };
            Ok(WebinarLink::To(id.to_string(), owner))
        }
    }
}

pub(super) fn webinar_taken() -> ManageError {
    ManageError::Conflict("This Teams webinar is already linked to another event; a webinar can be linked to one event only.".into())
}

/// Whether `event` may be linked to the Teams webinar `id`: the id has a webinar id's form
/// (422 naming `teamsWebinarId` otherwise) and no other event holds it (409). Whether the
/// organization's Microsoft 365 account organizes the webinar is checked in Teams, by
/// `TeamsSync::webinar_account`.
pub async fn check_webinar_link(db: &Db, event: &Event, id: &str) -> Result<(), ManageError> {
    check_webinar_id(id).map_err(|m| ManageError::Invalid(vec![FieldError::new("teamsWebinarId", m.to_string())]))?;
    match store::webinar_holder(db, id, &event.id).await? {
        Some(_) => Err(webinar_taken()),
        None => Ok(()),
    }
}
