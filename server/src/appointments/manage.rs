//! An appointment after it is booked, through its manage token: read it, move it to another
//! time with the same staff member (under the same locks and rules as a booking), cancel it.

use super::{calendars, ids, store, AppointmentError, Catalog, MARGIN};
use crate::crypto::Sealer;
use crate::store::Db;
use app::booking::{self, SlotRefusal};
use app::domain::FieldError;

use super::book::{booking_of, fresh_slots, staff_addresses, BookError, Booking, NewBooking};
use crate::jobs::email::{enqueue_appointment, AppointmentMail};

/// The appointment behind a manage token.
pub async fn find(db: &Db, sealer: &Sealer, token: &str) -> Result<Booking, BookError> {
    let row = store::by_token_hash(db, &crate::registrations::token_hash(token))
        .await?
        .ok_or(BookError::NotFound)?;
    let business = store::business_by_id(db, &row.business_id).await?.ok_or(BookError::NotFound)?;
    booking_of(sealer, &business, row)
}

/// Moves the appointment behind a manage token to `start` (RFC 3339), with the same staff
/// member, under the same rules and locks as a new booking. A time that is not free answers
/// with that day's free times for this staff member. With `teams` (Microsoft mode), the
/// appointment's Teams meeting is moved too (the same meeting, queued in the same transaction).
pub async fn reschedule(db: &Db, sealer: &Sealer, token: &str, start: &str, teams: bool) -> Result<Booking, BookError> {
    let found = find(db, sealer, token).await?;
    let catalog = Catalog::load(db, &found.business_slug).await?;
    move_booking(db, &catalog, &found, start, teams).await?;
    find(db, sealer, token).await
}

/// Moves `found`, an appointment of `catalog`'s business, to `start` (RFC 3339) with the same
/// staff member: the customer's manage page and the organizer's dashboard both come here.
pub async fn move_booking(db: &Db, catalog: &Catalog, found: &Booking, start: &str, teams: bool) -> Result<(), BookError> {
    if found.status == "canceled" {
        return Err(BookError::Invalid(vec![FieldError::new(
            "start",
            "This appointment is canceled; book a new one instead.",
        )]));
    }
    let start = start
        .trim()
        .parse::<jiff::Timestamp>()
        .map_err(|_| {
            BookError::Invalid(vec![FieldError::new(
                "start",
                "Give the start as a date and time with its offset, such as 2026-12-01T09:00:00-05:00.",
            )])
        })?
        .as_second();
    let service = catalog.service(&found.service_id).ok_or(BookError::NotFound)?;
    let staff: Vec<&super::model::Staff> = catalog.staff.iter().filter(|s| found.staff_ids.contains(&s.id)).collect();
    let rules = service.rules(&catalog.business).map_err(AppointmentError::from)?;
    let staff_ids = ids(&staff);
    let mut tx = db.begin_write().await?;
    store::lock_staff(&mut tx, &staff_ids).await?;
    let (from, to) = (start.min(found.start) - MARGIN, start.max(found.start) + MARGIN);
    let mut occupied = store::occupied(&mut *tx.tx, &staff_ids, from, to).await?;
    // The appointment itself does not stand in its own way (one entry per staff member; in a
    // group, one seat).
    for id in &staff_ids {
        if let Some(i) = occupied
            .iter()
            .position(|(s, b)| s == id && b.start == found.start && b.end == found.end && b.service_id == found.service_id)
        {
            occupied.remove(i);
        }
    }
    let off = store::time_off(&mut *tx.tx, &staff_ids, from, to).await?;
    let calendars = calendars(&catalog.business, &staff, &occupied, &off)?;
    let now = tx.now_ms() / 1000;
    let free = booking::check_slot(catalog.business.policy, &rules, &calendars, now, start);
    match free {
        Ok(free) if staff_ids.iter().all(|id| free.contains(id)) => {
            let lengths = (service.duration, service.pre_buffer, service.post_buffer);
            if !store::move_if_booked_at(&mut tx, &found.id, found.start, start, lengths).await? {
                // Canceled or moved by someone else since it was read: nothing is changed.
                return Err(BookError::Invalid(vec![FieldError::new(
                    "start",
                    "This appointment was changed a moment ago; reload to see it as it is now.",
                )]));
            }
            let row = store::by_id_in(&mut tx.tx, &found.id).await?.ok_or(BookError::NotFound)?;
            let mut to = vec![(None, row.customer_email.as_str())];
            to.extend(staff_addresses(&staff, &staff_ids));
            enqueue_appointment(&mut tx, AppointmentMail::Rescheduled, &found.id, &to).await?;
            crate::jobs::email::enqueue_reminders(&mut tx, &found.id, start, &super::model::reminder_plan(&service.reminders), &to).await?;
            super::tell_microsoft(&mut tx, teams, &catalog.business, service.is_location_online, &found.id).await?;
            tx.commit().await?;
            Ok(())
        }
        outcome => {
            drop(tx);
            let refusal = outcome.err().unwrap_or(SlotRefusal::Taken);
            let input = NewBooking {
                service_id: found.service_id.clone(),
                // The same staff member's times, where customers may ask for one by name.
                staff_id: found.staff_ids.first().cloned().filter(|_| catalog.business.allow_staff_selection),
                ..Default::default()
            };
            Err(BookError::Refused {
                refusal,
                fresh: fresh_slots(db, catalog, &input, start, &found.customer_time_zone).await?,
            })
        }
    }
}

/// Cancels the appointment behind a manage token; its time is free again at once. With `teams`,
/// its Teams meeting is removed.
pub async fn cancel(db: &Db, sealer: &Sealer, token: &str, teams: bool) -> Result<Booking, BookError> {
    let found = find(db, sealer, token).await?;
    cancel_id(db, &found.id, teams).await?;
    find(db, sealer, token).await
}

/// Cancels the appointment `id` (the caller has checked who may); true when this call canceled
/// it. Only the call that cancels tells anyone: the customer and staff are emailed and, with
/// `teams`, the Teams meeting is removed, all queued in the same transaction.
pub async fn cancel_id(db: &Db, id: &str, teams: bool) -> Result<bool, BookError> {
    let mut tx = db.begin_write().await?;
    if !store::cancel(&mut tx, id).await? {
        return Ok(false);
    }
    let row = store::by_id_in(&mut tx.tx, id).await?.ok_or(BookError::NotFound)?;
    let staff = store::staff_of(db, &row.business_id).await?;
    let staff: Vec<&super::model::Staff> = staff.iter().collect();
    let mut to = vec![(None, row.customer_email.as_str())];
    to.extend(staff_addresses(&staff, &row.staff_ids));
    enqueue_appointment(&mut tx, AppointmentMail::Canceled, id, &to).await?;
    if teams {
        if let Some(business) = store::business_by_id(db, &row.business_id).await? {
            // Whether it had a meeting is the worker's to find out.
            super::tell_microsoft(&mut tx, teams, &business, true, id).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// An appointment with what its emails name: its business, its service and the staff.
pub struct Details {
    pub appointment: store::AppointmentRow,
    pub business: super::model::Business,
    pub service_name: String,
    /// The business's staff members (the appointment's are those in `appointment.staff_ids`).
    pub staff: Vec<super::model::Staff>,
}

impl Details {
    pub async fn load(db: &Db, id: &str) -> Result<Option<Details>, sqlx::Error> {
        let Some(appointment) = store::by_id(db, id).await? else {
            return Ok(None);
        };
        let Some(business) = store::business_by_id(db, &appointment.business_id).await? else {
            return Ok(None);
        };
        let service_name = store::services_of(db, &business.id)
            .await?
            .into_iter()
            .find(|s| s.id == appointment.service_id)
            .map(|s| s.display_name)
            .unwrap_or_default();
        let staff = store::staff_of(db, &business.id).await?;
        Ok(Some(Details {
            appointment,
            business,
            service_name,
            staff,
        }))
    }

    /// The appointment's staff members.
    pub fn assigned(&self) -> impl Iterator<Item = &super::model::Staff> {
        self.staff.iter().filter(|s| self.appointment.staff_ids.contains(&s.id))
    }
}
