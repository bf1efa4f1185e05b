//! A business made from one in Microsoft Bookings: its settings, services, staff, custom
//! questions and customers as Graph gives them, checked by the same rules as the organizer API,
//! written in one transaction. Services, staff, questions and customers keep their Bookings
//! ids, so later reads from Bookings (and what Atrium sends there) match them.

use super::import_lists::{self, within, CustomerInput, LeftOutCustomer, LeftOutQuestion};
use super::input::{self, BusinessInput, ServiceInput, StaffInput};
use super::questions::QuestionInput;
use super::{business_defaults, slug_taken, SetupError};
use crate::accounts::auth::Organizer;
use crate::appointments::model::{Business, Service, Staff};
use crate::appointments::store;
use crate::store::Db;

/// What Graph gave for a Bookings business, read into Atrium's inputs, each with its Bookings
/// id.
pub struct FromBookings {
    pub bookings_id: String,
    pub business: BusinessInput,
    pub services: Vec<(String, ServiceInput)>,
    pub staff: Vec<(String, StaffInput)>,
    pub questions: Vec<(String, QuestionInput)>,
    pub customers: Vec<(String, CustomerInput)>,
}

/// What importing brought over besides the business, its services and staff, and what it left
/// out, to tell the organizer.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub questions_imported: usize,
    pub customers_imported: usize,
    /// Questions of a kind Atrium does not ask; the services that asked them no longer do.
    pub questions_left_out: Vec<LeftOutQuestion>,
    pub customers_left_out: Vec<LeftOutCustomer>,
}

/// Makes an unpublished business of `from`; a field of Bookings' that Atrium cannot take is
/// named with the item it belongs to, and nothing is written.
pub async fn import_business(db: &Db, org: &Organizer, from: FromBookings) -> Result<(Business, ImportReport), SetupError> {
    let mut b = business_defaults(org);
    b.bookings_business_id = Some(from.bookings_id.clone());
    input::apply_business(&mut b, &from.business, true)?;
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
        input::apply_staff(&mut member, s).map_err(|e| within(&format!("Staff member {id}"), e))?;
        staff.push(member);
    }
    let staff_ids: Vec<String> = staff.iter().map(|s| s.id.clone()).collect();
    let (questions, mut questions_left_out) = import_lists::questions(&b.id, &from.questions)?;
    let question_ids: Vec<String> = questions.iter().map(|q| q.id.clone()).collect();
    let mut services = Vec::new();
    for (id, mut s) in from.services {
        // A question left out is no longer asked.
        if let Some(asked) = &mut s.custom_questions {
            asked.retain(|a| match questions_left_out.iter_mut().find(|q| q.id == a.question_id) {
                Some(q) => {
                    q.asked_by.push(id.clone());
                    false
                }
                None => true,
            });
        }
        // Bookings writes 0 for "one at a time".
        if s.maximum_attendees_count == Some(0) {
            s.maximum_attendees_count = Some(1);
        }
        let mut service = Service::blank(id.clone(), b.id.clone());
        input::apply_service(&mut service, &s, (&staff_ids, &question_ids), true).map_err(|e| within(&format!("Service {id}"), e))?;
        services.push(service);
    }
    let (customers, customers_left_out) = import_lists::customers(&b.id, &from.customers);

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
    for q in &questions {
        if store::question_exists(&mut tx, &q.id).await? {
            return Err(SetupError::Conflict(format!(
                "The custom question {} is already part of another business in Atrium.",
                q.id
            )));
        }
        store::insert_question(&mut tx, q).await?;
    }
    for s in &services {
        store::insert_service(&mut tx, s).await?;
    }
    for c in &customers {
        store::insert_customer(&mut tx, c).await?;
    }
    tx.commit().await?;
    Ok((
        b,
        ImportReport {
            questions_imported: questions.len(),
            customers_imported: customers.len(),
            questions_left_out,
            customers_left_out,
        },
    ))
}
