//! Changes made in Microsoft Bookings to a business imported from there, applied to Atrium when
//! its calendar is read back: an appointment moved there moves here (the customer and staff
//! member are told, as for any move), one made there is recorded here (with its customer's
//! answers) so its time is taken, one canceled there is canceled here.

use super::book::staff_addresses;
use super::model::Business;
use super::{store, BookError};
use crate::crypto::Sealer;
use crate::jobs::email::{enqueue_appointment, enqueue_reminders, AppointmentMail};
use crate::store::Db;

/// An appointment as Bookings holds it.
#[derive(Clone, Debug)]
pub struct SeenInBookings {
    pub bookings_id: String,
    pub service_id: String,
    pub start: i64,
    pub end: i64,
    pub staff_ids: Vec<String>,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub customer_time_zone: Option<String>,
    /// Where staff join in Teams (Bookings' `joinWebUrl`).
    pub teams_join_url: Option<String>,
    /// Where the customer joins: Bookings' `anonymousJoinWebUrl` when it gives one, else the
    /// Teams link.
    pub join_url: Option<String>,
    /// What the customer answered in Bookings to the service's questions.
    pub answers: Vec<super::model::Answer>,
}

/// Moves `row` to the times Bookings holds. Nothing is sent back to Bookings.
pub async fn moved_in_bookings(db: &Db, row: &store::AppointmentRow, seen: &SeenInBookings) -> Result<(), BookError> {
    let services = store::all_services_of(db, &row.business_id).await?;
    let service = services.iter().find(|s| s.id == row.service_id).ok_or(BookError::NotFound)?;
    let staff = store::staff_of(db, &row.business_id).await?;
    let staff: Vec<&super::model::Staff> = staff.iter().collect();
    let mut tx = db.begin_write().await?;
    store::move_to(
        &mut tx,
        &row.id,
        seen.start,
        seen.end - seen.start,
        service.pre_buffer,
        service.post_buffer,
    )
    .await?;
    let moved = store::by_id_in(&mut tx.tx, &row.id).await?.ok_or(BookError::NotFound)?;
    let mut to = vec![(None, moved.customer_email.as_str())];
    to.extend(staff_addresses(&staff, &moved.staff_ids));
    enqueue_appointment(&mut tx, AppointmentMail::Rescheduled, &row.id, &to).await?;
    enqueue_reminders(&mut tx, &row.id, seen.start, &super::model::reminder_plan(&service.reminders), &to).await?;
    store::set_bookings_id_in(
        &mut tx,
        &row.id,
        &seen.bookings_id,
        seen.teams_join_url.as_deref(),
        seen.join_url.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records an appointment made in Bookings, so that its time is no longer offered; Bookings
/// told its customer itself, so no email goes out. `None` when its service or staff are not
/// (or no longer) in Atrium.
pub async fn made_in_bookings(db: &Db, sealer: &Sealer, business: &Business, seen: &SeenInBookings) -> Result<Option<String>, BookError> {
    let services = store::services_of(db, &business.id).await?;
    let Some(service) = services.iter().find(|s| s.id == seen.service_id) else {
        return Ok(None);
    };
    let known = store::staff_of(db, &business.id).await?;
    let staff_ids: Vec<String> = seen
        .staff_ids
        .iter()
        .filter(|id| known.iter().any(|s| &s.id == *id))
        .cloned()
        .collect();
    if staff_ids.is_empty() {
        return Ok(None);
    }
    // Its own length, as Bookings holds it.
    let mut service = service.clone();
    service.duration = seen.end - seen.start;
    let token = crate::registrations::new_token(sealer);
    let id = uuid::Uuid::now_v7().to_string();
    let zone = seen.customer_time_zone.clone().unwrap_or_else(|| business.time_zone.clone());
    let answers = serde_json::to_string(&seen.answers).unwrap_or_else(|_| "[]".into());
    let mut tx = db.begin_write().await?;
    store::lock_staff(&mut tx, &staff_ids).await?;
    store::insert_appointment(
        &mut tx,
        &store::NewAppointment {
            id: &id,
            business_id: &business.id,
            service: &service,
            start: seen.start,
            staff_ids: &staff_ids,
            customer_name: &seen.customer_name,
            customer_email: &seen.customer_email,
            customer_phone: seen.customer_phone.as_deref(),
            customer_time_zone: &zone,
            answers: &answers,
            token_hash: &crate::registrations::token_hash(&token.token),
            token_sealed: &token.sealed,
            idempotency: None,
        },
    )
    .await?;
    store::set_bookings_id_in(
        &mut tx,
        &id,
        &seen.bookings_id,
        seen.teams_join_url.as_deref(),
        seen.join_url.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}
