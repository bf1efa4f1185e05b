//! Setting a business up: an organizer creates and changes their organization's businesses,
//! services, staff and staff time off, and reads the business's appointments. Every command is
//! one transaction and is scoped to the organizer's organization (another organization's
//! business is "not found", exactly like a missing one).

mod agenda;
mod branding;
pub mod desk;
mod import;
mod import_lists;
mod input;
mod questions;
mod reminders;
mod slug;
mod time;

pub use agenda::{appointments, appointments_of, customers, staff_of};
pub use import::{import_business, FromBookings, ImportReport};
pub use import_lists::{CustomerInput, LeftOutCustomer, LeftOutQuestion, PhoneInput};
pub use input::{BusinessInput, PolicyInput, ServiceInput, StaffInput};
pub use questions::{create_question, questions, remove_question, QuestionInput};
pub use slug::slug_from;
pub use time::{parse_date_time, DateTimeTimeZone, TimeOffInput};

use super::model::{Business, Service, Staff, WorkHoursJson, WorkTimeSlotJson};
use super::store::{self, TimeOff, Upcoming};
use crate::accounts::auth::Organizer;
use crate::store::Db;
use app::booking::{Day, Policy};
use app::domain::FieldError;

/// Why a setup command was refused.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<Vec<FieldError>> for SetupError {
    fn from(errors: Vec<FieldError>) -> Self {
        SetupError::Invalid(errors)
    }
}

/// The organizer's business `slug`.
pub async fn business(db: &Db, org: &Organizer, slug: &str) -> Result<Business, SetupError> {
    store::business_by_slug(db, slug)
        .await?
        .filter(|b| b.organization_id == org.organization_id)
        .ok_or(SetupError::NotFound("Business"))
}

pub async fn businesses(db: &Db, org: &Organizer) -> Result<Vec<Business>, SetupError> {
    Ok(store::businesses_of(db, &org.organization_id).await?)
}

/// The organization's businesses, each with how many services and staff members it has.
pub async fn businesses_with_counts(db: &Db, org: &Organizer) -> Result<Vec<(Business, i64, i64)>, SetupError> {
    let counts = store::setup_counts(db, &org.organization_id).await?;
    Ok(store::businesses_of(db, &org.organization_id)
        .await?
        .into_iter()
        .map(|b| {
            let (services, staff) = counts.iter().find(|(id, _, _)| *id == b.id).map_or((0, 0), |(_, s, t)| (*s, *t));
            (b, services, staff)
        })
        .collect())
}

fn weekdays_nine_to_five() -> Vec<WorkHoursJson> {
    [Day::Monday, Day::Tuesday, Day::Wednesday, Day::Thursday, Day::Friday]
        .into_iter()
        .map(|day| WorkHoursJson {
            day,
            time_slots: vec![WorkTimeSlotJson {
                start_time: "09:00:00.0000000".into(),
                end_time: "17:00:00.0000000".into(),
            }],
        })
        .collect()
}

/// A business of `org` before anything is applied to it: Bookings' defaults.
fn business_defaults(org: &Organizer) -> Business {
    Business {
        id: uuid::Uuid::now_v7().to_string(),
        organization_id: org.organization_id.clone(),
        slug: String::new(),
        display_name: String::new(),
        time_zone: String::new(),
        business_hours: weekdays_nine_to_five(),
        policy: Policy {
            interval: 30 * 60,
            minimum_lead_time: 86_400,
            maximum_advance: 365 * 86_400,
        },
        allow_staff_selection: true,
        is_published: false,
        bookings_business_id: None,
        branding: crate::appointments::model::Branding {
            currency: "USD".into(),
            ..Default::default()
        },
    }
}

/// A new, unpublished business; Bookings' defaults for what is left out.
pub async fn create_business(db: &Db, org: &Organizer, input: &BusinessInput) -> Result<Business, SetupError> {
    let mut b = business_defaults(org);
    input::apply_business(&mut b, input, true)?;
    let mut tx = db.begin_write().await?;
    if store::slug_taken(&mut tx, &b.slug, &b.id).await? {
        return Err(slug_taken(&b.slug));
    }
    store::insert_business(&mut tx, &b).await?;
    tx.commit().await?;
    Ok(b)
}

fn slug_taken(slug: &str) -> SetupError {
    SetupError::Invalid(vec![FieldError::new(
        "slug",
        format!("The address {slug:?} is taken; choose another."),
    )])
}

pub async fn update_business(db: &Db, org: &Organizer, slug: &str, input: &BusinessInput) -> Result<Business, SetupError> {
    let id = business(db, org, slug).await?.id;
    let mut tx = db.begin_write().await?;
    // Read again under the lock: two changes at once each keep the other's fields.
    let mut b = store::business_for_update(db, &mut tx, &id)
        .await?
        .ok_or(SetupError::NotFound("Business"))?;
    input::apply_business(&mut b, input, false)?;
    if store::slug_taken(&mut tx, &b.slug, &b.id).await? {
        return Err(slug_taken(&b.slug));
    }
    store::update_business(&mut tx, &b).await?;
    tx.commit().await?;
    Ok(b)
}

/// Opens (or closes) the booking page; a business opens only with a service someone gives.
pub async fn set_published(db: &Db, org: &Organizer, slug: &str, published: bool) -> Result<Business, SetupError> {
    let mut b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    if published {
        let staff: Vec<String> = store::staff_in(&mut tx, &b.id).await?.into_iter().map(|s| s.id).collect();
        let bookable = store::services_in(&mut tx, &b.id)
            .await?
            .iter()
            .any(|s| s.staff_member_ids.iter().any(|id| staff.contains(id)));
        if !bookable {
            return Err(SetupError::Conflict(
                "Add a service and the staff members who give it before publishing: customers would find nothing to book.".into(),
            ));
        }
    }
    b.is_published = published;
    store::set_published(&mut tx, &b.id, published).await?;
    tx.commit().await?;
    Ok(b)
}

pub async fn services(db: &Db, org: &Organizer, slug: &str) -> Result<Vec<Service>, SetupError> {
    let b = business(db, org, slug).await?;
    Ok(store::services_of(db, &b.id).await?)
}

pub async fn create_service(db: &Db, org: &Organizer, slug: &str, input: &ServiceInput) -> Result<Service, SetupError> {
    let b = business(db, org, slug).await?;
    let mut s = Service::blank(uuid::Uuid::now_v7().to_string(), b.id.clone());
    let mut tx = db.begin_write().await?;
    let staff: Vec<String> = store::staff_in(&mut tx, &b.id).await?.into_iter().map(|s| s.id).collect();
    let questions = question_ids(&mut tx, &b.id).await?;
    input::apply_service(&mut s, input, (&staff, &questions), true)?;
    check_service_hours(&s, &b)?;
    store::insert_service(&mut tx, &s).await?;
    tx.commit().await?;
    Ok(s)
}

async fn question_ids(tx: &mut crate::store::WriteTx, business_id: &str) -> Result<Vec<String>, sqlx::Error> {
    Ok(store::questions_of(&mut *tx.tx, business_id)
        .await?
        .into_iter()
        .map(|q| q.id)
        .collect())
}

fn check_service_hours(s: &Service, b: &Business) -> Result<(), SetupError> {
    s.rules(b)
        .map(|_| ())
        .map_err(|e| SetupError::Invalid(vec![FieldError::new("serviceHours", e.0)]))
}

pub async fn update_service(db: &Db, org: &Organizer, slug: &str, id: &str, input: &ServiceInput) -> Result<Service, SetupError> {
    let b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    // Locked before it is read: two changes at once each keep the other's fields.
    store::lock_service(db, &mut tx, id).await?;
    let mut s = store::services_in(&mut tx, &b.id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(SetupError::NotFound("Service"))?;
    let staff: Vec<String> = store::staff_in(&mut tx, &b.id).await?.into_iter().map(|s| s.id).collect();
    let questions = question_ids(&mut tx, &b.id).await?;
    input::apply_service(&mut s, input, (&staff, &questions), false)?;
    check_service_hours(&s, &b)?;
    store::update_service(&mut tx, &s).await?;
    tx.commit().await?;
    Ok(s)
}

/// Removes a service no upcoming appointment is for; past appointments keep naming it.
pub async fn remove_service(db: &Db, org: &Organizer, slug: &str, id: &str) -> Result<(), SetupError> {
    let b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    if !store::services_in(&mut tx, &b.id).await?.iter().any(|s| s.id == id) {
        return Err(SetupError::NotFound("Service"));
    }
    let now = tx.now_ms() / 1000;
    let upcoming = store::upcoming_count(&mut tx, Upcoming::Service, id, now).await?;
    if upcoming > 0 {
        return Err(SetupError::Conflict(format!(
            "{upcoming} upcoming appointment(s) are for this service; cancel or move them first."
        )));
    }
    store::remove_service(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn staff(db: &Db, org: &Organizer, slug: &str) -> Result<Vec<Staff>, SetupError> {
    let b = business(db, org, slug).await?;
    Ok(store::staff_of(db, &b.id).await?)
}

pub async fn create_staff(db: &Db, org: &Organizer, slug: &str, input: &StaffInput) -> Result<Staff, SetupError> {
    let b = business(db, org, slug).await?;
    let mut s = Staff {
        id: uuid::Uuid::now_v7().to_string(),
        business_id: b.id.clone(),
        display_name: String::new(),
        email_address: String::new(),
        time_zone: b.time_zone.clone(),
        use_business_hours: true,
        working_hours: Vec::new(),
    };
    input::apply_staff(&mut s, input)?;
    let mut tx = db.begin_write().await?;
    store::insert_staff(&mut tx, &s).await?;
    tx.commit().await?;
    Ok(s)
}

async fn staff_member(tx: &mut crate::store::WriteTx, b: &Business, id: &str) -> Result<Staff, SetupError> {
    store::staff_in(tx, &b.id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(SetupError::NotFound("Staff member"))
}

pub async fn update_staff(db: &Db, org: &Organizer, slug: &str, id: &str, input: &StaffInput) -> Result<Staff, SetupError> {
    let b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    store::lock_staff(&mut tx, &[id.to_string()]).await?;
    let mut s = staff_member(&mut tx, &b, id).await?;
    input::apply_staff(&mut s, input)?;
    store::update_staff(&mut tx, &s).await?;
    tx.commit().await?;
    Ok(s)
}

/// Removes a staff member without upcoming appointments, and from the services they gave.
pub async fn remove_staff(db: &Db, org: &Organizer, slug: &str, id: &str) -> Result<(), SetupError> {
    let b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    staff_member(&mut tx, &b, id).await?;
    let now = tx.now_ms() / 1000;
    let upcoming = store::upcoming_count(&mut tx, Upcoming::Staff, id, now).await?;
    if upcoming > 0 {
        return Err(SetupError::Conflict(format!(
            "This staff member has {upcoming} upcoming appointment(s); cancel or move them first."
        )));
    }
    for mut service in store::services_in(&mut tx, &b.id).await? {
        if service.staff_member_ids.iter().any(|s| s == id) {
            service.staff_member_ids.retain(|s| s != id);
            store::update_service(&mut tx, &service).await?;
        }
    }
    store::remove_staff(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The staff member's time off that has not ended yet.
pub async fn time_off(db: &Db, org: &Organizer, slug: &str, staff_id: &str) -> Result<(Business, Vec<TimeOff>), SetupError> {
    let b = business(db, org, slug).await?;
    if !store::staff_of(db, &b.id).await?.iter().any(|s| s.id == staff_id) {
        return Err(SetupError::NotFound("Staff member"));
    }
    let list = store::time_off_of(db, staff_id, db.now()).await?;
    Ok((b, list))
}

/// Adds time off; slots in it are no longer offered (appointments already in it stay).
pub async fn add_time_off(
    db: &Db,
    org: &Organizer,
    slug: &str,
    staff_id: &str,
    input: &TimeOffInput,
) -> Result<(Business, TimeOff), SetupError> {
    let b = business(db, org, slug).await?;
    let span = time::parse_time_off(input)?;
    let mut tx = db.begin_write().await?;
    staff_member(&mut tx, &b, staff_id).await?;
    let off = TimeOff {
        id: uuid::Uuid::now_v7().to_string(),
        staff_id: staff_id.to_string(),
        span,
    };
    store::insert_time_off(&mut tx, &off).await?;
    store::bump_calendars(&mut tx, &[staff_id.to_string()]).await?;
    tx.commit().await?;
    Ok((b, off))
}

pub async fn remove_time_off(db: &Db, org: &Organizer, slug: &str, staff_id: &str, id: &str) -> Result<(), SetupError> {
    let b = business(db, org, slug).await?;
    let mut tx = db.begin_write().await?;
    staff_member(&mut tx, &b, staff_id).await?;
    if !store::delete_time_off(&mut tx, staff_id, id).await? {
        return Err(SetupError::NotFound("Time off"));
    }
    store::bump_calendars(&mut tx, &[staff_id.to_string()]).await?;
    tx.commit().await?;
    Ok(())
}
