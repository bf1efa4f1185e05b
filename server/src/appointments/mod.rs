//! Virtual appointments: businesses whose services customers book with their staff, checked
//! by the slot engine (`app::booking`) on every read and every write. A booking locks the
//! staff members it could go to (row locks on PostgreSQL, the single writer on SQLite), reads
//! their calendars again inside that transaction and only then writes, so no staff member is
//! ever booked twice for the same time, however many requests race.

mod answers;
mod book;
mod cache;
pub mod demo;
#[cfg(test)]
mod fake;
pub mod from_bookings;
mod input;
mod manage;
pub mod model;
pub mod setup;
pub mod store;
mod writer;

pub use answers::{AnswerInput, MAX_ANSWER};
pub use book::{book, book_in, BookError, Booking, Customer, NewBooking};
pub use cache::CalendarCache;
pub use input::{date_range, parse_slot_request, SlotRequest};
pub use manage::{cancel, cancel_id, find, move_booking, reschedule, Details};

use crate::store::Db;
use app::booking::{self, StaffRules};
use app::domain::{FieldError, Invalid};
use model::{Business, Service, Staff};

/// A bookable time and the ids of the staff members free then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeSlot {
    pub start: i64,
    pub end: i64,
    pub staff_ids: Vec<String>,
}

/// A business with its services and staff, read once for a request.
pub struct Catalog {
    pub business: Business,
    pub services: Vec<Service>,
    pub staff: Vec<Staff>,
    /// The business's custom questions; each service asks some of them.
    pub questions: Vec<model::Question>,
}

/// Why a question about a business could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AppointmentError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for AppointmentError {
    /// Hours or zones stored for the business that no longer read: its configuration is at
    /// fault, not the request.
    fn from(e: Invalid) -> Self {
        AppointmentError::Db(sqlx::Error::Protocol(format!("the business's hours could not be read: {e}")))
    }
}

impl Catalog {
    /// The published business `slug` with its services and staff.
    pub async fn load(db: &Db, slug: &str) -> Result<Catalog, AppointmentError> {
        let business = store::business_by_slug(db, slug)
            .await?
            .filter(|b| b.is_published)
            .ok_or(AppointmentError::NotFound)?;
        Self::of(db, business).await
    }

    /// `business` (published or not) with its services, staff and questions: what organizers
    /// work with.
    pub async fn of(db: &Db, business: model::Business) -> Result<Catalog, AppointmentError> {
        let services = store::services_of(db, &business.id).await?;
        let staff = store::staff_of(db, &business.id).await?;
        let questions = store::questions(db, &business.id).await?;
        Ok(Catalog {
            business,
            services,
            staff,
            questions,
        })
    }

    /// The questions `service` asks, in its order, with whether each must be answered.
    pub fn questions_of<'a>(&'a self, service: &'a Service) -> impl Iterator<Item = (&'a model::Question, bool)> + 'a {
        service
            .questions
            .iter()
            .filter_map(|a| self.questions.iter().find(|q| q.id == a.question_id).map(|q| (q, a.is_required)))
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The staff members who give `service`, or just `chosen` when the customer chose (and the
    /// business lets them); a field error when the choice is not possible.
    pub fn staff_for(&self, service: &Service, chosen: Option<&str>) -> Result<Vec<&Staff>, FieldError> {
        let giving: Vec<&Staff> = self.staff.iter().filter(|s| service.staff_member_ids.contains(&s.id)).collect();
        match chosen {
            None => Ok(giving),
            Some(_) if !self.business.allow_staff_selection => Err(FieldError::new(
                "staffId",
                "This business assigns staff itself; leave the staff member out.",
            )),
            Some(id) => match giving.into_iter().find(|s| s.id == id) {
                Some(s) => Ok(vec![s]),
                None => Err(FieldError::new("staffId", "This staff member does not give this service.")),
            },
        }
    }
}

/// Queues, in the transaction of a change to the appointment `id`, what Microsoft must learn
/// of it (Microsoft mode only): a business imported from Bookings keeps it there too; any other
/// business's online appointment has a Teams meeting of its own.
pub(crate) async fn tell_microsoft(
    tx: &mut impl crate::jobs::JobWriter,
    teams: bool,
    business: &Business,
    online: bool,
    id: &str,
) -> Result<(), sqlx::Error> {
    if !teams {
        return Ok(());
    }
    if business.bookings_business_id.is_some() {
        crate::jobs::teams::bookings_appointment(tx, id).await
    } else if online {
        crate::jobs::teams::appointment(tx, id).await
    } else {
        Ok(())
    }
}

/// The engine's view of `staff`, given the appointments and time off read for them.
pub(crate) fn calendars(
    business: &Business,
    staff: &[&Staff],
    occupied: &[(String, booking::Booked)],
    off: &[(String, booking::Span)],
) -> Result<Vec<StaffRules>, AppointmentError> {
    staff
        .iter()
        .map(|s| {
            Ok(StaffRules {
                id: s.id.clone(),
                display_name: s.display_name.clone(),
                week: s.week(business)?,
                appointments: occupied.iter().filter(|(id, _)| *id == s.id).map(|(_, b)| b.clone()).collect(),
                busy: off.iter().filter(|(id, _)| *id == s.id).map(|(_, span)| *span).collect(),
            })
        })
        .collect()
}

/// How far around a range calendars are read: appointments and time off just outside it can
/// still reach into it through buffers and long appointments.
pub(crate) const MARGIN: i64 = 2 * 86_400;

fn ids(staff: &[&Staff]) -> Vec<String> {
    staff.iter().map(|s| s.id.clone()).collect()
}

/// The bookable slots a request asks for.
pub async fn slots(db: &Db, cache: &CalendarCache, slug: &str, request: &SlotRequest) -> Result<Vec<FreeSlot>, AppointmentError> {
    let catalog = Catalog::load(db, slug).await?;
    slots_in(db, cache, &catalog, request).await
}

/// [`slots`] for a catalog already read. Calendars come through `cache` (read again only when
/// they changed), up to the business's maximum advance.
pub async fn slots_in(db: &Db, cache: &CalendarCache, catalog: &Catalog, request: &SlotRequest) -> Result<Vec<FreeSlot>, AppointmentError> {
    let service = catalog
        .service(&request.service_id)
        .ok_or_else(|| AppointmentError::Invalid(vec![FieldError::new("serviceId", "This business has no such service.")]))?;
    let staff = catalog
        .staff_for(service, request.staff_id.as_deref())
        .map_err(|e| AppointmentError::Invalid(vec![e]))?;
    let ids = ids(&staff);
    let (from, to) = (request.from - MARGIN, request.to + MARGIN);
    let horizon = db.now() + catalog.business.policy.maximum_advance + MARGIN;
    let (occupied, off) = cache.read(db, &ids, from, to, horizon).await?;
    let calendars = calendars(&catalog.business, &staff, &occupied, &off)?;
    let rules = service.rules(&catalog.business)?;
    let found = booking::slots(&booking::SlotQuery {
        policy: catalog.business.policy,
        service: &rules,
        staff: &calendars,
        now: db.now(),
        from: request.from,
        to: request.to,
    });
    Ok(found
        .into_iter()
        .map(|s| FreeSlot {
            start: s.start,
            end: s.end,
            staff_ids: s.staff_ids(&calendars).into_iter().map(str::to_string).collect(),
        })
        .collect())
}
