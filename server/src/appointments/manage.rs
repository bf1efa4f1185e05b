//! An appointment after it is booked, through its manage token: read it, move it to another
//! time with the same staff member (under the same locks and rules as a booking), cancel it.

use super::model::Staff;
use super::writer::AppointmentWriter;
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
    let mut tx = db.begin_write().await?;
    match move_in(&mut tx, catalog, found, start, teams).await? {
        Moved::Done => {
            tx.commit().await?;
            Ok(())
        }
        // Canceled or moved by someone else since it was read: nothing is changed.
        Moved::Changed => Err(BookError::Invalid(vec![FieldError::new(
            "start",
            "This appointment was changed a moment ago; reload to see it as it is now.",
        )])),
        Moved::Refused(refusal) => {
            drop(tx);
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

/// How a move ended.
#[derive(Debug, PartialEq, Eq)]
enum Moved {
    /// Moved, with its emails, reminders and Microsoft work queued: commit.
    Done,
    /// The appointment is no longer booked at the time it was read at: roll back.
    Changed,
    /// Its staff member is not free then: roll back.
    Refused(SlotRefusal),
}

/// Moves `found` to `start` with its staff member, inside the caller's transaction: staff
/// held, calendars read again (the appointment itself not standing in its own way), the time
/// checked with the slot engine, then moved only if it is still where it was read.
async fn move_in(tx: &mut impl AppointmentWriter, catalog: &Catalog, found: &Booking, start: i64, teams: bool) -> Result<Moved, BookError> {
    let service = catalog.service(&found.service_id).ok_or(BookError::NotFound)?;
    let staff: Vec<&Staff> = catalog.staff.iter().filter(|s| found.staff_ids.contains(&s.id)).collect();
    let rules = service.rules(&catalog.business).map_err(AppointmentError::from)?;
    let staff_ids = ids(&staff);
    tx.lock_staff(&staff_ids).await?;
    let (from, to) = (start.min(found.start) - MARGIN, start.max(found.start) + MARGIN);
    let mut occupied = tx.occupied(&staff_ids, from, to).await?;
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
    let off = tx.time_off(&staff_ids, from, to).await?;
    let calendars = calendars(&catalog.business, &staff, &occupied, &off)?;
    let now = tx.now_ms() / 1000;
    match booking::check_slot(catalog.business.policy, &rules, &calendars, now, start) {
        Ok(free) if staff_ids.iter().all(|id| free.contains(id)) => {}
        outcome => return Ok(Moved::Refused(outcome.err().unwrap_or(SlotRefusal::Taken))),
    }
    let lengths = (service.duration, service.pre_buffer, service.post_buffer);
    if !tx.move_if_booked_at(&found.id, found.start, start, lengths).await? {
        return Ok(Moved::Changed);
    }
    let customer = tx.customer_email(&found.id).await?.ok_or(BookError::NotFound)?;
    let mut to = vec![(None, customer.as_str())];
    to.extend(staff_addresses(&staff, &staff_ids));
    enqueue_appointment(tx, AppointmentMail::Rescheduled, &found.id, &to).await?;
    crate::jobs::email::enqueue_reminders(tx, &found.id, start, &super::model::reminder_plan(&service.reminders), &to).await?;
    super::tell_microsoft(tx, teams, &catalog.business, service.is_location_online, &found.id).await?;
    Ok(Moved::Done)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointments::fake::{at, catalog, Calendars};
    use app::booking::Booked;

    /// A booking of Ana at `start` as the store would read it back.
    fn found(start: i64) -> Booking {
        Booking {
            id: "a1".into(),
            service_id: "s1".into(),
            status: "booked".into(),
            start,
            end: start + 1_800,
            staff_ids: vec!["ana".into()],
            manage_token: String::new(),
            business_slug: "clinic".into(),
            customer_time_zone: "UTC".into(),
            join_url: None,
        }
    }

    fn booked(start: i64) -> Booked {
        Booked {
            service_id: "s1".into(),
            start,
            end: start + 1_800,
            pre_buffer: 0,
            post_buffer: 0,
            attendees: 1,
        }
    }

    async fn move_to(tx: &mut Calendars, found: &Booking, start: i64) -> Moved {
        move_in(tx, &catalog(), found, start, false).await.unwrap()
    }

    fn with_ana_booked(at: i64) -> Calendars {
        let mut tx = Calendars::default();
        tx.appointments.push(("ana".into(), booked(at), "a1".into()));
        tx.customers.insert("a1".into(), "cy@example.com".into());
        tx
    }

    #[tokio::test]
    async fn an_appointment_moves_by_less_than_its_length_past_itself_and_everyone_is_told() {
        let ten = at("2026-12-08T10:00:00Z");
        let mut tx = with_ana_booked(ten);
        assert_eq!(move_to(&mut tx, &found(ten), ten + 1_800).await, Moved::Done);
        assert_eq!((tx.appointments[0].1.start, tx.appointments[0].1.end), (ten + 1_800, ten + 3_600));
        let told: Vec<_> = tx
            .jobs
            .jobs
            .iter()
            .filter(|j| j.label.as_deref() == Some("appointmentRescheduled"))
            .map(|j| j.recipient.as_str())
            .collect();
        assert_eq!(told, ["cy@example.com", "ana@contoso.example"]);
        // The service's reminder, a day ahead of the new time.
        assert!(tx
            .jobs
            .jobs
            .iter()
            .any(|j| j.label.as_deref() == Some("appointmentReminder") && j.due_ms == (ten + 1_800 - 86_400) * 1000));
    }

    #[tokio::test]
    async fn a_time_the_staff_member_is_busy_is_refused_and_nothing_moves() {
        let ten = at("2026-12-08T10:00:00Z");
        let mut tx = with_ana_booked(ten);
        tx.appointments.push(("ana".into(), booked(ten + 3_600), "a2".into()));
        // Ben is free then, but the appointment stays with Ana.
        assert_eq!(move_to(&mut tx, &found(ten), ten + 3_600).await, Moved::Refused(SlotRefusal::Taken));
        assert_eq!(tx.appointments[0].1.start, ten);
        assert!(tx.jobs.jobs.is_empty());
    }

    #[tokio::test]
    async fn an_appointment_moved_meanwhile_is_not_moved_again() {
        let ten = at("2026-12-08T10:00:00Z");
        let mut tx = with_ana_booked(ten + 7_200);
        assert_eq!(move_to(&mut tx, &found(ten), ten + 1_800).await, Moved::Changed);
        assert_eq!(tx.appointments[0].1.start, ten + 7_200);
        assert!(tx.jobs.jobs.is_empty());
    }
}
