//! The booking's write transaction, over [`AppointmentWriter`]: count the address, hold the
//! staff, read their calendars again, check the time with the slot engine, pick the staff
//! member, write the appointment and queue its emails, reminders and Microsoft work.

use super::super::model::Staff;
use super::super::writer::AppointmentWriter;
use super::super::{calendars, ids, store, AppointmentError, Catalog, MARGIN};
use super::{is_unique_violation, staff_addresses, BookError, Booking, Checked};
use crate::crypto::Sealer;
use crate::jobs::email::AppointmentMail;
use app::booking::{self, SlotRefusal};

/// A booking to decide: the checked request and the staff who could take it.
pub(super) struct Request<'a> {
    pub catalog: &'a Catalog,
    pub checked: &'a Checked<'a>,
    pub staff: &'a [&'a Staff],
    pub key: Option<&'a str>,
    /// What the request is, for its idempotency key.
    pub hash: &'a str,
    pub address: Option<&'a str>,
    /// Microsoft mode: queue what Microsoft must learn of the appointment.
    pub teams: bool,
}

/// How the transaction ended.
#[derive(Debug)]
pub(super) enum Reserved {
    /// Written, with everything it queued: commit.
    Booked(Booking),
    /// Too many bookings from the address; wait this many seconds. Commit (the hit counts).
    Limited(i64),
    /// The time cannot be booked: roll back.
    Refused(SlotRefusal),
    /// Another request with the same idempotency key was written first: roll back and answer as
    /// that one was answered.
    KeyTaken(sqlx::Error),
}

pub(super) async fn reserve(tx: &mut impl AppointmentWriter, sealer: &Sealer, r: &Request<'_>) -> Result<Reserved, BookError> {
    let (catalog, checked) = (r.catalog, r.checked);
    let rules = checked.service.rules(&catalog.business).map_err(AppointmentError::from)?;
    if let Some(address) = r.address {
        let limit = crate::limits::BOOKINGS;
        let now = tx.now_ms() / 1000;
        if let Some(wait) = crate::limits::hit(tx, limit, address, now).await?.exceeded(limit) {
            return Ok(Reserved::Limited(wait));
        }
    }
    let staff_ids = ids(r.staff);
    tx.lock_staff(&staff_ids).await?;
    let (from, to) = (checked.start - MARGIN, checked.start + MARGIN);
    let occupied = tx.occupied(&staff_ids, from, to).await?;
    let off = tx.time_off(&staff_ids, from, to).await?;
    let calendars = calendars(&catalog.business, r.staff, &occupied, &off)?;
    let now = tx.now_ms() / 1000;
    let free = match booking::check_slot(catalog.business.policy, &rules, &calendars, now, checked.start) {
        Ok(free) => free,
        Err(refusal) => return Ok(Reserved::Refused(refusal)),
    };
    let free_rules: Vec<&booking::StaffRules> = calendars.iter().filter(|c| free.contains(&c.id)).collect();
    let zone = app::tz::parse_zone(&catalog.business.time_zone).map_err(AppointmentError::from)?;
    let day = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_zoned(zone.clone()).date())
            .unwrap_or_default()
    };
    let chosen = booking::pick_staff(&free_rules, checked.start, day).expect("check_slot found someone free");
    let token = crate::registrations::new_token(sealer);
    let id = uuid::Uuid::now_v7().to_string();
    let staff_ids = vec![chosen.id.clone()];
    let answers = serde_json::to_string(&checked.answers).unwrap_or_else(|_| "[]".into());
    let written = tx
        .insert_appointment(&store::NewAppointment {
            id: &id,
            business_id: &catalog.business.id,
            service: checked.service,
            start: checked.start,
            staff_ids: &staff_ids,
            customer_name: &checked.name,
            customer_email: &checked.email,
            customer_phone: checked.phone.as_deref(),
            customer_time_zone: &checked.time_zone,
            answers: &answers,
            token_hash: &crate::registrations::token_hash(&token.token),
            token_sealed: &token.sealed,
            idempotency: r.key.map(|k| (k, r.hash)),
        })
        .await;
    match written {
        Ok(()) => {}
        Err(e) if r.key.is_some() && is_unique_violation(&e) => return Ok(Reserved::KeyTaken(e)),
        Err(e) => return Err(e.into()),
    }
    let mut to = vec![(None, checked.email.as_str())];
    to.extend(staff_addresses(r.staff, &staff_ids));
    crate::jobs::email::enqueue_appointment(tx, AppointmentMail::Booked, &id, &to).await?;
    let reminders = super::super::model::reminder_plan(&checked.service.reminders);
    crate::jobs::email::enqueue_reminders(tx, &id, checked.start, &reminders, &to).await?;
    super::super::tell_microsoft(tx, r.teams, &catalog.business, checked.service.is_location_online, &id).await?;
    Ok(Reserved::Booked(Booking {
        id,
        service_id: checked.service.id.clone(),
        status: "booked".into(),
        start: checked.start,
        end: checked.start + checked.service.duration,
        staff_ids,
        manage_token: token.token,
        business_slug: catalog.business.slug.clone(),
        customer_time_zone: checked.time_zone.clone(),
        join_url: None,
    }))
}
