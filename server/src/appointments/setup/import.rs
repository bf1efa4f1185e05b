//! A business made from one in Microsoft Bookings: its settings, services and staff as Graph
//! gives them, checked by the same rules as the organizer API, written in one transaction. The
//! services and staff keep their Bookings ids, so later reads from Bookings match them.

use super::input::{self, BusinessInput, ServiceInput, StaffInput};
use super::{business_defaults, slug_taken, SetupError};
use crate::accounts::auth::Organizer;
use crate::appointments::model::{Business, Service, Staff};
use crate::appointments::store;
use crate::store::Db;
use app::domain::FieldError;

/// What Graph gave for a Bookings business, read into Atrium's inputs.
pub struct FromBookings {
    pub bookings_id: String,
    pub business: BusinessInput,
    pub services: Vec<(String, ServiceInput)>,
    pub staff: Vec<(String, StaffInput)>,
}

/// What importing left out, to tell the organizer.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Services whose custom questions were not brought over (not supported yet).
    pub custom_questions: Vec<String>,
}

/// Makes an unpublished business of `from`; a field of Bookings' that Atrium cannot take is
/// named with the item it belongs to.
pub async fn import_business(db: &Db, org: &Organizer, from: FromBookings) -> Result<(Business, LeftOut), SetupError> {
    let mut b = business_defaults(org);
    b.bookings_business_id = Some(from.bookings_id.clone());
    input::apply_business(&mut b, &from.business, true)?;
    let within = |what: String, errors: Vec<FieldError>| {
        SetupError::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError::new(e.field, format!("{what}: {}", e.message)))
                .collect(),
        )
    };
    let mut staff = Vec::new();
    for (id, s) in &from.staff {
        let mut member = Staff {
            id: id.clone(),
            business_id: b.id.clone(),
            display_name: String::new(),
            email_address: String::new(),
            time_zone: b.time_zone.clone(),
            use_business_hours: true,
            working_hours: Vec::new(),
        };
        input::apply_staff(&mut member, s).map_err(|e| within(format!("Staff member {id}"), e))?;
        staff.push(member);
    }
    let staff_ids: Vec<String> = staff.iter().map(|s| s.id.clone()).collect();
    let mut left_out = LeftOut::default();
    let mut services = Vec::new();
    for (id, s) in from.services {
        let mut s = s;
        if s.custom_questions.as_ref().is_some_and(|q| !q.is_empty()) {
            left_out.custom_questions.push(id.clone());
        }
        s.custom_questions = None;
        // Bookings writes 0 for "one at a time".
        if s.maximum_attendees_count == Some(0) {
            s.maximum_attendees_count = Some(1);
        }
        let mut service = Service::blank(id.clone(), b.id.clone());
        input::apply_service(&mut service, &s, (&staff_ids, &[]), true).map_err(|e| within(format!("Service {id}"), e))?;
        services.push(service);
    }
    let mut tx = db.begin_write().await?;
    if store::slug_taken(&mut tx, &b.slug, &b.id).await? {
        return Err(slug_taken(&b.slug));
    }
    if store::business_by_bookings_id(&mut tx, &from.bookings_id).await?.is_some() {
        return Err(SetupError::Conflict(
            "This Bookings business is already imported; change it in Atrium or remove it first.".into(),
        ));
    }
    store::insert_business(&mut tx, &b).await?;
    for s in &staff {
        if store::staff_exists(&mut tx, &s.id).await? {
            return Err(SetupError::Conflict(format!(
                "The staff member {} is already part of another business in Atrium.",
                s.id
            )));
        }
        store::insert_staff(&mut tx, s).await?;
    }
    for s in &services {
        store::insert_service(&mut tx, s).await?;
    }
    tx.commit().await?;
    Ok((b, left_out))
}
