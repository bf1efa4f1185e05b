//! The organizer at the front desk: canceling a customer's appointment, marking one who did not
//! come as a no-show. Both only for appointments of the organizer's own businesses.

use super::{business, SetupError};
use crate::accounts::auth::Organizer;
use crate::appointments::store;
use crate::store::Db;

/// The appointment `id` of the organizer's business `slug`.
async fn owned(db: &Db, org: &Organizer, slug: &str, id: &str) -> Result<store::AppointmentRow, SetupError> {
    let b = business(db, org, slug).await?;
    store::by_id(db, id)
        .await?
        .filter(|a| a.business_id == b.id)
        .ok_or(SetupError::NotFound("Appointment"))
}

/// Cancels an upcoming appointment for the customer (who is emailed, like the staff member).
pub async fn cancel(db: &Db, org: &Organizer, slug: &str, id: &str, teams: bool) -> Result<(), SetupError> {
    let a = owned(db, org, slug, id).await?;
    if a.status != "booked" || a.end <= db.now() {
        return Err(SetupError::Conflict("Only upcoming booked appointments can be canceled.".into()));
    }
    match crate::appointments::cancel_id(db, id, teams).await {
        Ok(_) => Ok(()),
        Err(crate::appointments::BookError::Db(e)) => Err(SetupError::Db(e)),
        Err(e) => Err(SetupError::Conflict(e.to_string())),
    }
}

/// Marks an appointment that has started without its customer as a no-show.
pub async fn no_show(db: &Db, org: &Organizer, slug: &str, id: &str) -> Result<(), SetupError> {
    owned(db, org, slug, id).await?;
    let mut tx = db.begin_write().await?;
    if !store::mark_no_show(&mut tx, id).await? {
        return Err(SetupError::Conflict(
            "Only a booked appointment that has started can be marked as a no-show.".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}
