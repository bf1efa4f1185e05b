//! Who organizes each event: members of the organization, at least one per event.

use super::store::organizers as store;
use super::{event, ManageError};
use crate::accounts::auth::Organizer;
use crate::accounts::team::{members, Member};
use crate::store::Db;
use app::domain::FieldError;

/// The organizers of one event of the organization.
pub async fn event_organizers(db: &Db, org: &Organizer, slug: &str) -> Result<Vec<Member>, ManageError> {
    let event = event(db, org, slug).await?;
    Ok(store::of_event(db, &event.id).await?)
}

/// Sets who organizes an event, from the organization's members. At least one must remain;
/// the same member named twice is one organizer.
pub async fn set_event_organizers(db: &Db, org: &Organizer, slug: &str, member_ids: &[String]) -> Result<(), ManageError> {
    let event = event(db, org, slug).await?;
    let all = members(db, org).await?;
    let mut member_ids = member_ids.to_vec();
    member_ids.sort();
    member_ids.dedup();
    if member_ids.is_empty() || member_ids.iter().any(|id| !all.iter().any(|m| &m.id == id)) {
        return Err(ManageError::Invalid(vec![FieldError::new(
            "organizers",
            "Choose one or more members of your organization.",
        )]));
    }
    let mut tx = db.begin_write().await?;
    store::replace(&mut tx, &event.id, &member_ids).await?;
    tx.commit().await?;
    Ok(())
}
