//! The organizer at the front desk: moving or canceling a customer's appointment, marking one who
//! did not come as a no-show. All only for appointments of the organizer's own businesses.

use super::{business, SetupError};
use crate::accounts::auth::Organizer;
use crate::appointments::{store, AppointmentError, BookError, Booking, Catalog};
use crate::crypto::Sealer;
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

/// What moving an appointment needs: the business's catalog (published or not), the
/// appointment as the booking flow knows it, and whose it is.
pub struct Moving {
    pub catalog: Catalog,
    pub booking: Booking,
    pub customer_name: String,
    pub customer_email: String,
}

/// The appointment `id` of the organizer's business `slug`, ready to be moved.
pub async fn for_moving(db: &Db, sealer: &Sealer, org: &Organizer, slug: &str, id: &str) -> Result<Moving, SetupError> {
    let row = owned(db, org, slug, id).await?;
    let (customer_name, customer_email) = (row.customer_name.clone(), row.customer_email.clone());
    let business = store::business_by_id(db, &row.business_id)
        .await?
        .ok_or(SetupError::NotFound("Business"))?;
    let booking = crate::appointments::book::booking_of(sealer, &business, row).map_err(|e| match e {
        BookError::Db(e) => SetupError::Db(e),
        other => SetupError::Conflict(other.to_string()),
    })?;
    let catalog = Catalog::of(db, business).await.map_err(|e| match e {
        AppointmentError::Db(e) => SetupError::Db(e),
        AppointmentError::NotFound => SetupError::NotFound("Business"),
        AppointmentError::Invalid(errors) => SetupError::Invalid(errors),
    })?;
    Ok(Moving {
        catalog,
        booking,
        customer_name,
        customer_email,
    })
}

/// Moves an upcoming appointment of the organizer's business to `start` (RFC 3339) with the
/// same staff member, under the rules customers book by; the customer and staff are emailed and,
/// with `teams`, the same Teams meeting moves.
pub async fn reschedule(
    db: &Db,
    sealer: &Sealer,
    org: &Organizer,
    slug: &str,
    id: &str,
    start: &str,
    teams: bool,
) -> Result<(), MoveError> {
    let Moving { catalog, booking, .. } = for_moving(db, sealer, org, slug, id).await?;
    if booking.status != "booked" || booking.start <= db.now() {
        return Err(SetupError::Conflict("Only booked appointments that have not started can be moved.".into()).into());
    }
    Ok(crate::appointments::move_booking(db, &catalog, &booking, start, teams).await?)
}

/// Why an appointment was not moved from the dashboard.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Book(#[from] BookError),
}
